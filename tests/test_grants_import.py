"""Importing grants (with their projects), budgets and deliverables: Chinese headers, the
templates, and every refusal naming row, column, value and why — nothing half-written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from impact.ingest import check_file, import_payload
from impact.ingest.messages import row_message
from impact.ingest.template import template_csv, template_xlsx
from impact.storage.schema import importable_tables
from impact.storage.store import DataStore

TODAY = date(2025, 6, 30)


def csv_bytes(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def snapshot(directory):
    return {p.relative_to(directory).as_posix(): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


GRANTS = csv_bytes(
    "资助编号,资助方,机构,资助名称,金额（元）,开始日期,结束日期,限定性,项目",
    "G-1,某基金会,示例社工中心,儿童之家资助,\"¥120,000.00\",2024-01-01,2026-06-30,是,"
    "社区儿童之家、四点半课堂",
    "G-2,某企业,示例社工中心,,50000,2024/3/1,2024/12/31,否,四点半课堂",
)


def _import(path, name, payload, table):
    return import_payload(name, payload, table, DataStore(path), today=TODAY)


def _messages(check):
    return [row_message(e) for e in check.errors]


def test_grants_import_with_their_projects_and_a_future_end(empty_dir):
    check, entry = _import(empty_dir, "g.csv", GRANTS, "grants")
    assert check.ok and entry, _messages(check)
    store = DataStore(empty_dir)
    grants = {g["grant_id"]: g for g in store.read_table("grants").to_pylist()}
    assert grants["G-1"]["amount"] == Decimal("120000.00")
    assert grants["G-1"]["end_date"] == date(2026, 6, 30)  # a grant may end after today
    assert grants["G-1"]["restricted"] is True and grants["G-2"]["restricted"] is False
    projects = sorted((r["grant_id"], r["project"])
                      for r in store.read_table("grant_projects").to_pylist())
    assert projects == [("G-1", "四点半课堂"), ("G-1", "社区儿童之家"), ("G-2", "四点半课堂")]
    again, entry = _import(empty_dir, "g.csv", GRANTS, "grants")  # a re-import adds nothing
    assert entry is None and again.duplicates == 2
    assert store.read_table("grant_projects").num_rows == 3


@pytest.mark.parametrize("row, column, code", [
    ("G-9,某基金会,示例社工中心,,1000,2024-05-01,2024-04-30,是,A", "结束日期", "end_before_start"),
    ("G-9,某基金会,示例社工中心,,-1000,2024-01-01,2024-04-30,是,A", "金额（元）",
     "money_not_positive"),
    ("G-9,某基金会,示例社工中心,,0,2024-01-01,2024-04-30,是,A", "金额（元）",
     "money_not_positive"),
    ("G-9,某基金会,示例社工中心,,1000,2024-01-01,2024-04-30,也许,A", "限定性", "bad_boolean"),
    ("G-9,某基金会,示例社工中心,,1000,2024-01-01,,是,A", "结束日期", "missing_value"),
    ("G-1,某基金会,示例社工中心,,1000,2024-01-01,2024-04-30,是,A", "资助编号",
     "duplicate_in_file"),
])
def test_a_bad_grant_row_is_refused_naming_column_and_why(empty_dir, row, column, code):
    payload = csv_bytes(*GRANTS.decode("utf-8-sig").splitlines()[:2], row)
    before = snapshot(empty_dir)
    check, entry = _import(empty_dir, "g.csv", payload, "grants")
    assert entry is None and snapshot(empty_dir) == before  # nothing written, not even G-1
    assert [(e.row, e.column, e.code) for e in check.errors] == [(3, column, code)], \
        _messages(check)


BUDGETS = "机构,项目,资助编号,年份,科目,预算金额"


def test_budgets_need_an_expense_line_and_a_known_grant(empty_dir):
    assert _import(empty_dir, "g.csv", GRANTS, "grants")[1]
    payload = csv_bytes(BUDGETS,
                        "示例社工中心,社区儿童之家,G-1,2024,业务活动成本,80000",
                        "示例社工中心,社区儿童之家,G-1,2024,管理费用,\"8,000.50\"",
                        "示例社工中心,,G-404,2024,业务活动成本,1000",
                        "示例社工中心,,,2024,捐赠收入,1000",
                        "示例社工中心,,,2024,筹资费用,-5",
                        "示例社工中心,社区儿童之家,G-1,2024,管理费用,9000")
    check, entry = _import(empty_dir, "b.csv", payload, "budgets")
    assert entry is None
    found = {(e.row, e.column, e.code) for e in check.errors}
    assert found == {(4, "资助编号", "unknown_grant"), (5, "科目", "unknown_expense_line"),
                     (6, "预算金额", "money_not_positive"), (7, "科目", "duplicate_in_file")}, \
        _messages(check)
    assert "G-1" in row_message(next(e for e in check.errors if e.code == "unknown_grant"))
    good = csv_bytes(*payload.decode("utf-8-sig").splitlines()[:3])
    check, entry = _import(empty_dir, "b.csv", good, "budgets")
    assert entry and check.ok
    lines = {r["line"]: r["amount"] for r in DataStore(empty_dir).read_table("budgets").to_pylist()}
    assert lines == {"program": Decimal("80000.00"), "admin": Decimal("8000.50")}


def test_a_deliverable_names_a_known_grant(empty_dir):
    header = "机构,项目,年份,指标,目标值,资助编号"
    bad = csv_bytes(header, "示例社工中心,社区儿童之家,2024,students_funded,100,G-1")
    check, entry = _import(empty_dir, "t.csv", bad, "targets")  # no grants stored yet
    assert entry is None and [e.code for e in check.errors] == ["unknown_grant"]
    _import(empty_dir, "g.csv", GRANTS, "grants")
    # The same metric as the organisation's own target: a deliverable is a separate record.
    both = csv_bytes(header, "示例社工中心,社区儿童之家,2024,students_funded,100,G-1",
                     "示例社工中心,社区儿童之家,2024,students_funded,120,")
    check, entry = _import(empty_dir, "t.csv", both, "targets")
    assert check.ok and entry, _messages(check)


@pytest.mark.parametrize("table", ["grants", "budgets"])
def test_templates_import_cleanly(empty_dir, table):
    assert table in importable_tables() and "grant_projects" not in importable_tables()
    if table == "budgets":
        grants = template_csv("grants")
        assert _import(empty_dir, "g.csv", grants, "grants")[1]
    for name, payload in ((f"t.csv", template_csv(table)), (f"t.xlsx", template_xlsx(table))):
        check = check_file(name, payload, table, DataStore(empty_dir), today=TODAY)
        assert check.ok and len(check.new_rows) == 1, _messages(check)


FINANCE = "凭证号,日期,机构,收支,科目,来源类型,资助方,项目,限定性,资助编号,金额（元）"


def test_finance_rows_name_a_known_grant_and_take_its_restricted_flag(empty_dir):
    assert _import(empty_dir, "g.csv", GRANTS, "grants")[1]
    payload = csv_bytes(FINANCE,
                        "F1,2024-02-01,示例社工中心,收入,捐赠收入,基金会,某基金会,社区儿童之家,,G-1,60000",
                        "F2,2024-02-01,示例社工中心,收入,捐赠收入,企业,某企业,四点半课堂,,G-2,5000",
                        "F3,2024-03-01,示例社工中心,支出,业务活动成本,,,社区儿童之家,否,G-1,800",
                        "F4,2024-03-01,示例社工中心,支出,业务活动成本,,,社区儿童之家,,G-404,80")
    check, entry = _import(empty_dir, "f.csv", payload, "finance")
    assert entry is None and [(e.row, e.code) for e in check.errors] == [(5, "unknown_grant")]
    good = csv_bytes(*payload.decode("utf-8-sig").splitlines()[:4])
    check, entry = _import(empty_dir, "f.csv", good, "finance")
    assert entry and check.ok, _messages(check)
    rows = {r["txn_id"]: r for r in DataStore(empty_dir).read_table("finance").to_pylist()}
    # Empty 限定性: the grant's flag (G-1 restricted, G-2 not); a stated 否 stays.
    assert [rows[k]["restricted"] for k in ("F1", "F2", "F3")] == [True, False, False]
    assert rows["F1"]["grant_id"] == "G-1"
