"""Two dashboard processes behind one loopback nginx (docs/deployment.md): a browser opens a
page through the proxy, changes a filter and downloads a CSV built by its own process; every
request of one browser reaches the same process, and new browsers are spread over both."""

from __future__ import annotations

import time
import urllib.request
from contextlib import ExitStack

import pytest

from impact.bench.proxy import COOKIE, Proxy, nginx_conf
from impact.config import DEFAULT_DATA_DIR
from tests.browser_support import (RUN_COUNTER, free_port, launch_chromium, rerun,
                                   streamlit_server, wait_charts_drawn, wait_idle)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.requires("nginx", "chromium"),
    pytest.mark.skipif(not (DEFAULT_DATA_DIR / "manifest.json").is_file(),
                       reason="needs the demo data in data/ (python -m impact demo)"),
]

ORG = "珠海协作者"


def test_config_routes_by_its_own_cookie_and_passes_the_websocket_upgrade():
    conf = nginx_conf(8501, [8601, 8602], "/tmp/x", as_root=False)
    assert "hash $backend_key consistent;" in conf
    assert f"map $cookie_{COOKIE} $backend_key" in conf and "$request_id" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    # The backends listen on loopback: the visitor must be named, or it gets local rights.
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "server 127.0.0.1:8601;" in conf and "server 127.0.0.1:8602;" in conf
    assert "user root;" not in conf


def test_two_processes_behind_nginx_serve_a_filter_change_and_a_download():
    from playwright.sync_api import sync_playwright

    with ExitStack() as stack:
        bases = [stack.enter_context(streamlit_server()) for _ in range(2)]
        proxy = Proxy(free_port(), [int(b.rsplit(":", 1)[1]) for b in bases]).start()
        stack.callback(proxy.stop)
        # New browsers (no cookie) are spread over both processes.
        for _ in range(20):
            urllib.request.urlopen(f"{proxy.base}/_stcore/health", timeout=10).read()
        assert len({addr for addr, _, uri in proxy.routes() if "health" in uri}) == 2

        p = stack.enter_context(sync_playwright())
        browser = launch_chromium(p)
        stack.callback(browser.close)
        for _ in range(2):  # two visitors, each with its own cookie
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_init_script(RUN_COUNTER)  # `rerun` counts finished runs with it
            page = context.new_page()
            page.goto(f"{proxy.base}/overview")
            wait_idle(page)
            wait_charts_drawn(page)
            box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first

            def pick_org():
                box.locator("input").click()
                page.keyboard.type(ORG)
                page.locator("[role='option']").first.wait_for()
                page.keyboard.press("Enter")

            rerun(page, pick_org)
            page.keyboard.press("Escape")
            wait_idle(page)
            assert "org=" in page.url  # the filter reached the app and came back in the URL
            assert page.get_by_text(ORG).count() >= 1
            # A CSV built on click lives in the session's own process: it must be reached.
            button = page.locator("[data-testid='stDownloadButton'] button").first
            with page.expect_download(timeout=120_000) as info:
                button.click()
            body = open(info.value.path(), "rb").read()
            assert body.startswith(b"\xef\xbb\xbf") and ORG.encode() in body
            [key] = [c["value"] for c in context.cookies() if c["name"] == COOKIE]
            context.close()  # nginx logs the websocket when it closes
            mine = _routes_with_stream(proxy, key)
            assert len({addr for addr, _ in mine}) == 1, f"one browser's requests went to {mine}"


def _routes_with_stream(proxy: Proxy, key: str) -> list[tuple[str, str]]:
    """(backend, URI) of every request with the sticky `key`, once its websocket is logged."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        mine = [(addr, uri) for addr, k, uri in proxy.routes() if k == key]
        if any("_stcore/stream" in uri for _, uri in mine):
            return mine
        time.sleep(0.2)  # polling interval of a state check
    raise AssertionError(f"no websocket logged for {key} in 30 s: {mine}")
