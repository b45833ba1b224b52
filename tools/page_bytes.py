"""Bytes of a first page on the wire (issue 29): what a browser downloads to show one page of a
running dashboard, cold (a fresh browser profile) and warm (a second visit in the same one).

    python tools/page_bytes.py http://127.0.0.1:8529 [/overview] [--json] [--accept-encoding gzip]

Bytes, not time: the sizes are the same on a loaded machine as on a quiet one. Each response is
counted by Chromium's own figure for what crossed the wire (CDP `Network.loadingFinished`
encodedDataLength: the headers plus the body as sent, compressed or not), so a file served from
the browser's cache counts 0. The page is done when Streamlit's script has run and drawn its
title, every element is drawn (no skeleton: Plotly's bundle is fetched when the first chart is
drawn, after the run), and the network is idle.
Websocket frames (the page's own data) are counted on a line of their own.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser_support import CHROMIUM_ARGS, RUN_DEADLINE_MS, _IDLE  # noqa: E402

# Drawn: the script has run, and no element is still a skeleton (Streamlit draws one while it
# fetches the element's code, such as Plotly's bundle for a chart: seconds after the run ends).
_DRAWN = (f"() => !!document.querySelector(\"[data-testid='stMain'] h1\") && ({_IDLE})()"
          " && !document.querySelector(\"[data-testid='stSkeleton']\")")


def _kind(mime: str, url: str) -> str:
    path = url.split("?", 1)[0]
    if "javascript" in mime or path.endswith(".js"):
        return "js"
    if "css" in mime:
        return "css"
    if "font" in mime or path.endswith((".woff2", ".woff", ".ttf")):
        return "font"
    if mime.startswith("text/html"):
        return "html"
    if mime.startswith("image/"):
        return "image"
    return "other"


def visit(context, url: str) -> dict:
    """Open `url` in a new tab of `context`; every response's bytes on the wire and headers."""
    page = context.new_page()
    page.set_default_timeout(RUN_DEADLINE_MS)
    cdp = context.new_cdp_session(page)
    responses: dict[str, dict] = {}
    ws = {"frames": 0, "bytes": 0}

    def on_response(event) -> None:
        r = event["response"]
        headers = {k.lower(): v for k, v in r.get("headers", {}).items()}
        responses[event["requestId"]] = {
            "url": r["url"], "status": r["status"], "mime": r.get("mimeType", ""),
            "encoding": headers.get("content-encoding", ""),
            "cache_control": headers.get("cache-control", ""),
            "from_cache": bool(r.get("fromDiskCache") or r.get("fromPrefetchCache")),
            "wire": 0}

    def on_finished(event) -> None:
        if event["requestId"] in responses:
            responses[event["requestId"]]["wire"] = int(event["encodedDataLength"])

    def on_cached(event) -> None:
        if event["requestId"] in responses:
            responses[event["requestId"]]["from_cache"] = True

    def on_frame(event) -> None:
        ws["frames"] += 1
        ws["bytes"] += len(event["response"].get("payloadData", ""))

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.requestServedFromCache", on_cached)
    cdp.on("Network.webSocketFrameReceived", on_frame)
    cdp.send("Network.enable")
    page.goto(url)
    page.wait_for_function(_DRAWN, timeout=RUN_DEADLINE_MS)
    page.wait_for_load_state("networkidle")
    page.close()
    return {"responses": list(responses.values()), "websocket": ws}


def summary(result: dict) -> dict:
    """Bytes on the wire and responses per kind, and the totals."""
    by_kind: dict[str, dict] = defaultdict(lambda: {"responses": 0, "wire": 0, "from_cache": 0})
    for r in result["responses"]:
        row = by_kind[_kind(r["mime"], r["url"])]
        row["responses"] += 1
        row["wire"] += r["wire"]
        row["from_cache"] += r["from_cache"] or r["wire"] == 0
    total = sum(r["wire"] for r in result["responses"])
    return {"by_kind": dict(sorted(by_kind.items())), "total_wire": total,
            "websocket": result["websocket"]}


def measure(base: str, path: str = "/overview", accept_encoding: str | None = None) -> dict:
    """The cold and the warm visit of `path`; `accept_encoding` replaces the browser's own
    (a client without brotli: "gzip")."""
    from playwright.sync_api import sync_playwright

    from impact.report.browser import chromium_path
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1400, "height": 900},
            extra_http_headers={"Accept-Encoding": accept_encoding} if accept_encoding else None)
        cold = visit(context, base.rstrip("/") + path)
        warm = visit(context, base.rstrip("/") + path)
        browser.close()
    return {"cold": cold, "warm": warm}


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


def report(got: dict) -> str:
    lines = []
    for visit_name in ("cold", "warm"):
        s = summary(got[visit_name])
        lines.append(f"{visit_name}: {_mb(s['total_wire'])} on the wire "
                     f"(+ websocket {_mb(s['websocket']['bytes'])} in "
                     f"{s['websocket']['frames']} frames)")
        for kind, row in s["by_kind"].items():
            lines.append(f"  {kind:6} {row['responses']:4} responses {_mb(row['wire']):>10}"
                         f"  ({row['from_cache']} from cache)")
    plain = [r for r in got["cold"]["responses"]
             if r["wire"] > 10_000 and not r["encoding"]]
    lines.append(f"cold responses over 10 kB sent without content-encoding: {len(plain)}")
    for r in sorted(plain, key=lambda r: -r["wire"])[:8]:
        lines.append(f"  {_mb(r['wire']):>10}  {r['url'].split('/')[-1][:50]}"
                     f"  cache-control: {r['cache_control'] or '-'}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the running dashboard, e.g. http://127.0.0.1:8529")
    parser.add_argument("path", nargs="?", default="/overview")
    parser.add_argument("--json", action="store_true", help="every response, as JSON")
    parser.add_argument("--accept-encoding", help="instead of the browser's own, e.g. gzip")
    args = parser.parse_args()
    got = measure(args.base, args.path, args.accept_encoding)
    if args.json:
        print(json.dumps({k: {**v, "summary": summary(v)} for k, v in got.items()}, indent=1))
    else:
        print(report(got))


if __name__ == "__main__":
    main()
