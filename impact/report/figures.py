"""The report's charts, built with the dashboard's chart template (impact.presentation.charts).

Each builder returns a plotly Figure, or None when there is nothing to draw. The one
figure charts.py lacks, bars with a line on a second axis (two units in one chart), is
here, in the same template.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import plotly.graph_objects as go

from impact.presentation import charts, fmt
from impact.presentation.i18n import t
from impact.report import labels
from impact.report.content import ReportContent, per_year
from impact.storage.schema import EXPENSE_LINES, SOURCE_TYPES

FULL_WIDTH, HALF_WIDTH, HEIGHT = 720, 355, 320


@dataclass(frozen=True)
class Chart:
    """A figure and the size it is exported at (full or half the page width)."""

    name: str
    figure: go.Figure
    width: int = FULL_WIDTH
    height: int = HEIGHT


def _safe(text) -> str:
    """Plotly reads <b>, <a href> … in labels as markup; data names must stay plain text."""
    return escape(str(text), quote=False)


def bars_and_line(x: list, bars: tuple[str, list], line: tuple[str, list], *, title: str,
                  lang: str, bar_kind: str = "count", line_kind: str = "count") -> go.Figure:
    """Bars on the left axis and a line on the right one, for two units over one x axis."""
    fig = go.Figure()
    fig.add_bar(x=x, y=bars[1], name=bars[0])
    fig.add_scatter(x=x, y=line[1], name=line[0], mode="lines+markers", yaxis="y2")
    left = charts.value_axis(bars[1], bar_kind, lang)  # the template's 万/亿 ticks
    right = charts.value_axis(line[1], line_kind, lang)
    fig.update_layout(
        template=charts.TEMPLATE, title=dict(text=title), showlegend=True,
        yaxis=dict(title=dict(text=bars[0]), **left),
        yaxis2={"title": dict(text=line[0]), "overlaying": "y", "side": "right",
                "showgrid": False, "rangemode": "tozero", "tickformat": ",~r",
                "tickmode": "auto", **right},
    )
    # Legend above the plot: rotated month labels below it would run into it.
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
                      margin=dict(t=76))
    fig.update_xaxes(type="category", nticks=13 if len(x) > 24 else None)
    return fig


def _month_axis(content: ReportContent) -> list[str]:
    """'1月' … for one year; '2020-01' … across years."""
    rows = content.monthly
    if len({r["year"] for r in rows}) == 1:
        return [f"{r['month']}月" if content.lang == "zh" else f"{r['month']:02d}" for r in rows]
    return [f"{r['year']}-{r['month']:02d}" for r in rows]


def by_project(content: ReportContent) -> Chart | None:
    rows = content.projects
    if not rows:
        return None
    many = len(content.orgs) > 1
    names = [_safe(f"{r['org']} · {r['project']}" if many else r["project"]) for r in rows]
    fig = charts.bars(names, {t("report.axis.person_times", content.lang):
                              [r["beneficiaries"] for r in rows]},
                      title=t("report.chart.by_project", content.lang), lang=content.lang,
                      horizontal=True)
    return Chart("by_project", fig, height=max(HEIGHT, 70 + 30 * len(rows)))


def by_month(content: ReportContent) -> Chart | None:
    rows, lang = content.monthly, content.lang
    if not rows:
        return None
    fig = bars_and_line(_month_axis(content),
                        (t("report.axis.person_times", lang), [r["beneficiaries"] for r in rows]),
                        (t("report.axis.services", lang), [r["services"] for r in rows]),
                        title=t("report.chart.by_month", lang), lang=lang)
    return Chart("by_month", fig)


def volunteers(content: ReportContent) -> Chart | None:
    rows, lang = content.monthly, content.lang
    if not rows:
        return None
    hours = [whole_hours(r["volunteer_minutes"]) for r in rows]
    fig = bars_and_line(_month_axis(content),
                        (t("report.kpi.volunteers", lang), [r["volunteers"] for r in rows]),
                        (t("report.axis.hours", lang), hours),
                        title=t("report.chart.volunteers", lang), lang=lang)
    return Chart("volunteers", fig)


def whole_hours(minutes: int) -> int:
    """Minutes as whole hours, rounded half up, for plotting (exact figures are in the tables)."""
    return (minutes + 30) // 60


def _donut(content: ReportContent, flow: str, amounts: dict, order: tuple, name,
           title: str, subtitle: str = "") -> Chart | None:
    present = [c for c in order if amounts.get(c)]
    if not present:
        return None
    fig = charts.donut([_safe(name(c)) for c in present],
                       [amounts[c] for c in present],
                       title=title, lang=content.lang)
    fig.update_traces(textposition="inside", insidetextorientation="horizontal")
    extra_lines = fig.layout.title.text.count("<br>")  # a long title wraps (charts.wrap_title)
    fig.update_layout(title=dict(subtitle=dict(text=subtitle)),
                      margin=dict(t=70 + charts.TITLE_LINE_PX * extra_lines),
                      legend=dict(orientation="h", y=-0.05, x=0, yanchor="top"),
                      uniformtext=dict(minsize=9, mode="hide"))
    return Chart(flow, fig, width=HALF_WIDTH)


def income(content: ReportContent) -> Chart | None:
    """Income by source type; the subtitle carries its concentration (largest share, HHI)."""
    lang, conc = content.lang, content.summary["funding_concentration"]
    subtitle = (t("report.chart.income_sub", lang, share=fmt.share(conc["largest_share"], lang),
                  hhi=labels.number(conc["hhi"], labels.VALUE, lang))
                if conc["largest_share"] is not None else "")
    return _donut(content, "income", content.summary["income_by_source"], (*SOURCE_TYPES, None),
                  lambda c: labels.source(c, lang), t("report.chart.income", lang), subtitle)


def expense(content: ReportContent) -> Chart | None:
    """Expenses by statutory line."""
    lang = content.lang
    return _donut(content, "expense", content.summary["expense_by_line"], EXPENSE_LINES,
                  lambda c: labels.line("expense", c, lang), t("report.chart.expense", lang))


def growth(content: ReportContent) -> Chart | None:
    rows, lang = per_year(content), content.lang
    if len(rows) < 2:
        return None
    fig = bars_and_line([str(r["year"]) for r in rows],
                        (t("report.kpi.income_total", lang),
                         [charts.fen_position(r["income_total"]) for r in rows]),
                        (t("report.kpi.beneficiaries", lang), [r["beneficiaries"] for r in rows]),
                        title=_growth_title(content), lang=lang, bar_kind="money")
    return Chart("growth", fig)


def _growth_title(content: ReportContent) -> str:
    """The growth chart's title, with the compound annual growth over the years shown."""
    lang, growth = content.lang, content.growth
    if not growth:
        return t("report.chart.growth", lang)
    return t("report.chart.growth_cagr", lang, first=growth["first_year"],
             last=growth["last_year"],
             beneficiaries=labels.signed_number(growth["beneficiaries"], labels.PCT, lang),
             income=labels.signed_number(growth["income_total"], labels.PCT, lang))


def report_charts(content: ReportContent) -> list[Chart]:
    """The report's charts in reading order (those with nothing to draw are left out)."""
    built = (by_project(content), by_month(content), volunteers(content), income(content),
             expense(content), growth(content))
    return [c for c in built if c is not None]
