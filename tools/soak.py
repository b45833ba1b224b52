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
from impact.storage.db import Database

DATA, MINUTES, OUT = sys.argv[1], float(sys.argv[2]), sys.argv[3]

db = Database(DATA)
orgs = list(dict.fromkeys(r["org"] for r in db.rows(
    "activity_by_project", orgs=[], projects=[], areas=[], year_from=None, year_to=None)))
db.close()

server = Server(DATA, "config").start()
log = open(OUT, "w")


def sample(t0, visits, changes, errors):
    rec = {"t_min": round((time.monotonic() - t0) / 60, 2), "rss_mb": round(server.rss_mb(), 1),
           "peak_mb": round(server.peak_rss_mb, 1), "runs": len(server.runs()),
           "visits": visits, "changes": changes, "errors": errors,
           "load1": round(os.getloadavg()[0], 1)}
    log.write(json.dumps(rec) + "\n"); log.flush()


async def main():
    from playwright.async_api import async_playwright
    from impact.report.browser import chromium_path
    t0 = time.monotonic()
    end = t0 + MINUTES * 60
    state = {"visits": 0, "changes": 0, "errors": 0}

    async def sampler():
        while time.monotonic() < end:
            sample(t0, **state)
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
        sample(t0, **state)
        await browser.close()

try:
    asyncio.run(main())
finally:
    server.stop()
