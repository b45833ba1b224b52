"""Read and validate a file against the schema and the stored data, without writing anything.

`check_file` is the whole dry run: read → map headers → validate rows → assign keys →
compare with what is stored (duplicates are skipped, a different record under the same key
is a conflict). `impact.ingest.write` commits what it found.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from impact.errors import DataError
from impact.ingest.grants import check_references
from impact.ingest.headers import (EXPENSE_AMOUNT, IGNORED_PREFIX, INCOME_AMOUNT, HeaderProblem, looks_like_header,
                                   map_headers)
from impact.ingest.mappings import Mapping, MappingProblem, find, header_test
from impact.ingest.headers import normalise
from impact.ingest.keys import AUTO_PREFIX, GENERATED, KeyAssigner, record_key
from impact.ingest.reading import RawRows, Sheet, open_file
from impact.ingest.rows import MONTH_TOTAL, ParsedRow, RowError, validate_rows
from impact.ingest.rowstore import RowStore
from impact.ingest.totals import TotalsChecker, is_totals_row, split_totals
from impact.ingest.values import SUB_ACCOUNT
from impact.storage.schema import TABLES
from impact.storage.store import DataStore

Progress = Callable[[float, str], None]


@dataclass
class ImportCheck:
    """Everything a dry run learns about one file; what the CLI prints and the page shows."""

    file_name: str
    table: str
    sha256: str
    sheet: Sheet | None = None
    header_problems: list[HeaderProblem] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_rows: list[ParsedRow] = field(default_factory=list)
    duplicates: int = 0
    # Kept to compare again with the store under the import lock, without re-reading the file.
    valid_rows: list[ParsedRow] = field(default_factory=list, repr=False)
    file_errors: list[RowError] = field(default_factory=list, repr=False)
    labels: dict[str, str] = field(default_factory=dict, repr=False)
    positions: dict[str, int] = field(default_factory=dict, repr=False)  # column → file position
    # The data version the comparison was made against: the commit is a compare-and-swap on it.
    base_version: int = 0
    # participants: a secret made for this check, written with the rows (none stored yet)
    new_secret: bytes | None = field(default=None, repr=False)
    # What the importer understood beyond the plain columns, for the dry run to say:
    # ignored columns (header → why), sub-accounts read as their line ((cell, flow, line) → rows).
    ignored: dict[str, str] = field(default_factory=dict)
    sub_accounts: Counter = field(default_factory=Counter)
    org: str | None = None  # the organisation given for a file without a 机构 column
    mapping: str | None = None  # the saved mapping the headers were read with (its name)
    # finance: the journal the rows come from (the file's name, or --source), stored with them
    source: str | None = None
    totals_rows: list[tuple[int, str]] = field(default_factory=list)  # skipped: (row, label)
    month_rows: list[int] = field(default_factory=list)  # month-only dates: monthly totals
    # Stored records without ids that this file, by sharing some of them, looks like a
    # corrected copy of, but leaves out: {org: Overlap}. Refused unless --replace.
    overlaps: dict[str, "Overlap"] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return len(self.sheet.rows) if self.sheet else 0

    @property
    def ok(self) -> bool:
        return not self.header_problems and not self.errors and not self.overlaps

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    def added_by_org_year(self) -> dict[tuple[str, int], int]:
        """New rows per (organisation, year), for the one-line summary."""
        counts: Counter = Counter()
        if isinstance(self.new_rows, RowStore):  # a column at a time, not a dict a row
            data = self.new_rows.arrow()
            day = next((c for c in ("date", "start_date") if c in data.column_names), None)
            years = (pc.year(data[day]) if day else data["year"]).to_pylist()
            counts.update(zip(data["org"].to_pylist(), years))
            return dict(sorted(counts.items()))
        for row in self.new_rows:
            r = row.record
            day = r.get("date") or r.get("start_date")  # grants: the year their period starts
            counts[(r["org"], day.year if day else r["year"])] += 1
        return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Overlap:
    """The months of one organisation a file covers (its first to its last row's month),
    the stored records without ids in them, and how many of those the file does not hold;
    `sources`: the journals those records were imported from (finance's 来源文件; None for
    records that do not say: activities, and finance rows imported before issue 25)."""

    first: tuple[int, int]
    last: tuple[int, int]
    stored: int
    different: int
    sources: tuple = (None,)
    # per source, the imports that brought it: ((file, version, when), …), newest first
    imports: tuple = ()


def months_covered(table: str, records: list[dict]) -> dict[str, tuple[tuple, tuple]]:
    """{org: (first (year, month), last (year, month))} of dated records: the period a file
    covers, and the one --replace replaces."""
    spans: dict[str, tuple[tuple, tuple]] = {}
    if "date" not in TABLES[table].column_names:
        return spans
    if isinstance(records, pa.Table):  # (a big file's rows: one pass in Arrow)
        if not records.num_rows:
            return spans
        firsts = records.group_by("org").aggregate([("date", "min"), ("date", "max")])
        for org, low, high in zip(*(firsts[c].to_pylist() for c in
                                    ("org", "date_min", "date_max"))):
            spans[org] = ((low.year, low.month), (high.year, high.month))
        return dict(sorted(spans.items()))
    for r in records:
        month = (r["date"].year, r["date"].month)
        first, last = spans.get(r["org"], (month, month))
        spans[r["org"]] = (min(first, month), max(last, month))
    return spans


def in_months(data: pa.Table, spans: dict[str, tuple[tuple, tuple]]) -> pa.Array:
    """Mask of the rows of `data` inside their organisation's span of months."""
    from datetime import date as day

    mask = pa.array([False] * data.num_rows, pa.bool_())
    for org, ((y1, m1), (y2, m2)) in spans.items():
        end = day(y2 + m2 // 12, m2 % 12 + 1, 1)  # the first day after the span
        inside = pc.and_(pc.equal(data["org"], org),
                         pc.and_(pc.greater_equal(data["date"], pa.scalar(day(y1, m1, 1))),
                                 pc.less(data["date"], pa.scalar(end))))
        mask = pc.or_(mask, pc.fill_null(inside, False))
    return mask


def check_file(file_name: str, payload: bytes, table: str, store: DataStore, *,
               sheet: str | None = None, today: date | None = None,
               progress: Progress | None = None, hash_personal: bool = False,
               org: str | None = None, mapping: "Mapping | None" = None,
               find_mapping: bool = True, source: str | None = None) -> ImportCheck:
    """Validate `payload` (the bytes of `file_name`) for `table` against `store`.

    `org` is the organisation of every row of a file without a 机构 column (one
    organisation's own books rarely name it); a file with one keeps its own.
    `source` names the journal a finance file's rows come from (stored with each row:
    `--replace` replaces only its own journal's rows); by default the file's name.
    `mapping` (impact.ingest.mappings) reads the sheet's own headers as the table's fields;
    without one, a saved mapping of this table whose headers are the file's is used
    (`find_mapping`), so a file mapped once imports with no questions the next month.
    File-level problems (format, encoding, sheet) raise `FileProblem`, an unusable mapping
    `MappingProblem`; header and row problems are collected in the result, every one of them.
    """
    today = today or date.today()
    report = _progress(progress)
    result = ImportCheck(file_name, table, hashlib.sha256(payload).hexdigest())
    report(0.02, "read")
    chosen = mapping
    result.sheet = open_file(file_name, payload, sheet,
                             header_test(store, table) if find_mapping or chosen
                             else looks_like_header)
    stream, result.sheet.stream = result.sheet.stream, None
    result.sheet.rows = RawRows()
    if chosen is None and find_mapping:
        chosen = find(store, table, result.sheet.headers)
    elif chosen is not None:
        _fits(chosen, table, result.sheet.headers)
    result.mapping = chosen.name if chosen else None
    mapping, result.header_problems = map_headers(
        table, result.sheet.headers, hash_personal, given=("org",) if org else (),
        overrides=chosen.overrides() if chosen else None)
    if org and "org" in mapping.values():
        result.header_problems.append(HeaderProblem(
            "org_given_twice", str(result.sheet.headers[_position(mapping, "org")]).strip(),
            other=org))
    if result.header_problems:
        for row in stream:  # the rows are read all the same: a file problem comes first
            result.sheet.rows.append(row)
        result.header_problems += _other_table_hint(table, result.sheet.headers)
        return result
    result.org = org
    result.ignored = {str(result.sheet.headers[pos]).strip(): name.removeprefix(IGNORED_PREFIX)
                      for pos, name in sorted(mapping.items()) if name.startswith(IGNORED_PREFIX)}
    labels = {name: str(result.sheet.headers[pos]).strip() for pos, name in mapping.items()
              if not name.startswith(IGNORED_PREFIX)}
    _split_amount_labels(labels)
    result.labels = labels
    # The rows go through in chunks, so that only one chunk is ever held as Python objects:
    # the file's cells are kept compactly (RawRows), the valid records column-wise (RowStore).
    total = max(1, result.sheet.expected_rows)
    totals_check = TotalsChecker(mapping, labels)
    keys = KeyAssigner(table, labels)
    valid = RowStore(table)
    secret: list = []
    errors: list[RowError] = []
    done = 0
    stores_source = "source_file" in TABLES[table].column_names
    if stores_source:
        result.source = source_label(file_name, source)
    for chunk in _chunks(stream, CHUNK_ROWS):
        for row in chunk:
            result.sheet.rows.append(row)
        rows, totals = split_totals(chunk)
        parsed, chunk_errors = validate_rows(
            table, mapping, labels, rows, today,
            lambda i: report(0.1 + 0.7 * min(1.0, (done + i) / total), "validate"),
            fixed={"org": org} if org else None)
        totals_check.feed(totals, parsed, {e.row for e in chunk_errors})
        result.totals_rows += [(number, is_totals_row(cells)) for number, cells in totals]
        result.month_rows += [r.row for r in parsed if r.extra.get(MONTH_TOTAL)]
        result.sub_accounts.update((r.record[SUB_ACCOUNT], r.record["flow"], r.record["line"])
                                   for r in parsed if r.record.get(SUB_ACCOUNT))
        if stores_source:
            for r in parsed:
                r.record["source_file"] = result.source
        if table == "participants":
            parsed, id_errors = pseudonymise(result, parsed, store, secret)
            chunk_errors += id_errors
        parsed, grant_errors = check_references(table, parsed, store, labels)
        parsed, key_errors = keys.assign(parsed)
        valid.extend(parsed)
        errors += chunk_errors + grant_errors + key_errors
        done += len(chunk)
    result.sheet.rows.close()
    report(0.8, "compare")
    errors += totals_check.errors
    result.valid_rows = valid
    result.file_errors, result.labels = errors, labels
    result.positions = {name: pos for pos, name in mapping.items()}
    recompare(result, store)
    report(0.9, "checked")
    return result


def source_label(file_name: str, source: str | None = None) -> str:
    """The journal a file's rows are stored as coming from: `source` when given (a corrected
    copy saved under another name says which journal it corrects), else the file's name as
    imported, without its folder (the import log's `file`)."""
    import os

    label = (source or "").strip() or os.path.basename(str(file_name).replace("\\", "/"))
    return label


CHUNK_ROWS = 10_000  # rows held as Python objects at a time


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    """Lists of up to `size` items of `rows`, in order."""
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def _fits(chosen: "Mapping", table: str, headers: list) -> None:
    """A mapping named by the user must be for this table and exactly these headers: a
    column added or renamed since is a question to answer, not one to guess."""
    if chosen.table != table:
        raise MappingProblem("other_table", name=chosen.name, table=chosen.table, wanted=table)
    if not chosen.matches(headers):
        mine = {normalise(h): str(h).strip() for h in headers if h is not None and str(h).strip()}
        theirs = {normalise(h): h for h in chosen.headers}
        raise MappingProblem("headers_differ", name=chosen.name,
                             extra="、".join(mine[k] for k in mine if k not in theirs) or "—",
                             missing="、".join(theirs[k] for k in theirs if k not in mine) or "—")


def stored_orgs(store: DataStore) -> list[str]:
    """Every organisation the data directory holds records of (any table with one)."""
    orgs: set[str] = set()
    for name, table in TABLES.items():
        if "org" in table.column_names and store.files(name):
            orgs.update(o for o in store.read_table(name).column("org").to_pylist() if o)
    return sorted(orgs)


def _position(mapping: dict[int, str], column: str) -> int:
    return next(pos for pos, name in mapping.items() if name == column)


def _split_amount_labels(labels: dict[str, str]) -> None:
    """A cash journal's 收入 / 支出 columns stand for 金额 and 收支 in messages."""
    split = [labels[c] for c in (INCOME_AMOUNT, EXPENSE_AMOUNT) if c in labels]
    if split:
        labels.setdefault("amount", "/".join(split))
        labels.setdefault("flow", "/".join(split))


def pseudonymise(result: ImportCheck, parsed: list[ParsedRow], store: DataStore,
                 secret: list | None = None) -> tuple[list[ParsedRow], list[RowError]]:
    """Give each participant row its person key and drop the id (and any hashed personal
    column) it was made from; a row without an id is refused. `secret` ([] at first) keeps
    the secret from one chunk of the file to the next."""
    from impact.ingest.personal import (PERSON_ID, PERSONAL_PREFIX, make_secret, person_key,
                                        stored_secret)

    secret = secret if secret is not None else []
    if not secret:
        secret.append(stored_secret(store))
        if secret[0] is None:  # first participants import: the secret is written only on commit
            result.new_secret = secret[0] = make_secret()
    secret = secret[0]
    kept, errors = [], []
    for row in parsed:
        identity = row.extra.get(PERSON_ID) or "\x1f".join(
            str(v) for k, v in sorted(row.extra.items()) if k.startswith(PERSONAL_PREFIX) and v)
        if not identity:
            errors.append(RowError(row.row, result.labels.get(PERSON_ID, PERSON_ID), PERSON_ID,
                                   "", "missing_value"))
            continue
        row.record["person_key"] = person_key(secret, row.record["org"], identity)
        row.extra = {}  # the id is not kept, not even in memory longer than needed
        kept.append(row)
    return kept, errors


def recompare(result: ImportCheck, store: DataStore) -> None:
    """(Re)compute new rows, duplicates and conflicts against what the store holds now."""
    result.base_version = int((store.manifest() or {}).get("version", 0))
    new_rows, duplicates, conflicts = compare_with_store(result.table, result.valid_rows, store,
                                                         result.labels)
    # In the order the user reads the sheet: by row, then left to right.
    last = len(result.positions)
    result.errors = sorted(result.file_errors + conflicts,
                           key=lambda e: (e.row, result.positions.get(e.field, last)))
    result.new_rows, result.duplicates = new_rows, duplicates
    result.overlaps = find_overlaps(result, store)


def find_overlaps(result: ImportCheck, store: DataStore) -> dict[str, Overlap]:
    """Organisations whose stored records without ids this file partly repeats and partly
    leaves out: a corrected copy of a file imported before (94 person-times fixed to 95).
    Adding its changed rows beside the old ones would count both, so it is refused, naming
    the period and the file those records came from, unless imported with --replace. A file
    that repeats none of them (another journal of the same months) or leaves none out (a
    later export with more rows) is not one.

    Finance rows say which journal they came from (来源文件), so each journal is compared on
    its own: a bank journal and a cash journal of the same months are two files, and a
    longer export of one leaves out nothing of its own. When a journal of this file's name
    (or --source) is stored, only it (and rows that do not say) is compared, so a row that
    happens to be identical in another journal does not make this file a copy of that one."""
    table = result.table
    if not store.files(table):
        return {}
    generated = _generated_records(result.valid_rows, table)
    spans = months_covered(table, generated)
    if not spans:
        return {}
    out = {}
    mine = set(zip(generated["org"].to_pylist(), generated[TABLES[table].key].to_pylist()))
    for org, groups in stored_without_ids(table, store, generated, spans).items():
        names = set(groups)
        if result.source in names:  # its own journal, and the rows that do not say
            considered = list(dict.fromkeys([result.source, None]))
        else:
            considered = sorted(names, key=lambda n: (n is None, n or ""))
        stored = different = 0
        sources = []
        for name in considered:
            ids = groups.get(name, [])
            repeated = sum((org, i) in mine for i in ids)
            if repeated and repeated < len(ids):
                stored, different = stored + len(ids), different + len(ids) - repeated
                sources.append(name)
        if sources:
            first, last = spans[org]
            out[org] = Overlap(first, last, stored, different, tuple(sources),
                               tuple(tuple(source_imports(store, table, n, 1 if n else 3))
                                     for n in sources))
    return out


def stored_without_ids(table: str, store: DataStore, records: pa.Table,
                       spans: dict[str, tuple[tuple, tuple]]) -> dict[str, dict]:
    """{org: {source: [ids]}}: the stored records without ids (auto-…) in the months each
    organisation's rows span, by the journal they came from (None: not recorded).
    Activities are kept per project (a sheet per project is common): another project's
    records of the same months are no part of this file."""
    key_column = TABLES[table].key
    names = TABLES[table].column_names
    by_project = table == "activities"
    columns = ["org", "date", key_column] + (["project"] if by_project else []) + \
        (["source_file"] if "source_file" in names else [])
    data = store.read_table(table).select(columns)
    data = data.filter(pc.and_(pc.starts_with(data[key_column], AUTO_PREFIX),
                               in_months(data, spans)))
    projects = (set(zip(records["org"].to_pylist(), records["project"].to_pylist()))
                if by_project else set())
    out: dict[str, dict] = {}
    for r in data.to_pylist():
        if by_project and (r["org"], r["project"]) not in projects:
            continue
        out.setdefault(r["org"], {}).setdefault(r.get("source_file"), []).append(r[key_column])
    return out


def source_imports(store: DataStore, table: str, source: str | None,
                   limit: int = 3) -> list[tuple[str, int, str]]:
    """(file, version, when) of the latest imports or corrections of `table` from the
    journal `source` (its file name, or the --source label it was given), newest first; for
    None (rows that do not say), the latest of any file. From the history's records."""
    from impact.storage import versions

    try:
        records = versions.history(store, skip_damaged=True)
    except DataError:
        return []
    found = []
    for r in reversed(records):
        given = r.get("input") or {}
        changed = (r.get("changes") or {}).get(table) or {}
        if not given.get("name") or not (changed.get("added") or changed.get("changed")):
            continue
        if source is None or source in (given.get("source"), given.get("name")):
            found.append((given["name"], r["version"], r.get("when", "?")))
        if len(found) >= limit:
            break
    return found


def _generated_records(rows, table: str) -> pa.Table:
    """The records of the rows whose id this file generated, as one Arrow table."""
    if isinstance(rows, RowStore):
        data = rows.arrow()
        return data.filter(rows.generated()) if data.num_rows else data
    return pa.Table.from_pylist([r.record for r in rows if r.extra.get(GENERATED)],
                                schema=TABLES[table].arrow_schema)


def _other_table_hint(table: str, headers: list) -> list[HeaderProblem]:
    """A file of another table (finance given as --table activities) is a common slip."""
    for other in TABLES:
        if other != table and not map_headers(other, headers)[1]:
            return [HeaderProblem("wrong_table", other)]
    return []


def _progress(progress: Progress | None) -> Progress:
    return progress or (lambda fraction, stage: None)


def compare_with_store(table: str, parsed: list[ParsedRow], store: DataStore,
                       labels: dict[str, str]) -> tuple[list[ParsedRow], int, list[RowError]]:
    """Split rows into new ones, duplicates of stored records, and conflicts with them.
    (A RowStore's new rows are a RowStore too.)"""
    stored = _stored_records(table, parsed, store)
    if not stored:  # nothing of this file is stored: every row is new
        return parsed, 0, []
    keep, duplicates, conflicts = [], 0, []
    for row in parsed:
        key = record_key(table, row.record)
        keep.append(key not in stored)
        if key not in stored:
            continue
        if stored[key] is None or not _differing(table, stored[key], row.record):
            duplicates += 1
        else:
            conflicts.append(_conflict(table, row, stored[key], labels))
    if isinstance(parsed, RowStore):
        return parsed.take(keep), duplicates, conflicts
    return [r for r, k in zip(parsed, keep) if k], duplicates, conflicts


def _key_values(parsed, key_column: str, generated_only: bool = False) -> pa.Array:
    """The distinct ids of the rows (of those with a generated id only, if asked)."""
    if isinstance(parsed, RowStore):
        ids = parsed.arrow()[key_column]
        if generated_only:
            ids = ids.filter(parsed.generated())
        return pc.unique(pc.cast(ids, pa.string()).combine_chunks() if ids.num_chunks
                         else pa.array([], pa.string()))
    return pa.array(sorted({r.record[key_column] for r in parsed
                            if not generated_only or r.extra.get(GENERATED)}), pa.string())


def _stored_records(table: str, parsed: list[ParsedRow], store: DataStore
                    ) -> dict[tuple, dict | None]:
    """Stored records that share a key with an imported row (only those: tables can be big).

    A generated id is a hash of the content, so a stored one needs no comparing: it maps to
    None ("same content"), which spares reading whole rows on a re-import of a big file.
    """
    if not store.files(table):
        return {}
    data = store.read_table(table)
    key_column = TABLES[table].key
    if not key_column or not data.num_rows:
        return {record_key(table, r): r for r in data.to_pylist()}
    wanted = _key_values(parsed, key_column)
    data = data.filter(pc.is_in(data[key_column], value_set=wanted))
    # Only an id this file generated from the row's content vouches for that content; an
    # auto-… id written in the file (a stored record exported, then edited) is compared.
    vouched = _key_values(parsed, key_column, generated_only=True)
    generated = pc.is_in(data[key_column], value_set=vouched)
    same = data.filter(generated)
    stored: dict[tuple, dict | None] = dict.fromkeys(
        zip(same["org"].to_pylist(), same[key_column].to_pylist()))
    stored.update((record_key(table, r), r) for r in data.filter(pc.invert(generated)).to_pylist())
    return stored


def _differing(table: str, stored: dict, record: dict) -> list[str]:
    """The columns in which an imported row says something else than the stored record.
    Provenance (which file) is no part of what a record says; a column added since the
    record was stored (Column.since) that it has empty is not a difference either: the
    importer did not keep it then (a sub-account), so a re-import fills nothing silently
    but refuses nothing either (--update or --replace fills it)."""
    spec = TABLES[table]
    return [c.name for c in spec.columns if not c.provenance
            and not (c.since and stored.get(c.name) is None)
            and stored.get(c.name) != record[c.name]]


def _conflict(table: str, row: ParsedRow, existing: dict, labels: dict[str, str]) -> RowError:
    differing = _differing(table, existing, row.record)
    difference = "; ".join(f"{labels.get(c, c)}: {_show(existing[c])} → {_show(row.record[c])}"
                           for c in differing)
    column = TABLES[table].key or differing[0]
    return RowError(row.row, labels.get(column, column), column, _show(row.record[column]),
                    "conflicts_existing", {"difference": difference})


def _show(value) -> str:
    return "" if value is None else str(value)
