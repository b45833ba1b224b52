"""The Overview page model: headline KPIs with year-over-year change, the trend of the core
metrics, target achievement and the organisation indicators for the selection."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from impact.presentation import charts, fmt
from impact.filters import Filters
from impact.presentation.i18n import has, label, t
from impact.domain.metrics import (achievement, change, money, summarize, summary_queries,
                                   volunteer_hours)
from impact.views.common import (COUNT, DECIMAL, HOURS, MONEY, PERCENT, TEXT, Chart, Column, Kpi,
                                 PageModel, Table, coverage_note, indicator_params, metric_kind,
                                 page_base)
from impact.storage.cache import cached

# (summary key, kind); the order of the cards on the page.
KPI_METRICS = (("services", COUNT), ("beneficiaries", COUNT), ("volunteers", COUNT),
               ("volunteer_hours", HOURS), ("income_total", MONEY),
               ("expense_total", MONEY), ("surplus", MONEY))
MONEY_KEYS = {key for key, kind in KPI_METRICS if kind == MONEY}
TREND_METRICS = ("services", "beneficiaries", "volunteers")
# Organisations stacked one by one in a trend (one colour each); beyond that, the smallest
# are summed in one grey series (see org_series).
TREND_ORGS = len(charts.PALETTE)
OTHER_COLOR = charts.PALETTE[-1]


@dataclass
class OverviewModel(PageModel):
    """Everything the Overview page shows."""

    kpis: list[Kpi] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    activity_trends: list[Chart] = field(default_factory=list)
    # (name, colour) of each organisation stacked in the trends: one legend above the three
    # (the same organisations in the same colours), not one inside each chart.
    trend_legend: list[tuple[str, str]] = field(default_factory=list)
    money_trend: Chart | None = None
    targets: Table | None = None
    indicators: Table | None = None

    @property
    def activity_kpis(self) -> list[Kpi]:
        return [k for k in self.kpis if k.key not in MONEY_KEYS]

    @property
    def money_kpis(self) -> list[Kpi]:
        return [k for k in self.kpis if k.key in MONEY_KEYS]


def period_label(filters: Filters | None, lang: str) -> str:
    """'2019' or '2017–2018': the period a figure is compared with."""
    if filters is None or filters.year_from is None:
        return ""
    if filters.year_from == filters.year_to:
        return str(filters.year_from)
    return f"{filters.year_from}–{filters.year_to}"


def derived_changes(summary: dict) -> dict:
    """YoY for the cards summarize() has no change for: hours (from minutes) and surplus."""
    yoy = dict(summary["yoy"])
    minutes = yoy.get("volunteer_minutes")
    yoy["volunteer_hours"] = None if minutes is None else {
        "previous": volunteer_hours(minutes["previous"]),
        "change": summary["volunteer_hours"] - volunteer_hours(minutes["previous"]),
        "pct": minutes["pct"], "gaps": minutes.get("gaps", {})}
    income, expense = yoy.get("income_total"), yoy.get("expense_total")
    yoy["surplus"] = None if income is None or expense is None else change(
        summary["surplus"], money(income["previous"] - expense["previous"]),
        income.get("gaps"))
    return yoy


def _display(value, kind: str, lang: str) -> tuple[str, str]:
    """(card text, exact text) for a value: the same figure, by the kind's one rule."""
    text = fmt.value(value, kind, lang)
    return text, text


def kpi_cards(summary: dict, filters: Filters, lang: str) -> list[Kpi]:
    """The headline cards, each with its change against the period before."""
    yoy = derived_changes(summary)
    previous = period_label(filters.previous_period(), lang)
    cards = []
    for key, kind in KPI_METRICS:
        value = summary[key]
        display, exact = _display(value, kind, lang)
        delta = yoy.get(key)
        help_text = t(f"metric.{key}.help", lang)
        if delta:
            prev_text = _display(delta["previous"], kind, lang)[1]
            help_text += " " + t("kpi.compared_with", lang, period=previous, value=prev_text)
            if delta.get("gaps"):
                help_text += " " + t("kpi.gaps", lang, gaps=fmt.gaps(delta["gaps"], lang))
        elif previous:
            help_text += " " + t("kpi.no_previous", lang, period=previous)
        cards.append(Kpi(key=key, label=t(f"metric.{key}", lang), value=value, display=display,
                         exact=exact, delta=fmt.delta(delta, kind, lang),
                         delta_value=delta["change"] if delta else None, help=help_text,
                         delta_color="off" if key == "expense_total" else "normal",
                         previous=delta["previous"] if delta else None,
                         basis={"period": previous}))
    return cards


def trend_filters(filters: Filters) -> Filters:
    """The trend covers every year of the chosen organisations, the selected range shaded."""
    return filters.with_years(None, None)


def activity_trends(db, filters: Filters, lang: str, caption: str
                    ) -> tuple[list[Chart], list[tuple[str, str]]]:
    """One small trend per core metric (side by side on a desktop, stacked on a phone).
    With several organisations, bars stacked by organisation show who contributes to each
    year, and the caption flags organisations covering different years. Returns the charts
    and their shared legend ((name, colour) per organisation; empty with one).

    The legend is drawn once by the page: three legends of up to nine names cost Plotly a
    second layout pass per chart on every filter change (issue 29), and said the same thing
    three times."""
    span = trend_filters(filters).params()
    rows = db.rows("activity_by_year", **span)
    per_org = db.rows("org_by_year", **span)
    orgs = list(dict.fromkeys(r["org"] for r in per_org))
    note = caption + "  \n" + t("overview.trend_note", lang)
    coverage = coverage_note(per_org, lang)
    if coverage:
        note += "  \n" + coverage
    selected = (filters.year_from, filters.year_to)
    out, legend = [], []
    for metric in TREND_METRICS:
        title = t(f"overview.chart.trend.{metric}", lang)
        figure = None
        chart_note = note
        if rows and len(orgs) > 1:
            years = sorted({r["year"] for r in per_org})
            series, other = org_series(per_org, metric, years, lang, rank="beneficiaries")
            colors = {o: charts.PALETTE[i % len(charts.PALETTE)] for i, o in enumerate(series)}
            if other:
                colors[other] = OTHER_COLOR
                chart_note += "  \n" + t("common.top_orgs", lang, shown=len(series) - 1,
                                         rest=len(orgs) - len(series) + 1, other=other)
            figure = charts.bars(years, series, title=title, lang=lang, stacked=True,
                                 highlight=selected, colors=colors, legend=False)
            legend = list(colors.items())
        elif rows:
            figure = charts.lines([r["year"] for r in rows],
                                  {t(f"metric.{metric}", lang): [r[metric] for r in rows]},
                                  title=title, lang=lang, highlight=selected)
        out.append(Chart(f"trend_{metric}", title, chart_note, figure, rows,
                         t("empty.chart", lang)))
    return out, legend


def org_series(per_org: list[dict], metric: str, years: list[int],
               lang: str, rank: str | None = None) -> tuple[dict[str, list], str]:
    """Each organisation's `metric` per year, for bars stacked by organisation. Beyond
    TREND_ORGS organisations, the largest (by their total over the years) keep a series each
    and the rest are summed into one, so the chart stays readable and small (200 series at
    10M bench rows were 80 KB per chart). Returns (series in stacking order, the name of
    the summed series or ""). `rank` names the metric whose total picks the largest (the
    same organisations in every chart of a page, so one legend serves them all); by default
    `metric` itself."""
    value = {(r["org"], r["year"]): r[metric] for r in per_org}
    orgs = list(dict.fromkeys(r["org"] for r in per_org))
    if len(orgs) <= TREND_ORGS:
        return {o: [value.get((o, y)) for y in years] for o in orgs}, ""
    ranked = {(r["org"], r["year"]): r[rank or metric] for r in per_org}
    total = {o: sum(ranked.get((o, y)) or 0 for y in years) for o in orgs}
    top = sorted(orgs, key=lambda o: (-total[o], o))[:TREND_ORGS - 1]
    rest = [o for o in orgs if o not in set(top)]
    other = t("common.other_orgs", lang, rest=fmt.count(len(rest), lang))
    summed = [[value[(o, y)] for o in rest if value.get((o, y)) is not None] for y in years]
    series = {o: [value.get((o, y)) for y in years] for o in top}
    series[other] = [sum(vs) if vs else None for vs in summed]
    return series, other


def money_trend(db, filters: Filters, lang: str, caption: str) -> Chart:
    rows = db.rows("finance_by_year_line", **trend_filters(filters).params())
    title = t("overview.chart.money_trend", lang)
    years = sorted({r["year"] for r in rows})
    figure = None
    if rows:
        totals = {flow: [sum((r["amount"] for r in rows
                              if r["year"] == y and r["flow"] == flow), Decimal(0))
                         for y in years]
                  for flow in ("income", "expense")}
        figure = charts.bars(years, {t(f"flow.{f}", lang): v for f, v in totals.items()},
                             title=title, lang=lang, kind="money",
                             highlight=(filters.year_from, filters.year_to))
    coverage = coverage_note(db.rows("org_by_year", **trend_filters(filters).params()), lang)
    note = caption + "  \n" + t("overview.trend_note", lang)
    return Chart("money_trend", title, note + ("  \n" + coverage if coverage else ""),
                 figure, rows, t("empty.chart", lang))


def targets_table(db, filters: Filters, lang: str) -> Table:
    rows = []
    for r in db.rows("target_achievement", **indicator_params(filters)):
        metric = r["metric"]
        prefix = "metric" if has(f"metric.{metric}", lang) else "indicator"
        kind = metric_kind(metric, r.get("unit"))
        rows.append({**r, "metric_label": label(prefix, metric, lang),
                     "project": r["project"] or t("common.whole_org", lang),
                     "target": fmt.trim(r["target"]), "actual": fmt.trim(r["actual"]),
                     "achievement": achievement(r["actual"], r["target"]), "_kind": kind})
    # Key columns first: on a phone the metric, its achievement and actual stay on screen.
    columns = [Column("metric_label", t("col.metric", lang)),
               Column("achievement", t("col.achievement", lang), PERCENT),
               Column("actual", t("col.actual", lang), DECIMAL),
               Column("target", t("col.target", lang), DECIMAL),
               Column("project", t("col.project", lang)),
               Column("year", t("col.year", lang)), Column("org", t("col.org", lang))]
    # A grant's deliverable beside the organisation's own target for the same metric read as
    # a duplicated row: the grant column tells them apart (shown when any target has one).
    if any(r.get("grant_id") for r in rows):
        columns.append(Column("grant_id", t("grants.col.grant_id", lang)))
    return Table("targets", _org_level(t("overview.table.targets", lang), filters, lang),
                 columns, rows, lang=lang)


def _org_level(title: str, filters: Filters, lang: str) -> str:
    """Targets and indicators have no programme area: with an area filter, the header says
    the table is organisation-level rather than pretend it was filtered."""
    if not filters.areas:
        return title
    return t("overview.table.org_level", lang, title=title,
             areas=t("filters.list_sep", lang).join(label("area", a, lang)
                                                    for a in filters.areas))


def indicators_table(db, filters: Filters, lang: str) -> Table:
    rows = [{**r, "indicator_label": label("indicator", r["indicator"], lang),
             "project": r["project"] or t("common.whole_org", lang),
             "value": fmt.trim(r["value"]), "unit": label("data_unit", r["unit"], lang),
             "_kind": metric_kind(r["indicator"], r["unit"])}
            for r in db.rows("indicators", **indicator_params(filters))]
    columns = [Column("indicator_label", t("col.indicator", lang)),
               Column("value", t("col.value", lang), DECIMAL),
               Column("unit", t("col.unit", lang), TEXT),
               Column("project", t("col.project", lang)),
               Column("year", t("col.year", lang)), Column("org", t("col.org", lang))]
    return Table("indicators", _org_level(t("overview.table.indicators", lang), filters, lang),
                 columns, rows, lang=lang)


def _queries(filters: Filters) -> list[tuple[str, dict]]:
    """Every query the page runs, to start them together."""
    span, ind = trend_filters(filters).params(), indicator_params(filters)
    return summary_queries(filters) + [
        ("activity_by_year", span), ("finance_by_year_line", span), ("org_by_year", span),
        ("target_achievement", ind), ("indicators", ind)]


def overview(db, filters: Filters, lang: str) -> OverviewModel:
    """Build the Overview page for a selection, in `lang`."""
    db = cached(db)
    db.prefetch(_queries(filters))
    base = page_base("overview", db, filters, lang)
    model = OverviewModel(**vars(base))
    if model.empty:
        return model
    model.summary = summarize(db, filters)
    model.kpis = kpi_cards(model.summary, filters, lang)
    model.activity_trends, model.trend_legend = activity_trends(db, filters, lang,
                                                                base.caption)
    model.money_trend = money_trend(db, filters, lang, base.caption)
    model.targets = targets_table(db, filters, lang)
    model.indicators = indicators_table(db, filters, lang)
    return model
