"""The Spark engine through Spark Connect, the way a cluster is reached (`--spark-remote`).

A local Spark Connect server (pyspark's `remote("local[2]")`) in a child process: every named
query gives DuckDB's rows, and the rollup job gives the committed rollup's rows. A second JVM
takes a minute on a loaded machine, so this runs in the `long` tier (`pytest -m long`).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests import sysdeps
from tests.conftest import ROOT

SCRIPT = r"""
import warnings; warnings.simplefilter("ignore")
import pyarrow.parquet as pq
from pyspark.sql import SparkSession
from impact.storage.db import Database, load_query, query_names
from impact.engines import spark_jobs
from impact.engines.spark import SparkDatabase
from impact.filters import Filters
from impact.storage.store import DataStore

spark = SparkSession.builder.remote("local[2]") \
    .config("spark.sql.session.timeZone", "UTC").getOrCreate()
assert type(spark).__module__ == "pyspark.sql.connect.session", type(spark)
duck, sp = Database("data"), SparkDatabase("data", spark=spark)
for f in (Filters(), Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020)):
    for name in query_names():
        every = {**f.params(), "limit": 100, "funder": "乐购"}  # the funder queries
        params = {p: every[p] for p in load_query(name).parameters}
        assert duck.rows(name, **params) == sp.rows(name, **params), (name, f)
store = DataStore("data")
made = spark_jobs.rollup_tables(spark, store, [f.path for f in store.files("activities")])
manifest = store.manifest()
for entry in manifest["rollups"]["activity_months"]["files"]:
    with store.open(entry["path"]) as fh:
        assert pq.read_table(fh).equals(made[entry["source"]]), entry["path"]
spark.stop()
print("connect ok")
"""


@pytest.mark.long  # starts a second JVM (a Spark Connect server)
def test_queries_and_rollup_through_spark_connect():
    sysdeps.check("java")
    pytest.importorskip("grpc", reason="Spark Connect needs pyspark[connect] "
                        "(pip install -r requirements-dev.txt)")
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True,
                          text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "connect ok" in proc.stdout
