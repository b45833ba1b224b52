"""In Chromium: names from data never run as script or become links (labels, tooltips,
tables), and public mode (IMPACT_MODE=public) has no /data page and hides small counts.

Screenshots of the public view go to $IMPACT_SCREENSHOT_DIR when set (docs/screenshots).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.hostile import EVIL_LINK, hostile_data
from tests.test_browser import (CHROMIUM, ROOT, _free_port, browser,  # noqa: F401
                                full_screenshot, link, main_text, open_view, shots)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.is_file(),
                                 reason="browser tests need Debian's chromium at "
                                        "/usr/bin/chromium (apt-get install chromium)")]


@contextlib.contextmanager
def serve(**env):
    """`streamlit run dashboard.py` on a free loopback port with extra environment."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, **{k: str(v) for k, v in env.items()}})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.3)  # polling the server's health, not waiting for a result
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode()[-2000:])
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    data = hostile_data(tmp_path_factory.mktemp("hostile") / "data")
    with serve(IMPACT_DATA_DIR=data,
               IMPACT_AUDIT_LOG=tmp_path_factory.mktemp("audit") / "a.jsonl") as base:
        yield base


INJECTED = """() => ({
    pwned: window.__pwned === undefined ? null : window.__pwned,
    evilLinks: [...document.querySelectorAll('a')].filter(a =>
        (a.getAttribute('href') || a.getAttribute('xlink:href') || '').includes('evil')).length,
    scripts: [...document.querySelectorAll('script')].filter(s =>
        s.textContent.includes('__pwned')).length,
    images: [...document.querySelectorAll('img')].filter(i =>
        (i.getAttribute('src') || '') === 'x').length,
    svgText: [...document.querySelectorAll('.main-svg')].map(s => s.textContent).join('\\n'),
})"""


@pytest.mark.parametrize("page, title", [("beneficiaries", "受益"), ("volunteers", "志愿"),
                                         ("finance", "财务")])
def test_names_from_data_are_text_in_the_browser(hostile_server, browser, page, title):
    dialogs = []
    view = open_view(browser, link(hostile_server, page, org="珠海协作者", **{"from": 2020},
                                   to=2020), title)
    view.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    full_screenshot(view, _tmp_png(page))
    # Hover every bar and point: the tooltips render names too.
    for mark in view.locator(".main-svg .point path, .main-svg .points path").all()[:60]:
        with contextlib.suppress(Exception):
            mark.hover(timeout=2000)
            state = view.evaluate(INJECTED)
            assert state["evilLinks"] == 0 and state["pwned"] is None
    state = view.evaluate(INJECTED)
    assert state == {**state, "pwned": None, "evilLinks": 0, "scripts": 0, "images": 0}
    assert not dialogs
    if page != "finance":  # the finance page charts categories, not projects
        assert EVIL_LINK in state["svgText"]  # shown literally, as typed
        assert "\u202e" not in state["svgText"]
    assert "<script>" not in main_text(view) or "window.__pwned" in main_text(view)
    view.close()


def _tmp_png(name: str):
    import tempfile
    from pathlib import Path
    return Path(tempfile.mkdtemp()) / f"hostile-{name}.png"


# ---------------------------------------------------------------------------- public mode

@pytest.fixture(scope="module")
def public_server(tmp_path_factory):
    with serve(IMPACT_MODE="public", IMPACT_DATA_DIR=ROOT / "data") as base:
        yield base


SMALL = dict(org="苏州清流", project="困境未成年人社会保护", **{"from": 2015}, to=2015)


def test_public_mode_has_no_data_page(public_server, browser, shots):
    view = open_view(browser, link(public_server, "overview", lang="zh"), "总览")
    nav = view.locator("[data-testid='stSidebar']").inner_text()
    assert "总览" in nav and "数据导入" not in nav and "年报" not in nav and "分享" not in nav
    assert "公开版" in main_text(view)
    view.wait_for_function("() => document.querySelectorAll('.main-svg').length >= 4",
                           timeout=60_000)
    full_screenshot(view, shots / "public-overview-zh-desktop.png")
    view.goto(f"{public_server}/data")
    view.get_by_role("heading", level=1).first.wait_for(timeout=60_000)
    assert not view.locator("[data-testid='stFileUploader']").count()
    view.close()


def test_public_mode_suppresses_small_cells(public_server, browser, shots):
    view = open_view(browser, link(public_server, "beneficiaries", **SMALL), "受益")
    full_screenshot(view, shots / "public-beneficiaries-small-cells.png")
    specs = view.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .map(p => p.data.map(t => ({type: t.type, mode: t.mode, y: t.y, x: t.x,
                                    customdata: t.customdata})))""")
    lines = [t for fig in specs for t in fig if t.get("mode") == "lines+markers"]
    values = [v for t in lines for v in t["y"]]
    assert None in values  # the December point (4 person-times) and its complement
    assert not [v for v in values if isinstance(v, (int, float)) and 0 < v < 5]
    assert any("&lt;5" in str(c) for t in lines for c in (t.get("customdata") or []))
    bars = [t["y"] for fig in specs for t in fig if t.get("type") == "bar"
            and t.get("x") == ["2015"]]
    assert bars and bars[0][0] > 5  # the yearly total still counts every record
    assert not view.get_by_text("查看某个项目的活动记录").count()  # no drill-down to records
    assert "2 个数值未画出" in main_text(view)
    view.close()
