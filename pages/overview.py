"""/overview 总览 — how this period compares with the one before, at a glance."""

import streamlit as st

from impact.views.overview import overview
from impact.web import page_context, widgets


def main() -> None:
    ctx = page_context()
    model = overview(ctx.db, ctx.filters, ctx.lang)
    widgets.header(model)
    if model.empty:
        widgets.empty_state(model.empty_text)
        return
    widgets.kpis(model.activity_kpis)
    widgets.kpis(model.money_kpis, per_row=3)
    widgets.legend(model.trend_legend, ctx.t("overview.trend_legend"))
    for column, trend in zip(st.columns(len(model.activity_trends)), model.activity_trends):
        with column:
            widgets.chart(trend)
    widgets.chart(model.money_trend)
    widgets.table(model.targets, ctx.lang)
    widgets.table(model.indicators, ctx.lang)


main()
