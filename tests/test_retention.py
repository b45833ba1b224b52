"""What stays on disk: files of kept versions; gc removes what nothing needs."""

from __future__ import annotations

import os
import time

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from impact.errors import DataError
from impact.storage import edits, retention, versions
from impact.storage.integrity import verify
from impact.storage.store import DataStore


def _delete_one(store: DataStore, offset: int) -> None:
    row = store.read_table("activities").slice(offset, 1).to_pylist()[0]
    ids = pa.array([row["activity_id"]], pa.string())
    with store.lock():
        edits.apply(store, edits.plan(store, "activities",
                                      remove=lambda t: pc.is_in(t["activity_id"], value_set=ids)),
                    record={"kind": "delete", "why": "retention test"})


def test_old_versions_beyond_the_retention_lose_their_files_but_not_their_record(
        demo_copy, monkeypatch):
    monkeypatch.setenv("IMPACT_KEEP_VERSIONS", "2")
    monkeypatch.setenv("IMPACT_KEEP_DAYS", "0")
    monkeypatch.setattr("impact.storage.store.RETIRE_GRACE_S", 0)
    store = DataStore(demo_copy)
    for offset in (10, 2000, 4000):  # three deletions in different years: v2, v3, v4
        _delete_one(store, offset)
    history = versions.history(store)
    assert [r["version"] for r in history] == [1, 2, 3, 4]
    assert [r["restorable"] for r in history] == [False, False, True, True]
    with pytest.raises(DataError, match="removed by retention"):
        versions.restore(store, 1, "too old")
    versions.restore(store, 3, "kept")  # still possible
    assert verify(store).ok


def test_gc_removes_stale_temporary_and_unreferenced_files_only(demo_copy):
    store = DataStore(demo_copy)
    old = time.time() - 3600
    stale_tmp = demo_copy / "activities" / "year=2020" / ".part-x.parquet.abc.tmp"
    stale_tmp.write_bytes(b"half a file")
    os.utime(stale_tmp, (old, old))
    orphan = demo_copy / "finance" / "year=2020" / "part-0123456789abcdef.parquet"
    orphan.write_bytes(b"left by a killed commit")
    os.utime(orphan, (old, old))
    young = demo_copy / "finance" / "year=2020" / "part-fedcba9876543210.parquet"
    young.write_bytes(b"a commit in progress")
    assert not verify(store).ok  # the old orphan is reported …
    report = retention.gc(store)
    assert sorted(report.removed) == sorted([
        stale_tmp.relative_to(demo_copy).as_posix(), orphan.relative_to(demo_copy).as_posix()])
    assert young.exists() and not orphan.exists() and not stale_tmp.exists()
    assert verify(store).ok  # … and gone; the young one is not a problem yet
    assert versions.history(store)[0]["restorable"]
