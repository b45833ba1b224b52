"""Run the named SQL of `queries/` on DuckDB over the data directory's Parquet files.

One connection per data directory, shared; a fresh cursor for every query, because DuckDB
refuses (or mixes up) concurrent calls on one cursor. Views are rebuilt only when the
manifest changes, so a running dashboard sees an import without a restart.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import tempfile
import threading
import warnings
import weakref
from dataclasses import dataclass
from functools import cache

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from impact.storage import rollup
from impact.config import QUERIES_DIR, resolve_data_dir
from impact.errors import DataError
from impact.storage.mirror import FileMirror, default_cache_dir
from impact.storage.schema import TABLES, Table
from impact.storage.store import DataStore

_PARAM = re.compile(r"(?<![:$\w])\$([a-z_][a-z0-9_]*)")


_PER_YEAR = "-- impact: one year at a time"
_FINAL_ORDER = re.compile(r"\bORDER\s+BY\s+((?:(?!\bORDER\s+BY\b).)*?)\s+LIMIT\s+(\d+)\s*;?\s*$",
                          re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class StoredQuery:
    """A query as plain data: its name (the file name), its SQL, and the parameters it binds.

    `per_year` (the line `-- impact: one year at a time` in the file): every row of the
    answer comes from the records of one year (duplicates share their date), so DuckDB runs
    it for each year of the range in turn and the final `ORDER BY … LIMIT n` is applied to
    the years' answers together: the same rows, with the working memory of one year's
    records instead of all of them (issue 29)."""

    name: str
    sql: str
    parameters: tuple[str, ...]
    description: str
    per_year: bool = False


@cache
def load_query(name: str) -> StoredQuery:
    """The query `queries/<name>.sql`; its leading `--` comment lines are its description."""
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query named {name!r} in {QUERIES_DIR}")
    sql = path.read_text(encoding="utf-8")
    description = " ".join(
        line[2:].strip() for line in sql.splitlines() if line.startswith("--")
    ).strip()
    params = tuple(dict.fromkeys(_PARAM.findall(_strip_comments(sql))))
    per_year = any(line.strip() == _PER_YEAR for line in sql.splitlines())
    if per_year and not ({"year_from", "year_to"} <= set(params)
                         and _FINAL_ORDER.search(_strip_comments(sql))):
        raise ValueError(f"query {name}: '{_PER_YEAR}' needs $year_from, $year_to and a "
                         "final ORDER BY … LIMIT n")
    return StoredQuery(name, sql, params, description, per_year)


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


_SCHEMAS: dict[str, frozenset] = {}  # data file path → its columns (file_columns)


def file_columns(path: str, read=pq.read_schema) -> frozenset:
    """A data file's column names, from its footer, read once per process: files are named by
    their content hash, so what a path holds never changes. `read` reads a remote footer."""
    if path not in _SCHEMAS:
        _SCHEMAS[path] = frozenset(read(path).names)
    return _SCHEMAS[path]


def _strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def _empty_select(table: Table) -> str:
    cols = [f"CAST(NULL AS {c.sql_type}) AS {c.name}" for c in table.columns]
    if table.partitioned:
        cols.append("CAST(NULL AS INTEGER) AS year")
    return f"SELECT {', '.join(cols)} WHERE false"


def _sql_list(paths: list[str]) -> str:
    """Paths come from our own manifest, never from a user; quoted as SQL literals all the same."""
    return ", ".join("'" + p.replace("'", "''") + "'" for p in paths)


def _file_select(table: Table, paths: list[str], absent: set[str] | None = None,
                 mixed: bool = False) -> str:
    """The table's rows from these files in the schema's types. `absent`: columns added since
    (Column.since) that no file has, read as NULL; `mixed`: some files have one, others not
    (read by name, the others' NULL)."""
    listing = _sql_list(paths)
    cols = [f"CAST(NULL AS {c.sql_type}) AS {c.name}" if c.name in (absent or ())
            else f"CAST({c.name} AS {c.sql_type}) AS {c.name}" for c in table.columns]
    if table.partitioned:
        cols.append("CAST(year AS INTEGER) AS year")
        opts = "hive_partitioning = true, hive_types = {'year': INTEGER}"
    else:
        opts = "hive_partitioning = false"
    if mixed:
        opts += ", union_by_name = true"
    return f"SELECT {', '.join(cols)} FROM read_parquet([{listing}], {opts})"


# Filters are defined once, as table macros; every query reads `activities_in(...)` etc.
# array_length rather than len: sqlglot reads it as an array size (CARDINALITY in Trino).
# Each filter is off when its list is empty or its bound is NULL.
_MACROS = """
CREATE OR REPLACE MACRO activities_in(orgs, projects, areas, year_from, year_to) AS TABLE
SELECT * FROM activities
WHERE (array_length(orgs) = 0 OR list_contains(orgs, org))
  AND (array_length(projects) = 0 OR list_contains(projects, project))
  AND (array_length(areas) = 0 OR list_contains(areas, program_area))
  AND (year_from IS NULL OR year >= year_from)
  AND (year_to IS NULL OR year <= year_to);

{by_project}

CREATE OR REPLACE MACRO indicators_in(orgs, projects, year_from, year_to) AS TABLE
SELECT * FROM indicators
WHERE (array_length(orgs) = 0 OR list_contains(orgs, org))
  AND (array_length(projects) = 0 OR list_contains(projects, project))
  AND (year_from IS NULL OR year >= year_from)
  AND (year_to IS NULL OR year <= year_to);

CREATE OR REPLACE MACRO activity_months_in(orgs, projects, areas, year_from, year_to) AS TABLE
SELECT * FROM activity_months
WHERE (array_length(orgs) = 0 OR list_contains(orgs, org))
  AND (array_length(projects) = 0 OR list_contains(projects, project))
  AND (array_length(areas) = 0 OR list_contains(areas, program_area))
  AND (year_from IS NULL OR year >= year_from)
  AND (year_to IS NULL OR year <= year_to);

CREATE OR REPLACE MACRO targets_in(orgs, projects, year_from, year_to) AS TABLE
SELECT * FROM targets
WHERE (array_length(orgs) = 0 OR list_contains(orgs, org))
  AND (array_length(projects) = 0 OR list_contains(projects, project))
  AND (year_from IS NULL OR year >= year_from)
  AND (year_to IS NULL OR year <= year_to);
"""



# The filter of the tables whose programme area is their project's (finance, outcomes,
# participants, reach), also without its area clause (`<table>_any_area_in`), for a query
# with no area chosen (Database.run, `without_areas`): DuckDB plans `project IN (subquery)`
# as a join even when the OR's first half is true, which was about a third of a finance
# query's time with the table in memory, and made outcomes, participants and reach read
# the activities for nothing (issue 29).
_BY_PROJECT = ("finance", "outcomes", "participants", "reach")
_PROJECT_MACRO = """CREATE OR REPLACE MACRO {name}(orgs, projects, areas, year_from, year_to) AS TABLE
SELECT * FROM {table}
WHERE (array_length(orgs) = 0 OR list_contains(orgs, org))
  AND (array_length(projects) = 0 OR list_contains(projects, project))
  AND {areas}
  AND (year_from IS NULL OR year >= year_from)
  AND (year_to IS NULL OR year <= year_to);"""
_PROJECT_AREAS = ("(array_length(areas) = 0 OR project IN (\n        SELECT DISTINCT a.project "
                  "FROM {project_areas} a WHERE list_contains(areas, a.program_area)))")
_ANY_AREA_MACROS = "\n\n".join(
    _PROJECT_MACRO.format(name=f"{t}_any_area_in", table=t, areas="true") for t in _BY_PROJECT)
_AREA_CALL = re.compile(r"\b(" + "|".join(_BY_PROJECT) + r")_in\s*\(")


def macros_sql(project_areas: str = "activities") -> str:
    """The filter macros' DDL. The area filter of finance, outcomes, participants and reach
    looks up which projects are in an area in `project_areas`: a Database's in-memory table
    of the (project, area) pairs (taken from the monthly rollup when there is one, else the
    detail); other engines name the detail."""
    by_project = "\n\n".join(_PROJECT_MACRO.format(name=f"{t}_in", table=t, areas=_PROJECT_AREAS)
                             for t in _BY_PROJECT)
    return _MACROS.replace("{by_project}", by_project).replace("{project_areas}", project_areas)


def without_areas(sql: str, bound: dict) -> str:
    """`sql` reading `<table>_any_area_in` where it reads `<table>_in` (finance, outcomes,
    participants, reach), when no programme area is chosen: the same rows (every such call
    in our queries passes either $areas or an empty list), without the area lookup's join."""
    return sql if bound.get("areas") else _AREA_CALL.sub(r"\1_any_area_in(", sql)


# The (project, programme area) pairs of the activities, a small table rebuilt with the views.
PROJECT_AREAS = "project_areas"

# DuckDB's memory limit per Database (override: $IMPACT_DUCKDB_MEMORY). The everyday pages
# need far less (they read the rollup); the data checks over 50M detail rows spill to disk
# within it, where DuckDB's default (80 % of RAM) would take gigabytes (docs/performance.md).
DUCKDB_MEMORY = "1GB"
# The data checks (Data page: duplicates, outliers, gaps over every detail record) run on a
# connection of their own with this limit (override: $IMPACT_DUCKDB_CHECKS_MEMORY): beyond
# it their grouping spills to disk, so the server stays within its 400 MB at 10M rows
# (issue 29), and they never take memory from the everyday pages' connection.
CHECKS_MEMORY = "128MB"

# Tables of at most this many rows (the manifest's count) are read into DuckDB's memory once
# per data version, and their view reads that copy (override: $IMPACT_HELD_ROWS; 0 holds
# none). At 1M activity rows every query of an everyday page read ten Parquet files per
# table for a few thousand rows, and opening and decoding them was most of its time (issue
# 29). A held finance row takes about 140 bytes: 250,000 rows are 35 MB, so the server stays
# within its 400 MB; at 10M activity rows (500,000 transactions) finance is read from its
# files, where a query's fixed cost is a smaller share. The detail activities are never
# held: the rollup answers the everyday pages, and the data checks that read the detail
# run in a process of their own.
HELD_ROWS = 250_000
_HELD = "__held"  # suffix of a held table's in-memory copy; its view keeps the table's name

# A per-year query (StoredQuery.per_year) is split by year from this many activity records.
PER_YEAR_FROM_ROWS = 500_000

# Parameters that carry lists are typed here so an empty list still binds as VARCHAR[].
_LIST_PARAMS = {"orgs", "projects", "areas"}
_INT_PARAMS = {"year_from", "year_to", "year", "limit"}


class Database:
    """A DuckDB connection with views over one data directory's committed files."""

    def __init__(self, data_dir: str | None = None, *, rollups: bool = True, filesystem=None,
                 cache_dir: "str | os.PathLike | None | bool" = None, pinned: int | None = None,
                 memory_limit: str | None = None, held_rows: int | None = None):
        """`rollups=False` answers every query from the detail (tests compare both ways).
        For a URL data directory: `filesystem` is its fsspec filesystem (default: from the URL);
        `cache_dir` is where its files are mirrored on local disk (default: $IMPACT_CACHE_DIR,
        else a directory under the system's temp dir; False reads the object store directly).
        `pinned` shows that committed version instead of following the manifest (for
        `impact verify --report`: the figures as a report saw them). `memory_limit`: DuckDB's
        limit for this connection (default $IMPACT_DUCKDB_MEMORY, else DUCKDB_MEMORY).
        `held_rows`: the largest table read into memory (default $IMPACT_HELD_ROWS, else
        HELD_ROWS; 0 reads every table from its files on every query)."""
        self.data_dir = resolve_data_dir(data_dir)
        self.store = DataStore(self.data_dir, filesystem=filesystem)
        # Bounded memory: beyond the limit DuckDB spills to disk, so a heavy data check over
        # the detail costs the same time but not gigabytes of server memory (issue 6).
        self._spill = tempfile.mkdtemp(prefix="impact-duckdb-")
        weakref.finalize(self, shutil.rmtree, self._spill, True)
        self.memory_limit = memory_limit or os.environ.get("IMPACT_DUCKDB_MEMORY",
                                                           DUCKDB_MEMORY)
        self.held_rows = held_rows if held_rows is not None else int(
            os.environ.get("IMPACT_HELD_ROWS", HELD_ROWS))
        self.held: set[str] = set()  # the tables (and rollup) now read from memory
        # DuckDB's allocator keeps what its queries freed until a thread's use passes the
        # flush threshold (128 MB by default): with a background thread returning it, and a
        # lower threshold, the server held 35-45 MB less after the everyday pages' queries
        # at 10M rows, at the same speed (docs/performance.md, issue 29's fourth round).
        self._con = duckdb.connect(":memory:", config={
            "threads": 2, "memory_limit": self.memory_limit, "temp_directory": self._spill,
            "allocator_background_threads": True, "allocator_flush_threshold": "16MB"})
        self.mirror = None
        if self.store.url:
            if cache_dir is not False:
                self.mirror = FileMirror(self.store, cache_dir or default_cache_dir(self.data_dir))
            # Without a mirror DuckDB reads s3://… through fsspec (httpfs may not be installable).
            self._con.register_filesystem(self.store.fs)
        _OPEN.add(self)
        self._lock = threading.Lock()
        self._version: str | None = None
        self._use_rollups = rollups
        self._pinned = pinned
        self.rollups = False  # whether the current views include an exact monthly rollup
        self.refresh()

    @property
    def version(self) -> str:
        """The data version the views currently show."""
        return self._version or ""

    def refresh(self) -> str:
        """Rebuild the views if the committed data changed; return the data version.

        Cheap when nothing changed: one read and hash of manifest.json (microseconds on local
        disk, one GET on object storage), so every rerun of every page may call it.
        """
        if self._pinned is not None:
            return self._pin()
        version = self.store.version()
        if version == self._version:
            return version
        with self._lock:
            version, manifest = self.store.snapshot()
            if version != self._version:
                self._build_views(manifest)
                self._version = version
        return version

    def _pin(self) -> str:
        if self._version is None:
            from impact.storage import versions
            manifest = versions.version(self.store, self._pinned)
            self._build_views(manifest)
            self._version = f"v{self._pinned}"
        return self._version

    def _paths(self, files: list) -> list[str]:
        """Where DuckDB reads each file, after checking its bytes against the manifest."""
        if self.mirror is not None:
            paths = [self.mirror.local(f) for f in files]
        else:
            paths = [self.store.full_path(f.path) for f in files]
        for f, path in zip(files, paths):
            _check_sha256(self.store, f, path)
        return paths

    def _build_views(self, manifest: dict | None) -> None:
        # DDL runs in its own transaction: a query already running on another cursor keeps
        # the views it started with, and the store keeps superseded files for a grace period.
        cur = self._con.cursor()
        live = []
        for table in TABLES.values():
            files = self.store.files(table.name, manifest)
            live += files
            paths = self._paths(files)
            select = _file_select(table, paths, *self._added(table, paths)) if paths \
                else _empty_select(table)
            if table.name == "activity_groups" and paths:
                select = self._groups_select(paths)
            ddl = f"CREATE OR REPLACE VIEW {table.name} AS {select}"  # schema-derived, no user input
            try:
                cur.execute(ddl)
            except duckdb.Error as exc:
                raise self._data_error(table, paths, exc) from None
            if table.name != "activities":
                self._hold(cur, table.name, files, select)
        months = self.store.rollup_files(manifest=manifest) if self._use_rollups and manifest \
            else None
        if months:
            live += months
            paths = self._paths(months)
            select = _rollup_select(paths)
        else:  # same columns, from the detail; rollup_sql is then never used (self.rollups)
            paths, select = [], _rollup_from_detail()
        ddl = f"CREATE OR REPLACE VIEW {rollup.NAME} AS {select}"  # schema-derived, no user input
        try:
            cur.execute(ddl)
        except duckdb.Error as exc:
            raise self._data_error(None, paths, exc) from None
        self._hold(cur, rollup.NAME, months or [], select if months else None)
        # Which projects are in which programme area, once per data version, in memory: the
        # finance filter's area lookup read every rollup file on every finance query, even
        # with no area chosen (DuckDB does not skip the subquery behind the OR), which cost
        # about a third of a finance query at 1M rows (issue 29). Same rows, same answers.
        source = rollup.NAME if months else "activities"
        distinct = f"SELECT DISTINCT project, program_area FROM {source}"  # our names only
        try:
            cur.execute(f"CREATE OR REPLACE TABLE {PROJECT_AREAS} AS {distinct}")
        except duckdb.OutOfMemoryException:
            # Under a tiny IMPACT_DUCKDB_MEMORY: the same rows as a view, read per query, so
            # opening the data still works and a query that needs more memory says so itself.
            cur.execute(f"DROP TABLE IF EXISTS {PROJECT_AREAS}")
            cur.execute(f"CREATE OR REPLACE VIEW {PROJECT_AREAS} AS {distinct}")
        cur.execute(macros_sql(PROJECT_AREAS))
        cur.execute(_ANY_AREA_MACROS)
        self.rollups = bool(months)
        if self.mirror is not None:
            self.mirror.prune(keep={f.path for f in live})

    def _hold(self, cur, name: str, files: list, select: str | None) -> None:
        """Read a small table into memory once per data version, and point its view at that
        copy: the same rows in the same types, without opening and decoding its Parquet
        files on every query. Left as a plain view when it is large (more than held_rows by
        the manifest), its size is unknown (no manifest), it is read from the detail, or it
        cannot be read or held (a damaged file, the memory limit): its queries then read
        the files and report what is wrong with them, as before."""
        held = f"{name}{_HELD}"  # our own table names, never user input
        rows = sum(f.rows for f in files)
        if select is None or not files or any(f.rows < 0 for f in files) \
                or rows > self.held_rows:
            if name in self.held:
                cur.execute(f"DROP TABLE IF EXISTS {held}")
                self.held.discard(name)
            return
        try:
            cur.execute(f"CREATE OR REPLACE TABLE {held} AS {select}")
            cur.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {held}")
        except duckdb.Error:
            cur.execute(f"DROP TABLE IF EXISTS {held}")
            self.held.discard(name)
            return
        self.held.add(name)

    def _added(self, table: Table, paths: list[str]) -> tuple[set[str], bool]:
        """(columns no file has, whether some have one and some not) of the columns added to
        `table` since its first files (Column.since). Files are named by their content hash,
        so what a path holds never changes: each footer is read once per process."""
        added = table.added_columns
        if not added:
            return set(), False
        have: list[set[str]] = []
        for path in paths:
            try:
                have.append(file_columns(path, self._read_schema) & set(added))
            except (OSError, pa.ArrowException):
                return set(), False  # unreadable: the plain select names the file at fault
        absent = {c for c in added if not any(c in h for h in have)}
        return absent, any(h != have[0] for h in have)

    def _groups_select(self, paths: list[str]) -> str:
        """activity_groups, with the org of rows written before issue 27 (files without an
        org column) taken from the one activity with their id: the rule of
        DataStore.legacy_group_orgs. The activities view is built before this one."""
        try:
            with_org = ["org" in self._read_schema(p).names for p in paths]
        except (OSError, pa.ArrowException):
            with_org = [True]  # unreadable: the plain select names the file at fault
        if all(with_org):
            return _file_select(TABLES["activity_groups"], paths)
        org = "g.org" if any(with_org) else "CAST(NULL AS VARCHAR)"
        columns = [c for c in TABLES["activity_groups"].columns if c.name != "org"]
        cols = ", ".join(f"CAST(g.{c.name} AS {c.sql_type}) AS {c.name}" for c in columns)
        return (f"SELECT coalesce({org}, u.org) AS org, {cols} FROM read_parquet("
                f"[{_sql_list(paths)}], hive_partitioning = false, union_by_name = true) g "
                "LEFT JOIN (SELECT activity_id, min(org) AS org FROM activities "
                "GROUP BY activity_id HAVING count(DISTINCT org) = 1) u "
                f"ON {org} IS NULL AND u.activity_id = g.activity_id")

    def _data_error(self, table: Table | None, paths: list[str], exc: Exception) -> DataError:
        """Name the file at fault: DuckDB's message does not always say which one it was.
        `table` None is the monthly rollup (no column check)."""
        for path in paths:
            try:
                schema = self._read_schema(path)
            except FileNotFoundError:
                return DataError(f"{path}: data file listed in the manifest is missing")
            except (OSError, pa.ArrowException) as err:
                return DataError(f"{path}: not a readable Parquet file ({_first_line(err)})")
            missing = [c for c in table.column_names if c not in schema.names
                       and c not in table.added_columns] if table else []
            if missing:
                return DataError(f"{path}: table {table.name} lacks column(s) {', '.join(missing)}")
        name = table.name if table else "the monthly rollup"
        return DataError(f"{self.data_dir}: cannot read {name} ({_first_line(exc)})")

    def _read_schema(self, path: str) -> pa.Schema:
        # Remote paths are read through fsspec; mirrored (local) copies of them directly.
        if self.store.url and path.startswith(self.store.url):
            with self.store.fs.open(path, "rb") as fh:
                return pq.read_schema(fh)
        return pq.read_schema(path)

    def run(self, name: str, **params) -> pa.Table:
        """Run the named query with bound parameters; return an Arrow table (DECIMAL stays exact)."""
        query = load_query(name)
        missing = [p for p in query.parameters if p not in params]
        if missing:
            raise TypeError(f"query {name} needs parameter(s) {', '.join(missing)}")
        bound = {p: _coerce(p, params[p]) for p in query.parameters}
        sql = (self.rollups and rollup.rollup_sql(query.sql)) or query.sql
        sql = without_areas(_typed(sql, query.parameters), bound)
        try:
            if query.per_year:
                return self._run_per_year(query, sql, bound)
            return _answer(self._con.cursor(), sql, bound)
        except (duckdb.ParserException, duckdb.BinderException, duckdb.CatalogException):
            raise  # a mistake in our SQL, not in the user's data
        except duckdb.OutOfMemoryException:
            raise DataError(f"query {name} needs more memory than the {self.memory_limit} "
                            "allowed (IMPACT_DUCKDB_MEMORY, IMPACT_DUCKDB_CHECKS_MEMORY for "
                            "the data checks): choose fewer years or organisations, or raise "
                            "the limit") from None
        except duckdb.Error as exc:  # unreadable or corrupt data files surface in many forms
            raise self._diagnose(exc) from None

    def _run_per_year(self, query: StoredQuery, sql: str, bound: dict) -> pa.Table:
        """A per-year query (StoredQuery.per_year): each year of the range on its own, then
        the query's own final ORDER BY … LIMIT over the years' answers together."""
        # Small data: one query (each year's query costs a few ms of its own, 16 years of
        # the demo data made the check 10× slower). Counts come from the Parquet footers.
        total = self._con.cursor().sql("SELECT count(*) FROM activities").fetchall()[0][0]
        if total < PER_YEAR_FROM_ROWS:
            return _answer(self._con.cursor(), sql, bound)
        # The years of the activity files (hive partitions: no data is read for this).
        found = self._con.cursor().sql("SELECT DISTINCT year FROM activities "
                                       "WHERE year IS NOT NULL").fetchall()
        low, high = bound["year_from"], bound["year_to"]
        years = sorted(y for (y,) in found if (low is None or y >= low)
                       and (high is None or y <= high))
        parts = [_answer(self._con.cursor(), sql, {**bound, "year_from": year,
                                                            "year_to": year})
                 for year in years]
        if not parts:  # an empty range: the query's own empty answer, with its columns
            return _answer(self._con.cursor(), sql, bound)
        order, limit = _FINAL_ORDER.search(_strip_comments(query.sql)).groups()
        years = pa.concat_tables(parts)  # noqa: F841  (read by name below)
        cur = self._con.cursor()
        cur.register("impact_per_year", years)
        try:
            # The ORDER BY is the query file's own (output column names): no user input.
            return cur.sql(f"SELECT * FROM impact_per_year ORDER BY {order} "
                           f"LIMIT {int(limit)}").to_arrow_table()
        finally:
            cur.unregister("impact_per_year")

    def attach_files(self, view: str, paths: list[str]) -> None:
        """Point the view `view` (one of our own names) at these Parquet files of our own
        (impact.storage.check_index): a query reads them as a table."""
        if not re.fullmatch(r"[a-z_]+", view):
            raise ValueError(f"not a view name: {view!r}")
        self._con.cursor().execute(
            f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM read_parquet([{_sql_list(paths)}])")

    def rows(self, name: str, **params) -> list[dict]:
        """The query's rows as dicts of Python values (Decimal for money)."""
        return self.run(name, **params).to_pylist()

    def _diagnose(self, exc: Exception) -> DataError:
        files = [f for table in TABLES for f in self.store.files(table)]
        files += self.store.rollup_files() or []
        for f in files:
            path = self.store.full_path(f.path)
            try:
                with self.store.open(f.path) as fh:
                    # Single-threaded: Arrow's threaded reader has aborted the process on
                    # some damaged pages instead of raising.
                    pq.ParquetFile(fh).read(use_threads=False)
            except FileNotFoundError:
                return DataError(f"{path}: data file listed in the manifest is missing")
            except (OSError, pa.ArrowException) as err:
                return DataError(f"{path}: corrupt Parquet file ({_first_line(err)})")
        return DataError(f"{self.data_dir}: cannot read the data ({_first_line(exc)})")

    def close(self) -> None:
        self._con.close()
        # Its spill directory too, now: a child process that ends with os._exit (the data
        # checks, impact.web.elsewhere) never runs the finalizer that would remove it.
        shutil.rmtree(self._spill, ignore_errors=True)


# Clean exits: close every open connection before the interpreter tears down, so DuckDB's
# threads never outlive it ("terminate called without an active exception", exit 134).
_OPEN: "weakref.WeakSet[Database]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for db in list(_OPEN):
        try:
            db.close()
        except Exception:  # noqa: BLE001  (exiting: nothing left to report to)
            pass


def _check_sha256(store: DataStore, f, path: str) -> None:
    """Refuse, by name, a file whose bytes are not those the manifest vouches for: a flipped
    bit inside a Parquet page can change a sum without any reader error (issue 13). Done
    each time the views are rebuilt, i.e. when a process first opens the data and again
    whenever the manifest changes; the cost is in docs/performance.md."""
    if not f.sha256:
        return  # files on disk without a manifest: nothing vouches for them, nothing to check
    try:
        if store.url and path.startswith(store.url):
            digest = hashlib.sha256(store.verified_bytes(f)).hexdigest()
        else:
            with open(path, "rb") as fh:
                digest = hashlib.file_digest(fh, "sha256").hexdigest()
    except FileNotFoundError:
        raise DataError(f"{path}: data file listed in the manifest is missing") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if digest != f.sha256:
        raise DataError(f"{path}: sha256 differs from the manifest (file damaged or changed); "
                        "refusing to read it")


def _rollup_select(paths: list[str]) -> str:
    return (f"SELECT * FROM read_parquet([{_sql_list(paths)}], hive_partitioning = true, "
            "hive_types = {'year': INTEGER})")


def _rollup_from_detail() -> str:
    sums = ", ".join(f"sum({c})::BIGINT AS {c}" for c in rollup.SUMS)
    return (f"SELECT date_trunc('month', date)::DATE AS date, org, project, program_area, "
            f"year, count(*) AS records, {sums} FROM activities "
            f"GROUP BY ALL")


# DuckDB 2.0 warns that Arrow from an executed statement copies its rows once more. Our
# answers are aggregates (a few hundred rows), and `execute` skips the relation `sql()` binds
# first only to learn its columns: about 0.6 of a query's 2 ms at 1M rows (issue 29).
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result",
                        category=UserWarning)


def _answer(cur, sql: str, params: dict) -> pa.Table:
    """A named query's answer as Arrow (DECIMAL stays exact)."""
    return cur.execute(sql, params).to_arrow_table()


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _coerce(name: str, value):
    if name in _LIST_PARAMS:
        return [str(v) for v in (value or [])]
    return value


def _typed(sql: str, params: tuple[str, ...]) -> str:
    """Cast list and integer parameters where they are bound, so NULL and [] carry a type."""
    def cast(match: re.Match) -> str:
        name = match.group(1)
        if name in _LIST_PARAMS:
            return f"CAST(${name} AS VARCHAR[])"
        if name in _INT_PARAMS:
            return f"CAST(${name} AS INTEGER)"
        return match.group(0)
    return _PARAM.sub(cast, sql)
