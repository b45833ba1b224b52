"""Query engines behind the named queries.

DuckDB (`impact.db.Database`) is the embedded default: the dashboard, the CLI, the reports.
Apache Spark (`impact.engines.spark.SparkDatabase`) runs the same named queries with the same
parameters over the same files, locally or on a cluster through Spark Connect, and runs the
heavy jobs (`impact.engines.spark_jobs`): Spark computes, DuckDB serves (docs/scaling.md).
"""

from __future__ import annotations

ENGINES = ("duckdb", "spark")


def open_database(engine: str = "duckdb", data_dir: str | None = None, *,
                  spark_remote: str | None = None):
    """A database answering the named queries on `engine`; both have run/rows/refresh."""
    if spark_remote and engine != "spark":
        from impact.errors import UsageError
        raise UsageError("--spark-remote needs --engine spark")
    if engine == "duckdb":
        from impact.storage.db import Database
        return Database(data_dir)
    if engine == "spark":
        from impact.engines.spark import SparkDatabase
        return SparkDatabase(data_dir, remote=spark_remote)
    raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")


def add_engine_arguments(parser, *, help_extra: str = "") -> None:
    """--engine and --spark-remote, shared by the commands that can run on Spark."""
    parser.add_argument("--engine", choices=ENGINES, default="duckdb",
                        help="query engine (default duckdb; spark needs Java 17 or "
                             "--spark-remote)" + help_extra)
    parser.add_argument("--spark-remote", metavar="URL",
                        help="with --engine spark: a Spark Connect server, sc://host:15002 "
                             "(default: a local Spark in this process, which needs Java 17)")
