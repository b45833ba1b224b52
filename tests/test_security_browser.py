"""In Chromium: names from data never run as script or become links (labels, tooltips,
tables), and public mode (IMPACT_MODE=public) has no /data page and hides small counts.

Screenshots of the public view go to $IMPACT_SCREENSHOT_DIR when set (docs/screenshots).
"""

from __future__ import annotations

import contextlib

import pytest

from tests.browser_support import ROOT, streamlit_server, wait_charts_drawn
from tests.hostile import EVIL_LINK, hostile_data
from tests.test_browser import browser, full_screenshot, link, main_text, open_view, shots  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.requires("chromium", "cjk-fonts")]


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    data = hostile_data(tmp_path_factory.mktemp("hostile") / "data")
    audit_log = tmp_path_factory.mktemp("audit") / "a.jsonl"
    with streamlit_server({"IMPACT_DATA_DIR": str(data), "IMPACT_AUDIT_LOG": str(audit_log),
                           "IMPACT_MODE": None}) as base:
        yield base


def wait_plots(view, count: int) -> None:
    """Until `count` Plotly charts are drawn (a chart's frame appears before its plot)."""
    view.wait_for_function(
        f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {count}",
        timeout=120_000)
    wait_charts_drawn(view)
    # A fresh server's first visit currently opens with Streamlit's "Page not found" notice
    # (on main too, from the first-visit routing; reported): close it for the screenshots.
    if view.get_by_text("Page not found").count():
        view.keyboard.press("Escape")
        view.get_by_text("Page not found").wait_for(state="detached", timeout=120_000)


TIP = "() => [...document.querySelectorAll('.hoverlayer')].map(h => h.textContent).join(' ')"
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
    wait_plots(view, 3)
    full_screenshot(view, _tmp_png(page))
    # Hover every bar and point: the tooltips render names too.
    # At least the first 60 marks; on /beneficiaries on until the hostile project's own mark
    # has been hovered (where it falls among the marks depends on the charts' order).
    hovered = []
    for i, mark in enumerate(view.locator(".main-svg .point path, .main-svg .points path").all()):
        if i >= 60 and (page != "beneficiaries"
                        or any("点击领取</a>" in h["tip"] for h in hovered)):
            break
        with contextlib.suppress(Exception):  # a mark hidden behind another cannot be hovered
            # Plotly draws (and clears) a tooltip a frame or more after the pointer moves:
            # leave the chart until no tooltip shows, hover, and read the tooltip once one
            # shows, so it is this mark's and not the previous one's still on screen.
            view.mouse.move(0, 0)
            view.wait_for_function(f"() => ({TIP})().trim() === ''", timeout=5000)
            mark.hover(timeout=5000, force=True)  # plotly's drag layer covers the marks
            with contextlib.suppress(Exception):
                view.wait_for_function(f"() => ({TIP})().trim() !== ''", timeout=5000)
            hovered.append({**view.evaluate(INJECTED), "tip": view.evaluate(TIP)})
    assert hovered and all(h["evilLinks"] == 0 and h["pwned"] is None for h in hovered)
    if page == "beneficiaries":  # a tooltip shows the hostile project name, as text
        assert any("点击领取</a>" in h["tip"] for h in hovered), [h["tip"] for h in hovered]
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
def public_server():
    with streamlit_server({"IMPACT_MODE": "public", "IMPACT_DATA_DIR": str(ROOT / "data")}) \
            as base:
        yield base


SMALL = dict(org="苏州清流", project="困境未成年人社会保护", **{"from": 2015}, to=2015)


def test_public_mode_has_no_data_page(public_server, browser, shots):
    view = open_view(browser, link(public_server, "overview", lang="zh"), "总览")
    nav = view.locator("[data-testid='stSidebar']").inner_text()
    assert "总览" in nav and "数据导入" not in nav and "年报" not in nav and "分享" not in nav
    assert "公开版" in main_text(view)
    wait_plots(view, 4)
    full_screenshot(view, shots / "public-overview-zh-desktop.png")
    view.goto(f"{public_server}/data")
    view.get_by_role("heading", level=1).first.wait_for(timeout=120_000)
    assert not view.locator("[data-testid='stFileUploader']").count()
    view.close()


def test_public_mode_suppresses_small_cells(public_server, browser, shots):
    view = open_view(browser, link(public_server, "beneficiaries", **SMALL), "受益")
    wait_plots(view, 5)
    full_screenshot(view, shots / "public-beneficiaries-small-cells.png")
    specs = view.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .map(p => p.data.map(t => ({type: t.type, mode: t.mode, y: t.y, x: t.x,
                                    customdata: t.customdata})))""")
    lines = [t for fig in specs for t in fig if t.get("mode") == "lines+markers"]
    values = [v for t in lines for v in t["y"]]
    assert None in values  # the December point (4 person-times) and its complement
    assert not [v for v in values if isinstance(v, (int, float)) and 0 < v < 5]
    assert any("&lt;5" in str(c) for t in lines for c in (t.get("customdata") or []))
    # The year's bar (a numeric or a text year axis; alone or beside the year before).
    bars = [t["y"][[str(x) for x in t["x"]].index("2015")] for fig in specs for t in fig
            if t.get("type") == "bar" and "2015" in [str(x) for x in (t.get("x") or [])]]
    assert bars and bars[0] > 5  # the yearly total still counts every record
    assert not view.get_by_text("查看某个项目的活动记录").count()  # no drill-down to records
    assert "2 个数值未画出" in main_text(view)
    view.close()
