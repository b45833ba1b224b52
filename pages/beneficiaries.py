"""/beneficiaries 受益 — person-times by year, project, programme area and month."""

import streamlit as st

from impact.views.beneficiaries import beneficiaries, project_records
from impact.web import page_context, widgets


def drill_down(ctx, model) -> None:
    """The activity records behind a project's figures: pick the project from the list
    (the projects the table shows; one further down is reached by filtering to it in the
    sidebar). The table above is plain HTML, not a selectable grid: a grid cost every filter
    change on this page ~200 ms of redrawing (issue 29), for a click the list also offers."""
    choices = {f"{r['project']} · {r['org']}": (r["org"], r["project"])
               for r in model.projects.head().rows}
    labels = list(choices)
    if st.session_state.get("drill_project") not in choices:  # a project filtered away
        st.session_state.pop("drill_project", None)
    # Nothing chosen until the user chooses (index=None), unless the URL (drill=) chose.
    unset = {} if "drill_project" in st.session_state else {"index": None}
    picked = st.selectbox(ctx.t("beneficiaries.drill_label"), labels, key="drill_project",
                          placeholder=ctx.t("beneficiaries.drill_placeholder"), **unset)
    if picked in choices:
        widgets.table(project_records(ctx.db, ctx.filters, *choices[picked], ctx.lang),
                      ctx.lang, height=320)


def who_was_served(ctx, model) -> None:
    """Unique people (人) and person-times (人次) side by side, each labelled."""
    widgets.heading(2, ctx.t("people.header"))
    st.caption(ctx.t("people.intro"))
    for line in model.people_lines:
        widgets.say("markdown", widgets.Markdown("- " + widgets.md(line)))
    if not model.people_lines:
        st.caption(ctx.t("people.none_stated"))
    widgets.table(model.reach, ctx.lang)
    left, right = st.columns(2)
    with left:
        widgets.table(model.groups, ctx.lang)
    if model.participants is not None:
        with right:
            widgets.table(model.participants, ctx.lang)


def main() -> None:
    ctx = page_context()
    policy = ctx.privacy
    model = beneficiaries(ctx.db, ctx.filters, ctx.lang,
                          hide_below=policy.threshold if policy.active else 0, policy=policy)
    widgets.header(model)
    if model.empty:
        widgets.empty_state(model.empty_text)
        return
    left, right = st.columns(2)
    with left:
        widgets.chart(model.by_year)
    with right:
        widgets.chart(model.by_month, people=True)
    left, right = st.columns(2)
    with left:
        widgets.chart(model.by_project)
    with right:
        widgets.chart(model.by_area)
    widgets.chart(model.services_vs_people)
    who_was_served(ctx, model)
    # Raw records are for staff and signed-in users, never for the public or a funder view.
    widgets.table(model.projects, ctx.lang)
    if ctx.access.sees_records:
        drill_down(ctx, model)


main()
