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
from tests.browser_support import (launch_chromium, new_page, open_list, rerun,
                                   streamlit_server, wait_idle)
from tests.test_import_cli import FIXTURES, snapshot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.requires("chromium")]


def expect_body(page, text: str) -> None:
    """The text appears on the page (waiting through any rerun the page itself asks for)."""
    from playwright.sync_api import expect
    expect(page.locator("body")).to_contain_text(text, timeout=120_000)


def choose_table(page, name: str) -> None:
    """Send the next upload to table `name` (its label, e.g. 收支记录) through the 数据表 box.

    The box is the one labelled 数据表 (not merely the first select box on the page), opened
    once the page's run is over (an import's notice is drawn before the box is redrawn) and
    again if a dropped connection closed its list (a fresh-clone run under load lost the
    option 活动记录 so: a drop disables every widget, and the app reconnects with the list
    closed); the option is typed, and the choice is checked."""
    from playwright.sync_api import expect

    box = page.get_by_role("combobox", name="数据表", exact=True)
    rerun(page, open_list(page, box, name).click)
    expect(page.get_by_test_id("stSelectboxVirtualDropdown")).to_have_count(0)
    expect(box).to_have_value(name)


def open_data_page(browser, url: str):
    """A new desktop tab on /data once its heading is drawn."""
    page = new_page(browser, 1400, 1100)
    page.goto(url + "/data")
    page.get_by_role("heading", name="数据导入", level=1).wait_for(timeout=120_000)
    return page


def name_the_org(page, org: str) -> None:
    """Answer the page's question for a file without an organisation column."""
    expect_body(page, "请填写机构名称：文件中没有机构列。")
    box = page.get_by_label("机构（文件中没有机构列）", exact=True)
    box.fill(org)
    rerun(page, lambda: box.press("Enter"))


def confirm_import(page, rows: int, done: str) -> None:
    """Press the import button for `rows` new rows and wait for the page's `done` notice."""
    rerun(page, page.get_by_role("button", name=f"导入 {rows} 行新数据").click)
    expect_body(page, done)


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
        page = open_data_page(browser, url)
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
        confirm_import(page, 5, "已从 activities_gbk.csv 向活动记录导入 5 行新数据")

        choose_table(page, "收支记录")
        rerun(page, lambda: upload.set_input_files(str(FIXTURES / "finance_ledger.xlsx")))
        confirm_import(page, 7, "已从 finance_ledger.xlsx 向收支记录导入 7 行新数据")
        browser.close()

    totals = summarize(Database(str(data)), Filters(year_from=2021, year_to=2021))
    assert (totals["services"], totals["beneficiaries"], totals["volunteers"],
            totals["volunteer_minutes"]) == (10, 2450, 30, 3600)
    assert (totals["income_total"], totals["expense_total"]) == (Decimal("180800.50"),
                                                                 Decimal("15555.76"))


SURVEY_FIELDS = {"1. 您参加的活动日期：": "日期", "2. 活动所属项目：": "项目", "3. 活动类型：": "活动类型",
                 "4. 本次活动场次：": "服务次数（场次）", "5. 参加人数（人次）：": "受益人次",
                 "6. 志愿者人数（人次）：": "志愿者人次", "7. 志愿者服务时长合计（分钟）：": "志愿服务时长（分钟）"}


def _shots(page, directory, name: str) -> None:
    """The page at 1400 px and at a phone's 390 px (whole page), then back to 1400 px."""
    for width in (1400, 390):
        # tall enough for the whole step: Streamlit scrolls inside its own container
        page.set_viewport_size({"width": width, "height": 2600 if width == 390 else 1800})
        wait_idle(page)
        page.screenshot(path=str(directory / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1100})


def _choose(page, box, text: str) -> None:
    """Pick an option of a selectbox inside a form (no run until the form is sent)."""
    open_list(page, box, text).click()


def test_cash_journal_then_a_survey_mapped_once_and_next_month_without_questions(server,
                                                                                 tmp_path):
    """Issue 25 on the page: the cash journal asks only for its organisation; the 问卷星
    export is mapped once; April's export with the same headers imports with no questions.
    Screenshots of the mapping step and the preview at 1400 and 390 px go to
    $IMPACT_SCREENSHOTS (else the test's temporary directory)."""
    import os
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("IMPACT_SCREENSHOTS") or tmp_path)
    url, data = server
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = open_data_page(browser, url)
        wait_idle(page)
        upload = page.get_by_test_id("stFileUploaderDropzoneInput")
        choose_table(page, "收支记录")
        rerun(page, lambda: upload.set_input_files(str(FIXTURES / "cash_journal_2023.xlsx")))
        name_the_org(page, "无锡同心")
        expect_body(page, "第 10 行（合计）：合计行，与上面各行之和相符；已跳过")
        expect_body(page, "新增各行合计：收入 ¥51,012.34，支出 ¥17,691.36")
        _shots(page, shots, "data-journal-preview")
        confirm_import(page, 7, "已从 cash_journal_2023.xlsx 向收支记录导入 7 行新数据")

        choose_table(page, "活动记录")
        rerun(page, lambda: upload.set_input_files(str(FIXTURES / "wjx_activity_signin_2023_03.csv")))
        expect_body(page, "列映射：告诉系统每一列是什么")
        form = page.get_by_test_id("stForm")
        for box in form.get_by_test_id("stSelectbox").all():
            label = box.inner_text()
            field = next((f for h, f in SURVEY_FIELDS.items() if h in label), "忽略（不导入）")
            _choose(page, box, field)
        name = form.get_by_label("映射名称", exact=True)
        name.fill("问卷星活动签到")
        _shots(page, shots, "data-mapping")
        rerun(page, form.get_by_role("button", name="保存映射并重新检查").click)
        expect_body(page, "已保存映射“问卷星活动签到”。")
        # The directory now holds one organisation: the field is prefilled with it.
        expect_body(page, "按已保存的映射“问卷星活动签到”读取列")
        assert page.get_by_label("机构（文件中没有机构列）", exact=True).input_value() == "无锡同心"
        _shots(page, shots, "data-mapped-preview")
        confirm_import(page, 5, "已从 wjx_activity_signin_2023_03.csv 向活动记录导入 5 行新数据")

        rerun(page, lambda: upload.set_input_files(str(FIXTURES / "wjx_activity_signin_2023_04.csv")))
        expect_body(page, "按已保存的映射“问卷星活动签到”读取列")
        assert page.get_by_test_id("stForm").count() == 0  # no questions this month
        confirm_import(page, 4, "已从 wjx_activity_signin_2023_04.csv 向活动记录导入 4 行新数据")
        browser.close()

    totals = summarize(Database(str(data)), Filters(year_from=2023, year_to=2023))
    assert (totals["services"], totals["beneficiaries"]) == (11, 230)
    assert (totals["income_total"], totals["expense_total"]) == (Decimal("51012.34"),
                                                                 Decimal("17691.36"))


def test_a_monthly_report_with_its_totals_row(server):
    """Issue 25: the 月报 staff already keep (a title row above the header, months without a
    day, hours, a 合计 row) on the page: the preview says what it read and the totals it adds
    (those of `impact import --dry-run`: 36, 719, 54, 6,525 minutes = the sheet's 108.75 h)."""
    from playwright.sync_api import sync_playwright

    url, data = server
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = open_data_page(browser, url)
        wait_idle(page)  # the table box's default is 活动记录
        upload = page.get_by_test_id("stFileUploaderDropzoneInput")
        rerun(page, lambda: upload.set_input_files(str(FIXTURES / "monthly_activities_2023.xlsx")))
        name_the_org(page, "无锡同心")
        expect_body(page, "读取 4 行；新增 3 行，已存在 0 行（跳过），有错误 0 行")
        notes = page.locator("[class*='st-key-data_notes']")
        for line in ("表头在第 2 行", "第 6 行（合计）：合计行，与上面各行之和相符；已跳过",
                     "3 行只写了月份、没有日期（第 3–5 行）：每行读作该月的月度合计，记在该月 1 日",
                     "新增各行合计：服务次数 36，受益人次 719，志愿者人次 54，志愿服务时长 6,525 分钟"):
            expect_body(page, line)
            assert line in notes.inner_text()
        confirm_import(page, 3, "已从 monthly_activities_2023.xlsx 向活动记录导入 3 行新数据（跳过重复 0 行）")
        browser.close()

    totals = summarize(Database(str(data)), Filters(year_from=2023, year_to=2023))
    assert (totals["services"], totals["beneficiaries"], totals["volunteers"],
            totals["volunteer_minutes"]) == (36, 719, 54, 6525)
