"""Record identity: what counts as the same record when a file is imported again."""

from __future__ import annotations

from decimal import Decimal

import pytest

from impact.ingest import import_payload
from impact.storage.store import DataStore

IND = "机构,项目,年份,指标,数值,单位\n"


def run(store, table, text, **kw):
    return import_payload("in.csv", text.encode(), table, store, **kw)


def test_identical_rows_are_distinct_records_and_reimport_adds_nothing(tmp_path):
    store = DataStore(tmp_path)
    text = "日期,机构,收支,类别,资助方,金额\n" + "2021-01-08,A,收入,捐赠,张女士,¥100\n" * 2
    check, entry = run(store, "finance", text)
    assert entry["rows_added"] == 2  # two ¥100 donations on one day are two donations
    ids = DataStore(tmp_path).read_table("finance")["txn_id"].to_pylist()
    assert len(set(ids)) == 2 and all(i.startswith("auto-") for i in ids)
    again, entry = run(store, "finance", text)
    assert entry is None and again.duplicates == 2
    # A later file with three such donations adds exactly the third.
    third, entry = run(store, "finance", text + "2021-01-08,A,收入,捐赠,张女士,¥100\n")
    assert (entry["rows_added"], third.duplicates) == (1, 2)


def test_voucher_numbers_are_unique_per_organisation(tmp_path):
    store = DataStore(tmp_path)
    text = ("日期,机构,收支,类别,金额,凭证号\n2021-01-08,A,收入,捐赠,100,001\n"
            "2021-01-08,B,收入,捐赠,100,001\n")
    check, entry = run(store, "finance", text)
    assert entry["rows_added"] == 2


def test_indicators_are_keyed_by_org_project_year_and_name(tmp_path):
    store = DataStore(tmp_path)
    check, entry = run(store, "indicators", IND + "A,,2021,staff,12,人\nA,衣物银行,2021,staff,3,人\n")
    assert entry["rows_added"] == 2
    again, entry = run(store, "indicators", IND + "A,,2021,staff,12.0,人\n")
    assert entry is None and again.duplicates == 1
    changed, entry = run(store, "indicators", IND + "A,,2021,staff,13,人\n")
    assert entry is None
    [error] = changed.errors
    assert (error.row, error.code, error.params["difference"]) == (
        2, "conflicts_existing", "数值: 12.0000 → 13.0000")
    twice, _ = run(store, "indicators", IND + "B,,2021,staff,1,人\nB,,2021,staff,2,人\n")
    assert [(e.row, e.code) for e in twice.errors] == [(3, "duplicate_in_file")]
    values = DataStore(tmp_path).read_table("indicators")["value"].to_pylist()
    assert sorted(values) == [Decimal("3.0000"), Decimal("12.0000")]


def test_volunteer_hours_column_is_stored_as_minutes(tmp_path):
    store = DataStore(tmp_path)
    text = ("日期,机构,项目,服务次数,受益人次,志愿者人次,志愿服务时长（小时）\n"
            "2021-03-05,A,P,1,20,2,1.5\n")
    check, entry = run(store, "activities", text)
    assert DataStore(tmp_path).read_table("activities")["volunteer_minutes"].to_pylist() == [90]


def test_title_rows_above_the_header_are_skipped_and_row_numbers_kept(tmp_path):
    """Staff sheets often start with a title line; errors still name the row Excel shows."""
    text = ("2021年活动统计表,,,,,,\n填表人：张三,,,,,,\n"
            "日期,机构,项目,服务次数,受益人次,志愿者人次,志愿服务时长（分钟）\n"
            "2021-03-05,A,P,1,20,2,120\n2021-03-06,A,P,1,-1,2,120\n")
    check, entry = run(DataStore(tmp_path), "activities", text)
    assert check.sheet.header_row == 3
    assert [(e.row, e.column, e.code) for e in check.errors] == [(5, "受益人次", "negative")]


def test_a_failed_write_leaves_the_stored_data_as_it_was(tmp_path, monkeypatch):
    """Disk full while replacing the manifest: a clear error, and the old data still reads."""
    from impact.errors import DataError
    from impact.storage.store import DataStore as Store

    store = DataStore(tmp_path)
    first = "日期,机构,收支,类别,金额\n2021-01-08,A,收入,捐赠,100\n"
    run(store, "finance", first)
    manifest = (tmp_path / "manifest.json").read_bytes()
    real = Store._write_atomic

    def full_disk(self, rel, payload):
        if rel == "manifest.json":
            raise OSError(28, "No space left on device")
        return real(self, rel, payload)

    monkeypatch.setattr(Store, "_write_atomic", full_disk)
    with pytest.raises(DataError) as failure:
        run(store, "finance", first + "2021-01-09,A,收入,捐赠,200\n")
    assert str(failure.value) == (f"{tmp_path}: could not write the import (No space left on "
                                  "device); the stored data is unchanged")
    assert (tmp_path / "manifest.json").read_bytes() == manifest
    assert DataStore(tmp_path).read_table("finance")["amount"].to_pylist() == [Decimal("100.00")]
