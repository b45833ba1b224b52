"""The Finance page model: income by source type over years and as shares, income and expense
by statutory line, the 业务活动表 (statement of activities), surplus, cost per person-time and
funding concentration at two levels (source type and single donor), with warnings above the
configured thresholds (impact.config)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from impact.presentation import charts, fmt
from impact.filters import Filters
from impact.presentation.i18n import label, t
from impact.domain.metrics import (ZERO, cost_per_beneficiary, dependence_per_org, money,
                                   percent, summarize, summary_queries)
from impact.domain.statement import COLUMNS, PERIODS, Statement, build, has_records
from impact.storage.schema import EXPENSE_LINES, SOURCE_TYPES
from impact.views.common import (COUNT, MONEY, PERCENT, Chart, Column, Kpi, PageModel, Table,
                                 by_year_caption, by_year_filters,
                                 page_base)
from impact.storage.cache import cached
from impact.views.grants import budget_queries


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
    lines: Table | None = None
    sub_accounts: Table | None = None  # None when no transaction names a sub-account
    sources: Table | None = None
    statement: Table | None = None
    funders: Table | None = None
    share_year: int | None = None
    # The single-donor warning names the donor; a view that shows no funder (public mode)
    # shows `donor_notice_unnamed` instead (pages/finance.py picks).
    donor_notice: str | None = None
    donor_notice_unnamed: str | None = None


def concentration_warning(summary: dict, lang: str) -> str | None:
    """Plain-language warning when one source type is more than its threshold of income."""
    conc = summary["funding_concentration"]
    if not conc["flagged"]:
        return None
    return t("finance.concentration_warning", lang,
             category=label("source", conc["largest_source"], lang),
             share=fmt.share(conc["largest_share"], lang),
             limit=fmt.share(conc["threshold"], lang, places=0))


def donor_warning(summary: dict, lang: str, named: bool = True,
                  org_funders: list[dict] | None = None) -> str | None:
    """Warning when one single donor gave more than its threshold of income; `named`: say
    who and how much. A public view, which shows no funder, says only that the limit is
    passed: its share times the income total on the page would be that donor's amount.
    With several organisations (`org_funders`: finance_by_org_funder's rows), each
    organisation that depends on one donor is named: a selection is no organisation."""
    conc = summary["donor_concentration"]
    per_org = dependence_per_org(org_funders, conc["threshold"])
    if per_org is not None:
        key = "finance.donor_warning_org" if named else "finance.donor_warning_org_unnamed"
        texts = [t(key, lang, org=d["org"], donor=d["donor"],
                   share=fmt.share(d["share"], lang),
                   limit=fmt.share(d["threshold"], lang, places=0))
                 for d in per_org]
        return t("finance.donor_warning_sep", lang).join(texts) or None
    if not conc["flagged"]:
        return None
    key = "finance.donor_warning" if named else "finance.donor_warning_unnamed"
    return t(key, lang, donor=conc["largest_donor"], share=fmt.share(conc["largest_share"], lang),
             limit=fmt.share(conc["threshold"], lang, places=0))


def _kpis(s: dict, lang: str) -> list[Kpi]:
    conc = s["funding_concentration"]
    donors = s["donor_concentration"]
    cost = s["cost_per_beneficiary"]
    largest = conc["largest_source"]
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
            help=t("metric.cost_per_beneficiary.help", lang),
            basis={"numerator": s["expense_total"], "persons": s["beneficiaries"]}),
        Kpi("largest_share", t("metric.largest_share", lang), conc["largest_share"],
            fmt.share(conc["largest_share"], lang),
            label("source", largest, lang) if largest else fmt.DASH,
            help=t("metric.largest_share.help", lang, hhi=fmt.number(conc["hhi"], lang)
                   if conc["hhi"] is not None else fmt.DASH)),
        Kpi("largest_donor_share", t("metric.largest_donor_share", lang),
            donors["largest_share"], fmt.share(donors["largest_share"], lang),
            fmt.share(donors["largest_share"], lang),
            help=t("metric.largest_donor_share.help", lang,
                   top3=fmt.share(donors["top3_share"], lang),
                   limit=fmt.share(donors["threshold"], lang, places=0)),
            basis={"threshold": donors["threshold"], "flagged": donors["flagged"]}),
    ]


def _stack(rows: list[dict], key: str, codes, prefix: str, lang: str
           ) -> tuple[list, dict, dict]:
    """Years, one exact series per code present (the rows' `key`: line or source_type; None
    last) and each series' fixed colour, for a stacked bar chart."""
    years = sorted({r["year"] for r in rows})
    amounts = {(r["year"], r[key]): r["amount"] for r in rows}
    present = [c for c in (*codes, None) if any((y, c) in amounts for y in years)]
    series = {label(prefix, c, lang): [amounts.get((y, c), ZERO)
                                       for y in years] for c in present}
    colors = {label(prefix, c, lang): charts.color_of(c, codes) for c in present}
    return years, series, colors


def line_table(s: dict, lang: str) -> Table:
    """Income and expense per statutory line (科目) with exact amounts and shares."""
    rows = []
    for flow in ("income", "expense"):
        total = s[f"{flow}_total"]
        for line, amount in s[f"{flow}_by_line"].items():
            if amount:
                rows.append({"flow": t(f"flow.{flow}", lang),
                             "line": label(flow, line, lang), "amount": amount,
                             "share": percent(amount, total)})
    # Key columns first: on a phone the line, its amount and share stay on screen.
    columns = [Column("line", t("col.line", lang)),
               Column("amount", t("col.amount", lang), MONEY),
               Column("share", t("col.share", lang), PERCENT),
               Column("flow", t("col.flow", lang))]
    return Table("finance_lines", t("finance.table.lines", lang), columns, rows, lang=lang)


def sub_account_table(rows: list[dict], lang: str) -> Table | None:
    """Income and expense per sub-account (明细科目) below its statutory line, as the books
    wrote it (业务活动成本-儿童项目); None when no transaction named one."""
    if not rows:
        return None
    rows = [{"flow": t(f"flow.{r['flow']}", lang), "line": label(r["flow"], r["line"], lang),
             "sub_account": r["sub_account"], "amount": r["amount"],
             "transactions": r["transactions"]} for r in rows]
    columns = [Column("sub_account", t("col.sub_account", lang)),
               Column("amount", t("col.amount", lang), MONEY),
               Column("line", t("col.line", lang)),
               Column("transactions", t("col.transactions", lang), COUNT),
               Column("flow", t("col.flow", lang))]
    return Table("finance_sub_accounts", t("finance.table.sub_accounts", lang), columns, rows,
                 lang=lang)


def source_table(s: dict, lang: str) -> Table:
    """Income per source type (来源) with exact amounts and shares."""
    total = s["income_total"]
    rows = [{"source": label("source", k, lang), "amount": v,
             "share": percent(v, total)}
            for k, v in s["income_by_source"].items() if v]
    columns = [Column("source", t("col.source", lang)),
               Column("amount", t("col.amount", lang), MONEY),
               Column("share", t("col.share", lang), PERCENT)]
    return Table("finance_sources", t("finance.table.sources", lang), columns, rows, lang=lang)


def funder_table(rows: list[dict], income_total: Decimal, lang: str) -> Table:
    """Income per funder and source type, with its share of all income (the single-donor
    level of concentration)."""
    rows = [{**r, "funder": r["funder"] or t("common.no_funder", lang),
             "source": label("source", r["source_type"], lang),
             "share": percent(r["amount"], income_total)} for r in rows]
    columns = [Column("funder", t("col.funder", lang)),
               Column("amount", t("col.amount", lang), MONEY),
               Column("share", t("col.share", lang), PERCENT),
               Column("transactions", t("col.transactions", lang), COUNT),
               Column("source", t("col.source", lang))]
    return Table("funders", t("finance.table.funders", lang), columns, rows, lang=lang)


def statement_rows(statement: Statement, lang: str) -> list[dict]:
    """The statement's rows with their labels: item, then one cell per (period, column)."""
    rows = []
    for r in statement.rows:
        if "." in r.key:
            flow, line = r.key.split(".", 1)
            name = label(flow, line, lang)  # indented by its role on screen, not in the label
        else:
            name = t(f"statement.{r.key}", lang)
        # `_role` (section, line, total) lays out the printed statement on screen; tables
        # and the CSV read only the columns.
        cells = {f"{p}_{c}": r.cells[(p, c)] for p in PERIODS for c in COLUMNS}
        if not statement.has_previous and r.kind != "section":
            # No record at all in the year before: "—" (no data), where ¥0.00 would say
            # the year had no income and no expense (issue 26).
            cells.update({f"previous_{c}": fmt.DASH for c in COLUMNS})
        rows.append({"item": name, "_role": r.kind, **cells})
    return rows


def statement_columns(year: int, lang: str) -> list[Column]:
    # Room for the longest row name, 三、限定性净资产转为非限定性净资产, unclipped.
    columns = [Column("item", t("statement.col.item", lang), width=270 if lang == "zh" else 245)]
    for period in PERIODS:
        y = year if period == "current" else year - 1
        for col in COLUMNS:
            columns.append(Column(f"{period}_{col}",
                                  t(f"statement.col.{period}_{col}", lang, year=y), MONEY))
    return columns


def statement_table(statement: Statement, lang: str, combined: bool) -> Table:
    """The 业务活动表 as a table. `combined`: several organisations added up, a statement no
    auditor has seen, and the title says so."""
    title = t("statement.title_combined" if combined else "statement.title", lang,
              year=statement.year)
    caption = t("statement.caption_combined" if combined else "statement.caption", lang)
    return Table("statement", title, statement_columns(statement.year, lang),
                 statement_rows(statement, lang), caption=caption, lang=lang)


def statement_for(db, filters: Filters, year: int | None) -> Statement | None:
    """The statement of `year` (the selection's last year) beside the year before (None
    without a year, or without records in that year)."""
    if year is None:
        return None
    p = {**filters.params(), "year_from": year - 1, "year_to": year}
    rows = db.rows("statement_of_activities", **p)
    return build(rows, year) if has_records(rows, year) else None


def finance(db, filters: Filters, lang: str, budgets: bool = False) -> FinanceModel:
    """Build the Finance page for a selection, in `lang`. `budgets`: the page also shows the
    budget section (impact.views.grants.budget_section, for a visitor who sees funders'
    amounts): its queries then run with the page's, not one by one after them."""
    db = cached(db)
    p = filters.params()
    # Every query of the page at once (summarize() compares with the period before too).
    by_year = by_year_filters(filters).params()
    calls = summary_queries(filters) + [(name, by_year) for name in (
        "finance_by_year_line", "finance_by_year_source", "activity_by_year")]
    calls += [("finance_by_org_funder", p), ("finance_by_sub_account", p)]
    if filters.year_to is not None:  # the statement's year and the one before
        calls.append(("statement_of_activities",
                      {**p, "year_from": filters.year_to - 1, "year_to": filters.year_to}))
    if budgets:
        calls += budget_queries(filters)
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
    org_funders = db.rows("finance_by_org_funder", **p)
    model.donor_notice = donor_warning(s, lang, org_funders=org_funders)
    model.donor_notice_unnamed = donor_warning(s, lang, named=False, org_funders=org_funders)

    # By-year charts: one selected year comes with the year before (by_year_filters).
    chart_filters = by_year_filters(filters)
    selected = (filters.year_from, filters.year_to)
    cap = by_year_caption(cap, filters, lang)
    by_year = db.rows("finance_by_year_line", **chart_filters.params())
    by_source = db.rows("finance_by_year_source", **chart_filters.params())
    years, series, colors = _stack(by_source, "source_type", SOURCE_TYPES, "source", lang)
    title = t("finance.chart.income_by_year", lang)
    model.income_by_year = Chart("income_by_year", title, cap, charts.bars(
        years, series, title=title, lang=lang, kind="money", stacked=True, colors=colors,
        highlight=selected)
        if series else None, by_source, empty)

    model.share_year = filters.year_to or (years[-1] if years else None)
    order = (*SOURCE_TYPES, None)
    share_rows = sorted((r for r in by_source if r["year"] == model.share_year),
                        key=lambda r: order.index(r["source_type"]))
    title = t("finance.chart.income_shares", lang, year=model.share_year or "")
    model.income_shares = Chart("income_shares", title, cap, charts.donut(
        [label("source", r["source_type"], lang) for r in share_rows],
        [r["amount"] for r in share_rows], title=title, lang=lang,
        colors=[charts.color_of(r["source_type"], SOURCE_TYPES) for r in share_rows])
        if share_rows else None, share_rows, empty)

    expense_rows = [r for r in by_year if r["flow"] == "expense"]
    years_e, series_e, colors_e = _stack(expense_rows, "line", EXPENSE_LINES, "expense", lang)
    title = t("finance.chart.expense_by_year", lang)
    model.expense_by_year = Chart("expense_by_year", title, cap, charts.bars(
        years_e, series_e, title=title, lang=lang, kind="money", stacked=True,
        colors=colors_e, highlight=selected)
        if series_e else None, expense_rows, empty)

    yearly = _yearly(by_year, db.rows("activity_by_year", **chart_filters.params()))
    title = t("finance.chart.surplus_by_year", lang)
    model.surplus_by_year = Chart("surplus_by_year", title, cap, charts.bars(
        [r["year"] for r in yearly],
        {t("metric.surplus", lang): [r["surplus"] for r in yearly]},
        title=title, lang=lang, kind="money", highlight=selected) if yearly else None, yearly,
        empty)
    costs = [r for r in yearly if r["cost_per_beneficiary"] is not None]
    title = t("finance.chart.cost_by_year", lang)
    model.cost_by_year = Chart("cost_by_year", title, cap, charts.lines(
        [r["year"] for r in costs],
        {t("metric.cost_per_beneficiary", lang): [r["cost_per_beneficiary"] for r in costs]},
        title=title, lang=lang, kind="money") if costs else None, costs, empty)

    model.lines = line_table(s, lang)
    model.sub_accounts = sub_account_table(db.rows("finance_by_sub_account", **p), lang)
    model.sources = source_table(s, lang)
    statement = statement_for(db, filters, model.share_year)
    if statement is not None:
        model.statement = statement_table(statement, lang, combined=len(filters.orgs) != 1)
    model.funders = funder_table(db.rows("finance_by_funder", **p), s["income_total"], lang)
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
