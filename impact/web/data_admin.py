"""The data page's other tabs (Streamlit): the version history with its diffs and undo, the
data-quality checks, the integrity check of every file, and the import templates."""

from __future__ import annotations

import streamlit as st

from impact.errors import DataError
from impact.ingest.template import template_csv, template_file_name, template_xlsx
from impact.storage import check_index, versions
from impact.storage.schema import importable_tables
from impact.storage.store import DataStore
from impact.views.data_quality import data_quality, import_log, integrity
from impact.views.data_versions import history_table, undo_target, version_diff_rows
from impact.web import elsewhere, widgets
from impact.web.data_import import written


def history_section(ctx) -> None:
    st.caption(ctx.t("data.history.intro"))
    done = st.session_state.pop("data_undone", None)
    if done:
        widgets.say("success", ctx.t("data.history.undo_done", version=done[0], now=done[1]),
                    icon=":material/undo:")
    store = ctx.db.store
    rows, damaged = history_table(store, ctx.lang)
    for line in damaged:  # the sound versions are still listed; each unreadable file is named
        widgets.warning(line)
    if not rows:
        st.caption(ctx.t("data.log.empty"))
        return
    st.dataframe(rows, hide_index=True, key="data_history")
    numbers = [r[ctx.t("data.history.version")] for r in rows]
    # Keyed by the newest version, so a new commit shows its own diff first.
    chosen = st.selectbox(ctx.t("data.history.diff_label"), numbers,
                          key=f"data_diff_version_{numbers[0]}")
    try:
        diff = version_diff_rows(store, chosen, ctx.lang)
    except DataError as exc:  # the version before it is a damaged file
        if not damaged:  # (else it is named above already)
            widgets.warning(str(exc))
        diff = None
    if diff:
        st.dataframe(diff, hide_index=True, key="data_version_diff")
    else:
        st.caption(ctx.t("data.history.no_diff"))
    target = undo_target(store) if ctx.access.can_correct else None
    # The button names the version it takes back; the undo checks it under the write lock.
    if target is not None and st.button(ctx.t("data.history.undo", version=target),
                                        key="data_undo", icon=":material/undo:"):
        manifest = written(ctx, lambda: versions.undo(store, "", version=target))
        if manifest is None:
            return
        ctx.db.refresh()
        st.session_state["data_undone"] = (manifest["commit"]["restored"], manifest["version"])
        st.rerun()


def _height(table) -> int | str:
    """Short tables at their own height; long ones scroll inside 400 px."""
    return "auto" if len(table.rows) <= 12 else 400


@st.cache_data(ttl=600, show_spinner=False, max_entries=16)
def cached_quality(data_dir: str, version: str, filters, lang: str):
    """Checks that read every detail record: in a child process of their own (their memory
    goes back to the system when it ends, impact.web.elsewhere), once per data version and
    selection. The child also writes the data version's check index."""
    return elsewhere.run("quality", data_dir, filters, lang)


def quality_model(ctx):
    """The quality panel: from the check index in this process when this data version has
    one (a few small files: any selection in milliseconds), else in a child process that
    reads the records and builds the index (impact.storage.check_index)."""
    if check_index.ready(ctx.db):
        return data_quality(ctx.db, ctx.filters, ctx.lang)
    return cached_quality(ctx.data_dir, ctx.version, ctx.filters, ctx.lang)


def quality_section(ctx) -> None:
    st.caption(ctx.t("data.quality.intro"))
    model = quality_model(ctx)
    widgets.table(model.rows, ctx.lang, height=_height(model.rows))
    for part, none_key in ((model.gaps, "data.quality.gaps_none"),
                           (model.duplicates, "data.quality.duplicates_none"),
                           (model.outliers, "data.quality.outliers_none")):
        if part.rows:
            widgets.table(part, ctx.lang)
        else:
            widgets.say("markdown", widgets.bold(part.title))
            widgets.say("caption", part.caption)
            st.success(ctx.t(none_key), icon=":material/check:")


@st.cache_data(ttl=600, show_spinner=False, max_entries=8)
def cached_integrity(data_dir: str, version: str, lang: str):
    """Reading every data file is slow on a big dataset: check once per data version (and at
    most every 10 minutes, for damage that does not change the version)."""
    from impact.storage.integrity import verify_elsewhere

    # In a child process: its memory goes back to the system when it ends (issue 29).
    return integrity(DataStore(data_dir), lang, verify_elsewhere(data_dir))


def integrity_section(ctx) -> None:
    st.caption(ctx.t("data.integrity.intro"))
    if st.button(ctx.t("data.integrity.again"), key="data_verify", icon=":material/refresh:"):
        cached_integrity.clear()
    model = cached_integrity(ctx.data_dir, ctx.version, ctx.lang)
    if model.ok:
        widgets.say("success", model.summary, icon=":material/verified:")
    else:
        widgets.say("error", widgets.Markdown("\n".join(
            [widgets.md(model.summary)] + [f"- {widgets.md(line)}" for line in model.problems])),
            icon=":material/report:")
    widgets.table(model.files, ctx.lang, height=_height(model.files))
    log = import_log(ctx.db.store, ctx.lang)
    if log.caption:  # damaged lines were skipped: say so where it is seen
        widgets.warning(log.caption)
    if log.rows:
        widgets.table(log, ctx.lang)
    else:
        widgets.say("markdown", widgets.bold(log.title))
        st.caption(ctx.t("data.log.empty"))


def templates_section(ctx) -> None:
    st.caption(ctx.t("data.templates.intro"))
    for name in importable_tables():  # activity_groups comes with activities
        left, mid, right = st.columns([2, 1, 1])
        left.markdown(f"**{ctx.t(f'data.table.{name}')}**")
        mid.download_button(ctx.t("data.templates.xlsx"), template_xlsx(name, ctx.lang),
                            file_name=template_file_name(name, ctx.lang, "xlsx"),
                            key=f"tpl_x_{name}",
                            mime="application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet",
                            icon=":material/download:", on_click="ignore")
        right.download_button(ctx.t("data.templates.csv"), template_csv(name, ctx.lang),
                              file_name=template_file_name(name, ctx.lang, "csv"),
                              key=f"tpl_c_{name}",
                              mime="text/csv", icon=":material/download:", on_click="ignore")
