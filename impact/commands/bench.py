"""`bench`: the performance benchmark of issue 6 (our path vs the DuckDB floor vs pandas)."""

from __future__ import annotations

import argparse
import sys

from impact.errors import UsageError

NAME = "bench"
HELP = ("Generate N synthetic activity rows and time every page: warm/cold, the DuckDB "
        "floor, the pandas way, peak memory.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=None, metavar="N",
                        help="activity rows to generate (default 1,000,000; finance gets N/20; "
                             "with --engine spark, default both 1,000,000 and 10,000,000)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="where to put the benchmark data (default: a temporary directory, "
                             "deleted afterwards); reused when it already holds N bench rows")
    parser.add_argument("--changes", type=int, default=20, metavar="K",
                        help="filter changes per page for the warm p50/p95 (default 20)")
    pandas = parser.add_mutually_exclusive_group()
    pandas.add_argument("--pandas", dest="pandas", action="store_true", default=None,
                        help="run the pandas baseline even above 20M rows (needs a lot of RAM)")
    pandas.add_argument("--no-pandas", dest="pandas", action="store_false",
                        help="skip the pandas baseline")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                        help="spark: time the same queries and the rollup job on DuckDB and "
                             "on Spark side by side, at each size (docs/scaling.md)")
    parser.add_argument("--spark-remote", metavar="URL",
                        help="with --engine spark: a Spark Connect server, sc://host:15002")


def run(args: argparse.Namespace) -> int:
    from impact.bench.runner import run as run_bench

    if args.rows is not None and args.rows < 1000:
        raise UsageError(f"--rows {args.rows}: give at least 1000")
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    if args.engine == "spark":
        return _run_engines(args, log)
    if args.spark_remote:
        raise UsageError("--spark-remote needs --engine spark")
    if args.changes < 1:
        raise UsageError(f"--changes {args.changes}: give at least 1")
    run_bench(args.rows or 1_000_000, args.data_dir, args.json, args.changes, args.pandas,
              keep=False, log=log)
    return 0


def _run_engines(args: argparse.Namespace, log) -> int:
    import json
    from pathlib import Path

    from impact.bench import engines

    sizes = [args.rows] if args.rows else list(engines.SIZES)
    report = engines.run(sizes, args.data_dir, args.spark_remote, log=log)
    print(engines.format_table(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0
