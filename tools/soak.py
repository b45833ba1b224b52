"""Memory over a long run of reruns: the dashboard server's RSS every 30 s while browsers keep
changing filters (issue 14: what memory does over an hour with Streamlit's post-run GC off).

    python tools/soak.py DATA_DIR MINUTES OUT.jsonl
    python tools/soak.py /tmp/b10m 60 /tmp/soak.jsonl   # bench data from `impact bench --data-dir`

The server is the bench's instrumented one (impact.bench.e2e.Server: `streamlit run
dashboard.py` with .streamlit/config.toml, so runner.postScriptGC = false). Sessions come and
go, as in a day of use: each visit is a new browser context on the next everyday page, up to
12 filter changes through the real widgets (impact.bench.e2e_browser.Actor, each a selection
not asked before), then closed. One JSON line per sample: minutes, RSS, peak, script runs,
visits, changes, errors, 1-minute load average.
"""
import asyncio
import json
import os
import sys
import time

from impact.bench.e2e import Server, EVERYDAY, CHROMIUM_ARGS
from impact.bench.e2e_browser import Actor, INIT_JS, open_page
from impact.bench.pages import bench_orgs
from impact.storage.db import Database


async def soak(server: Server, orgs: list[str], minutes: float, log) -> None:
    from playwright.async_api import async_playwright
    from impact.report.browser import chromium_path
    t0 = time.monotonic()
    end = t0 + minutes * 60
    state = {"visits": 0, "changes": 0, "errors": 0}

    def sample() -> None:
        rec = {"t_min": round((time.monotonic() - t0) / 60, 2),
               "rss_mb": round(server.rss_mb(), 1), "peak_mb": round(server.peak_rss_mb, 1),
               "runs": len(server.runs()), **state, "load1": round(os.getloadavg()[0], 1)}
        log.write(json.dumps(rec) + "\n")
        log.flush()

    async def sampler() -> None:
        while time.monotonic() < end:
            sample()
            await asyncio.sleep(30)  # sampling period of a measurement, not a wait for state

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        task = asyncio.create_task(sampler())
        i = 0
        while time.monotonic() < end:
            name = EVERYDAY[i % len(EVERYDAY)]
            ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
            await ctx.add_init_script(INIT_JS)
            page, m, holder = await open_page(ctx, f"{server.base}/{name}", name)
            state["visits"] += 1
            state["errors"] += bool(m.error)
            shift = (i * 7) % len(orgs)
            actor = Actor(page, name, orgs[shift:] + orgs[:shift], holder, seed=i)
            for _ in range(12):
                if time.monotonic() >= end:
                    break
                m = await actor.change()
                state["changes"] += 1
                state["errors"] += bool(m.error)
            await ctx.close()
            i += 1
        await task
        sample()
        await browser.close()


def main(argv: list[str]) -> int:
    data_dir, minutes, out = argv[0], float(argv[1]), argv[2]
    db = Database(data_dir)
    try:
        orgs = bench_orgs(db)
    finally:
        db.close()
    server = Server(data_dir, "config").start()
    try:
        with open(out, "w", encoding="utf-8") as log:
            asyncio.run(soak(server, orgs, minutes, log))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
