"""The dashboard served as an ASGI app (`st.App`): its pages' HTML tells Streamlit's frontend
where the server is, so that opening a page's address makes no failing request.

Streamlit's frontend does not know whether `/finance` is a page or the prefix the app is
served under (a proxy's `/impact/`), so it tries `/finance/_stcore/health` and
`/finance/_stcore/host-config` first: two 404s on every direct page address (issue 11).
The frontend takes the server's address from `window.__streamlit.BACKEND_BASE_URL` when the
page defines it before Streamlit's own script runs. This middleware writes that definition
into the page's HTML: the address is the page's own URL less a trailing page name, so it is
right behind a proxy's prefix too, and the first probe is the one that answers.

`CompressedStatic` serves Streamlit's own JavaScript and CSS bundles compressed (issue 29): a
cold first page was 9.5 MB on the wire, 4.7 MB of it Plotly, because Streamlit sends
`/static/` uncompressed on purpose (it would gzip every request again; see
`SelectiveGZipMiddleware` in Streamlit). Here each file is compressed once, on its first
request, and the bytes are kept in memory: the bundles are content-hashed and never change
while the server runs.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from html import escape
from urllib.parse import parse_qs

from impact.presentation.i18n import DEFAULT_LANG, LANGS, t
from impact.web.browser import HTML_LANG
from impact.web.menu import LANDING_URL, PAGES

_SCRIPT = """<script>(function (pages, served) {
  var parts = location.pathname.replace(/\\/+$/, "").split("/");
  var decode = function (part) { try { return decodeURIComponent(part); } catch (e) {
    return part; } };
  var tail = served === null ? [] : served.split("/").filter(Boolean);
  var ends = tail.length > 0 && tail.length < parts.length && tail.every(function (p, i) {
    return decode(parts[parts.length - tail.length + i]) === p; });
  if (ends) parts.splice(parts.length - tail.length, tail.length);
  else if (parts.length > 1 && pages.indexOf(decode(parts[parts.length - 1])) >= 0) parts.pop();
  var config = Object.assign({}, window.__streamlit || {});
  config.BACKEND_BASE_URL = location.origin + parts.join("/") + "/";
  window.__streamlit = config;
})(%s, %s);</script>"""


def base_url_script(page_urls: Iterable[str], served: str | None = None) -> bytes:
    """The inline script that sets Streamlit's backend address from the page's own URL.

    `served` is the path as this server answered it (below its own root): the page's URL
    less that path is the server's address, whatever a proxy put in front. Without it (or
    when the URL does not end with it) a trailing page name is dropped. An address that
    names no page ("/nowhere") is then still the server's root, not a prefix: Streamlit
    probed `/nowhere/_stcore/health` and `host-config` first, two 404s."""
    served_json = "null" if served is None else json.dumps(served)
    return (_SCRIPT % (json.dumps(sorted(page_urls)), served_json)).encode()


def served_path(scope) -> str:
    """The request's path below the server's own root (its ASGI root_path and Streamlit's
    server.baseUrlPath), as the script compares it with the page's URL."""
    path = scope.get("path", "")
    for prefix in (scope.get("root_path", "").rstrip("/"), "/" + _base_url_path()):
        if prefix.strip("/") and (path == prefix or path.startswith(prefix + "/")):
            path = path[len(prefix):]
    return path


def _base_url_path() -> str:
    from streamlit import config

    return (config.get_option("server.baseUrlPath") or "").strip("/")


def inject(html: bytes, script: bytes) -> bytes:
    """`script` as the first element of <head>, so it runs before Streamlit's module script
    (module scripts are deferred; an inline script runs where it stands)."""
    head = html.find(b"<head>")
    if head < 0:
        return html  # not Streamlit's page: leave it as it is
    at = head + len(b"<head>")
    return html[:at] + script + html[at:]


def page_language(query_string: bytes) -> str:
    """The page's language from its `lang` parameter (the app's default otherwise)."""
    values = parse_qs(query_string.decode("latin-1")).get("lang") or [DEFAULT_LANG]
    return values[-1] if values[-1] in LANGS else DEFAULT_LANG


def page_title(path: str, lang: str) -> str:
    """What the page's <title> will say once the app runs (dashboard.py's page config): the
    page, then the app. "/" and an unknown address open the first page."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    titles = {url: key for _, url, key, _ in PAGES}
    key = titles.get(last, PAGES[0][2])
    return f"{t(key, lang)} · {t('app.title', lang)}"


def head_for(html: bytes, path: str, query_string: bytes) -> bytes:
    """Streamlit's page says <html lang="en"> and <title>Streamlit</title> until its script
    runs: what a link preview (WeChat, a mail client) and a screen reader's first read get.
    Both are set here from the address, with the title as the preview's og:title too."""
    lang = page_language(query_string)
    title = escape(page_title(path, lang)).encode()
    html = html.replace(b'<html lang="en">', f'<html lang="{HTML_LANG[lang]}">'.encode(), 1)
    return html.replace(b"<title>Streamlit</title>",
                        b"<title>" + title + b'</title><meta property="og:title" content="'
                        + title + b'">', 1)


def _is_page_request(scope) -> bool:
    """A GET for an address Streamlit answers with its page (index.html): not a file (no dot
    in the last segment) and not one of the server's own routes."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    path = scope.get("path", "")
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return "." not in last and "/_stcore/" not in path and "/media/" not in path \
        and "/component/" not in path and "/app/static/" not in path


class BackendBaseUrl:
    """ASGI middleware: Streamlit's page HTML gets `base_url_script` in its <head>."""

    def __init__(self, app, page_urls: Iterable[str] = ()) -> None:
        self.app = app
        urls = list(page_urls) or [url for _, url, _, _ in PAGES]
        self.urls = [*urls, LANDING_URL]

    async def __call__(self, scope, receive, send) -> None:
        if not _is_page_request(scope):
            await self.app(scope, receive, send)
            return
        # The page is 1-2 KB: ask for it uncompressed, so that it can be read and changed.
        scope = dict(scope, headers=[(k, v) for k, v in scope["headers"]
                                     if k.lower() != b"accept-encoding"])
        start: dict | None = None
        chunks: list[bytes] = []

        async def send_page(message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict((k.lower(), v) for k, v in message.get("headers", []))
                if message["status"] == 200 and headers.get(b"content-type", b"").startswith(
                        b"text/html") and b"content-encoding" not in headers:
                    start = message  # held until the whole body is in
                    return
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = head_for(inject(b"".join(chunks), base_url_script(
                    self.urls, served_path(scope))), scope.get("path", ""),
                                scope.get("query_string", b""))
                headers = [(k, v) for k, v in start.get("headers", [])
                           if k.lower() != b"content-length"]
                await send({**start, "headers": [*headers,
                                                 (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, send_page)


# Streamlit's frontend build: /static/js, /static/css, /static/media, every name carrying Vite's
# 8-character content hash (index.DormvYxC.js). Fonts and images there are compressed already.
_STATIC_FILE = re.compile(r"/static/(?:js|css|media)/[^/]+\.(?:js|mjs|css|svg|json|map|txt)$")
_HASHED_NAME = re.compile(r"\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$")
IMMUTABLE = b"public, max-age=31536000, immutable"
_COMPRESSIBLE_TYPES = (b"text/", b"application/javascript", b"application/json",
                       b"image/svg+xml")
# Asked of the inner app when it fills the cache: the whole file, plain, whatever the client's
# own request said (its conditions and range are answered from the cached copy).
_FILL_DROPS = {b"accept-encoding", b"range", b"if-range", b"if-none-match",
               b"if-modified-since"}
# Not carried over to a compressed copy: they describe the plain file.
_PLAIN_ONLY = {b"content-length", b"content-encoding", b"etag", b"accept-ranges", b"vary",
               b"cache-control"}


def _gzip(data: bytes) -> bytes:
    # mtime=0: the same file gives the same bytes in every process behind a proxy.
    return gzip.compress(data, compresslevel=9, mtime=0)


def _brotli_encoder() -> Callable[[bytes], bytes] | None:
    try:
        import brotli
    except ImportError:
        try:
            import brotlicffi as brotli
        except ImportError:
            return None
    # Quality 6, not 11: it is paid once per file and process, on the first visitor's request.
    # A cold page's bundles measured 2.66 MB at 6 against 2.43 MB at 11, but 11 took 75 s of
    # CPU against 2 s (4.7 MB of Plotly alone: 17 s), on a loaded 2-core machine.
    return lambda data: brotli.compress(data, quality=6)


def encoders() -> dict[str, Callable[[bytes], bytes]]:
    """The encodings offered, in the server's order of preference: brotli when installed."""
    brotli = _brotli_encoder()
    return {**({"br": brotli} if brotli else {}), "gzip": _gzip}


def choose_encoding(accept: str, offered: Iterable[str]) -> str | None:
    """The offered encoding an Accept-Encoding header accepts with the highest weight (the
    first offered among equals); None when it accepts none of them (then: the plain file)."""
    weights: dict[str, float] = {}
    for part in accept.split(","):
        name, _, params = part.partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if name.strip():
            weights[name.strip().lower()] = weight
    best: tuple[str, float] | None = None
    for encoding in offered:
        weight = weights.get(encoding, weights.get("*", 0.0))
        if weight > 0 and (best is None or weight > best[1]):
            best = (encoding, weight)
    return best[0] if best else None


def _is_static_file(scope) -> bool:
    """A GET or HEAD of a compressible file of Streamlit's frontend build: not of the app's own
    /app/static/ folder or a component's build (names without a hash, or not Streamlit's)."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return False
    path = scope.get("path", "")
    return bool(_STATIC_FILE.search(path)) and not any(
        route in path for route in ("/app/static/", "/component/", "/_stcore/"))


def _header(scope, name: bytes) -> bytes:
    return next((v for k, v in scope["headers"] if k.lower() == name), b"")


@dataclass(frozen=True)
class _Compressed:
    """One file in one encoding, ready to send: its response headers and body."""
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


class CompressedStatic:
    """ASGI middleware: Streamlit's hashed bundles compressed by the client's Accept-Encoding,
    each compressed once and kept, and marked immutable. Everything else passes untouched:
    the pages, /_stcore/, the websocket, media, and a file a client takes plain."""

    def __init__(self, app, offered: dict[str, Callable[[bytes], bytes]] | None = None) -> None:
        self.app = app
        self.offered = encoders() if offered is None else dict(offered)
        self._cache: dict[tuple[str, str], _Compressed] = {}
        self._filling: dict[tuple[str, str], asyncio.Lock] = {}

    async def __call__(self, scope, receive, send) -> None:
        if not _is_static_file(scope):
            await self.app(scope, receive, send)
            return
        encoding = None if _header(scope, b"range") else choose_encoding(
            _header(scope, b"accept-encoding").decode("latin-1"), self.offered)
        if encoding is None:
            await self.app(scope, receive, _with_vary(send))
            return
        key = (scope["path"], encoding)
        compressed = self._cache.get(key)
        if compressed is None:
            # One compression per file even when several visitors ask for it at once.
            lock = self._filling.setdefault(key, asyncio.Lock())
            async with lock:
                compressed = self._cache.get(key)
                if compressed is None:
                    compressed = await self._fill(key, scope, receive, send)
            self._filling.pop(key, None)
            if compressed is None:
                return  # not a compressible file: the inner app's answer was sent as it was
        await _send_compressed(compressed, scope, send)

    async def _fill(self, key, scope, receive, send) -> _Compressed | None:
        """Ask the inner app for the whole plain file and compress it; anything other than a
        compressible 200 (a 404's index.html, an error) goes to the client as it came."""
        messages: list[dict] = []

        async def keep(message) -> None:
            messages.append(message)

        plain_scope = dict(scope, method="GET", headers=[
            (k, v) for k, v in scope["headers"] if k.lower() not in _FILL_DROPS])
        await self.app(plain_scope, receive, keep)
        start = messages[0]
        headers = [(k.lower(), v) for k, v in start.get("headers", [])]
        content_type = dict(headers).get(b"content-type", b"")
        if start["status"] != 200 or b"content-encoding" in dict(headers) \
                or content_type.startswith(b"text/html") \
                or not content_type.startswith(_COMPRESSIBLE_TYPES):
            for message in messages:
                if scope["method"] == "HEAD" and message["type"] == "http.response.body":
                    message = {**message, "body": b""}
                await send(message)
            return None
        plain = b"".join(m.get("body", b"") for m in messages[1:])
        encoding = key[1]
        # In a worker thread: compressing Plotly's bundle takes most of a second, which the
        # event loop (every session's websocket) must not wait for.
        body = await asyncio.to_thread(self.offered[encoding], plain)
        etag = dict(headers).get(b"etag", b"").strip(b'"')
        etag = b'"%s-%s"' % (etag, encoding.encode()) if etag else b""
        name_is_hashed = bool(_HASHED_NAME.search(scope["path"]))
        kept = [(k, v) for k, v in headers if k not in _PLAIN_ONLY]
        if not name_is_hashed:  # keep the inner app's caching for a name that can change
            kept += [(k, v) for k, v in headers if k == b"cache-control"]
        compressed = _Compressed(
            headers=[*kept, (b"content-encoding", encoding.encode()),
                     (b"content-length", str(len(body)).encode()),
                     (b"vary", b"Accept-Encoding"),
                     *([(b"cache-control", IMMUTABLE)] if name_is_hashed else []),
                     *([(b"etag", etag)] if etag else [])],
            body=body, etag=etag)
        self._cache[key] = compressed
        return compressed


async def _send_compressed(compressed: _Compressed, scope, send) -> None:
    if compressed.etag and compressed.etag in _header(scope, b"if-none-match"):
        headers = [(k, v) for k, v in compressed.headers
                   if k in (b"etag", b"cache-control", b"vary", b"last-modified")]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": compressed.headers})
    await send({"type": "http.response.body",
                "body": b"" if scope["method"] == "HEAD" else compressed.body})


def _with_vary(send):
    """`send` that adds `Vary: Accept-Encoding` to a plain answer, so that a shared cache (a
    proxy, a CDN) keeps it apart from the compressed one."""
    async def send_plain(message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 200:
            headers = list(message.get("headers", []))
            if not any(k.lower() == b"vary" for k, _ in headers):
                headers.append((b"vary", b"Accept-Encoding"))
            message = {**message, "headers": headers}
        await send(message)
    return send_plain
