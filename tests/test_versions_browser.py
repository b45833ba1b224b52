"""Corrections on the Data page in a real browser (headless Chromium): an update of one
activity's person-times shows its diff, changes the totals exactly once confirmed, the
history lists it with who/when/why, undo restores the data, and a closed year refuses.

Set IMPACT_UPDATE_SCREENSHOTS=1 to refresh docs/screenshots/data-*.png from this run.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from impact.filters import Filters
from impact.storage.db import Database
from impact.storage.store import DataStore
from tests.browser_support import launch_chromium, new_page, rerun, streamlit_server, wait_idle
from tests.conftest import DEMO_DIR
from tests.test_import_browser import expect_body
from tests.test_versions import _csv, _one_activity

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.requires("chromium")]


@pytest.fixture
def demo_server(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEMO_DIR, data)
    with streamlit_server({"IMPACT_DATA_DIR": str(data), "IMPACT_STAFF_PASSWORD": None}) as url:
        yield url, data


def _shot(page, tmp_path, name: str) -> None:
    folder = ROOT / "docs" / "screenshots" if os.environ.get("IMPACT_UPDATE_SCREENSHOTS") \
        else tmp_path
    page.screenshot(path=str(folder / name), full_page=True)


def _beneficiaries(data) -> int:
    db = Database(str(data))
    try:
        return db.rows("activity_totals", **Filters().params())[0]["beneficiaries"]
    finally:
        db.close()


def test_update_undo_and_a_closed_year_on_the_data_page(demo_server, tmp_path, cli):
    from playwright.sync_api import sync_playwright

    url, data = demo_server
    row = _one_activity(data)
    fix = tmp_path / "fix.csv"
    fix.write_bytes(_csv([{**row, "beneficiaries": row["beneficiaries"] + 1000}]))
    before = _beneficiaries(data)
    original = json.loads((data / "manifest.json").read_text())["tables"]
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = new_page(browser, 1400, 1100)
        page.goto(url + "/data")
        page.get_by_role("heading", name="数据导入", level=1).wait_for(timeout=120_000)
        wait_idle(page)
        upload = page.get_by_test_id("stFileUploaderDropzoneInput")
        rerun(page, lambda: upload.set_input_files(str(fix)))
        rerun(page, page.get_by_text("更正已存记录（按编号更新）").click)
        expect_body(page, "将新增 0 条、更改 1 条、删除 0 条记录")
        assert "服务人次 +1000" in page.inner_text("body")
        assert DataStore(data).manifest()["version"] == 1
        page.get_by_label("原因（记入版本历史）").fill("录入错误：少了一个 1")
        rerun(page, lambda: page.keyboard.press("Enter"))
        _shot(page, tmp_path, "data-update-diff.png")
        rerun(page, page.get_by_role("button", name="提交此更正").click)
        expect_body(page, "已提交为第 2 版")
        assert _beneficiaries(data) == before + 1000

        page.get_by_role("tab", name="版本历史与撤销").click()
        wait_idle(page)
        # The tables are drawn on a canvas: their text is not in the DOM; the record is.
        record = DataStore(data).manifest()["commit"]
        assert (record["kind"], record["why"]) == ("update", "录入错误：少了一个 1")
        assert record["who"] and record["when"]
        assert "这个版本没有改动任何记录" not in page.inner_text("body")  # v2's diff is shown
        _shot(page, tmp_path, "data-history.png")
        rerun(page, page.get_by_role("button", name="撤销第 2 版").click)
        expect_body(page, "已撤销：数据恢复为第 1 版（当前为第 3 版）")
        _shot(page, tmp_path, "data-undone.png")
        assert _beneficiaries(data) == before
        assert json.loads((data / "manifest.json").read_text())["tables"] == original

        assert cli("close", "--org", row["org"], "--year", str(row["date"].year), "--reason",
                   "审计完成", "--data-dir", str(data)).returncode == 0
        page.get_by_role("tab", name="导入文件").click()
        wait_idle(page)
        # The upload is still there; choosing the mode again re-checks it against the data
        # as it is now (closed), and the refusal comes before any confirmation.
        rerun(page, page.get_by_text("新增记录").click)
        rerun(page, page.get_by_text("更正已存记录（按编号更新）").click)
        expect_body(page, "已拒绝：此改动涉及已关账的时期")
        assert page.get_by_role("button", name="提交此更正").count() == 0
        assert row["activity_id"] in page.inner_text("body")
        _shot(page, tmp_path, "data-closed-refused.png")
        assert DataStore(data).manifest()["version"] == 4  # the close; no change after it
        browser.close()
