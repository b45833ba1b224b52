"""`impact bench --load N`: capacity, measured at the protocol level (issue 29).

N websocket clients speak Streamlit's own protocol to the dashboard's `/_stcore/stream`
(the BackMsg / ForwardMsg protobufs shipped in the installed streamlit package), as the
browser does, so 30 "users" cost the machine 30 sockets and not 30 Chromiums competing with
the server for its two cores.

What one session does, as the browser would (a capture of Chromium's frames shows the same
messages, see docs/performance.md):

1. connects (subprotocol `streamlit`) and asks for its first page: a `rerun_script` with the
   page's url path as `page_name`, no query string and no widget states: a new visitor;
2. makes K filter changes across the everyday pages, each a `rerun_script` with the page's
   `page_script_hash` (from the server's `navigation` message) and a new `query_string`
   (`org`, `from`, `to`, `project`, `area`, `lang`): the app keeps its filters in the URL
   (impact/web/urlstate.py), and a query string the session did not write is taken as the
   view (context._navigated: Back, Forward, a pasted link), so this runs exactly the script a
   widget change runs: sidebar options, the page model at a selection never asked before (no
   cache answers it), the elements, the URL written back. When the next change is on another
   page, the session first switches to it with its current filters (timed as a `switch`, a
   page change the way the sidebar menu does it), then changes the filters there.

Each request is timed from the send until the `script_finished` ForwardMsg of its run
(FINISHED_SUCCESSFULLY; a run that ends early for a rerun, as the first visit's routing
does, is followed to the next). Errors: an exception element (`st.exception`, a traceback)
or an error alert (`st.error`, e.g. "needs more memory") in the run's deltas, a run that did
not finish within `timeout` seconds, a lost connection. A session stops at a timeout or a
lost connection; its remaining changes are counted as not run.

The server is the instrumented one of `--e2e` (impact.bench.e2e_server): its run log gives
each run's script body, so a change splits into waiting for the run to start, the script
body, and Streamlit after it; psutil samples its memory and CPU time.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
import urllib.parse
from dataclasses import dataclass, field

from impact.bench.stats import percentile

EVERYDAY = ("overview", "beneficiaries", "volunteers", "finance", "growth")
TIMEOUT_S = 120.0  # a run not finished by then is an error (the machine is shared)


@dataclass
class Timing:
    """One request of one session: a first page, a page switch or a filter change."""

    session: int
    page: str
    kind: str  # first | switch | change
    query: str
    sent: float = 0.0          # epoch seconds
    ms: float | None = None    # send → script_finished
    bytes: int = 0             # ForwardMsg bytes received for it
    messages: int = 0
    error: str | None = None
    server_session: str = ""


@dataclass
class _Run:
    """What the receiver has seen since the last request."""

    done: asyncio.Event = field(default_factory=asyncio.Event)
    status: int | None = None
    errors: list[str] = field(default_factory=list)
    bytes: int = 0
    messages: int = 0
    page_hash: str = ""  # the page the run's navigation message says it ran


class ProtocolSession:
    """One websocket client speaking Streamlit's protocol."""

    def __init__(self, base: str, index: int, timeout: float = TIMEOUT_S):
        self.url = base.replace("http://", "ws://").replace("https://", "wss://") \
            + "/_stcore/stream"
        self.base = base
        self.index = index
        self.timeout = timeout
        self.page_hashes: dict[str, str] = {}
        self.session_id = ""
        self.query = ""  # the query string the server last wrote (page_info_changed)
        self._ws = None
        self._run: _Run | None = None
        self._reader: asyncio.Task | None = None
        self.closed: str | None = None

    async def connect(self) -> None:
        from websockets.asyncio.client import connect
        # As the browser: the `streamlit` subprotocol, permessage-deflate offered (the
        # server then compresses, as it does for Chromium), no size limit on a message.
        self._ws = await connect(self.url, subprotocols=["streamlit"], max_size=None,
                                 open_timeout=self.timeout, ping_interval=None,
                                 origin=self.base)
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 (closing anyway)
                pass

    async def _read(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        try:
            async for data in self._ws:
                if isinstance(data, str):
                    continue
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._on_message(msg, len(data))
        except Exception as exc:  # noqa: BLE001 (any end of the connection is reported)
            self.closed = f"connection lost: {type(exc).__name__}: {exc}"[:300]
        else:
            self.closed = "connection closed by the server"
        if self._run is not None:
            self._run.done.set()

    def _on_message(self, msg, size: int) -> None:
        run = self._run
        if run is not None:
            run.bytes += size
            run.messages += 1
        kind = msg.WhichOneof("type")
        if kind == "delta":
            if run is not None and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    run.errors.append(f"exception: {element.exception.type}: "
                                      f"{element.exception.message}"[:300])
                elif which == "alert" and element.alert.format == 1:  # Alert.Format.ERROR
                    run.errors.append(f"error alert: {element.alert.body}"[:300])
        elif kind == "navigation":
            for page in msg.navigation.app_pages:
                if page.url_pathname:
                    self.page_hashes[page.url_pathname] = page.page_script_hash
            if run is not None:
                run.page_hash = msg.navigation.page_script_hash
        elif kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "page_not_found" and run is not None:
            run.errors.append(f"page not found: {msg.page_not_found.page_name}")
        elif kind == "script_finished" and run is not None:
            status = msg.script_finished
            if status == 2:  # FINISHED_EARLY_FOR_RERUN: the next run is this request's too
                return
            run.status = status
            run.done.set()

    async def request(self, timing: Timing, page_name: str = "", page_hash: str = "") -> Timing:
        """Send one rerun_script and wait for its run to finish; fills `timing`."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if self.closed:
            timing.error = self.closed
            return timing
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = timing.query
        rerun.widget_states.SetInParent()
        if page_hash:
            rerun.page_script_hash = page_hash
        if page_name:
            rerun.page_name = page_name
        info = rerun.context_info
        info.timezone, info.timezone_offset, info.locale = "Asia/Shanghai", -480, "zh-CN"
        info.url = f"{self.base}/{timing.page}" + (f"?{timing.query}" if timing.query else "")
        info.is_embedded, info.color_scheme = False, "light"
        self._run = run = _Run()
        payload = msg.SerializeToString()
        timing.sent = time.time()
        t0 = time.perf_counter()
        try:
            await self._ws.send(payload)
            await asyncio.wait_for(run.done.wait(), self.timeout)
        except asyncio.TimeoutError:
            timing.error = f"timeout: run not finished after {self.timeout:.0f} s"
        except Exception as exc:  # noqa: BLE001
            timing.error = f"send failed: {type(exc).__name__}: {exc}"[:300]
        else:
            if run.status is None:
                timing.error = self.closed or "no script_finished"
            elif run.status not in (0, 3):
                timing.error = f"script finished with status {run.status}"
            elif run.page_hash != self.page_hashes.get(timing.page, run.page_hash):
                timing.error = f"wrong page: asked for {timing.page}, the run showed another"
        timing.ms = (time.perf_counter() - t0) * 1000
        timing.bytes, timing.messages = run.bytes, run.messages
        timing.server_session = self.session_id
        if run.errors and not timing.error:
            timing.error = run.errors[0]
        self._run = None
        return timing


def query_string(filters, lang: str = "zh") -> str:
    """The URL query the app writes for these filters (impact.web.urlstate.to_params)."""
    from impact.web.urlstate import to_params

    params = to_params(filters.orgs, filters.year_from, filters.year_to, filters.projects,
                       filters.areas, lang)
    return urllib.parse.urlencode([(k, v) for k, vs in params.items() for v in vs])


def plan(sessions: int, changes: int, pages: tuple[str, ...], selections: list) -> list[list]:
    """Per session: its (page, filters) changes. Sessions start on different pages; each
    visits the pages in order, its K changes spread over them; every selection is new."""
    out, it = [], iter(selections)
    for s in range(sessions):
        order = list(pages[s % len(pages):] + pages[:s % len(pages)])
        mine = []
        for i in range(changes):
            page = order[(i * len(order)) // changes] if changes >= len(order) else order[i]
            mine.append((page, next(it)))
        out.append(mine)
    return out


async def _session(base: str, index: int, changes: list, think_s: float, timeout: float,
                   out: list[Timing], start_gate: asyncio.Event | None = None,
                   stagger_s: float = 0.0) -> None:
    rng = random.Random(index)
    if stagger_s:
        await asyncio.sleep(stagger_s * index)
    session = ProtocolSession(base, index, timeout)
    first_page = changes[0][0] if changes else EVERYDAY[0]
    first = Timing(index, first_page, "first", "")
    try:
        await session.connect()
    except Exception as exc:  # noqa: BLE001
        first.error = f"connect failed: {type(exc).__name__}: {exc}"[:300]
        out.append(first)
        out.extend(Timing(index, p, "change", "", error="not run: no connection")
                   for p, _ in changes)
        return
    try:
        out.append(await session.request(first, page_name=first_page))
        if start_gate is not None:
            await start_gate.wait()
        current, current_query = first_page, session.query
        for n, (page, filters) in enumerate(changes):
            if session.closed or any(t.error and t.error.startswith("timeout")
                                     for t in out if t.session == index):
                out.append(Timing(index, page, "change", "", error="not run: session ended"))
                continue
            if think_s:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)
            if page != current:
                switch = Timing(index, page, "switch", session.query or current_query)
                out.append(await session.request(switch, page_hash=session.page_hashes.get(page,
                                                                                           "")))
                current = page
            change = Timing(index, page, "change", query_string(filters))
            out.append(await session.request(change,
                                             page_hash=session.page_hashes.get(page, "")))
    finally:
        await session.close()


class _Sampler:
    """Peak RSS and CPU time of the server process (and of this driver), sampled."""

    def __init__(self, pid: int | None, interval: float = 0.1):
        import psutil
        self.proc = psutil.Process(pid) if pid else None
        self.me = psutil.Process()
        self.interval = interval
        self.peak_rss_mb = 0.0
        self._task = None

    def cpu(self) -> tuple[float, float]:
        server = sum(self.proc.cpu_times()[:2]) if self.proc else 0.0
        return server, sum(self.me.cpu_times()[:2])

    def rss_mb(self) -> float:
        return self.proc.memory_info().rss / 2**20 if self.proc else 0.0

    async def _loop(self) -> None:
        while True:
            try:
                self.peak_rss_mb = max(self.peak_rss_mb, self.rss_mb())
            except Exception:  # noqa: BLE001 (the process ended: keep the peak)
                return
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass


async def drive(base: str, plans: list[list], server_pid: int | None = None,
                think_s: float = 0.0, timeout: float = TIMEOUT_S,
                stagger_s: float = 0.05) -> dict:
    """Run every session's plan at once; return the timings and the server's figures."""
    sampler = _Sampler(server_pid)
    sampler.start()
    out: list[Timing] = []
    gate = asyncio.Event()
    cpu0 = sampler.cpu()
    firsts = [asyncio.create_task(_session(base, i, p, think_s, timeout, out, gate, stagger_s))
              for i, p in enumerate(plans)]
    # Every session has its first page before the changes start: the figure is for
    # concurrent filter changes, not for 30 sessions arriving at once (timed apart as 'first').
    while sum(1 for t in out if t.kind == "first") < len(plans) \
            and not all(task.done() for task in firsts):
        await asyncio.sleep(0.05)
    load_start = os.getloadavg()
    t_changes = time.perf_counter()
    cpu1 = sampler.cpu()
    gate.set()
    await asyncio.gather(*firsts)
    wall = time.perf_counter() - t_changes
    cpu2 = sampler.cpu()
    await sampler.stop()
    return {"timings": out, "wall_s": wall, "load_start": load_start,
            "load_end": os.getloadavg(),
            "server_cpu_first_s": cpu1[0] - cpu0[0], "server_cpu_s": cpu2[0] - cpu1[0],
            "driver_cpu_s": cpu2[1] - cpu0[1], "server_rss_peak_mb": sampler.peak_rss_mb,
            "server_rss_end_mb": sampler.rss_mb() if server_pid else 0.0}


def _pct(values: list[float], q: float) -> float | None:
    return round(percentile(values, q), 1) if values else None


def summarize(result: dict, runs: list[dict] | None = None) -> dict:
    """p50/p95/max per kind and per page, errors, throughput, and (given the server's run
    log) how a change splits into waiting for the run, the script body, and after it."""
    timings: list[Timing] = result["timings"]
    changes = [t for t in timings if t.kind == "change"]
    ok = [t.ms for t in changes if not t.error]
    by_run = {}
    for run in runs or []:
        by_run.setdefault(run["session"], []).append(run)
    split = {"wait": [], "script": [], "after": [], "model": [], "setup": []}
    for t in changes:
        if t.error or not t.server_session:
            continue
        mine = [r for r in by_run.get(t.server_session, [])
                if t.sent - 0.005 <= r["start"] <= t.sent + t.ms / 1000]
        if not mine:
            continue
        first_start = min(r["start"] for r in mine)
        body = sum((r["body_end"] - r["start"]) * 1000 for r in mine)
        split["wait"].append((first_start - t.sent) * 1000)
        split["script"].append(body)
        split["after"].append(t.ms - (first_start - t.sent) * 1000 - body)
        split["model"].append(sum(r["model_ms"] for r in mine))
        split["setup"].append(sum(r["setup_ms"] for r in mine))
    pages = {}
    for page in dict.fromkeys(t.page for t in changes):
        mine = [t.ms for t in changes if t.page == page and not t.error]
        pages[page] = {"n": len(mine), "p50_ms": _pct(mine, 50), "p95_ms": _pct(mine, 95),
                       "max_ms": round(max(mine), 1) if mine else None}
    errors = [t for t in timings if t.error]
    kinds = {}
    for kind in ("first", "switch", "change"):
        mine = [t.ms for t in timings if t.kind == kind and not t.error]
        kinds[kind] = {"n": len(mine), "p50_ms": _pct(mine, 50), "p95_ms": _pct(mine, 95),
                       "max_ms": round(max(mine), 1) if mine else None}
    requests = [t for t in timings if t.kind in ("switch", "change") and not t.error]
    sessions = len({t.session for t in timings})
    return {
        "sessions": sessions,
        "changes": len(changes), "changes_ok": len(ok),
        "change_p50_ms": _pct(ok, 50), "change_p95_ms": _pct(ok, 95),
        "change_max_ms": round(max(ok), 1) if ok else None,
        "kinds": kinds, "pages": pages,
        "errors": len(errors),
        "error_kinds": _error_kinds(errors),
        "error_examples": [f"{t.kind} {t.page} (session {t.session}): {t.error}"
                           for t in errors[:5]],
        "wall_s": round(result["wall_s"], 1),
        "runs_per_s": round(len(requests) / result["wall_s"], 2) if result["wall_s"] else None,
        "changes_per_s": round(len(ok) / result["wall_s"], 2) if result["wall_s"] else None,
        "server_cpu_s": round(result["server_cpu_s"], 1),
        "server_cpu_ms_per_run": round(result["server_cpu_s"] * 1000 / len(requests), 1)
        if requests else None,
        "driver_cpu_s": round(result["driver_cpu_s"], 1),
        "kb_per_change_p50": round(statistics.median([t.bytes for t in changes
                                                      if not t.error]) / 1024, 1) if ok else None,
        "split_p50_ms": {k: _pct(v, 50) for k, v in split.items()},
        "split_p95_ms": {k: _pct(v, 95) for k, v in split.items()},
        "server_rss_peak_mb": round(result["server_rss_peak_mb"], 1),
        "server_rss_end_mb": round(result["server_rss_end_mb"], 1),
        "load_start": [round(x, 2) for x in result["load_start"]],
        "load_end": [round(x, 2) for x in result["load_end"]],
    }


def _error_kinds(errors: list[Timing]) -> dict[str, int]:
    out: dict[str, int] = {}
    for t in errors:
        key = t.error.split(":", 1)[0]
        out[key] = out.get(key, 0) + 1
    return out


def selections(data_dir: str, n: int, seed: int = 29) -> list:
    """n different selections over the data (impact.bench.pages.filter_changes)."""
    from impact.bench.worker import _selection
    from impact.storage.db import Database

    db = Database(data_dir)
    try:
        orgs, years, projects, areas, _default, filter_changes = _selection(db)
    finally:
        db.close()
    found = filter_changes(orgs, years, n, seed=seed, projects=projects, areas=areas)
    if len(found) < n:  # a small data set: repeat, the cache then answers the repeats
        found = (found * (n // max(1, len(found)) + 1))[:n]
    return found


def run_load(data_dir: str, sessions: int, changes: int, pages: tuple[str, ...] = EVERYDAY,
             think_s: float = 0.0, timeout: float = TIMEOUT_S, url: str | None = None,
             server_pid: int | None = None, log=print, server_log: str | None = None) -> dict:
    """Start the instrumented server over `data_dir` (or use the one at `url`), drive
    `sessions` protocol-level sessions of `changes` filter changes each; the summary."""
    from impact.bench.e2e import Server

    chosen = selections(data_dir, sessions * changes)
    plans = plan(sessions, changes, pages, chosen)
    server = None
    if url is None:
        server = Server(data_dir, "config", stderr_path=server_log or os.devnull).start()
        url, server_pid = server.base, server.proc.pid
    try:
        rss_idle = _Sampler(server_pid).rss_mb() if server_pid else 0.0
        log(f"load: {sessions} protocol-level session(s) × {changes} change(s) on {url} …")
        result = asyncio.run(drive(url, plans, server_pid, think_s, timeout))
        runs = server.runs() if server else []
    finally:
        if server is not None:
            server.stop()
    summary = summarize(result, runs)
    summary.update({"think_s": think_s, "server_rss_idle_mb": round(rss_idle, 1),
                    "url": url if server is None else "started"})
    return summary


def format_load(rows: int | None, s: dict) -> str:
    """The capacity table."""
    f = lambda v: "–" if v is None else f"{v:.0f}"  # noqa: E731
    head = f"{'':<21}{'n':>5}{'p50':>8}{'p95':>8}{'max':>8}"
    lines = [(f"{rows:,} rows, " if rows else "")
             + f"protocol level: {s['sessions']} sessions, {s['changes']} filter changes"
             + (f", think {s['think_s']:g} s" if s.get("think_s") else ", no think time")
             + f"; ms; load average {s['load_start'][0]} at the start, "
             f"{s['load_end'][0]} at the end", head, "-" * len(head)]
    for kind, k in s["kinds"].items():
        lines.append(f"{kind:<21}{k['n']:>5}{f(k['p50_ms']):>8}{f(k['p95_ms']):>8}"
                     f"{f(k['max_ms']):>8}")
    lines.append("-" * len(head))
    for page, p in s["pages"].items():
        lines.append(f"change {page:<14}{p['n']:>5}{f(p['p50_ms']):>8}{f(p['p95_ms']):>8}"
                     f"{f(p['max_ms']):>8}")
    lines.append("-" * len(head))
    sp, sp95 = s["split_p50_ms"], s["split_p95_ms"]
    lines += [
        f"errors: {s['errors']} {s['error_kinds'] or ''}".rstrip(),
        *[f"  {e}" for e in s["error_examples"]],
        f"throughput: {s['runs_per_s']} runs/s ({s['changes_per_s']} changes/s) over "
        f"{s['wall_s']} s; server CPU {s['server_cpu_s']} s = {s['server_cpu_ms_per_run']} ms "
        f"per run; driver CPU {s['driver_cpu_s']} s",
        f"a change, p50 (p95): waiting for the run {f(sp['wait'])} ({f(sp95['wait'])}), "
        f"script body {f(sp['script'])} ({f(sp95['script'])}) of which setup "
        f"{f(sp['setup'])} and page model {f(sp['model'])}, after the body "
        f"{f(sp['after'])} ({f(sp95['after'])}); {s['kb_per_change_p50']} KB per change",
        f"server RSS: {s['server_rss_idle_mb']:.0f} MB idle, {s['server_rss_peak_mb']:.0f} MB "
        f"peak, {s['server_rss_end_mb']:.0f} MB at the end",
        "first = a new session's first page; switch = a page change with the same filters;",
        "change = a new query string (a selection never asked before) on that page; each timed",
        "from the send to its script_finished message."]
    return "\n".join(lines)


async def _page_memory(base: str, pages: list[str], server_pid: int, timeout: float,
                       settle_s: float = 0.5) -> list[dict]:
    """One session visits each page in turn (default filters); per page the server's RSS
    peak while it ran (sampled every 20 ms), its RSS after, and the process's VmHWM."""
    import psutil

    proc = psutil.Process(server_pid)
    session = ProtocolSession(base, 0, timeout)
    await session.connect()
    out = []
    try:
        for n, page in enumerate(pages):
            peak = [proc.memory_info().rss]

            async def sample(peak=peak):
                while True:
                    peak[0] = max(peak[0], proc.memory_info().rss)
                    await asyncio.sleep(0.02)

            sampler = asyncio.create_task(sample())
            timing = Timing(0, page, "first" if n == 0 else "switch", session.query)
            if n == 0:
                await session.request(timing, page_name=page)
            else:
                await session.request(timing, page_hash=session.page_hashes.get(page, ""))
            await asyncio.sleep(settle_s)
            sampler.cancel()
            try:
                await sampler
            except asyncio.CancelledError:
                pass
            out.append({"page": page, "ms": round(timing.ms or 0, 1), "error": timing.error,
                        "rss_peak_mb": round(peak[0] / 2**20, 1),
                        "rss_after_mb": round(proc.memory_info().rss / 2**20, 1),
                        "hwm_mb": round(_vm_hwm_kb(server_pid) / 1024, 1)})
    finally:
        await session.close()
    return out


def _vm_hwm_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


MEMORY_PAGES = EVERYDAY + ("results", "grants", "report", "share", "data")


def run_memory(data_dir: str, pages: tuple[str, ...] = MEMORY_PAGES,
               timeout: float = 600.0, log=print, server_log: str | None = None,
               app_root=None) -> dict:
    """A fresh server; one session visits every page (the data page last: its quality and
    integrity tabs are the heavy ones); the server's memory per page. `app_root`: another
    checkout of the app (a before/after)."""
    from impact.bench.e2e import Server
    from impact.config import PROJECT_ROOT

    server = Server(data_dir, "config", app_root or PROJECT_ROOT,
                    stderr_path=server_log or os.devnull).start()
    try:
        idle = _Sampler(server.proc.pid).rss_mb()
        log(f"memory: one session visits {', '.join(pages)} on {server.base} …")
        load = os.getloadavg()
        rows = asyncio.run(_page_memory(server.base, list(pages), server.proc.pid, timeout))
    finally:
        server.stop()
    return {"idle_mb": round(idle, 1), "pages": rows, "load": [round(x, 2) for x in load],
            "load_end": [round(x, 2) for x in os.getloadavg()]}


def format_memory(rows: int | None, m: dict) -> str:
    head = f"{'page':<15}{'run ms':>8}{'RSS peak':>10}{'after':>8}{'VmHWM':>8}"
    lines = [(f"{rows:,} rows, " if rows else "") + "server memory per page (MB), one session, "
             f"default filters, pages in this order; idle {m['idle_mb']:.0f} MB; load average "
             f"{m['load'][0]} at the start, {m['load_end'][0]} at the end", head, "-" * len(head)]
    for r in m["pages"]:
        lines.append(f"{r['page']:<15}{r['ms']:>8.0f}{r['rss_peak_mb']:>10.0f}"
                     f"{r['rss_after_mb']:>8.0f}{r['hwm_mb']:>8.0f}"
                     + (f"  error: {r['error']}" if r["error"] else ""))
    return "\n".join(lines)
