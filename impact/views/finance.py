"""The Finance page model: income by category over years and as shares, expense by category,
surplus, cost per person-time and funding concentration (with a warning above 60 %)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from impact import charts, fmt
from impact.config import CONCENTRATION_WARNING_SHARE
from impact.filters import Filters
from impact.i18n import label, t
from impact.metrics import ZERO, cost_per_beneficiary, money, ratio, summarize
from impact.storage.schema import EXPENSE_CATEGORIES, INCOME_CATEGORIES
from impact.views.common import (COUNT, MONEY, PERCENT, Chart, Column, Kpi, PageModel, Table,
                                 page_base)
from impact.storage.cache import cached


@dataclass
class FinanceModel(PageModel):
    """Everything the Finance page shows."""

    kpis: list[Kpi] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    income_by_year: Chart | None = None
    income_shares: Chart | None = None
    expense_by_year: Chart | None = None
    surplus_by_year: Chart | None = None
    cost_by_year: Chart | None = None
    categories: Table | None = None
    funders: Table | None = None
    share_year: int | None = None


def concentration_warning(summary: dict, lang: str) -> str | None:
    """Plain-language warning when one income category is more than 60 % of income."""
    conc = summary["funding_concentration"]
    share = conc["largest_share"]
    if share is None or share <= CONCENTRATION_WARNING_SHARE:
        return None
    return t("finance.concentration_warning", lang,
             category=label("income", conc["largest_category"], lang),
             share=fmt.share(share, lang),
             limit=fmt.share(CONCENTRATION_WARNING_SHARE, lang, places=0))


def _kpis(s: dict, lang: str) -> list[Kpi]:
    conc = s["funding_concentration"]
    cost = s["cost_per_beneficiary"]
    largest = conc["largest_category"]
    return [
        Kpi("income_total", t("metric.income_total", lang), s["income_total"],
            fmt.kpi_money(s["income_total"], lang), fmt.money(s["income_total"], lang)),
        Kpi("expense_total", t("metric.expense_total", lang), s["expense_total"],
            fmt.kpi_money(s["expense_total"], lang), fmt.money(s["expense_total"], lang)),
        Kpi("surplus", t("metric.surplus", lang), s["surplus"],
            fmt.kpi_money(s["surplus"], lang), fmt.money(s["surplus"], lang),
            help=t("metric.surplus.help", lang)),
        Kpi("cost_per_beneficiary", t("metric.cost_per_beneficiary", lang), cost,
            fmt.money(cost, lang), fmt.money(cost, lang),
            help=t("metric.cost_per_beneficiary.help", lang)),
        Kpi("largest_share", t("metric.largest_share", lang), conc["largest_share"],
            fmt.share(conc["largest_share"], lang),
            label("income", largest, lang) if largest else fmt.DASH,
            help=t("metric.largest_share.help", lang, hhi=fmt.number(conc["hhi"], lang)
                   if conc["hhi"] is not None else fmt.DASH)),
    ]


def _stack(rows: list[dict], flow: str, categories, lang: str) -> tuple[list, dict, dict]:
    """Years, one whole-yuan series per category present and each series' fixed colour,
    for a stacked bar chart."""
    rows = [r for r in rows if r["flow"] == flow]
    years = sorted({r["year"] for r in rows})
    amounts = {(r["year"], r["category"]): r["amount"] for r in rows}
    present = [c for c in categories if any((y, c) in amounts for y in years)]
    series = {label(flow, c, lang): [charts.whole_yuan(amounts.get((y, c), ZERO))
                                     for y in years] for c in present}
    colors = {label(flow, c, lang): charts.color_of(c, categories) for c in present}
    return years, series, colors


def category_table(s: dict, lang: str) -> Table:
    """Income and expense per category with exact amounts and shares."""
    rows = []
    for flow, key in (("income", "income_by_category"), ("expense", "expense_by_category")):
        total = s[key.replace("_by_category", "_total")]
        for category, amount in s[key].items():
            if amount:
                rows.append({"flow": t(f"flow.{flow}", lang),
                             "category": label(flow, category, lang), "amount": amount,
                             "share": ratio(amount * 100, total, Decimal("0.01"))})
    columns = [Column("flow", t("col.flow", lang)), Column("category", t("col.category", lang)),
               Column("amount", t("col.amount", lang), MONEY),
               Column("share", t("col.share", lang), PERCENT)]
    return Table("finance_categories", t("finance.table.categories", lang), columns, rows,
                 lang=lang)


def funder_table(rows: list[dict], lang: str) -> Table:
    rows = [{**r, "funder": r["funder"] or t("common.no_funder", lang),
             "category": label("income", r["category"], lang)} for r in rows]
    columns = [Column("funder", t("col.funder", lang)),
               Column("category", t("col.category", lang)),
               Column("transactions", t("col.transactions", lang), COUNT),
               Column("amount", t("col.amount", lang), MONEY)]
    return Table("funders", t("finance.table.funders", lang), columns, rows, lang=lang)


def finance(db, filters: Filters, lang: str) -> FinanceModel:
    """Build the Finance page for a selection, in `lang`."""
    db = cached(db)
    p = filters.params()
    calls = [(name, p) for name in ("activity_totals", "finance_by_category",
                                    "finance_by_year_category", "activity_by_year",
                                    "finance_by_funder")]
    previous = filters.previous_period()
    if previous is not None:  # summarize() compares with the period before
        calls += [("activity_totals", previous.params()),
                  ("finance_by_category", previous.params())]
    db.prefetch(calls)
    base = page_base("finance", db, filters, lang)
    model = FinanceModel(**vars(base))
    if model.empty:
        return model
    cap, empty = base.caption, t("empty.chart", lang)
    model.summary = s = summarize(db, filters)
    model.kpis = _kpis(s, lang)
    warning = concentration_warning(s, lang)
    if warning:
        model.notices.append(warning)

    by_year = db.rows("finance_by_year_category", **p)
    years, series, colors = _stack(by_year, "income", INCOME_CATEGORIES, lang)
    title = t("finance.chart.income_by_year", lang)
    model.income_by_year = Chart("income_by_year", title, cap, charts.bars(
        years, series, title=title, lang=lang, kind="money", stacked=True, colors=colors)
        if series else None,
        [r for r in by_year if r["flow"] == "income"], empty)

    model.share_year = filters.year_to or (years[-1] if years else None)
    share_rows = sorted((r for r in by_year if r["flow"] == "income"
                         and r["year"] == model.share_year),
                        key=lambda r: INCOME_CATEGORIES.index(r["category"]))
    title = t("finance.chart.income_shares", lang, year=model.share_year or "")
    model.income_shares = Chart("income_shares", title, cap, charts.donut(
        [label("income", r["category"], lang) for r in share_rows],
        [charts.whole_yuan(r["amount"]) for r in share_rows], title=title, lang=lang,
        colors=[charts.color_of(r["category"], INCOME_CATEGORIES) for r in share_rows])
        if share_rows else None, share_rows, empty)

    years_e, series_e, colors_e = _stack(by_year, "expense", EXPENSE_CATEGORIES, lang)
    title = t("finance.chart.expense_by_year", lang)
    model.expense_by_year = Chart("expense_by_year", title, cap, charts.bars(
        years_e, series_e, title=title, lang=lang, kind="money", stacked=True,
        colors=colors_e)
        if series_e else None, [r for r in by_year if r["flow"] == "expense"], empty)

    yearly = _yearly(by_year, db.rows("activity_by_year", **p))
    title = t("finance.chart.surplus_by_year", lang)
    model.surplus_by_year = Chart("surplus_by_year", title, cap, charts.bars(
        [r["year"] for r in yearly],
        {t("metric.surplus", lang): [charts.whole_yuan(r["surplus"]) for r in yearly]},
        title=title, lang=lang, kind="money") if yearly else None, yearly, empty)
    costs = [r for r in yearly if r["cost_per_beneficiary"] is not None]
    title = t("finance.chart.cost_by_year", lang)
    model.cost_by_year = Chart("cost_by_year", title, cap, charts.lines(
        [r["year"] for r in costs],
        {t("metric.cost_per_beneficiary", lang): [r["cost_per_beneficiary"] for r in costs]},
        title=title, lang=lang, kind="money") if costs else None, costs, empty)

    model.categories = category_table(s, lang)
    model.funders = funder_table(db.rows("finance_by_funder", **p), lang)
    return model


def _yearly(by_year: list[dict], activity: list[dict]) -> list[dict]:
    """Income, expense, surplus and cost per person-time for each year (exact Decimal)."""
    people = {r["year"]: r["beneficiaries"] for r in activity}
    out = []
    for year in sorted({r["year"] for r in by_year}):
        income = money(sum((r["amount"] for r in by_year
                            if r["year"] == year and r["flow"] == "income"), ZERO))
        expense = money(sum((r["amount"] for r in by_year
                             if r["year"] == year and r["flow"] == "expense"), ZERO))
        out.append({"year": year, "income_total": income, "expense_total": expense,
                    "surplus": money(income - expense),
                    "cost_per_beneficiary": cost_per_beneficiary(expense, people.get(year, 0))})
    return out
