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
import pyarrow.compute as pc

from impact.datadir import IMPORT_LOG, refuse_bundled_demo
from impact.presentation.safetext import spreadsheet_text
from impact.errors import DataError
from impact.ingest.check import ImportCheck, Progress, check_file
from impact.ingest.messages import row_reason
from impact.ingest.values import clean_text
from impact.ingest.rowstore import new_rows_table
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
                   org: str | None = None, mapping=None, source: str | None = None
                   ) -> tuple[ImportCheck, dict | None]:
    """Check and, when allowed, commit. Returns the check and the log entry (None: nothing written).

    Nothing is written when any row is invalid, unless `skip_invalid`; a header problem
    always stops the import.
    """
    check = check_file(file_name, payload, table, store, sheet=sheet, today=today,
                       progress=progress, hash_personal=hash_personal, org=org,
                       mapping=mapping, source=source)
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
    return (not check.header_problems and bool(check.new_rows) and not check.overlaps
            and (skip_invalid or not check.errors))


def commit_rows(check: ImportCheck, store: DataStore, process: str) -> dict:
    """Append the new rows to the stored table in one commit, then log the import."""
    added = new_rows_table(check)
    from impact.storage.edits import refuse_closed
    # (Rows are made one at a time, and only when some period is closed.)
    refuse_closed(store.manifest() or {}, check.table, (r.record for r in check.new_rows))
    entry = {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "who": who(process),
        "file": os.path.basename(check.file_name),
        "sha256": check.sha256,
        "table": check.table,
        **({"source": check.source} if check.source
           and check.source != os.path.basename(check.file_name) else {}),
        "rows_read": check.rows_read,
        "rows_added": len(check.new_rows),
        "duplicates_skipped": check.duplicates,
        "rows_rejected": len(check.rejected_rows),
    }
    # The manifest carries the last import too, so the record survives a crash between the
    # commit and the log append.
    try:
        # The secret goes first: until the rows commit it is unreferenced. The companion rows
        # (groups, grant projects) are part of the very same commit, so no crash can leave
        # one without the other.
        also = write_companions(check, store)
        # Only the years the new rows fall in are rewritten; the other files stay as they are.
        manifest = compaction.append(
            store, check.table, added, meta={"last_import": entry}, expected=check.base_version,
            also=also,
            record={"kind": "import", "why": f"import {entry['file']} into {check.table}",
                    "input": input_record(check)})
    except OSError as exc:  # disk full, no permission …: the manifest was not replaced
        raise DataError(f"{store.root}: could not write the import ({exc.strerror or exc}); "
                        f"the stored data is unchanged") from None
    entry["manifest_version"] = manifest["version"]
    try:
        append_log(store, entry)
    except OSError as exc:  # the rows are committed; only the log line is missing
        entry["log_error"] = f"{store.full_path(IMPORT_LOG)}: {exc.strerror or exc}"
    return entry


def input_record(check: ImportCheck) -> dict:
    """The history's record of the input file: its name and sha256, and the journal label
    its rows were stored under when that is not its name (--source)."""
    given = {"name": os.path.basename(check.file_name), "sha256": check.sha256}
    if check.source and check.source != given["name"]:
        given["source"] = check.source
    return given




def write_companions(check: ImportCheck, store: DataStore) -> dict[str, pa.Table]:
    """What an import writes besides its table: the person-key secret of a first
    participants import (written now), and the whole new contents of the companion table
    (impact.storage.edits.COMPANIONS: activity_groups of an activities sheet's group columns,
    grant_projects of a grants sheet's 项目 cells) for the rows' own commit. A new record's
    companion rows replace any stored under its key (organisation and id)."""
    from impact.storage.edits import COMPANIONS, owned_by, owner_of

    save_secret(check, store)
    if check.table not in COMPANIONS:
        return {}
    name, columns = COMPANIONS[check.table]
    rows = companion_rows(check.table, check.new_rows)
    stored = store.read_table(name)
    if stored.num_rows:
        owned = _owned_by_new(check, stored, columns)
        if not rows and not pc.any(owned).as_py():
            return {}
        kept = stored.filter(pc.invert(owned))
    elif not rows:
        return {}
    else:
        kept = stored
    return {name: pa.concat_tables(
        [kept, pa.Table.from_pylist(rows, schema=TABLES[name].arrow_schema)])}


def _owned_by_new(check: ImportCheck, stored: pa.Table, columns: tuple[str, ...]) -> pa.Array:
    """Mask of the stored companion rows that belong to one of the new records (compared
    as joined key texts in Arrow: a million new records are no set of Python tuples)."""
    from impact.storage.edits import COMPANIONS

    own = new_rows_table(check).select(list(COMPANIONS[check.table][1]))

    def joined(data: pa.Table, names) -> pa.Array:
        parts = [pc.cast(data[c], pa.string()) for c in names]
        return pc.binary_join_element_wise(*parts, "\x1f") if len(parts) > 1 else parts[0]

    return pc.fill_null(pc.is_in(joined(stored, columns),
                                 value_set=joined(own, own.column_names).combine_chunks()
                                 if own.num_rows else pa.array([], pa.string())), False)


def save_secret(check: ImportCheck, store: DataStore) -> None:
    """Store the person-key secret a first participants import made its keys with, before
    the rows that need it commit (a plain import and a correction alike): keys made with a
    secret that is then lost would count one person again on every later import."""
    from impact.ingest.personal import write_secret

    if check.table == "participants" and check.new_secret is not None:
        if write_secret(store, check.new_secret) != check.new_secret:
            raise DataError(f"{store.root}: the person-key secret was created by another "
                            f"import meanwhile; import {check.file_name} again")


def companion_rows(table: str, parsed) -> list[dict]:
    """The companion rows (see write_companions) the parsed rows of a sheet carry."""
    make = {"activities": _group_rows, "grants": _grant_project_rows}.get(table)
    if not make or not gives_companions(table, parsed):
        return []
    return [c for r in parsed for c in make(r)]


def gives_companions(table: str, parsed) -> bool:
    """Whether the sheet has the columns its companion rows come from (group columns,
    项目 of grants): only then does a correction replace the stored companion rows."""
    from impact.ingest.headers import GRANT_PROJECTS, GROUP_PREFIX

    from impact.ingest.rowstore import RowStore

    if isinstance(parsed, RowStore):  # the keys any row's extra has, known without a pass
        keys = parsed.extra_keys
    else:
        keys = {k for r in parsed for k in r.extra}
    if table == "activities":
        return any(k.startswith(GROUP_PREFIX) for k in keys)
    if table == "grants":
        return GRANT_PROJECTS in keys
    return False


def _group_rows(row) -> list[dict]:
    from impact.ingest.groups import group_counts, group_rows

    return group_rows(row.record["org"], row.record["activity_id"], group_counts(row.extra))


def _grant_project_rows(row) -> list[dict]:
    from impact.ingest.grants import grant_projects_rows

    return grant_projects_rows(row.record, row.extra)


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
    """The import log, oldest first (empty when nothing was imported); damaged lines skipped
    (`read_log_checked` names them)."""
    return read_log_checked(store)[0]


def read_log_checked(store: DataStore) -> tuple[list[dict], list[int]]:
    """The import log's entries, oldest first, and the numbers of the lines that are not a
    log entry (a torn write, a hand edit): one bad line must not hide the others, and is
    named rather than silently dropped."""
    try:
        raw = store._read_bytes(IMPORT_LOG).decode("utf-8", errors="replace")
    except FileNotFoundError:
        return [], []
    entries, damaged = [], []
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if isinstance(entry, dict):
            entries.append(entry)
        else:
            damaged.append(number)
    return entries, damaged


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
    replace: every stored row of the organisation × months the file covers (its first to its
    last row's month; years for tables without dates) is replaced by the file's rows (rows
    missing from the file are removed).
    Either way, when the sheet has the companion columns (儿童人次 …, a grant's 项目), every
    row's stored breakdown is replaced by the file's, even when the record itself is unchanged;
    records removed take theirs with them.
    """
    from impact.storage import edits

    conflicting = {e.row for e in check.errors if e.code == "conflicts_existing"}
    schema = TABLES[check.table].arrow_schema
    companions = {}
    if gives_companions(check.table, check.valid_rows):
        companions = {"companion_rows": companion_rows(check.table, check.valid_rows),
                      "regroup": [r.record for r in check.valid_rows]}
    if mode == "update":
        rows = [r.record for r in check.valid_rows if r.row in conflicting] + \
               [r.record for r in check.new_rows]
        result = edits.plan(store, check.table,
                            upserts=pa.Table.from_pylist(rows, schema=schema), **companions)
    else:
        from impact.ingest.check import in_months, months_covered

        rows = [r.record for r in check.valid_rows]
        scope = sorted({f"{r['org']}|{edits.year_of(check.table, r)}" for r in rows})
        spans = months_covered(check.table, rows)
        journals, label = replaced_journals(check, store, spans)
        if label != check.source:  # the one journal a renamed corrected copy corrects
            rows = [{**r, "source_file": label} for r in rows]

        def in_scope(data: pa.Table) -> pa.Array:
            if spans:  # dated records: the months the file covers, first to last
                mask = in_months(data, spans)
                if journals is not None:  # finance: only the journal(s) this file corrects
                    mask = pc.and_(mask, _of_journals(data["source_file"], journals))
                return mask
            keys = pc.binary_join_element_wise(data["org"], pc.cast(data["year"], pa.string()),
                                               "|")
            return pc.is_in(keys, value_set=pa.array(scope, pa.string()))

        result = edits.plan(store, check.table, upserts=pa.Table.from_pylist(rows, schema=schema),
                            remove=in_scope, **companions)
    if check.table == "activities" and not companions:
        _refuse_below_breakdown(check, result, store)
    return result


class ReplaceScope(DataError):
    """--replace of a journal whose months hold only other journals' records: it would
    remove none of them and add its rows beside them. Says which journals are there."""

    def __init__(self, file_name: str, source: str, org: str, first: str, last: str,
                 journals: list[str], code: str = "other_journals"):
        self.code = code  # other_journals | several_journals (it repeats rows of two)
        self.params = {"file": file_name, "source": source, "org": org, "first": first,
                       "last": last, "journals": journals}
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        from impact.presentation.i18n import t
        from impact.ingest.messages import visible

        p = dict(self.params)
        p["journals"] = t("data.overlap.and", lang).join(
            visible(j) if j is not None else t("data.replace.unrecorded", lang)
            for j in p["journals"])
        return t(f"data.replace.{self.code}", lang,
                 **{k: visible(v) if k != "journals" else v for k, v in p.items()})


def replaced_journals(check: ImportCheck, store: DataStore,
                      spans: dict[str, tuple[tuple, tuple]]) -> tuple[set | None, str | None]:
    """The journals (finance's 来源文件) a --replace of this file replaces in the months it
    covers: its own (its file name, or --source), and any whose stored records it repeats
    (a corrected copy saved under another name: 现金日记账2023（更正）.xlsx); None for a
    table whose rows do not say their file (the organisation × months are replaced whole).
    Another journal of the same months (the bank journal beside the cash journal) is left
    alone. When the months hold records only of journals the file neither names nor repeats,
    the replace is refused (ReplaceScope) rather than adding the file beside them.

    Also returns the journal name the file's rows are stored under: its own, or, for a copy
    saved under another name that corrects exactly one stored journal, that journal's (the
    journal keeps its name; the history records the file's)."""
    if "source_file" not in TABLES[check.table].column_names or not spans:
        return None, check.source
    from impact.ingest.check import in_months

    key = TABLES[check.table].key
    mine = {(r.record["org"], r.record[key]) for r in check.valid_rows}
    data = store.read_table(check.table).select(["org", "date", key, "source_file"])
    data = data.filter(in_months(data, spans)).to_pylist()
    repeated = {r["source_file"] for r in data if (r["org"], r[key]) in mine}
    own = any(r["source_file"] == check.source for r in data)
    # Its own journal is stored: that one (and rows that do not say their file), never a
    # journal that merely shares a row with it. Else the one journal it repeats.
    named = set() if own else {j for j in repeated if j is not None}
    journals = {check.source} | named | ({None} & repeated)

    def refuse(listed: set, code: str = "other_journals") -> None:
        org = sorted(spans)[0]
        first, last = (f"{y}-{m:02d}" for y, m in spans[org])
        raise ReplaceScope(os.path.basename(check.file_name), check.source, org, first, last,
                           sorted(listed, key=lambda j: (j is None, j or "")), code)

    if len(named) > 1:  # rows of two journals: which one does it correct? --source says
        refuse(named, "several_journals")
    if data and not any(r["source_file"] in journals for r in data):
        refuse({r["source_file"] for r in data})
    if named:  # a corrected copy under another name: its rows keep the journal's name
        return journals, next(iter(named))
    return journals, check.source


def _of_journals(column: pa.ChunkedArray, journals: set) -> pa.Array:
    named = pa.array(sorted(j for j in journals if j is not None), pa.string())
    mask = pc.fill_null(pc.is_in(column, value_set=named), False)
    return pc.or_(mask, pc.is_null(column)) if None in journals else mask


def _refuse_below_breakdown(check: ImportCheck, plan, store: DataStore) -> None:
    """A sheet without group columns keeps the stored breakdowns; refuse a correction that
    lowers a record's person-times below its stored breakdown (the figures would disagree)."""
    from impact.ingest.groups import over_total

    lowered = {(c.new["org"], c.new["activity_id"]): c.new for c in plan.changes
               if c.kind == "changed" and c.new["beneficiaries"] < c.old["beneficiaries"]}
    if not lowered:
        return
    counts: dict[tuple, dict[str, int]] = {}
    for g in store.read_table("activity_groups").to_pylist():
        if (g["org"], g["activity_id"]) in lowered:
            counts.setdefault((g["org"], g["activity_id"]), {})[g["beneficiary_group"]] = \
                g["beneficiaries"]
    rows = {(r.record["org"], r.record["activity_id"]): r.row for r in check.valid_rows}
    for key, groups in sorted(counts.items()):
        over = over_total(groups, lowered[key]["beneficiaries"])
        if over:
            raise DataError(
                f"{check.file_name}: row {rows.get(key, '?')}, 受益人次 "
                f"{lowered[key]['beneficiaries']}: activity {key[1]} of {key[0]} has a stored "
                f"breakdown of {over[1]} person-times by {over[0]}, more than the new total; "
                "include the group columns (儿童人次, 成人人次 …) in the file to correct both; "
                "nothing was written")


def commit_correction(check: ImportCheck, plan, store: DataStore, mode: str, why: str) -> dict:
    """Commit a planned correction as one version (refused if the data changed since)."""
    from impact.storage import edits

    with store.lock():
        save_secret(check, store)
        return edits.apply(store, plan, record={
            "kind": mode, "why": why or f"{mode} from {os.path.basename(check.file_name)}",
            "input": input_record(check)})
