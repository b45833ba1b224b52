"""The Data page in a real browser (headless Chromium): the issue's "done when", end to end.

A file with planted errors is refused with each error on its row and the data directory
byte-identical; a GBK CSV and an .xlsx ledger are imported into an empty directory and the
summary gives their totals exactly.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest

from impact.db import Database
from impact.filters import Filters
from impact.metrics import summarize
from tests.test_import_cli import FIXTURES, snapshot

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """`streamlit run dashboard.py` over an empty data directory; yields (url, data dir)."""
    data = tmp_path / "data"
    data.mkdir()
    port = free_port()
    env = {**os.environ, "IMPACT_DATA_DIR": str(data)}
    env.pop("IMPACT_STAFF_PASSWORD", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        yield url, data
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def settle(page) -> None:
    page.wait_for_timeout(500)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')",
                           timeout=60_000)
    page.wait_for_timeout(500)


def test_data_page_refuses_errors_and_imports_gbk_and_xlsx(server):
    from playwright.sync_api import sync_playwright

    url, data = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(url + "/data")
        settle(page)
        upload = page.get_by_test_id("stFileUploaderDropzoneInput")

        before = snapshot(data)
        upload.set_input_files(str(FIXTURES / "activities_errors.csv"))
        settle(page)
        body = page.inner_text("body")
        assert "第 2 行，列“受益人次”：“-3”——不能为负数" in body
        assert "第 3 行，列“日期”：“2021-02-30”——日历上没有这一天" in body
        assert page.get_by_role("button", name="导入 1 行新数据").count() == 0
        assert snapshot(data) == before

        upload.set_input_files(str(FIXTURES / "activities_gbk.csv"))
        settle(page)
        page.get_by_role("button", name="导入 5 行新数据").click()
        # The import reruns the page: wait for its result, not for a quiet moment.
        page.get_by_text("已从 activities_gbk.csv 向活动记录导入 5 行新数据").wait_for(timeout=60_000)
        settle(page)

        page.get_by_test_id("stSelectbox").first.click()
        page.get_by_test_id("stSelectboxVirtualDropdown").get_by_text("收支记录").click()
        settle(page)
        upload.set_input_files(str(FIXTURES / "finance_ledger.xlsx"))
        settle(page)
        page.get_by_role("button", name="导入 7 行新数据").click()
        # The import reruns the page: wait for its result, not for a quiet moment.
        page.get_by_text("已从 finance_ledger.xlsx 向收支记录导入 7 行新数据").wait_for(timeout=60_000)
        settle(page)
        browser.close()

    totals = summarize(Database(str(data)), Filters(year_from=2021, year_to=2021))
    assert (totals["services"], totals["beneficiaries"], totals["volunteers"],
            totals["volunteer_minutes"]) == (10, 2450, 30, 3600)
    assert (totals["income_total"], totals["expense_total"]) == (Decimal("180800.50"),
                                                                 Decimal("15555.76"))
