"""The CSV downloads are built when clicked (a callable given to st.download_button), not
on every rerun: clicking one in Chromium still gives the table's exact CSV."""

from __future__ import annotations

import pytest

from impact.config import DEFAULT_DATA_DIR
from impact.storage.db import Database
from impact.filters import Filters
from impact.views.overview import overview
from tests.browser_support import (launch_chromium, new_page, streamlit_server, wait_charts_drawn,
                                   wait_idle)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.requires("chromium"),
    pytest.mark.skipif(not (DEFAULT_DATA_DIR / "manifest.json").is_file(),
                       reason="needs the demo data in data/ (python -m impact demo)"),
]


def test_a_download_built_on_click_is_the_tables_csv():
    from playwright.sync_api import sync_playwright

    db = Database(str(DEFAULT_DATA_DIR))
    last = db.rows("year_span", orgs=[])[0]["last_year"]
    model = overview(db, Filters(year_from=last, year_to=last), "zh")
    tables = [tb for tb in (model.targets, model.indicators) if tb.rows]
    assert tables, "the demo overview has a table with rows"
    with streamlit_server() as base, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = new_page(browser, 1400, 900)
            page.goto(f"{base}/")  # the landing view: overview, every org, the latest year
            wait_idle(page)
            wait_charts_drawn(page)
            button = page.locator("[data-testid='stDownloadButton'] button").first
            with page.expect_download(timeout=120_000) as info:
                button.click()
            body = open(info.value.path(), "rb").read()
        finally:
            browser.close()
    assert body == tables[0].csv()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
