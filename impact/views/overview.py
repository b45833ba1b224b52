"""The Overview page model: headline KPIs with year-over-year change, the trend of the core
metrics, target achievement and the organisation indicators for the selection."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from impact import charts, fmt
from impact.filters import Filters
from impact.i18n import has, label, t
from impact.metrics import achievement, change, money, summarize, volunteer_hours
from impact.views.common import (COUNT, DECIMAL, MONEY, PERCENT, TEXT, Chart, Column, Kpi,
                                 PageModel, Table, indicator_params, page_base)
from impact.storage.cache import cached

# (summary key, kind); the order of the cards on the page.
KPI_METRICS = (("services", COUNT), ("beneficiaries", COUNT), ("volunteers", COUNT),
               ("volunteer_hours", DECIMAL), ("income_total", MONEY),
               ("expense_total", MONEY), ("surplus", MONEY))
MONEY_KEYS = {key for key, kind in KPI_METRICS if kind == MONEY}
TREND_METRICS = ("services", "beneficiaries", "volunteers")


@dataclass
class OverviewModel(PageModel):
    """Everything the Overview page shows."""

    kpis: list[Kpi] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    activity_trends: list[Chart] = field(default_factory=list)
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


def _derived_changes(summary: dict) -> dict:
    """YoY for the cards summarize() has no change for: hours (from minutes) and surplus."""
    yoy = dict(summary["yoy"])
    minutes = yoy.get("volunteer_minutes")
    yoy["volunteer_hours"] = None if minutes is None else {
        "previous": volunteer_hours(minutes["previous"]),
        "change": summary["volunteer_hours"] - volunteer_hours(minutes["previous"]),
        "pct": minutes["pct"]}
    income, expense = yoy.get("income_total"), yoy.get("expense_total")
    yoy["surplus"] = None if income is None or expense is None else change(
        summary["surplus"], money(income["previous"] - expense["previous"]))
    return yoy


def _display(value, kind: str, lang: str) -> tuple[str, str]:
    """(card text, exact text) for a value."""
    if kind == MONEY:
        return fmt.kpi_money(value, lang), fmt.money(value, lang)
    if kind == DECIMAL:
        return fmt.count(value, lang), fmt.number(value, lang, places=2)
    return fmt.count(value, lang), fmt.number(value, lang)


def kpi_cards(summary: dict, filters: Filters, lang: str) -> list[Kpi]:
    """The headline cards, each with its change against the period before."""
    yoy = _derived_changes(summary)
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
        elif previous:
            help_text += " " + t("kpi.no_previous", lang, period=previous)
        cards.append(Kpi(key=key, label=t(f"metric.{key}", lang), value=value, display=display,
                         exact=exact, delta=fmt.delta(delta, "money" if kind == MONEY else
                                                      "count", lang),
                         delta_value=delta["change"] if delta else None, help=help_text,
                         delta_color="off" if key == "expense_total" else "normal"))
    return cards


def trend_filters(filters: Filters) -> Filters:
    """The trend covers every year of the chosen organisations, the selected range shaded."""
    return filters.with_years(None, None)


def activity_trends(db, filters: Filters, lang: str, caption: str) -> list[Chart]:
    """One small trend per core metric (side by side on a desktop, stacked on a phone)."""
    rows = db.rows("activity_by_year", **trend_filters(filters).params())
    note = caption + "  \n" + t("overview.trend_note", lang)
    selected = (filters.year_from, filters.year_to)
    out = []
    for metric in TREND_METRICS:
        title = t(f"overview.chart.trend.{metric}", lang)
        figure = None
        if rows:
            figure = charts.lines([r["year"] for r in rows],
                                  {t(f"metric.{metric}", lang): [r[metric] for r in rows]},
                                  title=title, lang=lang, highlight=selected)
        out.append(Chart(f"trend_{metric}", title, note, figure, rows, t("empty.chart", lang)))
    return out


def money_trend(db, filters: Filters, lang: str, caption: str) -> Chart:
    rows = db.rows("finance_by_year_category", **trend_filters(filters).params())
    title = t("overview.chart.money_trend", lang)
    years = sorted({r["year"] for r in rows})
    figure = None
    if rows:
        totals = {flow: [charts.whole_yuan(sum((r["amount"] for r in rows
                                                 if r["year"] == y and r["flow"] == flow),
                                                Decimal(0))) for y in years]
                  for flow in ("income", "expense")}
        figure = charts.bars(years, {t(f"flow.{f}", lang): v for f, v in totals.items()},
                             title=title, lang=lang, kind="money",
                             highlight=(filters.year_from, filters.year_to))
    return Chart("money_trend", title, caption + "  \n" + t("overview.trend_note", lang),
                 figure, rows, t("empty.chart", lang))


def targets_table(db, filters: Filters, lang: str) -> Table:
    rows = []
    for r in db.rows("target_achievement", **indicator_params(filters)):
        metric = r["metric"]
        prefix = "metric" if has(f"metric.{metric}", lang) else "indicator"
        rows.append({**r, "metric_label": label(prefix, metric, lang),
                     "project": r["project"] or t("common.whole_org", lang),
                     "achievement": achievement(r["actual"], r["target"])})
    columns = [Column("org", t("col.org", lang)), Column("year", t("col.year", lang)),
               Column("project", t("col.project", lang)),
               Column("metric_label", t("col.metric", lang)),
               Column("target", t("col.target", lang), DECIMAL),
               Column("actual", t("col.actual", lang), DECIMAL),
               Column("achievement", t("col.achievement", lang), PERCENT)]
    return Table("targets", t("overview.table.targets", lang), columns, rows, lang=lang)


def indicators_table(db, filters: Filters, lang: str) -> Table:
    rows = [{**r, "indicator_label": label("indicator", r["indicator"], lang),
             "project": r["project"] or t("common.whole_org", lang)}
            for r in db.rows("indicators", **indicator_params(filters))]
    columns = [Column("org", t("col.org", lang)), Column("year", t("col.year", lang)),
               Column("project", t("col.project", lang)),
               Column("indicator_label", t("col.indicator", lang)),
               Column("value", t("col.value", lang), DECIMAL),
               Column("unit", t("col.unit", lang), TEXT)]
    return Table("indicators", t("overview.table.indicators", lang), columns, rows, lang=lang)


def _queries(filters: Filters) -> list[tuple[str, dict]]:
    """Every query the page runs, to start them together."""
    p, span, ind = filters.params(), trend_filters(filters).params(), indicator_params(filters)
    calls = [("activity_totals", p), ("finance_by_category", p), ("activity_by_year", span),
             ("finance_by_year_category", span), ("target_achievement", ind),
             ("indicators", ind)]
    previous = filters.previous_period()
    if previous is not None:
        calls += [("activity_totals", previous.params()),
                  ("finance_by_category", previous.params())]
    return calls


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
    model.activity_trends = activity_trends(db, filters, lang, base.caption)
    model.money_trend = money_trend(db, filters, lang, base.caption)
    model.targets = targets_table(db, filters, lang)
    model.indicators = indicators_table(db, filters, lang)
    return model
