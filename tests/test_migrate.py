"""`impact migrate`: a data directory written with the old finance `category` column is
upgraded to line / source_type through the normal commit path, keeping every amount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from impact.errors import DataError
from impact.storage import schema
from impact.storage.migrate import migrate
from impact.storage.schema import Column, Table
from impact.storage.store import DataStore

# The finance table as it was before issue 15.
OLD_FINANCE = Table(
    name="finance", zh="收支记录", doc="old", key="txn_id", partitioned=True,
    columns=(
        Column("txn_id", "VARCHAR", False, "凭证号", ""),
        Column("date", "DATE", False, "日期", ""),
        Column("org", "VARCHAR", False, "机构", ""),
        Column("flow", "VARCHAR", False, "收支", ""),
        Column("category", "VARCHAR", False, "类别", ""),
        Column("funder", "VARCHAR", True, "资助方", ""),
        Column("project", "VARCHAR", True, "项目", ""),
        Column("restricted", "BOOLEAN", True, "限定性", ""),
        Column("amount", schema.MONEY_SQL, False, "金额（元）", ""),
    ))

OLD_ROWS = [  # every old category, two years, an empty 限定性
    ("T1", date(2019, 3, 1), "甲", "income", "donation", "个人", None, None, "100.10"),
    ("T2", date(2019, 4, 1), "甲", "income", "government", "民政局", "P", True, "5000.00"),
    ("T3", date(2020, 1, 2), "甲", "income", "foundation", "基金会", "P", True, "2500.55"),
    ("T4", date(2020, 1, 3), "甲", "income", "enterprise", "企业A", None, False, "3000.00"),
    ("T5", date(2020, 2, 3), "乙", "income", "service_fee", None, None, False, "80.00"),
    ("T6", date(2020, 2, 4), "乙", "income", "other", "利息", None, None, "0.35"),
    ("T7", date(2020, 5, 4), "甲", "expense", "program", None, "P", None, "1234.56"),
    ("T8", date(2020, 5, 5), "甲", "expense", "admin", None, None, None, "99.99"),
    ("T9", date(2019, 6, 5), "乙", "expense", "fundraising", None, None, None, "10.00"),
    ("T10", date(2019, 6, 6), "乙", "expense", "other", None, None, None, "0.01"),
]


def _old_dir(path, monkeypatch, rows=OLD_ROWS):
    """A data directory committed with the old schema (as an old version of the code did)."""
    keys = [c.name for c in OLD_FINANCE.columns]
    records = [dict(zip(keys, r[:-1] + (Decimal(r[-1]),))) for r in rows]
    with monkeypatch.context() as m:
        m.setitem(schema.TABLES, "finance", OLD_FINANCE)
        DataStore(path).commit({"finance": pa.Table.from_pylist(
            records, schema=OLD_FINANCE.arrow_schema)}, fresh=True)
    return path


def _totals(rows):
    out = {}
    for r in rows:
        key = (r["org"], r["date"].year, r["flow"])
        out[key] = out.get(key, Decimal(0)) + Decimal(r["amount"])
    return out


def test_old_directory_is_upgraded_keeping_every_amount(tmp_path, monkeypatch, cli):
    data = _old_dir(tmp_path / "d", monkeypatch)
    before = {r[0]: r for r in OLD_ROWS}
    result = cli("migrate", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "v2: finance upgraded" in out
    assert "income donation → donation / individual: 1 rows, 100.10 元" in out
    assert "income government → government_grant / government: 1 rows, 5,000.00 元" in out
    assert "income foundation → donation / foundation: 1 rows, 2,500.55 元" in out
    assert "income service_fee → service / other: 1 rows, 80.00 元" in out
    assert "expense program → program: 1 rows, 1,234.56 元" in out
    assert "6 rows had no 限定性: now unrestricted" in out

    rows = DataStore(data).read_table("finance").to_pylist()
    assert _totals(rows) == _totals([dict(org=r[2], date=r[1], flow=r[3], amount=r[8])
                                     for r in OLD_ROWS])
    got = {r["txn_id"]: r for r in rows}
    assert set(got) == set(before)
    expected = {"T1": ("donation", "individual", False), "T2": ("government_grant", "government", True),
                "T3": ("donation", "foundation", True), "T4": ("donation", "enterprise", False),
                "T5": ("service", "other", False), "T6": ("other", "other", False),
                "T7": ("program", None, False), "T8": ("admin", None, False),
                "T9": ("fundraising", None, False), "T10": ("other", None, False)}
    assert {k: (r["line"], r["source_type"], r["restricted"]) for k, r in got.items()} == expected
    assert all(r["grant_id"] is None for r in rows)
    assert all(got[k]["amount"] == Decimal(before[k][8]) for k in got)

    # The dashboard's queries read the upgraded directory.
    from impact.filters import Filters
    from impact.domain.metrics import summarize
    from impact.storage.db import Database
    s = summarize(Database(str(data)), Filters(orgs=("甲",), year_from=2020, year_to=2020))
    assert s["income_by_source"]["foundation"] == Decimal("2500.55")
    assert s["income_by_line"]["donation"] == Decimal("5500.55")

    # Idempotent: the second run says so and makes no version.
    again = cli("migrate", "--data-dir", str(data))
    assert again.returncode == 0, again.stderr
    assert "already current" in again.stdout
    assert DataStore(data).manifest()["version"] == 2

    # An ordinary version: undo brings the old columns back.
    assert cli("undo", "--data-dir", str(data)).returncode == 0
    assert "v4: finance upgraded" in cli("migrate", "--data-dir", str(data)).stdout


def test_unknown_old_value_is_refused_by_file_row_and_value(tmp_path, monkeypatch):
    rows = OLD_ROWS[:2] + [("T99", date(2019, 7, 1), "甲", "income", "lottery", None, None,
                            None, "1.00")]
    data = _old_dir(tmp_path / "d", monkeypatch, rows)
    before = DataStore(data).manifest()
    with pytest.raises(DataError) as exc:
        migrate(DataStore(data))
    message = str(exc.value)
    assert "finance/year=2019/part-" in message and "row 3 (凭证号 T99)" in message
    assert "'lottery'" in message and "nothing was changed" in message
    assert DataStore(data).manifest() == before


def test_current_directory_is_left_alone(tmp_path):
    from impact.demo import write_demo
    write_demo(str(tmp_path / "d"))
    version = DataStore(tmp_path / "d").manifest()["version"]
    assert migrate(DataStore(tmp_path / "d")).current
    assert DataStore(tmp_path / "d").manifest()["version"] == version
