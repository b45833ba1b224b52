"""Commit a checked import: all rows or none, one atomic manifest swap, then the import log.

Concurrency: imports into one local data directory are serialised by an exclusive `flock` on
the directory itself (no lock file, so a refused import leaves the directory byte-identical).
The check against stored data is repeated under the lock, so two imports of the same file at
once still add it only once. Readers never lock: they follow the manifest, which names either
the old files or the new ones (see impact.store).
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import getpass
import io
import json
import os
import socket
from datetime import datetime, timezone

import pyarrow as pa

from impact.datadir import refuse_bundled_demo
from impact.errors import DataError
from impact.ingest.check import ImportCheck, Progress, check_file, recompare
from impact.ingest.messages import row_reason
from impact.schema import TABLES
from impact.store import DataStore

IMPORT_LOG = "import_log.jsonl"


def who(process: str) -> str:
    """'user@host pid 123 (cli)': who ran an import, for the log."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = f"uid{os.getuid()}"
    return f"{user}@{socket.gethostname()} pid {os.getpid()} ({process})"


@contextlib.contextmanager
def import_lock(store: DataStore):
    """Hold the data directory's import lock (local directories; object stores have none)."""
    if store.url:
        yield
        return
    store.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(store.root, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def import_payload(file_name: str, payload: bytes, table: str, store: DataStore, *,
                   sheet: str | None = None, skip_invalid: bool = False, process: str = "cli",
                   progress: Progress | None = None, today=None, hash_personal: bool = False
                   ) -> tuple[ImportCheck, dict | None]:
    """Check and, when allowed, commit. Returns the check and the log entry (None: nothing written).

    Nothing is written when any row is invalid, unless `skip_invalid`; a header problem
    always stops the import.
    """
    check = check_file(file_name, payload, table, store, sheet=sheet, today=today,
                       progress=progress, hash_personal=hash_personal)
    entry = commit_checked(check, store, skip_invalid=skip_invalid, process=process)
    if progress:
        progress(1.0, "done")
    return check, entry


def commit_checked(check: ImportCheck, store: DataStore, *, skip_invalid: bool = False,
                   process: str = "cli") -> dict | None:
    """Commit a checked file's new rows (the Data page's "confirm"); None if nothing was written.

    The comparison with stored data is redone under the lock: another import may have
    committed since the check, and its rows must count as duplicates, not be added twice.
    """
    refuse_bundled_demo(store.url or str(store.root))
    if not _writable(check, skip_invalid):
        return None
    with import_lock(store):
        recompare(check, store)
        if not _writable(check, skip_invalid):
            return None
        return commit_rows(check, store, process)


def _writable(check: ImportCheck, skip_invalid: bool) -> bool:
    return not check.header_problems and bool(check.new_rows) and (skip_invalid or not check.errors)


def commit_rows(check: ImportCheck, store: DataStore, process: str) -> dict:
    """Append the new rows to the stored table in one commit, then log the import."""
    schema = TABLES[check.table].arrow_schema
    added = pa.Table.from_pylist([r.record for r in check.new_rows], schema=schema)
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
        write_companions(check, store)
        # Only the years the new rows fall in are rewritten; the other files stay as they are.
        manifest = store.append(check.table, added, meta={"last_import": entry})
    except OSError as exc:  # disk full, no permission …: the manifest was not replaced
        raise DataError(f"{store.root}: could not write the import ({exc.strerror or exc}); "
                        f"the stored data is unchanged") from None
    entry["manifest_version"] = manifest["version"]
    try:
        append_log(store, entry)
    except OSError as exc:  # the rows are committed; only the log line is missing
        entry["log_error"] = f"{store.full_path(IMPORT_LOG)}: {exc.strerror or exc}"
    return entry


def write_companions(check: ImportCheck, store: DataStore) -> None:
    """What an import writes besides its table: the activity_groups rows of an activities
    sheet's group columns, and the person-key secret of a first participants import."""
    from impact.ingest.groups import group_counts, group_rows
    from impact.ingest.personal import write_secret

    if check.table == "participants" and check.new_secret is not None:
        if write_secret(store, check.new_secret) != check.new_secret:
            raise DataError(f"{store.root}: the person-key secret was created by another "
                            f"import meanwhile; import {check.file_name} again")
    if check.table != "activities":
        return
    rows = [g for r in check.new_rows
            for g in group_rows(r.record["activity_id"], group_counts(r.extra))]
    if not rows:
        return
    stored = store.read_table("activity_groups").select(["activity_id", "beneficiary_group"])
    have = set(zip(*(stored.column(c).to_pylist() for c in stored.column_names)))
    rows = [g for g in rows if (g["activity_id"], g["beneficiary_group"]) not in have]
    if rows:
        store.append("activity_groups",
                     pa.Table.from_pylist(rows, schema=TABLES["activity_groups"].arrow_schema))


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
    """
    reasons: dict[int, list[str]] = {}
    for e in check.errors:
        reasons.setdefault(e.row, []).append(f"{e.column}: {row_reason(e, lang)}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*check.sheet.headers, "原行号 row", "错误 errors"])
    for number, cells in check.sheet.rows:
        if number in reasons:
            writer.writerow([_cell(c) for c in cells] + [number, "; ".join(reasons[number])])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value) -> str:
    if isinstance(value, datetime):
        midnight = value.time() == datetime.min.time()
        return value.date().isoformat() if midnight else value.isoformat()
    return "" if value is None else str(value)
