"""The dashboard served as an ASGI app (`st.App`): its pages' HTML tells Streamlit's frontend
where the server is, so that opening a page's address makes no failing request.

Streamlit's frontend does not know whether `/finance` is a page or the prefix the app is
served under (a proxy's `/impact/`), so it tries `/finance/_stcore/health` and
`/finance/_stcore/host-config` first: two 404s on every direct page address (issue 11).
The frontend takes the server's address from `window.__streamlit.BACKEND_BASE_URL` when the
page defines it before Streamlit's own script runs. This middleware writes that definition
into the page's HTML: the address is the page's own URL less a trailing page name, so it is
right behind a proxy's prefix too, and the first probe is the one that answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from impact.web.menu import LANDING_URL, PAGES

_SCRIPT = """<script>(function (pages) {
  var parts = location.pathname.replace(/\\/+$/, "").split("/");
  var last = parts[parts.length - 1];
  try { last = decodeURIComponent(last); } catch (e) {}
  if (parts.length > 1 && pages.indexOf(last) >= 0) parts.pop();
  var config = Object.assign({}, window.__streamlit || {});
  config.BACKEND_BASE_URL = location.origin + parts.join("/") + "/";
  window.__streamlit = config;
})(%s);</script>"""


def base_url_script(page_urls: Iterable[str]) -> bytes:
    """The inline script that sets Streamlit's backend address from the page's own URL."""
    return (_SCRIPT % json.dumps(sorted(page_urls))).encode()


def inject(html: bytes, script: bytes) -> bytes:
    """`script` as the first element of <head>, so it runs before Streamlit's module script
    (module scripts are deferred; an inline script runs where it stands)."""
    head = html.find(b"<head>")
    if head < 0:
        return html  # not Streamlit's page: leave it as it is
    at = head + len(b"<head>")
    return html[:at] + script + html[at:]


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
        self.script = base_url_script([*urls, LANDING_URL])

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
                body = inject(b"".join(chunks), self.script)
                headers = [(k, v) for k, v in start.get("headers", [])
                           if k.lower() != b"content-length"]
                await send({**start, "headers": [*headers,
                                                 (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, send_page)
