"""The report as one self-contained HTML file: inline CSS, charts as inline SVG, no script,
no link to anything outside the file, so it opens offline. The PDF is this page, printed.

Every value reaches the page through Jinja2 with autoescaping on; the only unescaped
insertions are the SVG documents kaleido serialised from our own figures.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from impact.presentation import fmt
from impact.presentation.i18n import t
from impact.presentation.safetext import display_text, has_display_controls
from impact.report import labels
from impact.report import stamp
from impact.report.about import definitions, scope
from impact.report.content import ReportContent
from impact.report.figures import HALF_WIDTH, report_charts
from impact.report.images import svg
from impact.report.labels import MONEY, TEXT
from impact.report.claims import check
from impact.report.narrative import disclosure, narrative
from impact.report.sections import all_tables
from impact.report.tables import KPI_ROWS, ReportTable, cell_text

TEMPLATES = Path(__file__).resolve().parent / "templates"
# The tables the document shows, in reading order (the KPI table is shown as cards).
SECTIONS = ("projects", "reach", "targets", "outcomes", "indicators", "statement", "finance",
            "sources", "funders", "monthly", "years")


def _safe_value(value):
    """Every value the template prints passes the one display rule (impact.presentation.
    safetext): autoescaping stops markup, but a stored name's U+202E or ESC would still
    reach the page raw and reorder or garble what the reader sees. The SVG insertions
    (Markup) keep their markup: a control character is never part of markup syntax."""
    if isinstance(value, Markup):
        return Markup(display_text(value)) if has_display_controls(value) else value
    if isinstance(value, str):
        return display_text(value)
    return value


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, finalize=_safe_value)
    return env.get_template("report.html.j2")


def _delta(change: dict | None, kind: str, lang: str) -> tuple[str, str]:
    """'上期 594，-13（-2.19%）' and its direction, for a KPI card."""
    if not change:
        return t("report.kpi.no_previous", lang), ""
    values = {"previous": labels.number(change["previous"], kind, lang),
              "change": labels.signed_number(change["change"], kind, lang)}
    if change["pct"] is None:
        text = t("report.kpi.vs_no_pct", lang, **values)
    else:
        text = t("report.kpi.vs", lang, **values,
                 pct=labels.signed_number(change["pct"], labels.PCT, lang))
    trend = "up" if change["change"] > 0 else "down" if change["change"] < 0 else ""
    return text, trend


def cards(content: ReportContent) -> list[dict]:
    """The headline figures as cards: value, and change against the previous period."""
    s, lang = content.summary, content.lang
    out = []
    for metric, kind in KPI_ROWS:
        delta, trend = _delta(s["yoy"].get(metric), kind, lang)
        if metric == "expense_total":
            trend = ""  # spending less is neither good nor bad news by itself
        out.append({"label": t(f"report.kpi.{metric}", lang),
                    "value": labels.number(s[metric], kind, lang), "delta": delta,
                    "trend": trend, "range": False})
    value = s["volunteer_value"]
    extra = (
        ("surplus", labels.number(s["surplus"], MONEY, lang), ""),
        ("cost_per_beneficiary", labels.number(s["cost_per_beneficiary"], MONEY, lang), ""),
        ("volunteer_value", f"{labels.number(value['low'], MONEY, lang)} – "
                            f"{labels.number(value['high'], MONEY, lang)}",
         t("report.kpi.volunteer_value_note", lang, low=fmt.number(value["rate_low"], lang),
           high=fmt.number(value["rate_high"], lang))),
    )
    out += [{"label": t(f"report.kpi.{key}", lang), "value": text, "delta": note, "trend": "",
             "range": key == "volunteer_value"} for key, text, note in extra]
    return out


def _table_view(table: ReportTable, lang: str) -> dict:
    classes = ["" if c.kind == TEXT or c.key in ("year", "month") else "num"
               for c in table.columns]
    return {"name": table.name, "title": table.title or t(f"report.section.{table.name}", lang),
            "note": table.note,
            "headers": table.headers(lang), "classes": classes,
            "rows": [[cell_text(c, row, lang) for c in table.columns] for row in table.rows],
            "empty": t(f"report.{table.name}.none", lang) if table.name in (
                "targets", "indicators", "reach", "outcomes") else t("report.table.empty", lang)}


def claims_view(content: ReportContent) -> dict | None:
    """The check of the director's own text, when one was given: the findings, or that the
    claims agree with the figures."""
    if not content.draft.strip():
        return None
    lang = content.lang
    findings = check(content.draft, content)
    return {"title": t("report.section.claims", lang),
            "intro": t("report.claims.intro" if findings else "report.claims.none", lang),
            "findings": findings}


def render_html(content: ReportContent, with_charts: bool = True) -> str:
    """The full report page. `with_charts=False` leaves the charts out (no browser needed)."""
    lang = content.lang
    tables = {tb.name: tb for tb in all_tables(content)}
    charts = []
    if with_charts:
        charts = [{"svg": svg(c.figure, c.width, c.height), "half": c.width == HALF_WIDTH}
                  for c in report_charts(content)]
    period = labels.period(content.filters, lang)
    return _template().render(
        html_lang="zh-CN" if lang == "zh" else "en",
        title=labels.title(content.filters, content.orgs, lang),
        subtitle=t("report.subtitle", lang),
        css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
        scope=scope(content),
        data_changed=(t("report.data_changed", lang,
                        date=content.data_changed.strftime("%Y-%m-%d"))
                      if content.data_changed else ""),
        generated=t("report.generated", lang, date=content.generated.strftime("%Y-%m-%d")),
        demo_notice=t("report.demo_notice", lang) if content.demo else "",
        no_data="" if content.has_data else t("report.no_data", lang, period=period),
        text={k: t(f"report.section.{k}", lang) for k in
              ("kpis", "narrative", "charts", "definitions", "filters")},
        cards=cards(content),
        narrative=narrative(content),
        disclosure_title=t("disclosure.title", lang),
        disclosure=disclosure(content),
        claims=claims_view(content),
        charts=charts,
        tables=[_table_view(tables[name], lang) for name in SECTIONS + ("published",)
                if name in tables],
        definitions=definitions(content),
        stamp_json=stamp.html_json(content.stamp) if content.stamp else "",
    )

