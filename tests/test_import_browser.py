"""The Data page in a real browser (headless Chromium): the issue's "done when", end to end.

A file with planted errors is refused with each error on its row and the data directory
byte-identical; a GBK CSV and an .xlsx ledger are imported into an empty directory and the
summary gives their totals exactly.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from impact.storage.db import Database
from impact.filters import Filters
from impact.domain.metrics import summarize
from tests.browser_support import launch_chromium, new_page, rerun, streamlit_server, wait_idle
from tests.test_import_cli import FIXTURES, snapshot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.requires("chromium")]


def expect_body(page, text: str) -> None:
    """The text appears on the page (waiting through any rerun the page itself asks for)."""
    from playwright.sync_api import expect
    expect(page.locator("body")).to_contain_text(text, timeout=120_000)


@pytest.fixture
def server(tmp_path):
    """`streamlit run dashboard.py` over an empty data directory; yields (url, data dir)."""
    data = tmp_path / "data"
    data.mkdir()
    with streamlit_server({"IMPACT_DATA_DIR": str(data), "IMPACT_STAFF_PASSWORD_HASH": None}) as url:
        yield url, data


def test_data_page_refuses_errors_and_imports_gbk_and_xlsx(server):
    from playwright.sync_api import sync_playwright

    url, data = server
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = new_page(browser, 1400, 1100)
        page.goto(url + "/data")
        page.get_by_role("heading", name="数据导入", level=1).wait_for(timeout=120_000)
        wait_idle(page)
        upload = page.get_by_test_id("stFileUploaderDropzoneInput")

        before = snapshot(data)
        rerun(page, lambda: upload.set_input_files(str(FIXTURES / "activities_errors.csv")))
        expect_body(page, "第 2 行，列“受益人次”：“-3”——不能为负数")
        body = page.inner_text("body")
        assert "第 2 行，列“受益人次”：“-3”——不能为负数" in body
        assert "第 3 行，列“日期”：“2021-02-30”——日历上没有这一天" in body
        assert page.get_by_role("button", name="导入 1 行新数据").count() == 0
        assert snapshot(data) == before

        rerun(page, lambda: upload.set_input_files(str(FIXTURES / "activities_gbk.csv")))
        rerun(page, page.get_by_role("button", name="导入 5 行新数据").click)
        expect_body(page, "已从 activities_gbk.csv 向活动记录导入 5 行新数据")

        page.get_by_test_id("stSelectbox").first.click()
        rerun(page, page.get_by_test_id("stSelectboxVirtualDropdown").get_by_text("收支记录").click)
        rerun(page, lambda: upload.set_input_files(str(FIXTURES / "finance_ledger.xlsx")))
        rerun(page, page.get_by_role("button", name="导入 7 行新数据").click)
        expect_body(page, "已从 finance_ledger.xlsx 向收支记录导入 7 行新数据")
        browser.close()

    totals = summarize(Database(str(data)), Filters(year_from=2021, year_to=2021))
    assert (totals["services"], totals["beneficiaries"], totals["volunteers"],
            totals["volunteer_minutes"]) == (10, 2450, 30, 3600)
    assert (totals["income_total"], totals["expense_total"]) == (Decimal("180800.50"),
                                                                 Decimal("15555.76"))
