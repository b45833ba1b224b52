"""The CSV downloads are built when clicked (a callable given to st.download_button), not
on every rerun: clicking one in Chromium still gives the table's exact CSV."""

from __future__ import annotations

import pytest

from impact.config import DEFAULT_DATA_DIR
from impact.storage.db import Database
from impact.filters import Filters
from impact.views.overview import overview
from tests.browser_support import launch_chromium, new_page, settled, streamlit_server

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
            settled(page, "zh")
            bodies = {}
            for table in tables:
                # Each table's own button, found by its key (Streamlit's st-key-<key> class).
                # `.first` once gave the indicators' CSV where the targets' was expected (a CI
                # run): which button is first in the page is not the table's identity.
                button = page.locator(f".st-key-csv_{table.key} button")
                with page.expect_download(timeout=120_000) as info:
                    button.click()
                bodies[table.key] = open(info.value.path(), "rb").read()
        finally:
            browser.close()
    assert bodies == {table.key: table.csv() for table in tables}
    for body in bodies.values():
        assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
