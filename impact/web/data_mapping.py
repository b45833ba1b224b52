"""The data page's mapping step and organisation field (Streamlit).

A file whose columns the importer does not know is mapped once, column by column (a field,
or ignore), and the mapping is saved in the data directory (impact.ingest.mappings): the
next file with the same headers is read with it without a question. A file without a 机构
column gets its organisation from a field, prefilled when the directory holds exactly one.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from impact.ingest.check import stored_orgs
from impact.ingest.mappings import Mapping, MappingProblem, save
from impact.ingest.messages import mapping_message
from impact.views.data_import import CHOOSE, mapping_questions, option_words
from impact.web import widgets

SAVED = "data_mapping_saved"  # the name just saved, said once after the rerun


def mapping_step(ctx, check, upload, table: str) -> bool:
    """The mapping form when the file has columns to map; True while it is shown (the
    import waits for it)."""
    saved = st.session_state.pop(SAVED, None)
    if saved:
        widgets.say("success", ctx.t("data.mapping.saved", name=saved),
                    icon=":material/bookmark_added:")
    questions = mapping_questions(check)
    if not questions:
        return False
    widgets.heading(2, ctx.t("data.mapping.title"))
    widgets.say("markdown", widgets.Markdown(ctx.t("data.mapping.intro")))  # locale text
    tag = upload.file_id  # a new file asks afresh
    choices = {}
    with st.form(f"data_mapping_{tag}", border=True):
        for i, q in enumerate(questions):
            if i % 2 == 0:  # a row per pair: on a phone they stack in the file's order
                columns = st.columns(2)
            with columns[i % 2]:
                choices[q.header] = st.selectbox(
                    ctx.t("data.mapping.column", header=widgets.md(q.label)), q.options,
                    key=f"data_map_{tag}_{i}",
                    format_func=lambda o: option_words(table, o, ctx.lang),
                    help=ctx.t("data.mapping.example", example=widgets.md(q.example))
                    if q.example else None)
        name = st.text_input(ctx.t("data.mapping.name"), value=Path(upload.name).stem[:60],
                             key=f"data_map_name_{tag}", help=ctx.t("data.mapping.name_help"))
        submitted = st.form_submit_button(ctx.t("data.mapping.save"), type="primary",
                                          icon=":material/bookmark_add:")
    if not submitted:
        return True
    unchosen = [h for h, f in choices.items() if f == CHOOSE]
    if unchosen:
        widgets.say("error", ctx.t("data.mapping.unchosen", count=len(unchosen),
                                   headers=ctx.t("data.list_sep").join(unchosen)))
        return True
    headers = tuple(str(h).strip() for h in check.sheet.headers
                    if h is not None and str(h).strip())
    try:
        save(ctx.db.store, Mapping(name.strip(), table, headers, choices))
    except MappingProblem as problem:
        widgets.say("error", mapping_message(problem, ctx.lang), icon=":material/block:")
        return True
    except OSError as exc:  # disk full, read-only directory: nothing half-written
        widgets.say("error", ctx.t("data.commit_failed", detail=str(exc)))
        return True
    st.session_state[SAVED] = name.strip()
    # the check is made again, now finding the mapping by the file's headers
    st.session_state["data_mappings_saved"] = st.session_state.get("data_mappings_saved", 0) + 1
    st.rerun()
    return True


def org_field(ctx) -> str | None:
    """The organisation of every row of a file without a 机构 column (None until given)."""
    version = ctx.db.refresh()
    cached = st.session_state.get("data_orgs")
    if not cached or cached[0] != version:
        cached = (version, stored_orgs(ctx.db.store))
        st.session_state["data_orgs"] = cached
    orgs = cached[1]
    if "data_org" not in st.session_state and len(orgs) == 1:
        st.session_state["data_org"] = orgs[0]  # the directory's one organisation
    org = st.text_input(ctx.t("data.org_label"), key="data_org", max_chars=200,
                        help=ctx.t("data.org_help"))
    if not org.strip():
        widgets.say("info", ctx.t("data.org_needed"), icon=":material/domain:")
        return None
    return org.strip()
