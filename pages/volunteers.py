"""/volunteers 志愿 — volunteer person-times and hours, and what the time is worth."""

import streamlit as st

from impact.views.volunteers import DEFAULT_RATES, volunteers
from impact.web import page_context, widgets

RATE_MAX = 300  # 元/hour; well above any social worker's hourly cost


def main() -> None:
    ctx = page_context()
    # The rate lives in the session (and the URL: ?rate=25-60), seeded with the default.
    st.session_state.setdefault("volunteer_rates", tuple(int(r) for r in DEFAULT_RATES))
    rates = st.session_state["volunteer_rates"]
    model = volunteers(ctx.db, ctx.filters, ctx.lang, rate_low=rates[0], rate_high=rates[1])
    widgets.header(model)
    if model.empty:
        widgets.empty_state(model.empty_text)
        return
    widgets.kpis(model.kpis[:4], per_row=4)
    value, rate = st.columns(2, vertical_alignment="center")
    with value:
        widgets.kpis(model.kpis[4:], per_row=1)
    with rate:
        st.slider(ctx.t("volunteers.rate_label"), min_value=0, max_value=RATE_MAX, step=1,
                  key="volunteer_rates",
                  help=ctx.t("volunteers.rate_help"))
        widgets.say("caption", model.value_note)
    left, right = st.columns(2)
    with left:
        widgets.chart(model.by_year)
    with right:
        widgets.chart(model.hours_by_year)
    widgets.chart(model.by_project)
    widgets.say("markdown", widgets.bold(ctx.t("disclosure.title")))
    widgets.say("caption", model.disclosure)
    widgets.table(model.projects, ctx.lang)


main()
