"""Check the data files against the manifest: the defence against silent corruption.

A few flipped bytes inside a Parquet page can change a sum without any reader error. Every
commit records, per file, its sha256, size, row count and control totals (Σ person-times,
Σ minutes, Σ amounts by flow); `verify` recomputes all of them. The monthly rollup files
(impact.storage.rollup), which answer most dashboard queries, are checked too: their checksums, and
their sums against the control totals of the activities file each was made from. Used by
`python -m impact verify` and by the Data page.
"""

from __future__ import annotations

import hashlib
import io
import time
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.parquet as pq

from impact.storage import retention, rollup
from impact.errors import DataError
from impact.storage.schema import TABLES
from impact.storage.store import DataFile, DataStore, ManifestMissing, control_totals


@dataclass(frozen=True)
class Problem:
    """One mismatch: a code (for the message catalogue) and what was expected and found."""

    code: str  # missing | size | checksum | unreadable | rows | totals | no_manifest | manifest
    # | unreferenced
    expected: str = ""
    found: str = ""


@dataclass
class FileCheck:
    """The verdict on one file listed in the manifest."""

    table: str
    path: str
    rows: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Verification:
    """The verdict on a whole data directory."""

    data_dir: str
    files: list[FileCheck] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # directory-level (no manifest …)
    manifest_version: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and all(f.ok for f in self.files)

    @property
    def data_rows(self) -> int:
        """Rows of the tables' files (rollup rows are sums of those, not more records)."""
        return sum(f.rows for f in self.files if f.table in TABLES)

    @property
    def bad_files(self) -> list[FileCheck]:
        return [f for f in self.files if not f.ok]


def verify(store: DataStore) -> Verification:
    """Recompute checksum, size, row count and control totals of every committed file."""
    result = Verification(str(store.root))
    try:
        manifest = store.manifest()
    except ManifestMissing:
        # Data files without a manifest: nothing vouches for them.
        result.problems.append(Problem("no_manifest"))
        return result
    except DataError as exc:
        result.problems.append(Problem("manifest", found=str(exc)))
        return result
    if manifest is None:
        return result  # nothing committed is fine
    result.manifest_version = manifest.get("version")
    # A data file no kept version references: an entry removed by hand would make its rows
    # vanish silently. Files younger than the grace period may be a commit in progress.
    now = time.time()
    try:
        loose = retention.unreferenced(store, manifest)
    except DataError as exc:  # a damaged history/ file: named, and the data files still checked
        result.problems.append(Problem("manifest", found=str(exc)))
        loose = []
    for rel in loose:
        if now - retention._mtime(store, rel) >= retention.GRACE_S:
            result.problems.append(Problem("unreferenced", found=store.full_path(rel)))
    sources = {}
    for table in TABLES:
        for entry in store.files(table, manifest):
            sources[entry.path] = entry.totals
            result.files.append(check_file(store, entry, TABLES[table].arrow_schema,
                                           lambda data, name=table: control_totals(name, data)))
    for e in manifest.get("rollups", {}).get(rollup.NAME, {}).get("files", []):
        # A rollup file's sums must be its source activities file's control totals.
        expected = {k: v for k, v in sources.get(e.get("source"), {}).items() if k in rollup.SUMS}
        entry = DataFile(rollup.NAME, e["path"], e["sha256"], e["bytes"], e["rows"], expected)
        result.files.append(check_file(store, entry, rollup.ARROW_SCHEMA, _rollup_sums))
    return result


def _rollup_sums(data: pa.Table) -> dict:
    return control_totals("activities", data)


def check_file(store: DataStore, entry: DataFile, schema: pa.Schema, totals_of) -> FileCheck:
    """One file: bytes first (cheap and certain), then its rows and control totals."""
    check = FileCheck(entry.table, entry.path, entry.rows)
    try:
        payload = store._read_bytes(entry.path)
    except FileNotFoundError:
        check.problems.append(Problem("missing"))
        return check
    if len(payload) != entry.bytes:
        check.problems.append(Problem("size", str(entry.bytes), str(len(payload))))
    sha = hashlib.sha256(payload).hexdigest()
    if sha != entry.sha256:
        check.problems.append(Problem("checksum", entry.sha256[:16], sha[:16]))
    try:
        # One thread: pyarrow's thread pool failing on a damaged file could abort the process
        # at exit when DuckDB is loaded too (seen as "terminate called" in `impact verify`).
        data = pq.read_table(io.BytesIO(payload), schema=schema, use_threads=False,
                             page_checksum_verification=True)
    except (OSError, pa.ArrowException) as exc:
        check.problems.append(Problem("unreadable", found=_first_line(exc)))
        return check
    if data.num_rows != entry.rows:
        check.problems.append(Problem("rows", str(entry.rows), str(data.num_rows)))
    totals = totals_of(data)
    if totals != entry.totals:
        diff = sorted(k for k in set(totals) | set(entry.totals)
                      if totals.get(k) != entry.totals.get(k))
        check.problems.append(Problem(
            "totals", ", ".join(f"{k}={entry.totals.get(k)}" for k in diff),
            ", ".join(f"{k}={totals.get(k)}" for k in diff)))
    return check


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def describe(problem: Problem, lang: str = "en") -> str:
    """The problem as a sentence (texts in impact/locales/<lang>/data.json)."""
    from impact.presentation.i18n import t

    return t(f"data.verify.{problem.code}", lang, expected=problem.expected, found=problem.found)
