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
import os
import time
from dataclasses import dataclass, field

from decimal import Decimal

import pyarrow as pa
import pyarrow.dataset as ds
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
        num_rows, totals = _read_totals(payload, schema, totals_of)
    except (OSError, pa.ArrowException) as exc:
        check.problems.append(Problem("unreadable", found=_first_line(exc)))
        return check
    if num_rows != entry.rows:
        check.problems.append(Problem("rows", str(entry.rows), str(num_rows)))
    if totals != entry.totals:
        diff = sorted(k for k in set(totals) | set(entry.totals)
                      if totals.get(k) != entry.totals.get(k))
        check.problems.append(Problem(
            "totals", ", ".join(f"{k}={entry.totals.get(k)}" for k in diff),
            ", ".join(f"{k}={totals.get(k)}" for k in diff)))
    return check


def _read_totals(payload: bytes, schema: pa.Schema, totals_of) -> tuple[int, dict]:
    """Rows and control totals of a Parquet file, read a batch at a time.

    Exactly what `pq.read_table(..., schema=schema, page_checksum_verification=True)` reads
    (the same dataset, so the same schema rules and checksum checks), but a record batch at
    a time: a whole year's activities file decoded at once took the server from 300 MB to
    630 MB on the Data page at 10M rows (issue 29). The totals are added up batch by batch:
    whole numbers, and money as exact decimals at the fen (DECIMAL(18,2)), so the sum of
    the batches' totals is the file's total exactly.
    """
    # One thread: pyarrow's thread pool failing on a damaged file could abort the process
    # at exit when DuckDB is loaded too (seen as "terminate called" in `impact verify`).
    dataset = pq.ParquetDataset(io.BytesIO(payload), schema=schema,
                                page_checksum_verification=True)
    fragments = dataset.fragments  # one: the file (its own filesystem: the buffer's)
    scan = ds.FileSystemDataset(fragments, schema=dataset.schema, format=fragments[0].format,
                                filesystem=fragments[0].filesystem)
    num_rows, totals = 0, None
    # No read-ahead: one batch decoded at a time; from the system allocator, which hands the
    # memory back when the check is done (Arrow's default pool kept ~70 MB after it).
    for batch in scan.to_batches(use_threads=False, batch_readahead=0, fragment_readahead=0,
                                 memory_pool=pa.system_memory_pool()):
        num_rows += batch.num_rows
        part = totals_of(pa.Table.from_batches([batch], schema=batch.schema))
        totals = part if totals is None else _add_totals(totals, part)
    if totals is None:  # no rows: the totals of an empty table
        totals = totals_of(schema.empty_table())
    return num_rows, totals


def _add_totals(a: dict, b: dict) -> dict:
    """Two batches' control totals added: counts as integers, money (exact strings) as
    Decimals, written back the way control_totals writes them."""
    out = {}
    for key in a.keys() | b.keys():
        x, y = a.get(key), b.get(key)
        if x is None or y is None:
            out[key] = x if y is None else y
        elif isinstance(x, str):
            out[key] = f"{Decimal(x) + Decimal(y):.2f}"
        else:
            out[key] = x + y
    return out


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def describe(problem: Problem, lang: str = "en") -> str:
    """The problem as a sentence (texts in impact/locales/<lang>/data.json)."""
    from impact.presentation.i18n import t

    return t(f"data.verify.{problem.code}", lang, expected=problem.expected, found=problem.found)


def verify_elsewhere(data_dir: str, timeout: float = 3600) -> Verification:
    """`verify` of a data directory in a short-lived process of its own (the dashboard's Data
    page): reading and checking every file takes ~150 MB at 10M rows, mostly allocations
    the allocator keeps; in a child they go back to the system when it ends, and the
    server's memory stays where it was (issue 29). The child's answer comes back pickled;
    if the child cannot be started, the check runs here."""
    import os
    import pickle
    import subprocess
    import sys

    from impact.config import PROJECT_ROOT

    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT) + os.pathsep
           + os.environ.get("PYTHONPATH", "")}
    try:
        proc = subprocess.run([sys.executable, "-m", "impact.storage.integrity", data_dir],
                              capture_output=True, timeout=timeout, env=env, cwd=PROJECT_ROOT)
    except (OSError, subprocess.SubprocessError):
        return verify(DataStore(data_dir))
    if proc.returncode != 0:
        last = (proc.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
        raise DataError(f"{data_dir}: the integrity check failed ({last})")
    return pickle.loads(proc.stdout)  # our own child's answer, never outside input


if __name__ == "__main__":  # the child of verify_elsewhere
    import pickle
    import sys

    # By the module's own name, so the answer unpickles as impact.storage.integrity's classes.
    from impact.storage import integrity as _named

    sys.stdout.buffer.write(pickle.dumps(_named.verify(_named.DataStore(sys.argv[1]))))
    # The answer is out: leave without the interpreter's teardown, where a library's thread
    # still running has aborted the process ("terminate called without an active exception",
    # once in a full test run under load), which the parent would take for a failed check.
    sys.stdout.buffer.flush()
    os._exit(0)
