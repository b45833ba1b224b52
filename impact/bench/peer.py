"""`impact bench --e2e --peer APP`: our overview against a plain Streamlit page, in one run.

The budget of issue 29 asks the overview's filter change to settle at least 3× sooner than
the same page written the plain way (`../shared/peer/peer_app.py`: pandas in
`st.cache_resource`, plotly express, a group-by per rerun) on the same data. Both servers
run side by side on the bench data; one Chromium drives both, alternating change by change
(and which app goes first in each round), so the machine's load falls on both alike.

Each app gets a first page in a new browser context, then `changes` filter changes in its
sidebar, each timed from the keystroke until the page has settled, as `--e2e` times ours
(impact.bench.e2e_browser). Only the filters both pages have are changed: organisations
(added one at a time) and the year range.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from pathlib import Path

from impact.bench.e2e import CHROMIUM_ARGS, Server, _attach_server_runs, _f, _p
from impact.bench.e2e_browser import INIT_JS, Actor, Measure, open_page

KINDS = ("org", "year")
BUDGET_RATIO = 3.0  # the plain page's change p50 ÷ ours, at least (issue 29)


async def _alternate(ours: str, peer: str, orgs: list[str], changes: int
                     ) -> dict[str, list[Measure]]:
    from playwright.async_api import async_playwright
    from impact.report.browser import chromium_path

    out: dict[str, list[Measure]] = {"ours": [], "peer": []}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            actors = {}
            for key, url, name in (("ours", f"{ours}/overview", "overview"),
                                   ("peer", f"{peer}/", "peer")):
                context = await browser.new_context(viewport={"width": 1400, "height": 900})
                await context.add_init_script(INIT_JS)
                page, first, holder = await open_page(context, url, name)
                out[key].append(first)
                actors[key] = Actor(page, name, orgs, holder, seed=29, kinds=KINDS)
            for i in range(changes):
                for key in (("ours", "peer") if i % 2 == 0 else ("peer", "ours")):
                    # The app being timed is the tab in front, as for a user (both alike).
                    await actors[key].page.bring_to_front()
                    out[key].append(await actors[key].change())
        finally:
            await browser.close()
    return out


def _summary(measures: list[Measure]) -> dict:
    first = [m for m in measures if m.kind == "first"]
    changes = [m for m in measures if m.kind in KINDS and not m.error]
    with_server = [m for m in changes if m.server]
    med = lambda xs: round(statistics.median(xs), 1) if xs else None  # noqa: E731
    return {"first_ms": None if not first or first[0].error else round(first[0].settled),
            "change_n": len(changes),
            "change_p50_ms": med([m.settled for m in changes]),
            "change_p95_ms": _p([m.settled for m in changes], 95),
            "request_to_finished_p50_ms": med([m.finished - m.sent for m in changes
                                               if m.sent is not None]),
            "browser_after_finish_p50_ms": med([m.settled - m.finished for m in changes]),
            "model_p50_ms": med([m.server["model_ms"] for m in with_server]),
            "kb_per_change_p50": med([m.bytes / 1024 for m in changes]),
            "errors": [m.error for m in measures if m.error][:5],
            "error_count": sum(1 for m in measures if m.error)}


def run_peer(data_dir: str, orgs: list[str], changes: int, peer_app: str | Path,
             log=print) -> dict:
    """Both apps on `data_dir`; returns the summary (what --json writes under 'peer')."""
    load_before = os.getloadavg()
    ours = Server(data_dir, "config").start()
    try:
        peer = Server(data_dir, "config", plain_app=peer_app).start()
    except Exception:
        ours.stop()
        raise
    try:
        log(f"peer: our overview on {ours.base} against {peer_app} on {peer.base}, "
            f"{changes} changes each, alternating …")
        t0 = time.perf_counter()
        measures = asyncio.run(_alternate(ours.base, peer.base, orgs, changes))
        wall = time.perf_counter() - t0
        _attach_server_runs(measures["ours"], ours.runs())
        rss = {"ours": round(ours.peak_rss_mb), "peer": round(peer.peak_rss_mb)}
    finally:
        peer.stop()
        ours.stop()
    result = {"peer_app": str(peer_app), "changes": changes, "wall_s": round(wall, 1),
              "load_before": [round(x, 1) for x in load_before],
              "load_after": [round(x, 1) for x in os.getloadavg()],
              "ours": _summary(measures["ours"]), "peer": _summary(measures["peer"]),
              "rss_peak_mb": rss}
    a, b = result["ours"]["change_p50_ms"], result["peer"]["change_p50_ms"]
    result["ratio"] = round(b / a, 2) if a and b else None
    return result


def format_peer(rows: int, r: dict) -> str:
    head = (f"{'app':<28}{'first':>7}{'change n':>9}{'p50':>7}{'p95':>7}{'server':>8}"
            f"{'model':>7}{'browser':>8}{'KB':>6}{'RSS MB':>8}")
    lines = [f"{rows:,} rows, the overview against the plain page ({r['peer_app']}), "
             f"alternating change by change in one Chromium; ms; load average "
             f"{r['load_before'][0]} before, {r['load_after'][0]} after", head, "-" * len(head)]
    for key, label in (("ours", "this project's overview"), ("peer", "the plain page")):
        s = r[key]
        lines.append(f"{label:<28}{_f(s['first_ms'], 7)}{s['change_n']:>9}"
                     f"{_f(s['change_p50_ms'], 7)}{_f(s['change_p95_ms'], 7)}"
                     f"{_f(s['request_to_finished_p50_ms'], 8)}{_f(s['model_p50_ms'], 7)}"
                     f"{_f(s['browser_after_finish_p50_ms'], 8)}{_f(s['kb_per_change_p50'], 6)}"
                     f"{r['rss_peak_mb'][key]:>8}"
                     + (f"  {s['error_count']} error(s)" if s["error_count"] else ""))
        for error in s["errors"][:2]:
            lines.append(f"  error: {error}")
    lines.append("-" * len(head))
    ratio = r["ratio"]
    verdict = ("not measured" if ratio is None else
               f"{ratio:.2f}× ({'met' if ratio >= BUDGET_RATIO else 'missed'}: the budget is "
               f"{BUDGET_RATIO:g}×)")
    lines += [f"the plain page's change p50 ÷ ours: {verdict}",
              "change = filter action → run finished and DOM settled (organisations added one "
              "at a time, the year range moved); server = request → run finished; model = our "
              "page model within it; browser = run finished → settled; KB = websocket bytes "
              "per change; RSS = server process peak."]
    return "\n".join(lines)
