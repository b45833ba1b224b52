"""The HTML report is one self-contained file: it opens offline in a browser without errors,
and a name in the data can never turn into markup."""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from impact.storage.db import Database
from impact.filters import Filters
from impact.report import build, gather
from impact.report.browser import CHROMIUM, CHROMIUM_ARGS
from tests.browser_support import new_page
from impact.storage.store import DataStore

pytestmark = pytest.mark.requires("chromium", "cjk-fonts")

ZHUHAI_2020 = Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020)


@pytest.fixture(scope="module")
def zh_html(demo_db) -> str:
    return build(gather(demo_db, ZHUHAI_2020, "zh"), "html").data.decode("utf-8")


def test_html_is_self_contained(zh_html):
    assert "<script" not in zh_html
    assert not re.search(r"<link\b", zh_html)
    # The only URLs are SVG namespace names, which browsers never fetch, and the printed
    # address of the dashboard view that reproduces the report (its stamp), never loaded.
    urls = {u for u in re.findall(r"https?://[^\s\"'<>)]+", zh_html) if "/report?" not in u}
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    assert zh_html.count("<svg") == 6  # six charts, inline


def test_html_loads_in_headless_chromium_without_errors_or_requests(zh_html, tmp_path):
    from playwright.sync_api import sync_playwright

    path = tmp_path / "report.html"
    path.write_text(zh_html, encoding="utf-8")
    errors, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        page = new_page(browser)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(
            "file:") else None)
        page.goto(path.as_uri(), wait_until="load")
        body = page.inner_text("body")
        chart_boxes = page.eval_on_selector_all(
            "figure.chart svg", "els => els.map(e => e.getBoundingClientRect().width)")
        browser.close()
    assert errors == [] and requests == []
    assert "受益 99,037 人次" in body and "1,674,657.61" in body
    assert len(chart_boxes) == 6 and all(w > 200 for w in chart_boxes)


def test_english_html_has_english_headings(demo_db):
    html = build(gather(demo_db, ZHUHAI_2020, "en"), "html").data.decode("utf-8")
    assert '<html lang="en">' in html
    for heading in ("Headline figures", "Summary (ready to paste)", "Services by project",
                    "Targets", "Definitions", "Scope of this report"):
        assert f"<h2>{heading}</h2>" in html


def test_names_in_the_data_are_text_never_markup(demo_copy):
    evil = '<img src=x onerror="alert(1)">'
    store = DataStore(demo_copy)
    acts = store.read_table("activities")
    project = pc.if_else(pc.equal(acts["project"], "阅读推广"), pa.scalar(evil), acts["project"])
    store.commit({"activities": acts.set_column(acts.schema.get_field_index("project"),
                                                "project", project)})
    html = build(gather(Database(str(demo_copy)), ZHUHAI_2020, "zh"), "html").data.decode()
    assert "<img" not in html
    assert "&lt;img src=x onerror=" in html
