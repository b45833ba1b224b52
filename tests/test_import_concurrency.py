"""An import running while the dashboard queries: readers never fail and never see a partial
import — every total they see is the total before or after some whole import."""

from __future__ import annotations

import subprocess
import sys
import threading

from impact.storage.db import Database
from impact.filters import Filters
from impact.ingest import import_payload
from impact.storage.store import DataStore

HEADER = "日期,机构,项目,服务次数,受益人次,志愿者人次,志愿服务时长（分钟）\n"
BATCHES = 6
ROWS_PER_BATCH = 400


def batch(number: int) -> bytes:
    """400 distinct rows of 2020 (the demo years include it), 7 person-times each."""
    rows = [f"2020-{1 + i % 12:02d}-{1 + i % 28:02d},并发测试机构,批次{number},1,7,1,{i % 60}\n"
            for i in range(ROWS_PER_BATCH)]
    return (HEADER + "".join(rows)).encode()


def test_queries_during_imports_see_whole_imports_only(demo_copy):
    db = Database(str(demo_copy))
    params = Filters().params()
    base = db.rows("activity_totals", **params)[0]["beneficiaries"]
    allowed = {base + 7 * ROWS_PER_BATCH * k for k in range(BATCHES + 1)}
    seen, failures = set(), []
    done = threading.Event()

    def reader():
        while not done.is_set():
            try:
                db.refresh()
                seen.add(db.rows("activity_totals", **params)[0]["beneficiaries"])
                db.rows("org_by_year", **params)
            except Exception as exc:  # any failure at all is what this test is about
                failures.append(repr(exc))

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for number in range(BATCHES):
            check, entry = import_payload(f"batch{number}.csv", batch(number), "activities",
                                          DataStore(demo_copy))
            assert entry and entry["rows_added"] == ROWS_PER_BATCH
    finally:
        done.set()
        for t in threads:
            t.join()
    assert failures == []
    assert len(seen) > 1  # the readers really did run between imports
    assert seen <= allowed, sorted(seen - allowed)
    db.refresh()
    assert db.rows("activity_totals", **params)[0]["beneficiaries"] == max(allowed)


def test_two_imports_of_one_file_at_once_add_it_once(tmp_path):
    """Two writers at once: one wins; the other either came second (its rows are then
    duplicates: exit 0, nothing added) or checked against the version the winner replaced
    and is told to try again (exit 1). Never are the rows added twice, never is a version lost."""
    data = tmp_path / "d"
    data.mkdir()
    payload_path = tmp_path / "b.csv"
    payload_path.write_bytes(batch(0))
    results = []
    threads = [threading.Thread(target=lambda: results.append(subprocess.run(
        [sys.executable, "-m", "impact", "import", str(payload_path), "--table", "activities",
         "--data-dir", str(data)], capture_output=True, text=True)))
        for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.returncode for r in results)
    assert codes in ([0, 0], [0, 1]), [r.stderr for r in results]
    if codes == [0, 1]:
        [loser] = [r for r in results if r.returncode == 1]
        assert "try again" in loser.stderr and len(loser.stderr.splitlines()) == 1
    store = DataStore(data)
    assert store.read_table("activities").num_rows == ROWS_PER_BATCH
    assert store.manifest()["version"] == 1  # one commit, recorded once
