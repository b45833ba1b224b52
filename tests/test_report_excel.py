"""The Excel workbook holds the query results cell by cell, as numbers, with zh/en headers."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from impact.storage.db import load_query
from impact.filters import Filters
from impact.report import build, gather
from impact.report.sections import all_tables

ZHUHAI_2020 = Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020)


def _load(content):
    return openpyxl.load_workbook(io.BytesIO(build(content, "xlsx").data))


@pytest.fixture(scope="module")
def zh_content(demo_db):
    return gather(demo_db, ZHUHAI_2020, "zh")


@pytest.fixture(scope="module")
def zh_book(zh_content):
    return _load(zh_content)


def _exact(cell_value):
    """A number read back from the sheet, as Decimal (openpyxl returns int or float)."""
    return Decimal(repr(cell_value)) if isinstance(cell_value, float) else cell_value


def test_sheets_are_named_in_the_report_language(zh_book, demo_db):
    assert zh_book.sheetnames == ["年度概述", "核心指标", "分项目", "服务人数", "分月", "业务活动表",
                                  "收支科目", "收入来源", "资助方", "历年", "目标", "成效指标", "机构指标", "年报对照",
                                  "定义与范围"]
    en_book = _load(gather(demo_db, ZHUHAI_2020, "en"))
    assert en_book.sheetnames[:3] == ["Summary", "Headline", "Projects"]
    assert [c.value for c in en_book["Projects"][1]] == [
        "Organisation", "Project", "Programme area", "Services", "Person-times",
        "Volunteer person-times", "Volunteer minutes", "Volunteer hours"]


@pytest.mark.parametrize("sheet, query", [
    ("分项目", "activity_by_project"), ("分月", "activity_by_month"),
    ("收支科目", "finance_by_line"), ("收入来源", "finance_by_source"),
    ("资助方", "finance_by_funder"),
    ("历年", "org_by_year"), ("目标", "target_achievement"), ("机构指标", "indicators")])
def test_numbers_equal_the_query_results_cell_by_cell(zh_book, zh_content, demo_db, sheet, query):
    table = next(tb for tb in all_tables(zh_content) if tb.query == query)
    params = zh_content.filters.params()
    if query == "org_by_year":  # the growth table looks back from the period's end
        params.update(year_from=2017, year_to=2020)
    rows = demo_db.rows(query, **{k: v for k, v in params.items()
                                  if k in load_query(query).parameters})
    ws = zh_book[sheet]
    sheet_rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(sheet_rows) == len(rows) > 0
    numeric = [i for i, c in enumerate(table.columns) if c.kind != "text" or c.key == "year"]
    for got, want in zip(sheet_rows, rows):
        for i in numeric:
            key = table.columns[i].key
            if key in want:
                assert _exact(got[i]) == want[key], (sheet, key, got, want)


def test_money_is_a_number_with_two_decimals(zh_book):
    ws = zh_book["收入来源"]
    enterprise = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "企业")
    assert enterprise[2].value == pytest.approx(1292703.60)
    assert enterprise[2].number_format == "#,##0.00"
    assert enterprise[1].value == 13 and enterprise[1].number_format == "#,##0"


def test_kpi_sheet_has_this_year_last_year_and_change(zh_book):
    rows = list(zh_book["核心指标"].iter_rows(values_only=True))
    assert rows[0] == ("指标", "本期", "上期", "变化", "变化（%）")
    assert rows[1] == ("服务次数", 581, 594, -13, -2.19)
    assert rows[5][:4] == ("收入（元）", 1674657.61, 1392720, 281937.61)


def test_about_sheet_has_definitions_filters_and_summary_sheet_the_narrative(zh_book):
    about = [r for r in zh_book["定义与范围"].iter_rows(values_only=True)]
    assert ("机构", "珠海协作者") in about and ("时期", "2020 年") in about
    assert any(r[0] == "受益人次" and "人次不等于人数" in (r[1] or "") for r in about)
    assert any(r[0] == "志愿服务价值" and "不计入收入" in (r[1] or "") for r in about)
    summary = zh_book["年度概述"]
    assert summary["A1"].value == "珠海协作者 2020 年度数据报告"
    assert "581 次专业服务" in summary["A3"].value
    assert "示例数据" in summary["A5"].value
    assert summary["A7"].value == "附注：志愿服务"
    assert "不予确认为收入" in summary["A8"].value and "1,177.40 小时" in summary["A8"].value


def test_empty_period_still_makes_a_workbook_with_headers(demo_db):
    book = _load(gather(demo_db, Filters(orgs=("珠海协作者",), year_from=2030,
                                         year_to=2030), "zh"))
    assert [c.value for c in book["分项目"][1]][:2] == ["机构", "项目"]
    assert book["分项目"].max_row == 1
    assert "没有服务活动记录" in book["年度概述"]["A3"].value


def test_published_sheet_shows_where_the_printed_report_and_the_records_differ(zh_book):
    """Zhuhai's 2020 report printed an income total 0.10 above its own categories' sum."""
    rows = list(zh_book["年报对照"].iter_rows(values_only=True))
    assert rows[0] == ("机构", "年份", "指标", "年报印刷数", "记录计算数", "差额", "是否一致")
    [printed] = [r for r in rows if r[5] not in (0, None) and r[2] == "收入（元）"]
    assert (_exact(printed[3]), _exact(printed[4]), _exact(printed[5])) == \
        (Decimal("1674657.71"), Decimal("1674657.61"), Decimal("-0.10"))
