"""`bench --engine spark`: the same work on DuckDB and on Spark, side by side, per data size.

The work is what each engine is for at scale: the dashboard's queries over the monthly
rollup, queries over the detail (drill-downs, the network comparison), the data-quality
checks, and building the monthly rollup itself. Each is run RUNS times on each engine; the
table shows the first run and the median of the others (Spark's first run of a query pays
for planning and code generation, as on a cluster).

Spark here is a local session on this machine's cores: it measures the engine's overhead at
each size, which is what the crossover argument in docs/scaling.md rests on.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from impact.storage import rollup
from impact.filters import Filters

RUNS = 3
SIZES = (1_000_000, 10_000_000)

# (label, named query, selection, read the detail rather than the rollup)
QUERIES = (
    ("overview totals (rollup)", "activity_totals", Filters(year_from=2023, year_to=2023), False),
    ("by month, 2 orgs (rollup)", "activity_by_month",
     Filters(orgs=("机构001", "机构007")), False),
    ("org_by_year (detail)", "org_by_year", Filters(), True),
    ("duplicates check (detail)", "data_quality_duplicates", Filters(), True),
    ("outliers check (detail)", "data_quality_outliers", Filters(), True),
)
ROLLUP_JOB = "build the monthly rollup"


def _time(fn) -> list[float]:
    out = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _summary(times: list[float]) -> dict:
    return {"first_ms": round(times[0], 1), "median_ms": round(statistics.median(times[1:]), 1)}


def measure_size(data_dir: str, spark, log) -> dict:
    """Every job on both engines over one data directory."""
    from impact.storage.db import Database
    from impact.engines import spark_jobs
    from impact.engines.spark import SparkDatabase
    from impact.storage.store import DataStore

    duck = {False: Database(data_dir), True: Database(data_dir, rollups=False)}
    sp = {False: SparkDatabase(data_dir, spark=spark),
          True: SparkDatabase(data_dir, spark=spark, rollups=False)}
    jobs = {}
    for label, name, filters, detail in QUERIES:
        params = {**filters.params(), "limit": 100}
        from impact.storage.db import load_query
        params = {p: params[p] for p in load_query(name).parameters}
        log(f"  {label} …")
        jobs[label] = {"duckdb": _summary(_time(lambda: duck[detail].run(name, **params))),
                       "spark": _summary(_time(lambda: sp[detail].run(name, **params)))}
    store = DataStore(data_dir)
    sources = [f.path for f in store.files("activities")]
    # DuckDB: the rollup as DuckDB computes it from the detail (the view the runner falls
    # back to); Spark: the job `impact rollup --engine spark` runs, without the commit.
    rollup_sql = f"SELECT * FROM {rollup.NAME}"
    log(f"  {ROLLUP_JOB} …")
    jobs[ROLLUP_JOB] = {
        "duckdb": _summary(_time(lambda: duck[True]._con.cursor().sql(rollup_sql).to_arrow_table())),
        "spark": _summary(_time(lambda: spark_jobs.rollup_tables(spark, store, sources)))}
    for db in sp.values():
        db.close()
    return jobs


def run(sizes: list[int], data_dir: str | None, remote: str | None, log=print) -> dict:
    from impact.bench.runner import prepare_data
    from impact.engines.spark import spark_session

    load_before = os.getloadavg()
    t0 = time.perf_counter()
    spark = spark_session(remote)
    report = {"spark_start_ms": round((time.perf_counter() - t0) * 1000),
              "spark": remote or "local[2]", "cpus": os.cpu_count(),
              "load_before": [round(x, 2) for x in load_before], "sizes": {}}
    for rows in sizes:
        where = str(Path(data_dir) / f"rows-{rows}") if data_dir else None
        path, temp = prepare_data(where, rows, log)
        try:
            log(f"{rows:,} rows: DuckDB and Spark, {RUNS} runs each …")
            report["sizes"][rows] = measure_size(path, spark, log)
        finally:
            if temp:
                import shutil
                shutil.rmtree(path, ignore_errors=True)
    report["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return report


def format_table(report: dict) -> str:
    head = f"{'rows':>12}  {'job':<28}{'DuckDB':>10}{'Spark':>10}{'Spark÷DuckDB':>14}{'Spark 1st':>11}"
    lines = [f"DuckDB (embedded, 2 threads) and Spark ({report['spark']}) on {report['cpus']} CPUs; "
             f"ms, median of runs 2-{RUNS}; Spark session start {report['spark_start_ms']} ms",
             head, "-" * len(head)]
    for rows, jobs in report["sizes"].items():
        for label, r in jobs.items():
            d, s = r["duckdb"]["median_ms"], r["spark"]["median_ms"]
            lines.append(f"{int(rows):>12,}  {label:<28}{d:>10.0f}{s:>10.0f}"
                         f"{(s / d if d else float('nan')):>14.1f}{r['spark']['first_ms']:>11.0f}")
    lines.append("-" * len(head))
    lines.append(f"load average (1, 5, 15 min): before {report['load_before']}, "
                 f"after {report['load_after']}")
    return "\n".join(lines)
