"""/growth 增长 — year-over-year change, CAGR, and which member organisation is growing."""

import streamlit as st

from impact.access.privacy import PERSON_KEYS
from impact.views.growth import METRICS, growth
from impact.web import page_context, widgets


def main() -> None:
    ctx = page_context()
    st.session_state.setdefault("growth_metric", "beneficiaries")  # URL: ?metric=
    metric = st.sidebar.selectbox(ctx.t("growth.metric_label"), [m for m, _ in METRICS],
                                  key="growth_metric",
                                  format_func=lambda m: ctx.t(f"metric.{m}"))
    model = growth(ctx.db, ctx.filters, ctx.lang, metric=metric)
    widgets.header(model)
    widgets.notices(model)
    people = model.metric in PERSON_KEYS  # each small multiple then counts people
    if model.empty:
        widgets.empty_state(model.empty_text)
        return
    widgets.say("markdown", widgets.bold(ctx.t("growth.orgs_header",
                                               metric=ctx.t(f"metric.{model.metric}"))))
    if model.orgs_omitted:
        widgets.say("caption", ctx.t("growth.orgs_omitted", shown=len(model.org_charts),
                                     omitted=model.orgs_omitted))
    for start in range(0, len(model.org_charts), 2):
        for column, chart in zip(st.columns(2), model.org_charts[start:start + 2]):
            with column:
                widgets.chart(chart, people=people)
    # The comparisons take the full width (side by side, a single year's table was cramped).
    widgets.table(model.org_growth, ctx.lang, people=people)
    if model.single_year:
        widgets.say("info", ctx.t("growth.single_year"), icon=":material/info:")
    widgets.table(model.cagr, ctx.lang)
    widgets.table(model.yoy, ctx.lang, height=min(38 + 35 * len(model.yoy.rows), 460))


main()
