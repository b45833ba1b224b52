"""/finance 财务 — where the money comes from, where it goes, and how concentrated it is."""

import streamlit as st

from impact.views.finance import finance
from impact.views.grants import budget_section
from impact.web import page_context, widgets
from impact.web.auth import visible_finance


def main() -> None:
    ctx = page_context()
    model = visible_finance(finance(ctx.db, ctx.filters, ctx.lang,
                                    budgets=ctx.access.sees_funders), ctx.access)
    widgets.header(model)
    if model.empty:
        widgets.empty_state(model.empty_text)
        return
    widgets.notices(model)
    if model.donor_notice:  # named, unnamed or none, as this visitor may see (visible_finance)
        widgets.warning(model.donor_notice)
    # Three to a row: exact amounts (¥3,067,377.61) need the width.
    widgets.kpis(model.kpis[:3], per_row=3)
    widgets.kpis(model.kpis[3:], per_row=3)
    if model.statement is not None:
        widgets.statement(model.statement, ctx.lang)
    left, right = st.columns([3, 2])
    with left:
        widgets.chart(model.income_by_year)
    with right:
        widgets.chart(model.income_shares)
    left, right = st.columns(2)
    with left:
        widgets.chart(model.expense_by_year)
    with right:
        widgets.chart(model.surplus_by_year)
    left, right = st.columns(2)
    with left:
        widgets.chart(model.cost_by_year)
    with right:
        widgets.table(model.sources, ctx.lang)
    widgets.table(model.lines, ctx.lang)
    # Amounts per funder: not in the public view; a funder sees its own line only.
    if ctx.access.sees_funders:
        widgets.table(model.funders, ctx.lang)
        # Sub-accounts as the books name them (捐赠收入-某基金会 may name a donor): staff only.
        if model.sub_accounts is not None and ctx.access.sees_other_funders:
            widgets.table(model.sub_accounts, ctx.lang)
        # Budgets are internal plans: not in the public view (as funders' amounts).
        widgets.budget_section(budget_section(ctx.db, ctx.filters, ctx.lang), ctx.access,
                               ctx.lang)


main()
