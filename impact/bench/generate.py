"""Synthetic data at scale for the benchmark, written through the store in its own layout.

Rows are made by DuckDB from `range()` and a hash of the row number, one year at a time, so
10-50 million rows take seconds to make and memory stays at one year's worth. The same N
always gives the same data (hashes, not a random generator).

The shape follows a network of NGOs: many organisations of very unequal size (a few large
ones, a long tail of small ones), hundreds of projects each with one programme area, a decade
of dates with growth from year to year and the seasonality of the demo data.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from impact.demo.synth import SEASONALITY
from impact.storage.schema import EXPENSE_LINES, INCOME_LINES, SOURCE_TYPES, TABLES
from impact.storage.store import DataStore

FIRST_YEAR = 2015
YEARS = 10
GROWTH = 1.12  # each year has 12 % more records than the one before
FINANCE_PER_ACTIVITY = 1 / 20
AREAS = ("儿童服务", "青少年服务", "长者服务", "社区发展", "流动人口服务", "残障服务",
         "家庭服务", "社会救助")
TYPES = ("个案服务", "小组活动", "社区活动", "培训", "探访", "咨询")
INDICATORS = (("staff", "人"), ("families", "个家庭"), ("communities", "个社区"))
TARGET_METRICS = ("services", "beneficiaries", "volunteers", "income_total")


@dataclass(frozen=True)
class Shape:
    """How many of everything a benchmark of `rows` activity records has."""

    rows: int
    orgs: int
    projects: int
    funders: int

    @classmethod
    def for_rows(cls, rows: int) -> "Shape":
        if rows < 1000:
            raise ValueError(f"--rows {rows}: the benchmark needs at least 1000 rows")
        # More organisations as the network grows, but never fewer than a realistic network.
        orgs = max(40, min(400, rows // 50_000))
        return cls(rows=rows, orgs=orgs, projects=orgs * 4, funders=300)

    def year_rows(self) -> list[tuple[int, int, int]]:
        """(year, first row number, row count) for each year; counts grow by GROWTH a year."""
        weights = [GROWTH ** k for k in range(YEARS)]
        counts = [int(self.rows * w / sum(weights)) for w in weights]
        counts[-1] += self.rows - sum(counts)
        out, start = [], 0
        for k, n in enumerate(counts):
            out.append((FIRST_YEAR + k, start, n))
            start += n
        return out


def _sql_list(values) -> str:
    # Constants of this module only, never user input.
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def _month_lut() -> str:
    """A 100-slot list of months, each month appearing in proportion to its seasonality."""
    total = sum(SEASONALITY)
    slots = [round(100 * s / total) for s in SEASONALITY]
    slots[6] += 100 - sum(slots)
    return "[" + ", ".join(str(m + 1) for m, n in enumerate(slots) for _ in range(n)) + "]"


# u(i, k): a uniform number in [0, 1) from row i and salt k. Squaring it skews toward 0, so
# low-numbered organisations and projects get most of the rows (a few large NGOs, a long tail).
_U = "((hash(i, {k}) % 1000000)::DOUBLE / 1000000)"


def _activities_sql(shape: Shape) -> str:
    u = _U.format
    return f"""
    WITH r AS (
        SELECT range AS i,
               least({shape.projects} - 1, floor({shape.projects} * {u(k=1)} * {u(k=1)}))::INTEGER AS p,
               {_month_lut()}[1 + (hash(i, 2) % 100)::INTEGER] AS m
        FROM range($start, $start + $n)
    ), d AS (
        SELECT i, p, p % {shape.orgs} AS o,
               make_date($year, m, 1) + (hash(i, 3) % 28)::INTEGER AS date
        FROM r
    )
    SELECT
        'A' || lpad(i::VARCHAR, 10, '0')                          AS activity_id,
        date,
        '机构' || lpad(o::VARCHAR, 3, '0')                        AS org,
        '机构' || lpad(o::VARCHAR, 3, '0') || '·项目' || lpad(p::VARCHAR, 4, '0') AS project,
        {_sql_list(AREAS)}[1 + p % {len(AREAS)}]                  AS program_area,
        {_sql_list(TYPES)}[1 + (hash(i, 4) % {len(TYPES)})::INTEGER] AS activity_type,
        (1 + hash(i, 5) % 3)::INTEGER                             AS sessions,
        (1 + floor(80 * {u(k=6)} * {u(k=6)} * {u(k=6)}))::INTEGER AS beneficiaries,
        (hash(i, 7) % 6)::INTEGER                                 AS volunteers,
        ((hash(i, 7) % 6) * (30 + hash(i, 8) % 150))::INTEGER     AS volunteer_minutes
    FROM d
    ORDER BY org, date, activity_id
    """


def _finance_sql(shape: Shape) -> str:
    income = _sql_list(INCOME_LINES)
    expense = _sql_list(EXPENSE_LINES)
    sources = _sql_list(SOURCE_TYPES)
    u = _U.format
    return f"""
    WITH r AS (
        SELECT range AS i,
               least({shape.projects} - 1, floor({shape.projects} * {u(k=11)} * {u(k=11)}))::INTEGER AS p,
               hash(i, 12) % 10 < 4 AS is_income,
               1 + (hash(i, 13) % 12)::INTEGER AS m
        FROM range($start, $start + $n)
    )
    SELECT
        'T' || lpad(i::VARCHAR, 10, '0')                                AS txn_id,
        make_date($year, m, 1) + (hash(i, 14) % 28)::INTEGER            AS date,
        '机构' || lpad((p % {shape.orgs})::VARCHAR, 3, '0')             AS org,
        CASE WHEN is_income THEN 'income' ELSE 'expense' END            AS flow,
        CASE WHEN is_income THEN {income}[1 + (hash(i, 15) % {len(INCOME_LINES)})::INTEGER]
             ELSE {expense}[1 + (hash(i, 15) % {len(EXPENSE_LINES)})::INTEGER] END AS line,
        CASE WHEN is_income THEN {sources}[1 + (hash(i, 20) % {len(SOURCE_TYPES)})::INTEGER] END AS source_type,
        CASE WHEN is_income THEN '资助方' || lpad(floor({shape.funders} * {u(k=16)} * {u(k=16)})::VARCHAR, 3, '0') END AS funder,
        CASE WHEN hash(i, 17) % 5 > 0
             THEN '机构' || lpad((p % {shape.orgs})::VARCHAR, 3, '0') || '·项目' || lpad(p::VARCHAR, 4, '0') END AS project,
        hash(i, 18) % 3 = 0                                             AS restricted,
        NULL::VARCHAR                                                   AS grant_id,
        ((100 + hash(i, 19) % 5000000)::DECIMAL(18,2) / 100)::DECIMAL(18,2) AS amount
    FROM r
    ORDER BY org, date, txn_id
    """


def _small_tables(con: duckdb.DuckDBPyConnection, shape: Shape) -> dict[str, pa.Table]:
    years = f"range({FIRST_YEAR}, {FIRST_YEAR + YEARS})"
    orgs = f"(SELECT '机构' || lpad(range::VARCHAR, 3, '0') AS org, range AS o FROM range({shape.orgs}))"
    ind_values = ", ".join(f"('{k}', '{unit}', {n})" for n, (k, unit) in enumerate(INDICATORS))
    indicators = con.sql(f"""
        SELECT org, NULL::VARCHAR AS project, y.range::INTEGER AS year, k AS indicator,
               (1 + hash(o, y.range, n) % 500)::DECIMAL(18,4) AS value, unit
        FROM {orgs}, {years} y, (VALUES {ind_values}) v(k, unit, n)
    """).to_arrow_table()
    metrics = ", ".join(f"('{m}', {n})" for n, m in enumerate(TARGET_METRICS))
    targets = con.sql(f"""
        SELECT org, NULL::VARCHAR AS project, y.range::INTEGER AS year, m AS metric,
               (1 + hash(o, y.range, n) % 100000)::DECIMAL(18,4) AS target,
               NULL::VARCHAR AS grant_id
        FROM {orgs}, {years} y, (VALUES {metrics}) v(m, n)
    """).to_arrow_table()
    return {"indicators": indicators, "targets": targets}


def _year_chunks(con, sql: str, years: list[tuple[int, int, int]]):
    """One Arrow table per year, made only when the store asks for it."""
    for year, start, n in years:
        if n:
            yield con.sql(sql, params={"year": year, "start": start, "n": n}).to_arrow_table()


def generate(data_dir: str, rows: int, *, threads: int = 2) -> dict:
    """Write a fresh benchmark dataset of `rows` activity records to `data_dir`; return the
    manifest. Finance gets FINANCE_PER_ACTIVITY transactions per activity record."""
    shape = Shape.for_rows(rows)
    con = duckdb.connect(":memory:", config={"threads": threads})
    con.execute("SET enable_progress_bar = false")
    try:
        years = shape.year_rows()
        fin_years, start = [], 0
        for year, _, n in years:
            m = max(1, int(n * FINANCE_PER_ACTIVITY))
            fin_years.append((year, start, m))
            start += m
        store = DataStore(data_dir)
        tables = {
            "activities": _year_chunks(con, _activities_sql(shape), years),
            "finance": _year_chunks(con, _finance_sql(shape), fin_years),
            **_small_tables(con, shape),
        }
        tables = {k: v for k, v in tables.items() if k in TABLES}
        return store.commit(tables, fresh=True, meta={"source": "bench", "rows": rows,
                                                      "orgs": shape.orgs,
                                                      "projects": shape.projects})
    finally:
        con.close()
