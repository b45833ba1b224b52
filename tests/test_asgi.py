"""The server's pages tell Streamlit's frontend where the server is (impact.web.asgi), so that a
page opened by its address makes no failing request: not under `/`, not under a proxy's
prefix. The browser check of every page is tests/test_accessibility.py (no response ≥ 400)."""

from __future__ import annotations

import asyncio

import pytest

from impact.web.asgi import (BackendBaseUrl, LANDING_URL, base_url_script, inject,
                             served_path)
from impact.web.menu import PAGES
from tests.browser_support import launch_chromium, new_page

PAGE = b"<!DOCTYPE html><html lang=\"en\"><head><script type=module src=./x.js></script>" \
       b"<title>Streamlit</title></head><body></body></html>"


def _serve(body: bytes, content_type: bytes = b"text/html; charset=utf-8", status: int = 200,
           chunks: int = 1, encoding: bytes | None = None):
    """A stand-in for Streamlit's static files: answers every request with `body`, and
    records the request headers it was given."""
    seen = {}

    async def app(scope, receive, send):
        seen["headers"] = dict(scope["headers"])
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
        if encoding:
            headers.append((b"content-encoding", encoding))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        step = max(1, len(body) // chunks)
        parts = [body[i:i + step] for i in range(0, len(body), step)] or [b""]
        for i, part in enumerate(parts):
            await send({"type": "http.response.body", "body": part,
                        "more_body": i < len(parts) - 1})
    return app, seen


def _get(app, path: str, method: str = "GET", query: bytes = b""):
    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    scope = {"type": "http", "method": method, "path": path, "query_string": query,
             "headers": [(b"accept-encoding", b"gzip, br"), (b"host", b"x")]}
    asyncio.run(app(scope, receive, send))
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return start["status"], dict(start["headers"]), body


@pytest.mark.parametrize("path", ["/", "/finance", "/impact/overview", "/start"])
@pytest.mark.parametrize("chunks", [1, 3])
def test_a_page_gets_the_script_first_in_its_head_and_a_true_length(path, chunks):
    inner, seen = _serve(PAGE, chunks=chunks)
    status, headers, body = _get(BackendBaseUrl(inner), path)
    assert status == 200
    assert body.startswith(b"<!DOCTYPE html><html lang=\"zh-CN\"><head><script>(function (pages, served)")
    assert body.index(b"window.__streamlit") < body.index(b"type=module")
    assert int(headers[b"content-length"]) == len(body)
    assert b"accept-encoding" not in seen["headers"]  # the page is asked for uncompressed


@pytest.mark.parametrize("path, kind", [
    ("/static/js/index.js", b"text/javascript"),  # a file: compressed as before, untouched
    ("/_stcore/health", b"text/plain"),
    ("/finance/_stcore/host-config", b"application/json"),
    ("/media/abc", b"image/png"),
])
def test_files_and_server_routes_pass_through_untouched(path, kind):
    inner, seen = _serve(b"<head>not a page", content_type=kind)
    status, headers, body = _get(BackendBaseUrl(inner), path)
    assert body == b"<head>not a page"
    assert seen["headers"][b"accept-encoding"] == b"gzip, br"


@pytest.mark.parametrize("status, encoding, method", [
    (304, None, "GET"), (404, None, "GET"), (200, b"gzip", "GET"), (200, None, "HEAD")])
def test_other_answers_are_left_as_they_are(status, encoding, method):
    inner, _ = _serve(PAGE, status=status, encoding=encoding)
    got_status, headers, body = _get(BackendBaseUrl(inner), "/finance", method)
    assert (got_status, body) == (status, PAGE)


def test_a_document_without_a_head_is_not_changed():
    assert inject(b"<p>plain</p>", b"<script></script>") == b"<p>plain</p>"


# (address a visitor opens, the path the server saw (None: not told), the server address
# the script must give). Behind a proxy that strips its prefix the server sees less.
ADDRESSES = [
    ("/", "/", "/"),
    ("/finance", "/finance", "/"),
    ("/finance/", "/finance/", "/"),
    ("/start", "/start", "/"),
    ("/impact", "/", "/impact/"),  # a proxy's prefix is not a page: it is kept
    ("/impact/", "/", "/impact/"),
    ("/impact/growth", "/growth", "/impact/"),
    ("/impact/nowhere", "/nowhere", "/impact/"),
    ("/nowhere", "/nowhere", "/"),  # not a page, but the server's root: no 404 probe
    ("/%E6%80%BB%E8%A7%88", "/总览", "/"),  # the server sees the path decoded
    ("/impact/growth", None, "/impact/"),  # not told: a trailing page name is dropped
    ("/nowhere", None, "/nowhere/"),
]


@pytest.mark.browser
@pytest.mark.requires("chromium")
def test_the_script_reads_the_server_address_off_the_pages_url():
    """The script as a browser runs it, at the addresses a visitor opens."""
    from playwright.sync_api import sync_playwright

    urls = [url for _, url, _, _ in PAGES] + [LANDING_URL]
    html = b"<html><head></head><body></body></html>"
    got = {}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = new_page(browser)
        told = {}  # the path the server saw, for the address being opened
        page.route("http://dashboard.test/**", lambda route: route.fulfill(
            status=200, content_type="text/html",
            body=inject(html, base_url_script(urls, told["served"]))))
        for path, served, _ in ADDRESSES:
            told["served"] = served
            page.goto("http://dashboard.test" + path)
            got[path, served] = page.evaluate("window.__streamlit.BACKEND_BASE_URL")
        browser.close()
    assert got == {(path, served): "http://dashboard.test" + base
                   for path, served, base in ADDRESSES}


@pytest.mark.parametrize("scope, served", [
    ({"path": "/finance"}, "/finance"),
    ({"path": "/impact/finance", "root_path": "/impact"}, "/finance"),
    ({"path": "/impact", "root_path": "/impact"}, ""),
    ({"path": "/nowhere", "root_path": ""}, "/nowhere"),
])
def test_the_page_is_told_the_path_below_the_servers_root(scope, served):
    assert served_path(scope) == served


@pytest.mark.parametrize("path, query, lang, title", [
    ("/", b"", "zh-CN", "总览 · 社会工作成效看板"),
    ("/finance", b"org=%E7%8F%A0&lang=en", "en", "Finance · "),
    ("/impact/growth", b"lang=zh&from=2015", "zh-CN", "增长 · 社会工作成效看板"),
    ("/nowhere", b"lang=xx", "zh-CN", "总览 · "),
])
def test_the_first_html_names_the_page_and_its_language(path, query, lang, title):
    """What a link preview (WeChat) and a screen reader read before the app runs: not
    <title>Streamlit</title> and lang="en" (issue 26, cosmetic list)."""
    from impact.presentation.i18n import t

    inner, _ = _serve(PAGE)
    _, _, body = _get(BackendBaseUrl(inner), path, query=query)
    html = body.decode()
    assert f'<html lang="{lang}">' in html and "<title>Streamlit</title>" not in html
    shown = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert shown.startswith(title) and shown.endswith(t("app.title", lang[:2]))
    assert f'<meta property="og:title" content="{shown}">' in html
