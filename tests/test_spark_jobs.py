"""The heavy jobs on Spark write what the embedded path writes, and the CLI runs on Spark.

- the monthly rollup summed by Spark is byte for byte the embedded one (same SHA-256, so the
  same rows, sums, order and schema), and its content is what DuckDB computes from the detail;
- compaction merged by Spark makes the same files and the same commit;
- `impact summary --engine spark` prints what `--engine duckdb` prints; `impact rollup
  --engine spark` commits a rollup the dashboard's DuckDB reads as its own.
"""

from __future__ import annotations

import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from impact import cli
from impact.storage import compaction, rollup
from impact.bench.generate import generate
from impact.storage.db import Database
from impact.filters import Filters
from impact.storage.store import DataStore


def _strip_rollups(store: DataStore) -> dict:
    """Commit the same tables without a rollup (as a dataset from before rollups existed)."""
    manifest = store.manifest()
    old = manifest["rollups"][rollup.NAME]["files"]
    store._publish(manifest, manifest, dict(manifest["tables"]), {}, False, {})
    assert store.rollup_files() is None
    return {e["source"]: e for e in old}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("spark-jobs") / "data"
    generate(str(path), 40_000)
    return path


def test_spark_rollup_is_byte_for_byte_the_embedded_one(spark, generated, tmp_path):
    from impact.engines import spark_jobs
    path = tmp_path / "data"
    shutil.copytree(generated, path)
    store = DataStore(path)
    embedded = _strip_rollups(store)
    manifest = spark_jobs.build_rollups(store, spark)
    made = {e["source"]: e for e in manifest["rollups"][rollup.NAME]["files"]}
    assert made.keys() == embedded.keys()
    for source, entry in made.items():
        assert (entry["sha256"], entry["rows"], entry["path"]) == \
            (embedded[source]["sha256"], embedded[source]["rows"], embedded[source]["path"]), source
    # And its content is DuckDB's own rollup of the detail (the runner's fallback view).
    duck = Database(str(path), rollups=False)
    view = duck._con.cursor().sql(f"SELECT * EXCLUDE (year) FROM {rollup.NAME}").to_arrow_table()
    stored = []
    for f in store.rollup_files():
        with store.open(f.path) as fh:
            stored.append(pq.read_table(fh))
    assert rollup.canonical(view).equals(rollup.canonical(pa.concat_tables(stored)))
    assert Database(str(path)).rollups  # the dashboard reads it as its own
    assert spark_jobs.build_rollups(store, spark) is None  # nothing left to do


def _two_files_per_year(path) -> DataStore:
    """Activities and finance committed in two chunks, so every year has two files."""
    store = DataStore(path)
    tables = {t: store.read_table(t) for t in ("activities", "finance")}
    halves = {t: [d.slice(0, d.num_rows // 2), d.slice(d.num_rows // 2)] for t, d in tables.items()}
    store.commit(halves)
    assert len(store.files("activities")) > len({f.path.split("/")[1] for f in store.files("activities")})
    return store


def test_spark_compaction_makes_the_same_commit(spark, generated, tmp_path):
    from impact.engines import spark_jobs
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(generated, a)
    store_a = _two_files_per_year(a)
    shutil.copytree(a, b)
    store_b = DataStore(b)
    by_duck = compaction.compact(store_a)
    by_spark = spark_jobs.compact(store_b, spark)
    assert by_spark["tables"] == by_duck["tables"]
    assert by_spark["rollups"] == by_duck["rollups"]
    assert spark_jobs.compact(store_b, spark) is None  # one file per partition now


def test_quality_checks_on_spark_are_the_named_queries(spark):
    from impact.engines.spark import SparkDatabase
    from impact.engines.spark_jobs import QUALITY_CHECKS, quality_checks
    from tests.conftest import DEMO_DIR
    spark_db = SparkDatabase(str(DEMO_DIR), spark=spark)
    found = quality_checks(spark_db, Filters(year_from=2018, year_to=2021))
    duck = Database(str(DEMO_DIR))
    assert set(found) == set(QUALITY_CHECKS)
    for name, rows in found.items():
        assert rows == duck.rows(name, **Filters(year_from=2018, year_to=2021).params()), name
    assert found["data_quality_rows"], "rows per year: never empty on the demo data"


def test_cli_summary_on_spark_prints_what_duckdb_prints(spark, capsys):
    args = ["summary", "--org", "珠海协作者", "--year", "2020", "--format", "json"]
    assert cli.main(args) == 0
    duck = json.loads(capsys.readouterr().out)
    assert cli.main(args + ["--engine", "spark"]) == 0
    assert json.loads(capsys.readouterr().out) == duck
    assert duck["beneficiaries"] > 0


def test_cli_rollup_on_spark_commits_the_same_files(spark, generated, tmp_path, capsys):
    path = tmp_path / "data"
    shutil.copytree(generated, path)
    store = DataStore(path)
    before = store.manifest()["rollups"]
    assert cli.main(["rollup", "--engine", "spark", "--rebuild", "--data-dir", str(path)]) == 0
    out = capsys.readouterr().out
    assert "rollup:" in out and "spark" in out
    assert store.manifest()["rollups"] == before  # recomputed by Spark: the very same files
    assert store.manifest()["version"] == 2


def test_cli_rejects_a_remote_that_is_not_spark_connect(capsys):
    assert cli.main(["summary", "--engine", "spark", "--spark-remote", "http://x:1"]) == 2
    assert "sc://host:15002" in capsys.readouterr().err


def test_cli_rollup_refuses_the_bundled_demo_data(capsys):
    assert cli.main(["rollup", "--rebuild"]) == 2
    assert "bundled demo data" in capsys.readouterr().err


def test_without_java_spark_is_a_one_line_error_naming_the_package(cli):
    import os
    env = {**os.environ, "PATH": "/nonexistent", "JAVA_HOME": ""}
    proc = cli("summary", "--engine", "spark", "--year", "2020", env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("error: Spark needs Java 17 (apt-get install "
                                   "openjdk-17-jre-headless), and java is not on PATH")
