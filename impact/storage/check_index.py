"""The check index: the Data page's duplicate and outlier checks, found once per data version.

Both checks read every activity record. Run per selection, every choice of organisation,
project or area on the Data page read the detail again (0.1-0.2 s at 1M records, seconds at
10M, in a child process of its own for its memory). The index reads the records once per data
version and keeps three small files:

- `duplicates.parquet`: every group of identical records (the answer of
  `data_quality_duplicates` for all records, none cut off);
- `values.parquet`: how many records of each organisation, project and area have each number
  of person-times, from which any selection's project medians follow exactly;
- `candidates.parquet`: the records that can be an outlier in some selection (see
  `queries/check_index/candidates.sql` for why no outlier is missed).

A selection is then answered from these files (`queries/check_index/answer_*.sql`) with the
same rows as the queries over the records; tests/test_check_index.py compares them. Years are
never chosen on the Data page (a gap or a duplicate is a problem whichever year is shown), so
the index covers every year, and a query with a year range still reads the records.

The files live under the cache directory ($IMPACT_CACHE_DIR, else the system's temporary
directory), one directory per data directory and version: a new version (an import, a
correction) gets its own, and only the newest few are kept. A directory appears whole or not
at all (written aside, then renamed).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from impact.storage.mirror import cache_root

FILES = ("duplicates", "values", "candidates")
VIEWS = {name: f"check_{name}" for name in FILES}  # the views the answer queries read
ANSWERS = {"data_quality_duplicates": "check_index/answer_duplicates",
           "data_quality_outliers": "check_index/answer_outliers"}
# More candidates than this (a project where most records count 0 person-times makes every
# record with one a candidate) and the outliers are read from the records, as before.
MAX_CANDIDATES = 200_000
KEEP_VERSIONS = 3
_META = "index.json"
_FORMAT = 1
_lock = threading.Lock()
log = logging.getLogger(__name__)


def index_dir(db) -> Path:
    """Where the index of `db`'s current data version lives (it may not exist yet)."""
    data = hashlib.sha256(str(db.data_dir).encode()).hexdigest()[:16]
    version = hashlib.sha256(db.version.encode()).hexdigest()[:24]
    return cache_root() / "checks" / data / version


def _meta(path: Path) -> dict | None:
    try:
        meta = json.loads((path / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("format") == _FORMAT else None


def supported(db) -> bool:
    """Whether `db` (or the Database under its cache) can have a check index: a DuckDB
    Database of our own, not another engine."""
    return hasattr(_database(db), "attach_files")


def ready(db) -> bool:
    """Whether both checks of `db`'s current version can be answered from the index (a
    cheap question: the page asks it to decide where to run the checks)."""
    meta = _meta(index_dir(_database(db)))
    return bool(meta and meta.get("outliers"))


def answer_name(db, name: str, params: dict) -> str:
    """The query to run for `name`: its index answer when the index has it and no year range
    is asked for, else `name` itself (over the records)."""
    if name not in ANSWERS or params.get("year_from") is not None \
            or params.get("year_to") is not None:
        return name
    base = _database(db)
    meta = attach(base)
    if meta is None or (name == "data_quality_outliers" and not meta.get("outliers")):
        return name
    return ANSWERS[name]


def ensure(db) -> dict | None:
    """Build the index of `db`'s current version unless it exists; its metadata. Not for a
    Database without local files of its own (another engine): None, the checks then read the
    records."""
    if not supported(db):
        return None
    base = _database(db)
    path = index_dir(base)
    meta = _meta(path)
    if meta is None:
        try:
            meta = _build(base, path)
        except OSError as exc:  # no writable cache directory: the checks read the records
            log.warning("check index not written to %s (%s)", path, exc)
            return None
    return meta


def attach(db) -> dict | None:
    """Point the check_* views of `db` (a Database) at its version's index; its metadata, or
    None when there is no index (the views are then left as they were)."""
    if not hasattr(db, "attach_files"):
        return None
    path = index_dir(db)
    meta = _meta(path)
    if meta is None:
        return None
    key = str(path)
    with _lock:
        if getattr(db, "_check_index", None) != key:
            for name in FILES:
                file = path / f"{name}.parquet"
                if file.exists():
                    db.attach_files(VIEWS[name], [str(file)])
            db._check_index = key
    return meta


def _database(db):
    """The Database under a result cache (impact.storage.cache) or a recorder, or both."""
    while not hasattr(db, "attach_files") and hasattr(db, "db"):
        db = db.db
    return db


def _build(db, path: Path) -> dict:
    """Read the records once and write the three files, aside and then renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".building-", dir=path.parent))
    try:
        groups = 0
        with pq.ParquetWriter(work / "duplicates.parquet",
                              _schema(db, "check_index/duplicates")) as out:
            # A year at a time: the grouping's memory is one year's records (issue 29).
            for row in db.rows("check_index/years"):
                part = db.run("check_index/duplicates", year_from=row["year"],
                              year_to=row["year"])
                out.write_table(part)
                groups += part.num_rows
        pq.write_table(db.run("check_index/values"), work / "values.parquet")
        # The candidates read those counts instead of grouping every record again; the
        # views are pointed at the finished index by the next attach().
        db.attach_files(VIEWS["values"], [str(work / "values.parquet")])
        db._check_index = None
        candidates = db.run("check_index/candidates", limit=MAX_CANDIDATES + 1)
        outliers = candidates.num_rows <= MAX_CANDIDATES
        if outliers:
            pq.write_table(candidates, work / "candidates.parquet")
        meta = {"format": _FORMAT, "version": db.version, "duplicate_groups": groups,
                "candidates": candidates.num_rows if outliers else None,
                "outliers": outliers}
        (work / _META).write_text(json.dumps(meta), encoding="utf-8")
        if path.exists() and _meta(path) is None:
            shutil.rmtree(path, ignore_errors=True)  # damaged or half-deleted: replaced
        try:
            os.rename(work, path)
        except OSError:
            if _meta(path) is None:  # not another process's finished index: a real failure
                raise
        _prune(path.parent, keep=path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _meta(path) or meta


def _schema(db, name: str) -> pa.Schema:
    """The answer's columns, from the query over no year (an empty answer)."""
    return db.run(name, year_from=-1, year_to=-1).schema


def _prune(parent: Path, keep: Path) -> None:
    """Keep the newest KEEP_VERSIONS indexes of this data directory (and `keep`)."""
    now = time.time()
    for left in parent.glob(".building-*"):  # a build that died (another one may be running)
        if now - left.stat().st_mtime > 3600:
            shutil.rmtree(left, ignore_errors=True)
    done = sorted((p for p in parent.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    for old in done[KEEP_VERSIONS:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
