"""/results 成效 — each project's outcomes against baseline and target, with the data source."""

import streamlit as st

from impact.views.results import results
from impact.web import page_context, widgets


def main() -> None:
    ctx = page_context()
    model = results(ctx.db, ctx.filters, ctx.lang)
    widgets.header(model)
    if not model.projects:
        widgets.empty_state(model.no_outcomes)
        return
    for block in model.projects:
        widgets.heading(2, block.heading)
        widgets.say("caption", block.source_line)
        widgets.table(block.table, ctx.lang)
        for start in range(0, len(block.charts), 2):
            for column, chart in zip(st.columns(2), block.charts[start:start + 2]):
                with column:
                    widgets.chart(chart)


main()
