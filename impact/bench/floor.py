"""The floor: what DuckDB needs just to read the columns a page's queries use.

For every query a page ran, one raw scan per table it reads: `read_parquet` over the
committed files (the rollup files where our path reads the rollup), the same
year/organisation/project filters, and one cheap aggregate per column so every value is
decoded. No views, no macros, no casts, no grouping, no Python: whatever our path adds on
top of this is our overhead. The same scans over the detail files show what the rollup saves.
"""

from __future__ import annotations

import re
import time
from functools import cache

import duckdb
import sqlglot
from sqlglot import exp

from impact.storage import rollup
from impact.bench.pages import Call
from impact.storage.db import _strip_comments, file_columns, load_query
from impact.storage.schema import TABLES
from impact.storage.store import DataStore

_TABLE_REF = re.compile(r"\b(activities|finance|indicators|targets)(?:_in\s*\(|\b)")


@cache
def columns_read(name: str) -> dict[str, frozenset[str]]:
    """{table: columns} a named query reads (an over-estimate is fine, a miss is not)."""
    sql = _strip_comments(load_query(name).sql)
    named = {c.name for c in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Column)}
    out = {}
    for table in dict.fromkeys(_TABLE_REF.findall(sql)):
        cols = set(TABLES[table].column_names) & named
        if TABLES[table].partitioned and "year" in named:
            cols.add("year")
        out[table] = frozenset(cols)
    return out


def _filter_sql(table: str, params: dict) -> tuple[list[str], dict, set[str]]:
    """Plain predicates for the filters that are on: (predicates, parameters, columns)."""
    cols = set(TABLES[table].column_names) | ({"year"} if TABLES[table].partitioned else set())
    where, bound, used = [], {}, set()
    for key, col in (("orgs", "org"), ("projects", "project"), ("areas", "program_area")):
        if params.get(key) and col in cols:
            where.append(f"list_contains(${key}::VARCHAR[], {col})")
            bound[key] = [str(v) for v in params[key]]
            used.add(col)
    for key, op in (("year_from", ">="), ("year_to", "<=")):
        if params.get(key) is not None and "year" in cols:
            where.append(f"year {op} ${key}")
            bound[key] = int(params[key])
            used.add("year")
    return where, bound, used


def _missing_later_columns(table: str, needed: set[str], paths: list[str],
                           from_rollup: bool) -> set[str]:
    """Columns added to the schema later (Column.since) that some file does not hold: our
    views read them as NULL there, so the raw scan has nothing to read and leaves them out."""
    later = set(TABLES[table].added_columns) & needed
    if from_rollup or not later:
        return set()
    return {c for c in later if any(c not in file_columns(p) for p in paths)}


def scan_sql(store: DataStore, table: str, columns: frozenset[str], params: dict,
             from_rollup: bool = False):
    """The raw scan of `columns` of `table` under the call's filters, with its parameters.
    `from_rollup`: scan the same columns in the monthly rollup files instead of the detail."""
    files = store.rollup_files() if from_rollup else store.files(table)
    paths = [store.full_path(f.path) for f in files or []]
    if not paths:
        return None
    where, bound, used = _filter_sql(table, params)
    needed = (columns & rollup.COLUMNS if from_rollup else columns) | used
    needed = sorted(needed - _missing_later_columns(table, needed, paths, from_rollup))
    aggs = ", ".join(f"count({c})" for c in needed) or "count(*)"
    listing = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    hive = "true" if TABLES[table].partitioned else "false"
    sql = (f"SELECT {aggs} FROM read_parquet([{listing}], hive_partitioning = {hive})"
           + (" WHERE " + " AND ".join(where) if where else ""))
    return sql, bound


def page_floor_ms(con: duckdb.DuckDBPyConnection, store: DataStore, calls: list[Call],
                  repeats: int = 3, rollups: bool = True) -> float:
    """Milliseconds for the raw scans behind one page render (best of `repeats` each).

    With `rollups`, a query our path answers from the monthly rollup is floored by a scan of
    the same columns in the rollup files: the floor reads what our path reads, so
    ours ÷ floor is our overhead. `rollups=False` gives the floor over the detail.
    """
    total = 0.0
    for call in calls:
        params = call.kwargs()
        on_rollup = rollups and rollup.rollup_sql(load_query(call.name).sql) is not None
        for table, cols in columns_read(call.name).items():
            scan = scan_sql(store, table, cols, params, on_rollup and table == "activities")
            if scan is None:
                continue
            sql, bound = scan
            best = float("inf")
            for _ in range(repeats):
                t0 = time.perf_counter()
                con.sql(sql, params=bound).fetchall()
                best = min(best, time.perf_counter() - t0)
            total += best
    return total * 1000
