"""Commit a checked import: all rows or none, one atomic manifest swap, then the import log.

Concurrency: imports into one local data directory are serialised by an exclusive `flock` on
the directory itself (no lock file, so a refused import leaves the directory byte-identical).
The check against stored data is repeated under the lock, so two imports of the same file at
once still add it only once. Readers never lock: they follow the manifest, which names either
the old files or the new ones (see impact.storage.store).
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
from datetime import datetime, timezone

import pyarrow as pa

from impact.datadir import IMPORT_LOG, refuse_bundled_demo
from impact.presentation.safetext import spreadsheet_text
from impact.errors import DataError
from impact.ingest.check import ImportCheck, Progress, check_file
from impact.ingest.messages import row_reason
from impact.ingest.values import clean_text
from impact.storage.schema import TABLES
from impact.storage import compaction, identity
from impact.storage.store import DataStore



def who(process: str) -> str:
    """'name@host pid 123 (cli)': who ran an import, for the log (the signed-in user when the
    web layer set one with impact.storage.identity.acting_as, else the OS user)."""
    return f"{identity.who()}@{socket.gethostname()} pid {os.getpid()} ({process})"


def import_lock(store: DataStore):
    """Hold the data directory's write lock (see DataStore.lock)."""
    return store.lock()


def import_payload(file_name: str, payload: bytes, table: str, store: DataStore, *,
                   sheet: str | None = None, skip_invalid: bool = False, process: str = "cli",
                   progress: Progress | None = None, today=None, hash_personal: bool = False,
                   org: str | None = None) -> tuple[ImportCheck, dict | None]:
    """Check and, when allowed, commit. Returns the check and the log entry (None: nothing written).

    Nothing is written when any row is invalid, unless `skip_invalid`; a header problem
    always stops the import.
    """
    check = check_file(file_name, payload, table, store, sheet=sheet, today=today,
                       progress=progress, hash_personal=hash_personal, org=org)
    entry = commit_checked(check, store, skip_invalid=skip_invalid, process=process)
    if progress:
        progress(1.0, "done")
    return check, entry


def commit_checked(check: ImportCheck, store: DataStore, *, skip_invalid: bool = False,
                   process: str = "cli") -> dict | None:
    """Commit a checked file's new rows (the Data page's "confirm"); None if nothing was written.

    The commit is a compare-and-swap on the version the check was made against: when
    another import or correction committed since, nothing is written and the user is told
    to try again (VersionConflict), rather than committing what they did not preview.
    """
    refuse_bundled_demo(store.url or str(store.root))
    if not _writable(check, skip_invalid):
        return None
    with import_lock(store):
        return commit_rows(check, store, process)


def _writable(check: ImportCheck, skip_invalid: bool) -> bool:
    return not check.header_problems and bool(check.new_rows) and (skip_invalid or not check.errors)


def commit_rows(check: ImportCheck, store: DataStore, process: str) -> dict:
    """Append the new rows to the stored table in one commit, then log the import."""
    schema = TABLES[check.table].arrow_schema
    added = pa.Table.from_pylist([r.record for r in check.new_rows], schema=schema)
    from impact.storage.edits import refuse_closed
    refuse_closed(store.manifest() or {}, check.table, added.to_pylist())
    entry = {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "who": who(process),
        "file": os.path.basename(check.file_name),
        "sha256": check.sha256,
        "table": check.table,
        "rows_read": check.rows_read,
        "rows_added": len(check.new_rows),
        "duplicates_skipped": check.duplicates,
        "rows_rejected": len(check.rejected_rows),
    }
    # The manifest carries the last import too, so the record survives a crash between the
    # commit and the log append.
    try:
        # Groups and the secret go first: until the activities commit they are unreferenced
        # and invisible, and a retried import skips what is already there.
        expected = write_companions(check, store)
        # Only the years the new rows fall in are rewritten; the other files stay as they are.
        manifest = compaction.append(
            store, check.table, added, meta={"last_import": entry}, expected=expected,
            record={"kind": "import", "why": f"import {entry['file']} into {check.table}",
                    "input": {"name": entry["file"], "sha256": check.sha256}})
    except OSError as exc:  # disk full, no permission …: the manifest was not replaced
        raise DataError(f"{store.root}: could not write the import ({exc.strerror or exc}); "
                        f"the stored data is unchanged") from None
    entry["manifest_version"] = manifest["version"]
    try:
        append_log(store, entry)
    except OSError as exc:  # the rows are committed; only the log line is missing
        entry["log_error"] = f"{store.full_path(IMPORT_LOG)}: {exc.strerror or exc}"
    return entry


def write_companions(check: ImportCheck, store: DataStore) -> int:
    """What an import writes besides its table: the activity_groups rows of an activities
    sheet's group columns, the grant_projects rows of a grants sheet's 项目 cells, and the
    person-key secret of a first participants import.
    Returns the data version the table's own commit must find (the groups are a commit)."""
    from impact.ingest.personal import write_secret

    if check.table == "participants" and check.new_secret is not None:
        if write_secret(store, check.new_secret) != check.new_secret:
            raise DataError(f"{store.root}: the person-key secret was created by another "
                            f"import meanwhile; import {check.file_name} again")
    companion = _COMPANIONS.get(check.table)
    if companion is None:
        return check.base_version
    name, keys, make, what = companion
    rows = [c for r in check.new_rows for c in make(r)]
    if not rows:
        return check.base_version
    stored = store.read_table(name).select(list(keys))
    have = set(zip(*(stored.column(c).to_pylist() for c in stored.column_names)))
    rows = [c for c in rows if tuple(c[k] for k in keys) not in have]
    if not rows:
        return check.base_version
    manifest = compaction.append(
        store, name, pa.Table.from_pylist(rows, schema=TABLES[name].arrow_schema),
        expected=check.base_version,
        record={"kind": "import", "why": f"{what} of {check.file_name}",
                "input": {"name": os.path.basename(check.file_name), "sha256": check.sha256}})
    return manifest["version"]


def _group_rows(row) -> list[dict]:
    from impact.ingest.groups import group_counts, group_rows

    return group_rows(row.record["activity_id"], group_counts(row.extra))


def _grant_project_rows(row) -> list[dict]:
    from impact.ingest.grants import grant_projects_rows

    return grant_projects_rows(row.record, row.extra)


# table → (the companion table its sheet also fills, that table's key, row → its rows, what
# they are for the data versions' log).
_COMPANIONS = {
    "activities": ("activity_groups", ("activity_id", "beneficiary_group"), _group_rows,
                   "group person-times"),
    "grants": ("grant_projects", ("org", "grant_id", "project"), _grant_project_rows,
               "grant projects"),
}


def append_log(store: DataStore, entry: dict) -> None:
    """Add one JSON line to import_log.jsonl, replacing the file atomically (tmp+fsync+rename)."""
    try:
        old = store._read_bytes(IMPORT_LOG)
    except FileNotFoundError:
        old = b""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
    store._write_atomic(IMPORT_LOG, old + line.encode())


def read_log(store: DataStore) -> list[dict]:
    """The import log, oldest first (empty when nothing was imported)."""
    try:
        raw = store._read_bytes(IMPORT_LOG).decode("utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


def rejects_csv(check: ImportCheck, lang: str = "zh") -> bytes:
    """The rejected rows as they were in the file, each with its row number and reasons.

    UTF-8 with BOM so Excel opens it with the Chinese intact; fix the rows and import this file.
    Cells are formula-safe (see `_cell`).
    """
    reasons: dict[int, list[str]] = {}
    for e in check.errors:
        reasons.setdefault(e.row, []).append(f"{e.column}: {row_reason(e, lang)}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_text(h) for h in check.sheet.headers]
                    + ["原行号 row", "错误 errors"])
    for number, cells in check.sheet.rows:
        if number in reasons:
            writer.writerow([_cell(c) for c in cells]
                            + [number, spreadsheet_text("; ".join(reasons[number]))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def errors_csv(check: ImportCheck, lang: str = "zh") -> bytes:
    """Every error of a checked file, one per line (row, column, value, reason): the full
    list behind the first errors the Data page shows. UTF-8 with BOM, formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["行号 row", "列 column", "值 value", "原因 reason"])
    for e in check.errors:
        writer.writerow([e.row, _cell(e.column), _cell(e.value), _cell(row_reason(e, lang))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value) -> str:
    """A cell as text that a spreadsheet opens as text (impact.presentation.safetext): a value typed as
    =… must not run when the user opens the rejects file to fix it."""
    return spreadsheet_text(clean_text(value))


# -- corrections: --update and --replace ------------------------------------------------

def plan_correction(check: ImportCheck, store: DataStore, mode: str):
    """The correction a checked file asks for, planned but not written (impact.storage.edits).

    update: rows whose key is stored with other values replace them (the conflicts of a
    plain import), new keys are added, identical rows are left alone.
    replace: every stored row of the organisation × year ranges the file covers is replaced
    by the file's rows (rows missing from the file are removed).
    """
    from impact.storage import edits

    conflicting = {e.row for e in check.errors if e.code == "conflicts_existing"}
    schema = TABLES[check.table].arrow_schema
    if mode == "update":
        rows = [r.record for r in check.valid_rows if r.row in conflicting] + \
               [r.record for r in check.new_rows]
        return edits.plan(store, check.table, upserts=pa.Table.from_pylist(rows, schema=schema))
    rows = [r.record for r in check.valid_rows]
    scope = sorted({f"{r['org']}|{edits.year_of(check.table, r)}" for r in rows})

    def in_scope(data: pa.Table) -> pa.Array:
        import pyarrow.compute as pc
        years = pc.year(data["date"]) if "date" in data.column_names else data["year"]
        keys = pc.binary_join_element_wise(data["org"], pc.cast(years, pa.string()), "|")
        return pc.is_in(keys, value_set=pa.array(scope, pa.string()))

    return edits.plan(store, check.table, upserts=pa.Table.from_pylist(rows, schema=schema),
                      remove=in_scope)


def commit_correction(check: ImportCheck, plan, store: DataStore, mode: str, why: str) -> dict:
    """Commit a planned correction as one version (refused if the data changed since)."""
    from impact.storage import edits

    with store.lock():
        return edits.apply(store, plan, record={
            "kind": mode, "why": why or f"{mode} from {os.path.basename(check.file_name)}",
            "input": {"name": os.path.basename(check.file_name), "sha256": check.sha256}})
