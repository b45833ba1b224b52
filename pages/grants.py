"""/grants 资助成效 — what a funder's grant delivered (?funder=乐购). A funder link opens it,
and a funder sees its own grants only (impact.views.grants.funder_for)."""

import streamlit as st

from impact.views.grants import FUNDER_KEY, funder_for, funder_names, funder_view
from impact.web import page_context, widgets


def main() -> None:
    ctx = page_context()
    funder = funder_for(ctx.access, st.session_state.get(FUNDER_KEY))
    heading = st.container()  # the title comes first; the funder choice sits under it
    if ctx.access.funder is None:  # staff may choose; a funder's view is fixed to itself
        names = funder_names(ctx.db, ctx.filters)
        if not names:
            widgets.heading(1, ctx.t("grants.title"))
            widgets.empty_state(ctx.t("grants.no_funders"))
            return
        if st.session_state.get(FUNDER_KEY) not in names:
            st.session_state[FUNDER_KEY] = funder if funder in names else names[0]
        funder = st.selectbox(ctx.t("grants.choose_funder"), names, key=FUNDER_KEY)
    model = funder_view(ctx.db, ctx.filters, funder, ctx.lang)
    with heading:
        widgets.header(model)
    if model.empty:
        widgets.empty_state(model.empty_text)
        return
    widgets.notices(model)
    widgets.kpis(model.kpis[:2], per_row=2)
    widgets.kpis(model.kpis[2:], per_row=2)
    widgets.table(model.grant_table, ctx.lang)
    widgets.table(model.deliverables, ctx.lang)
    widgets.table(model.activity_table, ctx.lang)


main()
