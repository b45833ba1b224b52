"""The named queries on Apache Spark, over the same data directory (local or s3://).

`SparkDatabase` is the Spark twin of `impact.db.Database`: the same `run(name, **params)` and
`rows(...)`, answering from the same committed files (the manifest's list, never a directory
listing), with the same bound parameters, and from the monthly rollup exactly where the
DuckDB runner would. What differs is only the text sent: the filter macros expanded and the
query transpiled to Spark SQL (`impact.engines.portable`), with `:name` parameter markers
bound by Spark itself (`spark.sql(text, args=…)`), so no value is spliced into SQL.

Two ways in: a local session (`local[2]`, for tests and one machine) or a cluster through
Spark Connect (`sc://host:15002`). The dashboard never uses this: it serves from DuckDB.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import threading

import pyarrow as pa

from impact.storage import rollup
from impact.config import resolve_data_dir
from impact.storage.db import _coerce, load_query
from impact.engines.portable import spark_sql
from impact.errors import DataError, UsageError
from impact.storage.schema import TABLES, VALUE_SQL, MONEY_SQL, Table
from impact.storage.store import DataStore

JAVA_PACKAGE = "openjdk-17-jre-headless"

# Spark SQL names for the schema's DuckDB types.
_SPARK_TYPES = {"VARCHAR": "STRING", "DATE": "DATE", "INTEGER": "INT", "BOOLEAN": "BOOLEAN",
                MONEY_SQL: "DECIMAL(18,2)", VALUE_SQL: "DECIMAL(18,4)"}

# One local JVM per process: starting one takes seconds, so every SparkDatabase shares it.
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",  # progress bars would garble CLI output
    "spark.sql.shuffle.partitions": "4",        # tens of groups, not the default 200 tasks
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.adaptive.enabled": "true",
    "spark.driver.memory": os.environ.get("IMPACT_SPARK_DRIVER_MEMORY", "2g"),
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def java_missing() -> str | None:
    """Why a local Spark cannot start here (no Java), or None."""
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "java")):
        return None
    if shutil.which("java"):
        return None
    return f"Spark needs Java 17 (apt-get install {JAVA_PACKAGE}), and java is not on PATH"


_lock = threading.Lock()


def spark_session(remote: str | None = None, *, master: str = "local[2]"):
    """A SparkSession: through Spark Connect when `remote` is given (sc://host:15002), else a
    local session in this process (Java needed). Created once, then shared."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError("the Spark engine needs pyspark: pip install -r requirements-dev.txt") \
            from None
    with _lock:
        if remote:
            if not remote.startswith("sc://"):
                raise UsageError(f"--spark-remote {remote}: give a Spark Connect URL, "
                                 "sc://host:15002")
            try:
                return SparkSession.builder.remote(remote).getOrCreate()
            except ImportError as exc:
                raise UsageError("Spark Connect needs the client libraries: pip install "
                                 f"'pyspark[connect]' ({exc})") from None
        problem = java_missing()
        if problem:
            raise UsageError(problem)
        builder = SparkSession.builder.master(master).appName("impact")
        for key, value in LOCAL_CONF.items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        return spark


_ids = itertools.count()


def spark_path(location: str) -> str:
    """A data file's location as Spark's Hadoop filesystems name it (s3:// is s3a://)."""
    return "s3a://" + location[5:] if location.startswith("s3://") else location


class SparkDatabase:
    """Temporary views over one data directory's committed files in a Spark session."""

    engine = "spark"

    def __init__(self, data_dir: str | None = None, *, spark=None, remote: str | None = None,
                 rollups: bool = True):
        self.data_dir = resolve_data_dir(data_dir)
        self.store = DataStore(self.data_dir)
        self.spark = spark if spark is not None else spark_session(remote)
        # Views are named per Database, so one session can hold several data directories.
        tag = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:8]
        self._suffix = f"_{tag}_{next(_ids)}"
        self._views = {name: name + self._suffix for name in (*TABLES, rollup.NAME)}
        self._use_rollups = rollups
        self.rollups = False
        self._version: str | None = None
        self._lock = threading.Lock()
        self.refresh()

    @property
    def version(self) -> str:
        return self._version or ""

    def refresh(self) -> str:
        """Rebuild the views if the manifest changed; return the data version."""
        with self._lock:
            version, manifest = self.store.snapshot()
            if version != self._version:
                self._build_views(manifest)
                self._version = version
        return version

    def _paths(self, files) -> list[str]:
        return [spark_path(self.store.full_path(f.path)) for f in files]

    def _build_views(self, manifest: dict | None) -> None:
        for table in TABLES.values():
            self.table_frame(table, self._paths(self.store.files(table.name, manifest))) \
                .createOrReplaceTempView(self._views[table.name])
        months = self.store.rollup_files(manifest=manifest) if self._use_rollups and manifest \
            else None
        if months:
            self.rollup_frame(self._paths(months)).createOrReplaceTempView(
                self._views[rollup.NAME])
        self.rollups = bool(months)

    def table_frame(self, table: Table, paths: list[str]):
        try:
            return typed_frame(self.spark, self.store, table, paths)
        except Exception as exc:  # noqa: BLE001 - pyspark raises its own classes per mode
            raise self._data_error(exc) from None

    def rollup_frame(self, paths: list[str]):
        cols = ["date", "org", "project", "program_area", "CAST(records AS BIGINT) AS records",
                *(f"CAST({c} AS BIGINT) AS {c}" for c in rollup.SUMS), "CAST(year AS INT) AS year"]
        try:
            return _read(self.spark, self.store, rollup.NAME, paths).selectExpr(*cols)
        except Exception as exc:  # noqa: BLE001
            raise self._data_error(exc) from None

    def sql(self, name: str, **params) -> tuple[str, dict]:
        """The Spark SQL text of a named query and the arguments it binds."""
        query = load_query(name)
        missing = [p for p in query.parameters if p not in params]
        if missing:
            raise TypeError(f"query {name} needs parameter(s) {', '.join(missing)}")
        views = {t: v for t, v in self._views.items() if t != rollup.NAME or self.rollups}
        text = spark_sql(name, rollups=self.rollups, tables=tuple(sorted(views.items())))
        return text, {p: _coerce(p, params[p]) for p in query.parameters}

    def frame(self, name: str, **params):
        """The named query as a Spark DataFrame (lazy: nothing runs until it is collected)."""
        text, args = self.sql(name, **params)
        return self.spark.sql(text, args=args)

    def run(self, name: str, **params) -> pa.Table:
        """Run the named query on Spark; an Arrow table (DECIMAL stays exact)."""
        frame = self.frame(name, **params)
        try:
            return frame.toArrow()
        except Exception as exc:  # noqa: BLE001
            if _is_sql_mistake(exc):
                raise  # a mistake in our SQL, not in the user's data
            raise self._data_error(exc) from None

    def rows(self, name: str, **params) -> list[dict]:
        return self.run(name, **params).to_pylist()

    def _data_error(self, exc: Exception) -> DataError:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        for table in (*TABLES, rollup.NAME):
            for f in (self.store.files(table) if table != rollup.NAME
                      else self.store.rollup_files() or []):
                if self.store._size(f.path) is None:
                    return DataError(f"{self.store.full_path(f.path)}: data file listed in "
                                     "the manifest is missing")
        return DataError(f"{self.data_dir}: Spark cannot read the data ({first[:300]})")

    def close(self) -> None:
        for view in self._views.values():
            self.spark.catalog.dropTempView(view)


def typed_frame(spark, store: DataStore, table: Table, paths: list[str], *,
                source: bool = False):
    """A table's rows from exactly these files, in the schema's types, `year` read from the
    paths as DuckDB's hive partitioning does; with `source`, also the file each row is from."""
    if not paths:
        return spark.sql(f"SELECT {', '.join(_null_columns(table))} WHERE false")
    frame = _read(spark, store, table.name, paths, merge=bool(table.added_columns))
    # A column added since older files were written (Column.since) that no file has: NULL.
    cols = [f"CAST(`{c.name}` AS {_SPARK_TYPES[c.sql_type]}) AS `{c.name}`"
            if c.name in frame.columns else f"CAST(NULL AS {_SPARK_TYPES[c.sql_type]}) AS `{c.name}`"
            for c in table.columns]
    if table.partitioned:
        cols.append("CAST(year AS INT) AS year")
    if source:  # Spark's hidden file-metadata column
        cols.append("_metadata.file_path AS source")
    return frame.selectExpr(*cols)


def _read(spark, store: DataStore, directory: str, paths: list[str], merge: bool = False):
    """Read exactly these files; `basePath` makes Spark read `year=` from their paths;
    `merge` reads the union of their columns (files written before a column was added)."""
    reader = spark.read.option("basePath", spark_path(store.full_path(directory)))
    if merge:
        reader = reader.option("mergeSchema", "true")
    return reader.parquet(*paths)


def _null_columns(table: Table) -> list[str]:
    cols = [f"CAST(NULL AS {_SPARK_TYPES[c.sql_type]}) AS `{c.name}`" for c in table.columns]
    if table.partitioned:
        cols.append("CAST(NULL AS INT) AS year")
    return cols


def _is_sql_mistake(exc: Exception) -> bool:
    """Spark's analysis errors about our SQL (unknown column, bad syntax), as opposed to
    errors reading the data."""
    cls = type(exc).__name__
    return cls in ("ParseException", "AnalysisException") and "PATH_NOT_FOUND" not in str(exc)
