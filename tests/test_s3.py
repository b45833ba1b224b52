"""The data directory on object storage: s3://bucket/prefix, against a local S3 server.

moto's server mode stands in for S3 (or MinIO, or OSS) on 127.0.0.1; the code path is the
real one: s3fs under fsspec for the store, and DuckDB reading through the same filesystem.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

s3fs = pytest.importorskip("s3fs")
moto_server = pytest.importorskip("moto.server")

from impact.storage import store as store_module  # noqa: E402
from impact.bench.generate import generate  # noqa: E402
from impact.storage.db import Database, query_names  # noqa: E402
from impact.errors import DataError  # noqa: E402
from impact.filters import Filters  # noqa: E402
from impact.domain.metrics import summarize  # noqa: E402
from impact.storage.store import DataStore  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("activities", "finance", "indicators", "targets")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_env(tmp_path_factory):
    """A moto S3 server on a free local port, the AWS_* settings pointing at it, and a
    fresh local mirror directory."""
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
           "IMPACT_CACHE_DIR": str(tmp_path_factory.mktemp("mirror"))}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    s3fs.S3FileSystem.clear_instance_cache()
    s3fs.S3FileSystem().mkdir("impact-test")
    yield env
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    s3fs.S3FileSystem.clear_instance_cache()
    server.stop()


@pytest.fixture(scope="module")
def demo_on_s3(s3_env):
    url = "s3://impact-test/demo"
    local = DataStore(ROOT / "data")
    DataStore(url).commit({t: local.read_table(t) for t in TABLES}, fresh=True,
                          meta={"source": "demo"})
    return url


def test_the_demo_figures_read_from_s3(demo_on_s3):
    db = Database(demo_on_s3)
    assert db.rollups
    s = summarize(db, Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020))
    assert (s["services"], s["beneficiaries"], s["volunteers"], s["volunteer_minutes"]) == \
        (581, 99037, 1394, 70644)
    assert str(s["income_total"]) == "1674657.61"
    assert str(s["expense_total"]) == "1053831.90"


def test_every_query_gives_the_same_rows_on_s3_as_on_disk(s3_env, tmp_path):
    url = "s3://impact-test/bench"
    generate(url, 8_000)
    generate(str(tmp_path), 8_000)
    remote, local = Database(url), Database(str(tmp_path))
    assert remote.rollups and local.rollups
    for filters in (Filters(), Filters(orgs=("机构001",), year_from=2019, year_to=2021)):
        params = dict(filters.params(), limit=50, funder="乐购")
        for name in query_names():
            assert remote.run(name, **params).equals(local.run(name, **params)), name


def test_a_commit_is_seen_by_another_replica_and_old_files_retire(s3_env, monkeypatch):
    url = "s3://impact-test/commits"
    generate(url, 5_000)
    replica = Database(url)  # a second dashboard process over the same bucket
    store = DataStore(url)
    acts = store.read_table("activities")
    old_files = {f.path for f in store.files("activities")}
    monkeypatch.setattr(store_module, "RETIRE_GRACE_S", 0)
    # Keep no older version (retention), so superseded files go as soon as no query needs them.
    monkeypatch.setenv("IMPACT_KEEP_VERSIONS", "1")
    monkeypatch.setenv("IMPACT_KEEP_DAYS", "0")
    store.commit({"activities": acts.slice(0, 1_000)})
    store.commit({"activities": acts.slice(0, 1_000)})  # retires the superseded files
    assert replica.refresh() == store.version()
    assert replica.rows("activity_totals", **Filters().params())[0]["records"] == 1_000
    fs = s3fs.S3FileSystem()
    left = {p.split("/commits/", 1)[1] for p in fs.glob("impact-test/commits/activities/**/*.parquet")}
    assert not (old_files - {f.path for f in store.files("activities")}) & left


def test_direct_reads_without_a_local_mirror_give_the_same_figures(demo_on_s3):
    direct = Database(demo_on_s3, cache_dir=False)
    assert direct.mirror is None
    row = direct.rows("activity_totals", **Filters(orgs=("珠海协作者",), year_from=2020,
                                                   year_to=2020).params())[0]
    assert (row["services"], row["beneficiaries"]) == (581, 99037)


def test_a_missing_object_is_named_in_the_error(s3_env, tmp_path):
    url = "s3://impact-test/broken"
    generate(url, 2_000)
    store = DataStore(url)
    victim = store.files("finance")[0].path
    s3fs.S3FileSystem().rm_file(f"impact-test/broken/{victim}")
    with pytest.raises(DataError, match=f"{victim}: data file listed in the manifest is missing"):
        Database(url, cache_dir=tmp_path)
    with pytest.raises(DataError, match=f"{victim}.*missing"):
        Database(url, cache_dir=False).rows("finance_by_line", **Filters().params())


def test_an_overwritten_object_is_caught_by_its_checksum(s3_env, tmp_path):
    url = "s3://impact-test/overwritten"
    generate(url, 2_000)
    victim = DataStore(url).files("targets")[0].path
    s3fs.S3FileSystem().pipe_file(f"impact-test/overwritten/{victim}", b"PAR1 not really")
    with pytest.raises(DataError, match=f"{victim}: checksum differs from the manifest"):
        Database(url, cache_dir=tmp_path)


def test_the_cli_reads_an_s3_data_dir(demo_on_s3, s3_env):
    env = {**os.environ, **s3_env, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "impact", "summary", "--data-dir", demo_on_s3,
                           "--org", "珠海协作者", "--year", "2020", "--format", "json"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert '"beneficiaries": 99037' in proc.stdout
