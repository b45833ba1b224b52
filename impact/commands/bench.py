"""`bench`: the performance benchmark of issue 6 (our path vs the DuckDB floor vs pandas)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from impact.errors import UsageError

NAME = "bench"
HELP = ("Generate N synthetic activity rows and time every page: warm/cold, the DuckDB "
        "floor, the pandas way, peak memory.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=None, metavar="N",
                        help="activity rows to generate (default 1,000,000; finance gets N/20; "
                             "with --engine spark, default both 1,000,000 and 10,000,000)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="where to put the benchmark data (default: a temporary directory, "
                             "deleted afterwards); reused when it already holds N bench rows")
    parser.add_argument("--changes", type=int, default=20, metavar="K",
                        help="filter changes per page for the warm p50/p95 (default 20)")
    parser.add_argument("--e2e", action="store_true",
                        help="also measure end to end in Chromium (Playwright, Debian chromium): "
                             "first page and filter changes as a user waits for them")
    parser.add_argument("--sessions", type=int, default=1, metavar="N",
                        help="with --e2e: concurrent browser sessions (default 1)")
    parser.add_argument("--first-visits", type=int, default=3, metavar="K",
                        help="with --e2e: new-session first pages per page and session (default 3)")
    parser.add_argument("--gc-modes", default="config", metavar="MODES",
                        help="with --e2e: comma-separated Streamlit post-run GC modes to compare "
                             "in one run: config (as .streamlit/config.toml), on, off, freeze")
    parser.add_argument("--processes", type=int, default=1, metavar="N",
                        help="with --e2e: N dashboard processes on the same data behind a "
                             "loopback nginx with sticky sessions (docs/deployment.md; needs "
                             "the Debian package nginx); default 1, no proxy")
    parser.add_argument("--pages", metavar="P,Q",
                        help="with --e2e: only these everyday pages (comma-separated, e.g. "
                             "overview,finance); default all five")
    parser.add_argument("--e2e-only", action="store_true",
                        help="with --e2e: skip the server-side table (warm, cold, floor), "
                             "e.g. to repeat a concurrency run on the same data")
    parser.add_argument("--cpu-throttle", type=float, default=1, metavar="X",
                        help="with --e2e: slow the browser's CPU X times (4 = phone class, "
                             "DevTools emulation); the server is not slowed")
    parser.add_argument("--app-before", metavar="DIR",
                        help="with --e2e: first run the same end-to-end measurement against "
                             "another checkout of the app (e.g. a git worktree of an older "
                             "commit), so a change's gain is a ratio within one run")
    parser.add_argument("--peer", metavar="APP",
                        help="with --e2e: also time the overview against a plain Streamlit "
                             "page on the same data (e.g. ../shared/peer/peer_app.py), "
                             "alternating change by change in one browser (issue 29)")
    parser.add_argument("--peer-only", action="store_true",
                        help="with --e2e --peer: only that comparison (implies --e2e-only)")
    parser.add_argument("--load", type=int, metavar="N",
                        help="capacity at the protocol level (issue 29): N websocket sessions "
                             "speaking Streamlit's protocol (no browsers) make --changes K "
                             "filter changes each across the everyday pages (--pages), timed "
                             "from the send to the run's script_finished; only this is run")
    parser.add_argument("--think", type=float, default=0.0, metavar="S",
                        help="with --load: a pause of about S seconds (0.5–1.5 S) before each "
                             "request, as a person reads the page (default 0: back to back)")
    parser.add_argument("--url", metavar="URL",
                        help="with --load: drive the dashboard already running at URL "
                             "(with --server-pid for its memory) instead of starting one")
    parser.add_argument("--server-pid", type=int, metavar="PID",
                        help="with --load --url: the server's process id, for its RSS and CPU")
    parser.add_argument("--memory", action="store_true",
                        help="with --load, or alone: also/only visit every page once in a "
                             "fresh server and show its memory per page (the data checks too)")
    parser.add_argument("--server-log", metavar="FILE",
                        help="with --load/--memory: keep the started server's log here")
    pandas = parser.add_mutually_exclusive_group()
    pandas.add_argument("--pandas", dest="pandas", action="store_true", default=None,
                        help="run the pandas baseline even above 20M rows (needs a lot of RAM)")
    pandas.add_argument("--no-pandas", dest="pandas", action="store_false",
                        help="skip the pandas baseline")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                        help="spark: time the same queries and the rollup job on DuckDB and "
                             "on Spark side by side, at each size (docs/scaling.md)")
    parser.add_argument("--spark-remote", metavar="URL",
                        help="with --engine spark: a Spark Connect server, sc://host:15002")


def run(args: argparse.Namespace) -> int:
    from impact.bench.runner import run as run_bench

    if args.rows is not None and args.rows < 1000:
        raise UsageError(f"--rows {args.rows}: give at least 1000")
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    if args.engine == "spark":
        return _run_engines(args, log)
    if args.spark_remote:
        raise UsageError("--spark-remote needs --engine spark")
    if args.changes < 1:
        raise UsageError(f"--changes {args.changes}: give at least 1")
    if args.load is not None or args.memory:
        return _run_load(args, log)
    if args.url or args.server_pid or args.think:
        raise UsageError("--url, --server-pid and --think need --load")
    e2e = None
    if args.e2e:
        if args.sessions < 1 or args.first_visits < 1 or args.processes < 1:
            raise UsageError("--sessions, --first-visits and --processes: give at least 1")
        if args.processes > 1:
            from impact.bench.proxy import nginx_path
            if nginx_path() is None:
                raise UsageError(f"--processes {args.processes}: needs nginx in front "
                                 "(Debian package nginx: apt-get install nginx)")
        modes = [m.strip() for m in args.gc_modes.split(",") if m.strip()]
        bad = [m for m in modes if m not in ("config", "on", "off", "freeze")]
        if bad or not modes:
            raise UsageError(f"--gc-modes {args.gc_modes}: use config, on, off or freeze")
        if args.app_before and not (Path(args.app_before) / "dashboard.py").is_file():
            raise UsageError(f"--app-before {args.app_before}: no dashboard.py there")
        from impact.bench.e2e import EVERYDAY
        pages = tuple(p.strip() for p in (args.pages or ",".join(EVERYDAY)).split(",")
                      if p.strip())
        if not pages or any(p not in EVERYDAY for p in pages):
            raise UsageError(f"--pages {args.pages}: choose from {', '.join(EVERYDAY)}")
        if args.peer and not Path(args.peer).is_file():
            raise UsageError(f"--peer {args.peer}: no such Streamlit script")
        if args.peer_only and not args.peer:
            raise UsageError("--peer-only needs --peer APP")
        e2e = {"sessions": args.sessions, "pages": pages, "first_visits": args.first_visits, "gc_modes": modes,
               "app_before": args.app_before, "cpu_throttle": args.cpu_throttle,
               "processes": args.processes, "only": args.e2e_only or args.peer_only,
               "peer": args.peer, "peer_only": args.peer_only}
    elif args.e2e_only or args.pages or args.peer or args.peer_only:
        raise UsageError("--e2e-only, --pages and --peer need --e2e (or --load for --pages)")
    run_bench(args.rows or 1_000_000, args.data_dir, args.json, args.changes, args.pandas,
              keep=False, log=log, e2e=e2e)
    return 0


def _run_engines(args: argparse.Namespace, log) -> int:
    import json
    from pathlib import Path

    from impact.bench import engines

    sizes = [args.rows] if args.rows else list(engines.SIZES)
    report = engines.run(sizes, args.data_dir, args.spark_remote, log=log)
    print(engines.format_table(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


def _run_load(args: argparse.Namespace, log) -> int:
    """`--load N` / `--memory`: the protocol-level capacity run and the memory per page."""
    import json

    from impact.bench import load
    from impact.bench.runner import prepare_data

    if args.e2e:
        raise UsageError("--load and --memory run on their own: leave out --e2e")
    if args.load is not None and args.load < 1:
        raise UsageError(f"--load {args.load}: give at least 1 session")
    if args.think < 0:
        raise UsageError(f"--think {args.think}: give 0 or more seconds")
    if args.server_pid and not args.url:
        raise UsageError("--server-pid needs --url")
    pages = tuple(p.strip() for p in (args.pages or ",".join(load.EVERYDAY)).split(",")
                  if p.strip())
    if not pages or any(p not in load.EVERYDAY for p in pages):
        raise UsageError(f"--pages {args.pages}: choose from {', '.join(load.EVERYDAY)}")
    rows = args.rows or 1_000_000
    if args.url and args.data_dir is None:
        raise UsageError("--url needs --data-dir: the data that server shows (to choose "
                         "selections from)")
    if args.url:
        path, temp = args.data_dir, False
    else:
        path, temp = prepare_data(args.data_dir, rows, log)
    report: dict = {"rows": rows}
    try:
        if args.load is not None:
            report["load"] = load.run_load(path, args.load, args.changes, pages, args.think,
                                           url=args.url, server_pid=args.server_pid, log=log,
                                           server_log=args.server_log)
            print(load.format_load(rows, report["load"]))
        if args.memory:
            report["memory"] = load.run_memory(path, log=log, server_log=args.server_log)
            print(load.format_memory(rows, report["memory"]))
    finally:
        if temp:
            import shutil
            shutil.rmtree(path, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    errors = report.get("load", {}).get("errors", 0)
    errors += sum(1 for r in report.get("memory", {}).get("pages", []) if r["error"])
    return 1 if errors else 0
