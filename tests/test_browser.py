"""End to end in a real browser: Debian's Chromium driven by Playwright against
`streamlit run dashboard.py` on localhost.

Skipped, naming the Debian packages, when Chromium or the CJK fonts are absent (required
under CI=true, which installs them). Screenshots go to a temporary directory, or to
$IMPACT_SCREENSHOT_DIR (e.g. docs/screenshots) when set. Every wait is for the app's state
(tests/browser_support.py), never for a fixed time.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest

from impact.config import DEFAULT_DATA_DIR
from tests.browser_support import (launch_chromium, new_page, rerun, settled, streamlit_server,
                                   wait_charts_drawn, wait_idle)

PAGES = ("overview", "beneficiaries", "volunteers", "finance", "growth")
DESKTOP, PHONE = 1400, 390

pytestmark = [
    pytest.mark.browser,
    pytest.mark.requires("chromium", "cjk-fonts"),
    pytest.mark.skipif(not (DEFAULT_DATA_DIR / "manifest.json").is_file(),
                       reason="needs the demo data in data/ (python -m impact demo)"),
]


@pytest.fixture(scope="module")
def server():
    """`streamlit run dashboard.py` on a free local port, stopped after the module."""
    with streamlit_server() as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    target = os.environ.get("IMPACT_SCREENSHOT_DIR")
    path = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def link(base: str, page: str, **params) -> str:
    query = "&".join(f"{k}={quote(str(v))}" for k, v in params.items())
    return f"{base}/{page}?{query}"


def open_view(browser, url: str, title: str, width: int = DESKTOP):
    """Open a URL in a fresh session and wait until the page's title and charts are drawn."""
    page = new_page(browser, width, 900)
    page.goto(url)
    page.get_by_role("heading", name=title, level=1).wait_for(timeout=120_000)
    # The page menu is drawn by every run, before the page: a run caught between the title of
    # the run before and its own menu (seen under load) is not the page a visitor reads.
    page.locator("[data-testid='stSidebar'] [data-testid='stPageLink']").first.wait_for(
        timeout=120_000)
    wait_idle(page)
    wait_charts_drawn(page)
    return page


def full_screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport to it."""
    height = page.evaluate(
        "() => Math.max(document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 0,"
        " document.body.scrollHeight)")
    page.set_viewport_size({"width": page.viewport_size["width"], "height": min(height, 6000)})
    # Charts and tables draw lazily once they are in the viewport, and Plotly redraws a
    # responsive chart after the resize: wait until all of them are drawn at their width.
    wait_charts_drawn(page)
    page.screenshot(path=str(path))


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def expect_texts(page, *texts: str) -> None:
    """Each text appears in the main area (waiting while Streamlit is still drawing)."""
    from playwright.sync_api import expect
    main = page.locator("[data-testid='stMain']")
    for text in texts:
        expect(main).to_contain_text(text, timeout=120_000)


def test_shared_overview_link_shows_the_exact_figures_in_english(server, browser, shots):
    url = link(server, "overview", org="珠海协作者", **{"from": 2020, "to": 2020}, lang="en")
    page = open_view(browser, url, "Overview")
    expect_texts(page, "581", "99,037", "1,394", "¥1,674,657.61", "+26,687 (+36.9%)",
                 "-13 (-2.2%)", "Demo data")
    assert page.locator("[data-testid='stException']").count() == 0
    full_screenshot(page, shots / "overview-en-2020-desktop.png")
    page.close()


def test_the_same_link_in_chinese_shows_the_same_exact_figures(server, browser, shots):
    url = link(server, "overview", org="珠海协作者", **{"from": 2020, "to": 2020}, lang="zh")
    page = open_view(browser, url, "总览")
    expect_texts(page, "受益人次", "99,037", "¥1,674,657.61", "演示数据",
                 "珠海协作者 · 2020 年 · 全部项目 · 全部领域")
    page.close()
    page = open_view(browser, url, "总览", width=PHONE)
    full_screenshot(page, shots / "overview-zh-phone.png")
    page.close()


def test_change_a_filter_then_follow_the_shared_link(server, browser):
    url = link(server, "finance", org="苏州清流", **{"from": 2015, "to": 2016}, lang="zh")
    page = open_view(browser, url, "财务")
    expect_texts(page, "来自政府的收入", "86.5%")
    rerun(page, page.get_by_role("radio", name="English").click)  # the language switch
    page.get_by_role("heading", name="Finance", level=1).wait_for(timeout=120_000)
    page.wait_for_function("() => location.search.includes('lang=en')", timeout=120_000)
    shared = page.url
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stMetricValue\"]').length === 6 &&"
        " document.querySelector('[data-testid=\"stMain\"]').innerText.includes('Government')",
        timeout=120_000)
    kpis = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    # Switching page in the sidebar keeps the filters and the language in the URL.
    page.get_by_role("link", name="Volunteers").click()
    page.get_by_role("heading", name="Volunteers", level=1).wait_for(timeout=120_000)
    page.wait_for_function("() => location.pathname.endsWith('/volunteers')"
                           " && location.search.includes('lang=en')"
                           " && location.search.includes('from=2015')", timeout=120_000)
    page.close()
    assert "/finance?" in shared and "org=" in shared
    again = open_view(browser, shared, "Finance")
    again.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stMetricValue\"]').length === 6")
    assert again.locator("[data-testid='stMetricValue']").all_inner_texts() == kpis
    expect_texts(again, "Government")
    again.close()


def _kpis(page, lang: str) -> list[str]:
    settled(page, lang)
    return page.locator("[data-testid='stMetricValue']").all_inner_texts()


def test_back_undoes_three_filter_changes_one_press_each(server, browser):
    """Each change of view is one history entry (issue 26 point 13): three changes, three
    presses of Back, and the first view again, without a reload; and the address of every
    view on the way opens that very view in a fresh session (point 14)."""
    url = link(server, "overview", org="珠海协作者", **{"from": 2019, "to": 2020}, lang="zh")
    page = open_view(browser, url, "总览")
    page.evaluate("() => { window.__sameDocument = true; }")  # a reload would drop it
    start = page.evaluate("() => history.length")
    views = [(page.url, "zh", _kpis(page, "zh"))]

    def change(action, lang):
        rerun(page, action)
        page.wait_for_function("seen => location.href !== seen", arg=views[-1][0])
        views.append((page.url, lang, _kpis(page, lang)))

    change(lambda: page.get_by_role("radio", name="English").click(), "en")
    thumb = page.locator("[data-testid='stSidebar'] [data-testid='stSlider'] "
                         "input[type='range']").first
    change(lambda: (thumb.focus(), page.keyboard.press("ArrowLeft")), "en")
    combo = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect'] input").first

    def add_org():
        combo.click()
        page.keyboard.type("苏州清流")
        page.get_by_role("option", name="苏州清流").wait_for()
        page.keyboard.press("Enter")
    change(add_org, "en")
    assert len({v[0] for v in views}) == 4 and len({tuple(v[2]) for v in views}) > 1
    assert page.evaluate("() => history.length") == start + 3  # one entry per change
    for seen, lang, kpis in reversed(views[:-1]):
        rerun(page, lambda: page.go_back(wait_until="commit"))
        page.wait_for_function("seen => location.href === seen", arg=seen)
        assert _kpis(page, lang) == kpis, seen
    assert page.evaluate("() => window.__sameDocument === true")  # Back did not reload
    page.close()
    for seen, lang, kpis in views:
        fresh = open_view(browser, seen, "总览" if lang == "zh" else "Overview")
        assert _kpis(fresh, lang) == kpis, seen
        fresh.close()
