"""The data page's gate and its import flow (Streamlit): who may use the page, an upload
checked once per file and data version, the preview with every refused row, the confirmed
commit (audited), and corrections (update / replace) shown as a diff before they are written.

Upload → every row checked (errors shown on their rows) → confirm → one atomic commit; the
other pages see the new data on their next run (the data version changes).
"""

from __future__ import annotations

import streamlit as st

from impact.access import audit
from impact.access.policy import STAFF, Access
from impact.datadir import is_bundled_demo
from impact.errors import ClosedPeriod, ImpactError
from impact.ingest import FileProblem, check_file, commit_checked, errors_csv, rejects_csv
from impact.ingest.mappings import MappingProblem
from impact.ingest.messages import file_message, mapping_message
from impact.ingest.reading import MAX_BYTES, TEXT_SUFFIXES, WORKBOOK_SUFFIXES, sheet_names
from impact.ingest.write import commit_correction
from impact.storage.identity import acting_as
from impact.storage.schema import importable_tables
from impact.views.data_import import needs_org, preview
from impact.views.data_versions import MODES, closed_text, correction
from impact.web import auth, widgets
from impact.web.data_mapping import mapping_step, org_field

MAX_MB = MAX_BYTES // (1024 * 1024)
_CHECK = "data_check"  # the last checked upload: {identity: ImportCheck} (with and without org)
_DONE = "data_done"  # the last import's log entry, shown once after the rerun


def access_gate(ctx) -> bool:
    """Who is using the page, and whether they may; False stops the page (the reason shown).

    Public mode and visitors without a data role never reach the tabs; a network-bound
    server without sign-in asks for the staff password, or says why imports are off."""
    access = ctx.access
    if not access.sees_data_page:
        st.error(ctx.t(access.reason or "access.reason.not_allowed"), icon=":material/block:")
        return False
    if access.needs_password:
        if not auth.password_form(ctx.lang, ctx.data_dir):
            return False
        ctx.access = access = Access(STAFF, "staff-password")
    if access.role == "local":
        st.caption(ctx.t("access.local_user"), help=ctx.t("access.local_user_help"))
    elif access.role == "network":
        st.warning(ctx.t("access.reason.network"), icon=":material/lan:")
    else:
        widgets.say("caption", ctx.t("access.signed_in", identity=access.identity,
                                     role=ctx.t(f"access.role.{access.role}")))
    return True


def audit_import(ctx, entry: dict, file_name: str) -> None:
    """The import in the audit log, with who was signed in."""
    problem = audit.record("import", ctx.access.identity, ctx.data_dir, file=file_name,
                           table=entry.get("table"), rows_added=entry.get("rows_added"),
                           manifest_version=entry.get("manifest_version"))
    if problem:
        widgets.say("warning", ctx.t("access.audit_failed", detail=problem))


def checked_upload(ctx, table, upload, sheet, org=None, saved=None):
    """Check the upload once per (file, table, sheet, organisation, saved mapping, data
    version); a progress bar meanwhile. The check without an organisation (which finds that
    the file has no 机构 column) is kept beside the one with it, so neither is redone."""
    payload = upload.getvalue()
    identity = (upload.file_id, table, sheet, org, saved, ctx.db.refresh())
    cached = st.session_state.get(_CHECK) or {}
    if identity in cached:
        return cached[identity]
    bar = st.progress(0.0, ctx.t("data.checking", file=upload.name))
    try:
        check = check_file(upload.name, payload, table, ctx.db.store, sheet=sheet, org=org,
                           progress=lambda f, stage: bar.progress(min(f, 1.0),
                                                                  ctx.t(f"data.stage.{stage}")))
    finally:
        bar.empty()
    kept = {k: v for k, v in cached.items() if k[:3] == identity[:3] and k[4:] == identity[4:]}
    st.session_state[_CHECK] = {**kept, identity: check}
    return check


def _sheet_names(upload) -> list[str]:
    """The upload's sheets, read once per file (an .xls or .ods is read by a child process)."""
    cached = st.session_state.get("data_sheets")
    if not cached or cached[0] != upload.file_id:
        cached = (upload.file_id, sheet_names(upload.getvalue()))
        st.session_state["data_sheets"] = cached
    return cached[1]


def _errors_download(check, lang: str) -> bytes:
    """The full error list, built once per checked file (it may hold 100,000 lines)."""
    cached = st.session_state.get("data_errors_csv")
    if cached and cached[0] is check and cached[1] == lang:
        return cached[2]
    payload = errors_csv(check, lang)
    st.session_state["data_errors_csv"] = (check, lang, payload)
    return payload


def show_done(ctx) -> None:
    done = st.session_state.pop(_DONE, None)
    if done:
        entry, rejects = done
        widgets.say("success", ctx.t("data.imported", added=entry["rows_added"],
                                     file=entry["file"],
                                     table=ctx.t(f"data.table.{entry['table']}"),
                                     duplicates=entry["duplicates_skipped"]),
                    icon=":material/task_alt:")
        if entry.get("log_error"):
            widgets.say("warning", ctx.t("data.log_failed", detail=entry["log_error"]))
        if rejects:
            st.download_button(ctx.t("data.download_rejects"), rejects, mime="text/csv",
                               file_name=f"{entry['file'].rsplit('.', 1)[0]}.rejects.csv",
                               icon=":material/download:", on_click="ignore")


def import_section(ctx) -> None:
    if not ctx.access.can_import:
        st.info(ctx.t(ctx.access.reason or "access.reason.not_allowed"), icon=":material/lock:")
        return
    if is_bundled_demo(ctx.data_dir):  # nobody's records may go under the demo banner
        # The locale text's commands are code spans (shown as typed: "-- --data-dir" stays);
        # the directory is escaped.
        widgets.say("info", widgets.Markdown(ctx.t("data.demo_readonly",
                                                   dir=widgets.md(str(ctx.data_dir)))),
                    icon=":material/info:")
        return
    show_done(ctx)
    corrected = st.session_state.pop("data_corrected", None)
    if corrected:
        widgets.say("success", ctx.t("data.correct.done", version=corrected),
                    icon=":material/task_alt:")
    table = st.selectbox(ctx.t("data.table_label"), importable_tables(), key="data_table",
                         format_func=lambda name: ctx.t(f"data.table.{name}"))
    upload = st.file_uploader(ctx.t("data.upload_label"),
                              type=[x.lstrip(".") for x in TEXT_SUFFIXES + WORKBOOK_SUFFIXES],
                              key="data_upload", max_upload_size=MAX_MB,
                              help=ctx.t("data.upload_help"))
    widgets.say("caption", ctx.t("data.upload_limit", mb=MAX_MB))
    if upload is None:
        return
    sheet = None
    if upload.name.lower().endswith(WORKBOOK_SUFFIXES):
        names = _sheet_names(upload)
        if len(names) > 1:
            sheet = st.selectbox(ctx.t("data.sheet_label"), names, key="data_sheet")
    saved = st.session_state.get("data_mappings_saved", 0)
    try:
        check = checked_upload(ctx, table, upload, sheet, saved=saved)
        if mapping_step(ctx, check, upload, table):
            return
        if needs_org(check):
            org = org_field(ctx)
            if org is None:
                return
            check = checked_upload(ctx, table, upload, sheet, org, saved)
    except FileProblem as problem:
        widgets.say("error", f"{upload.name}: {file_message(problem, ctx.lang)}")
        return
    except MappingProblem as problem:
        widgets.say("error", f"{upload.name}: {mapping_message(problem, ctx.lang)}")
        return
    mode = st.radio(ctx.t("data.mode.label"), MODES, key="data_mode", horizontal=True,
                    format_func=lambda m: ctx.t(f"data.mode.{m}"))
    if mode != "add":
        correction_section(ctx, check, mode)
        return
    model = preview(check, ctx.lang)
    show_preview(ctx, model)
    if model.error_count > len(model.errors):
        st.download_button(ctx.t("data.download_errors", count=model.error_count),
                           _errors_download(check, ctx.lang), mime="text/csv",
                           file_name=f"{upload.name.rsplit('.', 1)[0]}.errors.csv",
                           key="data_errors", icon=":material/download:", on_click="ignore")
    if model.blocked:
        return
    if not model.new_rows and not model.error_count:
        st.info(ctx.t("data.nothing_new"), icon=":material/done_all:")
        return
    skip = False
    if model.error_count and model.new_rows:
        skip = st.checkbox(ctx.t("data.skip_invalid", rejected=model.rejected_rows),
                           key="data_skip", help=ctx.t("data.skip_invalid_help"))
    if not model.can_commit(skip):
        st.warning(ctx.t("data.fix_first"), icon=":material/block:")
        return
    if st.button(ctx.t("data.confirm", count=model.new_rows), type="primary", key="data_go",
                 icon=":material/upload:"):
        bar = st.progress(0.5, ctx.t("data.stage.commit"))
        try:
            with acting_as(signed_in()):
                entry = commit_checked(check, ctx.db.store, skip_invalid=skip, process="web")
        except ClosedPeriod as exc:
            bar.empty()
            widgets.say("error", closed_message(ctx, exc), icon=":material/lock:")
            return
        except (ImpactError, OSError) as exc:  # e.g. disk full: the old data stays as it was
            bar.empty()
            widgets.say("error", ctx.t("data.commit_failed", detail=str(exc)))
            return
        bar.progress(1.0, ctx.t("data.stage.done"))
        if entry:
            audit_import(ctx, entry, upload.name)
        ctx.db.refresh()
        st.session_state.pop(_CHECK, None)
        if entry:
            st.session_state[_DONE] = (entry, rejects_csv(check, ctx.lang) if skip else None)
        st.rerun()


def signed_in() -> str | None:
    """The signed-in user's name for the version history (None: the server's OS user)."""
    try:
        user = st.user
        if getattr(user, "is_logged_in", False):
            return user.get("email") or user.get("name")
    except Exception:  # noqa: BLE001  (no sign-in configured)
        return None
    return None


def written(ctx, write):
    """Run a write (a correction, an undo) as the signed-in user: its result, or None with
    the refusal shown in one line (a closed period; a disk full, the old data as it was)."""
    try:
        with acting_as(signed_in()):
            return write()
    except ClosedPeriod as exc:
        widgets.say("error", closed_message(ctx, exc), icon=":material/lock:")
    except (ImpactError, OSError) as exc:
        widgets.say("error", ctx.t("data.commit_failed", detail=str(exc)))
    return None


def closed_message(ctx, exc: ClosedPeriod) -> str:
    return closed_text(exc, ctx.lang)  # plain text: widgets.say escapes it


def correction_section(ctx, check, mode: str) -> None:
    """Update / replace: the diff (record, field, old → new), then confirm."""
    model = correction(check, ctx.db.store, mode, ctx.lang)
    if model.errors or model.plan is None:
        widgets.say("error", model.summary)
        widgets.say("markdown", widgets.Markdown(
            "\n".join(f"- {widgets.md(line)}" for line in model.errors)))
        return
    if model.plan.empty:
        st.info(ctx.t("data.correct.nothing"), icon=":material/done_all:")
        return
    widgets.say("warning", model.summary, icon=":material/difference:")
    st.dataframe(model.rows, hide_index=True, key="data_diff")
    reason = st.text_input(ctx.t("data.correct.reason"), key="data_reason")
    if st.button(ctx.t("data.correct.confirm"), type="primary", key="data_correct",
                 icon=":material/published_with_changes:"):
        manifest = written(ctx, lambda: commit_correction(check, model.plan, ctx.db.store,
                                                          mode, reason))
        if manifest is None:
            return
        ctx.db.refresh()
        st.session_state.pop(_CHECK, None)
        st.session_state["data_corrected"] = manifest["version"]
        st.rerun()


def show_preview(ctx, model) -> None:
    if model.blocked:
        widgets.say("error", model.summary)
        for line in model.header_problems:
            widgets.say("markdown", widgets.Markdown(f"- {widgets.md(line)}"))
        return
    widgets.say("warning" if model.error_count else "success", model.summary)
    if model.notes:
        with st.container(border=True, key="data_notes"):
            widgets.say("markdown", widgets.bold(ctx.t("data.notice.title")))
            widgets.say("markdown", widgets.Markdown(
                "\n".join(f"- {widgets.md(line)}" for line in model.notes)))
    if model.errors:
        with st.expander(ctx.t("data.preview.error_list", count=model.error_count),
                         expanded=model.error_count <= 10):
            if model.error_count > len(model.errors):
                widgets.say("caption", ctx.t("data.preview.more_errors", shown=len(model.errors),
                                             count=model.error_count))
            widgets.say("markdown", widgets.Markdown(
                "\n".join(f"- {widgets.md(line)}" for line in model.errors)))
    widgets.say("markdown", widgets.bold(ctx.t("data.preview.title")))
    st.dataframe(model.rows, column_order=model.columns, hide_index=True, key="data_preview")
