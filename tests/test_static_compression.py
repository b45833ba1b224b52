"""Streamlit's JavaScript and CSS bundles go out compressed (impact.web.asgi.CompressedStatic,
issue 29): by what the client accepts, each file compressed once, decompressing to the file
itself, marked immutable; the page's HTML, the server's own routes and a client that takes no
encoding get what Streamlit sends. Checked against Streamlit's real static-file handler and
its real build, and once through the running dashboard (the middleware is wired in)."""

from __future__ import annotations

import asyncio
import gzip
import re
import urllib.request
from pathlib import Path

import pytest

from impact.web.asgi import CompressedStatic, choose_encoding, encoders

brotli = pytest.importorskip("brotli")  # pinned in requirements.txt

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def _static_dir() -> Path:
    from streamlit import file_util
    return Path(file_util.get_static_dir())


def _bundles() -> list[str]:
    """Paths of real files of Streamlit's build: what index.html loads first (its JS and CSS),
    the biggest bundle (Plotly), a lazily loaded chunk and an SVG."""
    root = _static_dir()
    index = (root / "index.html").read_text()
    first = re.findall(r"""<(?:script type="module" crossorigin src|link rel="stylesheet" """
                       r"""crossorigin href)="\./(static/[^"]+)\"""", index)
    js = sorted((root / "static/js").glob("*.js"), key=lambda p: p.stat().st_size)
    svg = sorted((root / "static/media").glob("*.svg"))[:1]
    picked = [*first, *(p.relative_to(root).as_posix() for p in [js[-1], js[len(js) // 2], *svg])]
    assert any("PlotlyChart" in p for p in picked) and any(p.endswith(".css") for p in picked)
    return ["/" + p for p in dict.fromkeys(picked)]


BUNDLES = _bundles()


def _streamlit_static():
    """Streamlit's own handler for its build (the one `st.App` mounts at "/")."""
    from streamlit.web.server.starlette.starlette_static_routes import (
        create_streamlit_static_handler)
    return create_streamlit_static_handler(str(_static_dir()), base_url=None)


async def _call(app, path: str, headers=(), method: str = "GET"):
    messages = []
    requested = []

    async def receive():
        """The request once, then nothing until the answer is sent, as from a real server
        (Starlette's file response listens for a disconnect while it streams)."""
        if not requested:
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.get_running_loop().create_future()

    async def send(message):
        messages.append(message)

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
             "root_path": "", "query_string": b"", "http_version": "1.1",
             "headers": [(b"host", b"x"), *[(k.encode(), v.encode()) for k, v in headers]]}
    await app(scope, receive, send)
    start = messages[0]
    return (start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]},
            b"".join(m.get("body", b"") for m in messages[1:]))


def get(app, path: str, headers=(), method: str = "GET"):
    return asyncio.run(_call(app, path, headers, method))


@pytest.fixture(scope="module")
def app():
    return CompressedStatic(_streamlit_static())


@pytest.mark.parametrize("path", BUNDLES)
@pytest.mark.parametrize("accept, encoding", [
    ("gzip, deflate, br, zstd", "br"),  # Chromium, Firefox
    ("gzip, deflate", "gzip"),
    ("br;q=0.5, gzip;q=0.9", "gzip"),
    ("*", "br"),
])
def test_a_bundle_is_compressed_by_what_the_client_accepts_and_decompresses_to_the_file(
        app, path, accept, encoding):
    status, headers, body = get(app, path, [("accept-encoding", accept)])
    assert status == 200
    assert headers["content-encoding"] == encoding
    assert DECODE[encoding](body) == (_static_dir() / path.lstrip("/")).read_bytes()
    assert int(headers["content-length"]) == len(body) < (_static_dir() / path[1:]).stat().st_size
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["vary"] == "Accept-Encoding"
    assert "accept-ranges" not in headers  # a range of the plain file is not one of these bytes


@pytest.mark.parametrize("path", BUNDLES)
@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0, br;q=0", "zstd, deflate"])
def test_a_client_that_takes_no_offered_encoding_gets_the_plain_file(app, path, accept):
    status, headers, body = get(app, path, [("accept-encoding", accept)] if accept else [])
    assert status == 200
    assert "content-encoding" not in headers
    assert body == (_static_dir() / path.lstrip("/")).read_bytes()
    assert "immutable" in headers["cache-control"]  # Streamlit's own, for a hashed name
    assert headers["vary"] == "Accept-Encoding"  # a shared cache keeps the two apart


@pytest.mark.parametrize("path", ["/", "/overview", "/impact/finance", "/index.html",
                                  "/static/js/missing.AAAAAAAA.js"])
def test_the_page_is_never_immutable_nor_compressed_here(app, path):
    """The page's HTML (and Streamlit's index.html answer for a missing file) must be asked
    for again: it names the bundles of the Streamlit version being served."""
    status, headers, body = get(app, path, [("accept-encoding", "gzip, br")])
    assert status == 200 and b"<div id=\"root\"></div>" in body
    assert "immutable" not in headers["cache-control"]
    assert headers["cache-control"] == "no-cache"
    assert "content-encoding" not in headers


def test_each_file_is_compressed_once_in_each_encoding_even_when_asked_at_once():
    calls: list[tuple[str, int]] = []

    def counting(name, encode):
        def run(data: bytes) -> bytes:
            calls.append((name, len(data)))
            return encode(data)
        return run

    app = CompressedStatic(_streamlit_static(),
                           {name: counting(name, encode) for name, encode in encoders().items()})

    async def visitors():
        return await asyncio.gather(*[_call(app, path, [("accept-encoding", accept)])
                                      for path in BUNDLES for accept in ("br", "gzip")
                                      for _ in range(3)])

    answers = asyncio.run(visitors()) + asyncio.run(visitors())
    assert sorted(calls) == sorted((name, (_static_dir() / path[1:]).stat().st_size)
                                   for path in BUNDLES for name in ("br", "gzip"))
    assert all(status == 200 for status, _, _ in answers)


def test_head_a_revalidation_and_a_range_are_answered_as_for_the_compressed_file(app):
    path = BUNDLES[0]
    _, full, body = get(app, path, [("accept-encoding", "br")])
    status, headers, empty = get(app, path, [("accept-encoding", "br")], method="HEAD")
    assert (status, empty) == (200, b"") and headers == full  # HEAD first or not: same headers
    assert full["etag"].endswith('-br"')  # not the plain file's: another representation
    status, headers, empty = get(app, path, [("accept-encoding", "br"),
                                             ("if-none-match", full["etag"])])
    assert (status, empty) == (304, b"") and headers["etag"] == full["etag"]
    status, headers, part = get(app, path, [("accept-encoding", "br"), ("range", "bytes=0-9")])
    assert status == 206 and "content-encoding" not in headers
    assert part == (_static_dir() / path[1:]).read_bytes()[:10]


def test_a_head_before_any_get_still_gets_the_compressed_headers():
    app = CompressedStatic(_streamlit_static())
    status, headers, body = get(app, BUNDLES[0], [("accept-encoding", "gzip")], method="HEAD")
    assert (status, body, headers["content-encoding"]) == (200, b"", "gzip")
    assert int(headers["content-length"]) == len(get(app, BUNDLES[0],
                                                     [("accept-encoding", "gzip")])[2])


@pytest.mark.parametrize("path, kind", [
    ("/_stcore/health", b"text/plain"),
    ("/_stcore/host-config", b"application/json"),
    ("/media/abc.js", b"text/javascript"),
    ("/app/static/report.js", b"text/javascript"),  # the app's own folder: no hash in its names
    ("/component/x/static/js/main.js", b"text/javascript"),
    ("/static/media/SourceSansVF-Upright.ttf.BsWL4Kly.woff2", b"font/woff2"),  # compressed
])
def test_server_routes_and_other_files_pass_through_untouched(path, kind):
    sent = [{"type": "http.response.start", "status": 200,
             "headers": [(b"content-type", kind), (b"content-length", b"11")]},
            {"type": "http.response.body", "body": b"plain bytes"}]
    asked = {}

    async def inner(scope, receive, send):
        asked.update(scope)
        for message in sent:
            await send(message)

    got = []

    async def run():
        async def send(message):
            got.append(message)
        await CompressedStatic(inner)({"type": "http", "method": "GET", "path": path,
                                       "headers": [(b"accept-encoding", b"gzip, br")]},
                                      None, send)

    asyncio.run(run())
    assert got == sent
    assert asked["headers"] == [(b"accept-encoding", b"gzip, br")]


def test_the_websocket_passes_through_untouched():
    seen = []

    async def inner(scope, receive, send):
        seen.append(scope)

    scope = {"type": "websocket", "path": "/_stcore/stream", "headers": []}
    asyncio.run(CompressedStatic(inner)(scope, None, None))
    assert seen == [scope]


@pytest.mark.parametrize("accept, offered, expected", [
    ("gzip, deflate, br, zstd", ["br", "gzip"], "br"),
    ("gzip, deflate, br, zstd", ["gzip"], "gzip"),  # brotli not installed
    ("GZIP", ["br", "gzip"], "gzip"),
    ("br;q=0.1, gzip", ["br", "gzip"], "gzip"),
    ("br;q=1.0, gzip;q=1.0", ["br", "gzip"], "br"),  # equal weights: the server's order
    ("*;q=0.5, br;q=0", ["br", "gzip"], "gzip"),
    ("", ["br", "gzip"], None),
    ("identity", ["br", "gzip"], None),
    ("gzip;q=x", ["br", "gzip"], None),  # an unreadable weight accepts nothing
    ("deflate", ["br", "gzip"], None),
])
def test_the_encoding_chosen(accept, offered, expected):
    assert choose_encoding(accept, offered) == expected


@pytest.mark.slow
def test_the_dashboard_server_sends_its_bundles_compressed_and_its_page_as_before():
    """Through `streamlit run dashboard.py`: the middleware is wired into the served app."""
    from tests.browser_support import streamlit_server

    def fetch(url: str, accept: str | None):
        request = urllib.request.Request(url, headers={"Accept-Encoding": accept or "identity"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            return {k.lower(): v for k, v in answer.headers.items()}, answer.read()

    with streamlit_server() as base:
        page_headers, page = fetch(base + "/overview", "gzip, br")
        script = re.search(rb'src="\./(static/js/index\.[^"]+\.js)"', page).group(1).decode()
        got = {accept: fetch(f"{base}/{script}", accept) for accept in ("br", "gzip", None)}
    assert page_headers["cache-control"] == "no-cache" and b"window.__streamlit" in page
    plain = (_static_dir() / script).read_bytes()
    assert got[None][1] == plain and "content-encoding" not in got[None][0]
    for accept in ("br", "gzip"):
        headers, body = got[accept]
        assert headers["content-encoding"] == accept and DECODE[accept](body) == plain
        assert headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.requires("chromium")
def test_a_cold_first_page_is_within_3_mb_and_a_warm_one_fetches_no_bundle():
    """Issue 29's budget, in bytes (the same on a loaded machine): /overview in a fresh
    Chromium context, then again in the same one (tools/page_bytes.py, docs/performance.md)."""
    from tools.page_bytes import measure, summary

    from tests.browser_support import streamlit_server

    with streamlit_server() as base:
        got = measure(base, "/overview")
    cold, warm = summary(got["cold"]), summary(got["warm"])
    plotly = [r for r in got["cold"]["responses"] if "/PlotlyChart." in r["url"]]
    assert plotly and plotly[0]["encoding"] == "br"  # the page drew its charts, compressed
    assert cold["total_wire"] <= 3_000_000, cold
    bundles = [r for r in got["warm"]["responses"] if "/static/" in r["url"]]
    assert len(bundles) >= 100 and all(r["wire"] == 0 for r in bundles), warm
