"""Issue 27: a group breakdown (儿童人次, 成人人次 …) belongs to one organisation's activity, and
every commit that touches activities carries their breakdowns in the same version."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

from impact.errors import DataError
from impact.filters import Filters
from impact.ingest import import_payload
from impact.ingest.messages import row_message
from impact.ingest.check import check_file
from impact.ingest.write import commit_correction, plan_correction
from impact.storage import edits, versions
from impact.storage.db import Database
from impact.storage.store import DataStore

HEAD = "活动编号,日期,机构,项目,服务次数,受益人次,志愿者人次,志愿服务时长（分钟）"


def csv_bytes(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def imported(store, payload, name="a.csv"):
    check, entry = import_payload(name, payload, "activities", store)
    assert entry is not None, [row_message(e) for e in check.errors]
    return entry


def groups(data_dir, *orgs) -> dict:
    db = Database(str(data_dir))
    try:
        return {r["beneficiary_group"]: r["beneficiaries"]
                for r in db.rows("group_person_times", **Filters(orgs=orgs).params())}
    finally:
        db.close()


def correct(store, payload, mode="update"):
    check = check_file("fix.csv", payload, "activities", store)
    assert not [e for e in check.errors if e.code != "conflicts_existing"], \
        [row_message(e) for e in check.errors]
    plan = plan_correction(check, store, mode)
    return plan, (None if plan.empty else commit_correction(check, plan, store, mode, "fix"))


A_GROUPED = csv_bytes(HEAD + ",儿童人次,成人人次", "A001,2024-03-05,机构甲,儿童之家,1,40,0,0,30,10")
B_GROUPED = csv_bytes(HEAD + ",儿童人次,成人人次", "A001,2024-03-05,机构乙,长者服务,1,50,0,0,0,50")


def test_same_activity_id_in_two_organisations_keeps_each_breakdown(tmp_path):
    store = DataStore(tmp_path / "d")
    imported(store, A_GROUPED)
    imported(store, B_GROUPED)
    assert groups(store.root, "机构甲") == {None: 40, "children": 30, "adults": 10}
    assert groups(store.root, "机构乙") == {None: 50, "children": 0, "adults": 50}
    assert groups(store.root) == {None: 90, "children": 30, "adults": 60}  # never 60 children


def test_grouped_import_is_one_version_and_undo_takes_its_groups(tmp_path):
    store = DataStore(tmp_path / "d")
    imported(store, csv_bytes(HEAD, "X1,2024-01-02,机构甲,儿童之家,1,5,0,0"))
    before = store.manifest()["version"]
    imported(store, A_GROUPED)
    assert store.manifest()["version"] == before + 1
    versions.undo(store, "", version=versions.last_change(store))
    assert store.read_table("activity_groups").num_rows == 0
    imported(store, A_GROUPED)  # re-imported: its groups come back, not skipped
    assert groups(store.root, "机构甲") == {None: 45, "children": 30, "adults": 10}


def test_update_of_the_groups_alone_is_a_change(tmp_path):
    store = DataStore(tmp_path / "d")
    imported(store, A_GROUPED)
    plan, manifest = correct(store, csv_bytes(HEAD + ",儿童人次,成人人次",
                                              "A001,2024-03-05,机构甲,儿童之家,1,40,0,0,25,15"))
    assert manifest is not None and not plan.empty
    assert groups(store.root, "机构甲") == {None: 40, "children": 25, "adults": 15}


def test_lowering_person_times_replaces_the_breakdown_or_is_refused(tmp_path):
    store = DataStore(tmp_path / "d")
    imported(store, A_GROUPED)
    with pytest.raises(DataError, match=r"fix.csv: row 2.*A001 of 机构甲.*group columns"):
        correct(store, csv_bytes(HEAD, "A001,2024-03-05,机构甲,儿童之家,1,20,0,0"))
    correct(store, csv_bytes(HEAD + ",儿童人次,成人人次",
                             "A001,2024-03-05,机构甲,儿童之家,1,20,0,0,15,5"))
    assert groups(store.root, "机构甲") == {None: 20, "children": 15, "adults": 5}


def test_delete_takes_the_groups_in_the_same_version(tmp_path):
    store = DataStore(tmp_path / "d")
    imported(store, A_GROUPED)
    imported(store, B_GROUPED)
    plan = edits.plan(store, "activities", remove=lambda d: pc.equal(d["org"], "机构甲"))
    version = store.manifest()["version"]
    edits.apply(store, plan, record={"kind": "delete", "why": "test"})
    assert store.manifest()["version"] == version + 1
    left = store.read_table("activity_groups").to_pylist()
    assert {r["org"] for r in left} == {"机构乙"}
    imported(store, A_GROUPED)  # its groups are written again, not skipped as "stored"
    assert groups(store.root, "机构甲") == {None: 40, "children": 30, "adults": 10}


def test_a_directory_written_before_org_in_groups_still_reads(tmp_path):
    """Groups written before issue 27 have no org column: a row takes the org of the one
    activity with its id; an id two organisations use cannot be told apart, so its row
    counts for neither (shown as not recorded), never for both."""
    import pyarrow as pa

    store = DataStore(tmp_path / "d")
    imported(store, csv_bytes(HEAD, "A001,2024-03-05,机构甲,儿童之家,1,40,0,0",
                              "X1,2024-03-06,机构甲,儿童之家,1,10,0,0",
                              "A001,2024-03-05,机构乙,长者服务,1,50,0,0"))
    old = pa.table({"activity_id": ["A001", "X1"], "beneficiary_group": ["children"] * 2,
                    "beneficiaries": pa.array([30, 6], pa.int32())})  # the old writer's file
    entry = store._write_file("activity_groups/", old)
    manifest = store.manifest()
    tables = {**manifest["tables"], "activity_groups": {"files": [{**entry, "totals": {}}]}}
    store._publish(manifest, manifest, tables, None, False, dict(manifest.get("rollups", {})))
    stored = store.read_table("activity_groups").to_pylist()
    assert {(r["org"], r["activity_id"]) for r in stored} == {(None, "A001"), ("机构甲", "X1")}
    assert groups(store.root, "机构甲") == {None: 50, "children": 6}
    assert groups(store.root) == {None: 100, "children": 6}
    imported(store, csv_bytes(HEAD + ",儿童人次", "Y1,2024-03-07,机构乙,长者服务,1,5,0,0,5"))
    assert groups(store.root) == {None: 105, "children": 11}  # a new import keeps them
