"""`impact bench --e2e`: what a person waits for, measured in Chromium.

Starts the dashboard (impact.bench.e2e_server: `streamlit run dashboard.py`, with timers) on
a free loopback port over the bench data, and drives Debian's Chromium with Playwright:
per everyday page, the first page of a new session (navigation start until settled, in a
new browser context, so with a cold browser cache; then once more in a new tab of the same
context, warm cache) and `changes` filter changes, each asking for a selection never asked
before (impact.bench.e2e_browser.Actor). `sessions` users do this at once, each in its own
browser context. The server process's memory is sampled throughout (psutil).

Each filter change is split into: input → rerun request sent (browser), request → run
finished (server; of which our script body, and in it the shared setup and the page model;
the rest is Streamlit), finished → settled (browser), and the post-run GC (after the run,
off this user's path but holding the GIL against everyone else's).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from impact.bench.e2e_browser import Actor, Measure, INIT_JS, open_page
from impact.bench.stats import percentile
from impact.config import PROJECT_ROOT

EVERYDAY = ("overview", "beneficiaries", "volunteers", "finance", "growth")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
START_DEADLINE_S = 180


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The instrumented dashboard server, with a memory sampler on its process."""

    def __init__(self, data_dir: str, gc_mode: str, app_root: str | Path = PROJECT_ROOT,
                 stderr_path: str | None = None, plain_app: str | Path | None = None):
        """`stderr_path`: where the server's log goes (default: a pipe, read only if it
        exits at start; a long run that logs much should give a file). `plain_app`: run
        that Streamlit script instead (`streamlit run APP -- DATA_DIR`, from its own
        directory, so with Streamlit's default settings; no timers: runs() is empty)."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        fd, self.log_path = tempfile.mkstemp(prefix="impact-e2e-", suffix=".jsonl")
        os.close(fd)
        # The server script is run by path, so that `app_root` may be another checkout of the
        # app (a before/after comparison in one run) that does not have it.
        env = {**os.environ, "PYTHONPATH": str(app_root) + os.pathsep
               + os.environ.get("PYTHONPATH", "")}
        server_script = Path(__file__).with_name("e2e_server.py")
        self._stderr = open(stderr_path, "wb") if stderr_path else None
        argv = [sys.executable, str(server_script), self.log_path, gc_mode,
                str(self.port), data_dir]
        if plain_app is not None:
            app_root = Path(plain_app).resolve().parent
            argv = [sys.executable, "-m", "streamlit", "run", str(Path(plain_app).resolve()),
                    "--server.port", str(self.port), "--server.address", "127.0.0.1",
                    "--server.headless", "true", "--browser.gatherUsageStats", "false",
                    "--", data_dir]
        self.proc = subprocess.Popen(argv, cwd=app_root, env=env, stdout=subprocess.DEVNULL,
                                     stderr=self._stderr or subprocess.PIPE)
        self.peak_rss_mb = 0.0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil
        try:
            proc = psutil.Process(self.proc.pid)
            while not self._stop.is_set():
                self.peak_rss_mb = max(self.peak_rss_mb, proc.memory_info().rss / 2**20)
                self._stop.wait(0.25)
        except psutil.Error:
            return

    def rss_mb(self) -> float:
        import psutil
        return psutil.Process(self.proc.pid).memory_info().rss / 2**20

    def start(self) -> "Server":
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = (Path(self._stderr.name).read_bytes() if self._stderr
                       else self.proc.stderr.read())
                raise RuntimeError("dashboard server exited: " + log.decode()[-1500:])
            try:
                if urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2).status == 200:
                    self._sampler.start()
                    return self
            except OSError:
                time.sleep(0.2)  # polling interval of a state check
        self.stop()
        raise RuntimeError(f"dashboard server did not answer in {START_DEADLINE_S} s")

    def runs(self) -> list[dict]:
        text = Path(self.log_path).read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def stop(self) -> None:
        self._stop.set()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self._stderr is not None:
            self._stderr.close()
        Path(self.log_path).unlink(missing_ok=True)


class Cluster:
    """`processes` instrumented servers on the same data directory; with more than one, a
    loopback nginx in front with sticky sessions (impact.bench.proxy), as docs/deployment.md
    runs them. Memory is the sum over the processes."""

    def __init__(self, data_dir: str, gc_mode: str, app_root: str | Path, processes: int):
        self.servers = [Server(data_dir, gc_mode, app_root) for _ in range(processes)]
        self.proxy = None

    def start(self) -> "Cluster":
        from impact.bench.proxy import Proxy
        try:
            for server in self.servers:
                server.start()
            if len(self.servers) > 1:
                self.proxy = Proxy(free_port(), [s.port for s in self.servers]).start()
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def base(self) -> str:
        return self.proxy.base if self.proxy else self.servers[0].base

    @property
    def peak_rss_mb(self) -> float:
        return sum(s.peak_rss_mb for s in self.servers)  # each one's peak: an upper bound

    def rss_mb(self) -> float:
        return sum(s.rss_mb() for s in self.servers)

    def runs(self) -> list[dict]:
        return [run for s in self.servers for run in s.runs()]

    def runs_per_process(self) -> list[int]:
        return [len(s.runs()) for s in self.servers]

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        for server in self.servers:
            server.stop()


async def _user(browser, base: str, user: int, orgs: list[str], pages: list[str],
                first_visits: int, changes: int, out: list[Measure], throttle: float) -> None:
    order = pages[user % len(pages):] + pages[:user % len(pages)]  # users spread over pages
    for p_index, name in enumerate(order):
        url = f"{base}/{name}"
        page = holder = context = None
        for _ in range(first_visits):  # each in a new context: a new visitor, cold cache
            if context is not None:
                await context.close()
            context = await browser.new_context(viewport={"width": 1400, "height": 900})
            await context.add_init_script(INIT_JS)
            page, m, holder = await open_page(context, url, name, cpu_throttle=throttle)
            out.append(m)
        warm_page, m, _ = await open_page(context, url, name, kind="first-warm-cache",
                                          cpu_throttle=throttle)
        out.append(m)
        await warm_page.close()
        shift = (p_index * 5) % max(1, len(orgs))  # another first organisation on each page
        actor = Actor(page, name, orgs[shift:] + orgs[:shift], holder, seed=user * 100 + p_index)
        for _ in range(changes):
            out.append(await actor.change())
        await context.close()


async def _drive(base: str, sessions: int, orgs_per_user: list[list[str]], pages: list[str],
                 first_visits: int, changes: int,
                 throttle: float = 1) -> tuple[list[Measure], Measure]:
    from playwright.async_api import async_playwright
    from impact.report.browser import chromium_path

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            # The server's very first visit: imports, Plotly templates, first queries.
            context = await browser.new_context()
            await context.add_init_script(INIT_JS)
            _, server_first, _ = await open_page(context, f"{base}/{pages[0]}", pages[0],
                                                 kind="server-first")
            await context.close()
            out: list[Measure] = []
            await asyncio.gather(*(_user(browser, base, u, orgs_per_user[u], pages,
                                         first_visits, changes, out, throttle)
                                   for u in range(sessions)))
        finally:
            await browser.close()
    return out, server_first


def _attach_server_runs(measures: list[Measure], runs: list[dict]) -> None:
    """Give each measurement the server runs of its session that began inside it."""
    by_session: dict[str, list[dict]] = {}
    for run in runs:
        by_session.setdefault(run["session"], []).append(run)
    for m in measures:
        if m.error or not m.session:
            continue
        mine = [r for r in by_session.get(m.session, [])
                if m.start_epoch - 0.005 <= r["start"] <= m.end_epoch]
        if mine:
            m.server = {"runs": len(mine),
                        "body_ms": sum((r["body_end"] - r["start"]) * 1000 for r in mine),
                        "setup_ms": sum(r["setup_ms"] for r in mine),
                        "model_ms": sum(r["model_ms"] for r in mine),
                        "gc_ms": sum(r["gc_ms"] for r in mine)}


def _p(values: list[float], pct: float) -> float | None:
    return percentile(values, pct) if values else None


def summarize(measures: list[Measure], pages: list[str]) -> dict:
    """Per page: first-page and filter-change p50/p95, bytes per rerun, the breakdown."""
    out = {}
    for name in pages:
        mine = [m for m in measures if m.page == name]
        first = [m.settled for m in mine if m.kind == "first" and not m.error]
        warm = [m.settled for m in mine if m.kind == "first-warm-cache" and not m.error]
        ch = [m for m in mine if m.kind in ("org", "year", "project", "area") and not m.error]
        srv = [m for m in ch if m.server]
        med = lambda xs: round(statistics.median(xs), 1) if xs else None  # noqa: E731
        out[name] = {
            "first_n": len(first), "first_p50_ms": med(first), "first_p95_ms": _p(first, 95),
            "first_warm_cache_p50_ms": med(warm),
            "first_bytes_p50": med([m.bytes for m in mine if m.kind == "first" and not m.error]),
            "change_n": len(ch), "change_p50_ms": med([m.settled for m in ch]),
            "change_p95_ms": _p([m.settled for m in ch], 95),
            "change_by_kind_p50_ms": {k: med([m.settled for m in ch if m.kind == k])
                                      for k in sorted({m.kind for m in ch})},
            "bytes_per_rerun_p50": med([m.bytes for m in ch]),
            "input_to_request_p50_ms": med([m.sent for m in ch if m.sent is not None]),
            "request_to_finished_p50_ms": med([m.finished - m.sent for m in ch
                                               if m.sent is not None]),
            "script_p50_ms": med([m.server["body_ms"] for m in srv]),
            "setup_p50_ms": med([m.server["setup_ms"] for m in srv]),
            "model_p50_ms": med([m.server["model_ms"] for m in srv]),
            "streamlit_p50_ms": med([(m.finished - m.sent) - m.server["body_ms"] for m in srv
                                     if m.sent is not None]),
            "browser_after_finish_p50_ms": med([m.settled - m.finished for m in ch]),
            "gc_p50_ms": med([m.server["gc_ms"] for m in srv]),
            "errors": [m.error for m in mine if m.error][:5],
            "error_count": sum(1 for m in mine if m.error),
        }
    return out


def run_e2e(data_dir: str, orgs: list[str], sessions: int, changes: int, first_visits: int,
            gc_mode: str = "config", pages: tuple[str, ...] = EVERYDAY, log=print,
            app_root: str | Path = PROJECT_ROOT, cpu_throttle: float = 1,
            processes: int = 1) -> dict:
    """`processes` servers (behind nginx when more than one), `sessions` users; returns the
    summary (what --json writes under 'e2e'). `app_root` runs another checkout of the app
    (for a before/after in the same run)."""
    load_before = os.getloadavg()
    server = Cluster(data_dir, gc_mode, app_root, processes).start()
    try:
        rss_idle = server.rss_mb()
        log(f"e2e: {processes} server process(es) on {server.base} (GC {gc_mode}), "
            f"{sessions} session(s) …")
        orgs_per_user = [orgs[u::sessions] or orgs for u in range(sessions)]
        t0 = time.perf_counter()
        measures, server_first = asyncio.run(_drive(server.base, sessions, orgs_per_user,
                                                    list(pages), first_visits, changes,
                                                    cpu_throttle))
        wall = time.perf_counter() - t0
        runs = server.runs()
        per_process = server.runs_per_process()
        _attach_server_runs(measures, runs)
        rss_end = server.rss_mb()
    finally:
        server.stop()
    load_after = os.getloadavg()
    return {"gc_mode": gc_mode, "app_root": str(app_root), "cpu_throttle": cpu_throttle,
            "sessions": sessions, "changes": changes, "processes": processes,
            "runs_per_process": per_process,
            "first_visits": first_visits, "wall_s": round(wall, 1),
            "server_first_visit_ms": None if server_first.error else round(server_first.settled),
            "server_rss_idle_mb": round(rss_idle, 1), "server_rss_end_mb": round(rss_end, 1),
            "server_rss_peak_mb": round(server.peak_rss_mb, 1),
            "server_runs": len(runs), "gc_total_ms": round(sum(r["gc_ms"] for r in runs), 1),
            "load_before": [round(x, 1) for x in load_before],
            "load_after": [round(x, 1) for x in load_after],
            "pages": summarize(measures, list(pages))}


def _f(value, width: int, digits: int = 0) -> str:
    return f"{'–':>{width}}" if value is None else f"{value:>{width}.{digits}f}"


def format_e2e(rows: int, e2e: dict, server_side: dict | None = None) -> str:
    """The end-to-end table, with the server-side page-model p50 beside it."""
    head = (f"{'page':<14}{'first p50':>10}{'p95':>7}{'warm$':>7}{'KB/1st':>7}{'change n':>9}"
            f"{'p50':>7}"
            f"{'p95':>7}{'KB/run':>8}{'in→req':>7}{'server':>7}{'script':>7}{'setup':>6}"
            f"{'model':>6}{'strmlt':>7}{'browser':>8}{'gc':>5}{'bench':>7}")
    app = "" if Path(e2e["app_root"]) == PROJECT_ROOT else f" app {e2e['app_root']},"
    procs = e2e.get("processes", 1)
    lines = [f"{rows:,} rows, end to end in Chromium:{app} {e2e['sessions']} session(s), "
             + (f"{procs} processes behind nginx, " if procs > 1 else "")
             + 
             f"postScriptGC={e2e['gc_mode']}"
             + (f", CPU throttled {e2e['cpu_throttle']:g}×" if e2e.get("cpu_throttle", 1) > 1 else "")
             + f"; ms; load average {e2e['load_before'][0]} before, "
             f"{e2e['load_after'][0]} after", head, "-" * len(head)]
    for page, p in e2e["pages"].items():
        bench = (server_side or {}).get(page, {}).get("warm_p50_ms")
        kb = None if p["bytes_per_rerun_p50"] is None else p["bytes_per_rerun_p50"] / 1024
        kb_first = None if p.get("first_bytes_p50") is None else p["first_bytes_p50"] / 1024
        lines.append(
            f"{page:<14}{_f(p['first_p50_ms'], 10)}{_f(p['first_p95_ms'], 7)}"
            f"{_f(p['first_warm_cache_p50_ms'], 7)}{_f(kb_first, 7)}{p['change_n']:>9}"
            f"{_f(p['change_p50_ms'], 7)}"
            f"{_f(p['change_p95_ms'], 7)}{_f(kb, 8, 1)}{_f(p['input_to_request_p50_ms'], 7)}"
            f"{_f(p['request_to_finished_p50_ms'], 7)}{_f(p['script_p50_ms'], 7)}"
            f"{_f(p['setup_p50_ms'], 6)}{_f(p['model_p50_ms'], 6)}"
            f"{_f(p['streamlit_p50_ms'], 7)}{_f(p['browser_after_finish_p50_ms'], 8)}"
            f"{_f(p['gc_p50_ms'], 5)}{_f(bench, 7, 1)}"
            + (f"  {p['error_count']} error(s)" if p["error_count"] else ""))
    lines.append("-" * len(head))
    for page, p in e2e["pages"].items():
        for error in p["errors"][:2]:
            lines.append(f"error on {page}: {error}")
    lines.append(("server processes' RSS (sum)" if procs > 1 else "server process RSS")
                 + f": {e2e['server_rss_idle_mb']:.0f} MB idle, "
                 f"{e2e['server_rss_peak_mb']:.0f} MB peak, {e2e['server_rss_end_mb']:.0f} MB "
                 f"at the end; {e2e['server_runs']} script runs, post-run GC "
                 f"{e2e['gc_total_ms'] / 1000:.1f} s in all; server's first visit "
                 f"{e2e['server_first_visit_ms']} ms; wall {e2e['wall_s']} s"
                 + (f"; script runs per process {e2e['runs_per_process']}" if procs > 1 else ""))
    lines += [
        "first = navigation start → settled, new browser context (cold cache); warm$ = a new",
        "tab in that context (warm cache); KB/1st = websocket bytes of a first page (the default",
        "view); change = filter action → run finished and DOM settled,",
        "a selection never asked before; in→req = browser until the rerun request, server =",
        "request → run finished (script = our script body: setup = sidebar/options/URL, model =",
        "page model; strmlt = server − script), browser = run finished → settled, gc = Streamlit's",
        "post-run gc.collect (after the run); bench = server-side page model p50 (same run)."]
    return "\n".join(lines)
