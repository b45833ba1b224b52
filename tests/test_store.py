"""The storage layout at scale: chunked commits, compaction, versions, concurrent refresh."""

from __future__ import annotations

import threading

import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyarrow.parquet as pq
import pytest

from impact.bench.generate import generate
from impact.storage.db import Database
from impact.errors import DataError
from impact.filters import Filters
from impact.storage import compaction
from impact.storage.store import DataStore


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "data"
    generate(str(path), 20_000)
    return path


def _chunks(table: pa.Table, n: int):
    size = -(-table.num_rows // n)
    return [table.slice(i, size) for i in range(0, table.num_rows, size)]


def test_generated_data_is_hive_partitioned_by_year_and_sorted_by_org_then_date(bench_dir):
    store = DataStore(bench_dir)
    files = store.files("activities")
    assert [f.path.split("/")[1] for f in files] == [f"year={y}" for y in range(2015, 2025)]
    assert sum(f.rows for f in files) == 20_000
    first = pq.read_table(bench_dir / files[0].path)
    keys = list(zip(first["org"].to_pylist(), first["date"].to_pylist()))
    assert keys == sorted(keys) and {d.year for _, d in keys} == {2015}
    # Row groups of DuckDB's size, so a scan splits into one task per group.
    assert pq.ParquetFile(bench_dir / files[0].path).metadata.row_group(0).num_rows <= 122_880


def test_generator_is_deterministic(tmp_path, bench_dir):
    generate(str(tmp_path / "again"), 20_000)
    ours = DataStore(bench_dir).manifest()["tables"]
    again = DataStore(tmp_path / "again").manifest()["tables"]
    assert ours == again


def test_chunked_commit_then_compaction_keeps_every_row_and_total(tmp_path, bench_dir):
    source = DataStore(bench_dir).read_table("activities")
    store = DataStore(tmp_path / "d")
    store.commit({"activities": _chunks(source, 3)}, fresh=True)
    files = store.files("activities")
    assert len(files) > 10  # several chunks cross year boundaries: several files a year
    before = Database(str(tmp_path / "d")).rows("activity_by_year", **Filters().params())

    compaction.compact(store)
    compacted = store.files("activities")
    assert len(compacted) == 10  # one file per year again
    assert sum(f.rows for f in compacted) == 20_000
    db = Database(str(tmp_path / "d"))
    assert db.rollups  # rollups were rebuilt for the compacted files
    assert db.rows("activity_by_year", **Filters().params()) == before
    assert compaction.compact(store) is None  # nothing left to merge: no new commit


def test_every_commit_changes_the_version_and_the_views_follow(tmp_path):
    store = DataStore(tmp_path)
    generate(str(tmp_path), 5_000)
    db = Database(str(tmp_path))
    v1 = db.version
    before = db.rows("activity_totals", **Filters().params())[0]["records"]
    acts = store.read_table("activities")
    store.commit({"activities": acts.slice(0, 4_000)})
    assert store.version() != v1
    assert db.rows("activity_totals", **Filters().params())[0]["records"] == before  # not yet
    assert db.refresh() == store.version()
    assert db.rows("activity_totals", **Filters().params())[0]["records"] == 4_000
    # Committing the very same rows again still makes a new version (the counter goes up).
    v2 = store.version()
    store.commit({"activities": acts.slice(0, 4_000)})
    assert store.version() != v2


def test_refresh_without_a_change_reads_only_the_manifest(bench_dir, monkeypatch):
    db = Database(str(bench_dir))
    calls = []
    monkeypatch.setattr(db, "_build_views", lambda: calls.append(1))
    for _ in range(100):
        db.refresh()
    assert calls == []


def test_views_rebuild_safely_while_other_threads_query(tmp_path):
    generate(str(tmp_path), 5_000)
    store = DataStore(tmp_path)
    acts = store.read_table("activities")
    db = Database(str(tmp_path))
    allowed = {5_000, 4_000, 3_000}
    seen, errors, stop = set(), [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                seen.add(db.rows("activity_totals", **Filters().params())[0]["records"])
            except Exception as exc:  # any error here is the failure we are testing for
                errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for n in (4_000, 3_000, 4_000):
        store.commit({"activities": acts.slice(0, n)})
        db.refresh()
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    assert seen and seen <= allowed  # every answer is one whole commit, never a mix
    assert db.rows("activity_totals", **Filters().params())[0]["records"] == 4_000


def test_a_manifest_without_rollups_reads_the_detail_and_build_rollups_adds_them(tmp_path):
    generate(str(tmp_path), 5_000)
    store = DataStore(tmp_path)
    manifest = store.manifest()
    del manifest["rollups"]
    store._publish(manifest, manifest, manifest["tables"], {}, False)  # as an older version wrote
    assert not Database(str(tmp_path)).rollups
    assert compaction.build_rollups(store) is not None
    assert Database(str(tmp_path)).rollups


def test_a_query_beyond_the_memory_limit_says_so_and_how_to_fix_it(bench_dir, monkeypatch):
    monkeypatch.setenv("IMPACT_DUCKDB_MEMORY", "2MB")
    db = Database(str(bench_dir))
    with pytest.raises(DataError, match=r"query data_quality_outliers needs more memory than "
                                        r"the 2MB allowed \(IMPACT_DUCKDB_MEMORY"):
        db.rows("data_quality_outliers", **Filters().params())


def test_append_rewrites_only_the_years_the_new_rows_fall_in(tmp_path):
    generate(str(tmp_path), 5_000)
    store = DataStore(tmp_path)
    before = {f.path for f in store.files("activities")}
    acts = store.read_table("activities")
    new = acts.filter(pa.compute.equal(pa.compute.year(acts["date"]), 2020)).slice(0, 10)
    new = new.set_column(0, "activity_id", pa.array([f"NEW{i:03d}" for i in range(10)]))
    compaction.append(store, "activities", new, meta={"source": "bench"})
    after = {f.path for f in store.files("activities")}
    changed = sorted(p.split("/")[1] for p in before ^ after)
    assert changed == ["year=2020", "year=2020"]  # one file out, one in; nine years untouched
    db, detail = Database(str(tmp_path)), Database(str(tmp_path), rollups=False)
    assert db.rollups  # the rollup follows the rewritten year
    params = Filters().params()
    assert db.rows("activity_totals", **params)[0]["records"] == 5_010
    assert db.rows("activity_by_year", **params) == detail.rows("activity_by_year", **params)


def test_committed_files_are_readable_by_others_as_with_a_plain_open(tmp_path):
    """An import run by staff must be readable by a dashboard running as another user."""
    import os
    import stat

    from impact.storage.files import atomic_write_bytes

    target = tmp_path / "x.bin"
    old = os.umask(0o022)
    try:
        atomic_write_bytes(target, b"data")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
