"""The dashboard's Streamlit server, instrumented for `impact bench --e2e`.

    python -m impact.bench.e2e_server LOG_FILE GC_MODE PORT DATA_DIR

Runs exactly `streamlit run dashboard.py` on 127.0.0.1:PORT over DATA_DIR, with timers around what a rerun is made of, so
the end-to-end figures can be split into our code and Streamlit's:

- the whole script run (`ScriptRunner._run_script`), per session;
- the shared per-run setup (`impact.web.context.setup`: data refresh, sidebar options and
  widgets, URL sync) and the page model (`impact.views.<page>`), inside it;
- Streamlit's post-run `gc.collect(2)` (`runner.postScriptGC`).

Each finished run appends one JSON line to LOG_FILE: session id, wall-clock start and end of
the script body (epoch seconds, the same clock the browser's performance.timeOrigin uses),
and the milliseconds of each part. Nothing here changes what the app does, except GC_MODE:

- `config`: whatever .streamlit/config.toml says (what users get);
- `on` / `off`: force `runner.postScriptGC`;
- `freeze`: collection on, plus `gc.freeze()` after the first run (everything the imports
  and the warm-up created moves out of the collector's way).
"""

from __future__ import annotations

import sys

if __name__ == "__main__" and sys.path and sys.path[0].endswith("bench"):
    del sys.path[0]  # run by path: our bench modules must not shadow top-level names

import functools
import gc
import json
import threading
import time

_local = threading.local()
_write_lock = threading.Lock()


def _acc(name: str, ms: float) -> None:
    setattr(_local, name, getattr(_local, name, 0.0) + ms)


def _timed(fn, name: str):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _acc(name, (time.perf_counter() - t0) * 1000)
    return wrapper


class _TimedGC:
    """Stands in for the `gc` module inside Streamlit's script runner: times its collect."""

    def __getattr__(self, name):
        return getattr(gc, name)

    def collect(self, *args):
        t0 = time.perf_counter()
        try:
            return gc.collect(*args)
        finally:
            _acc("gc_ms", (time.perf_counter() - t0) * 1000)


def install(log_path: str, gc_mode: str) -> None:
    """Put the timers in place (before Streamlit starts, so every run is seen)."""
    from streamlit.runtime.scriptrunner import script_runner
    from impact.bench.pages import discover
    from impact.web import context

    context.setup = _timed(context.setup, "setup_ms")
    for page, (fn, _kind) in discover().items():
        module = sys.modules[fn.__module__]
        setattr(module, fn.__name__, _timed(fn, "model_ms"))

    script_runner.gc = _TimedGC()
    runner = script_runner.ScriptRunner
    original_run, original_finished = runner._run_script, runner._on_script_finished
    frozen = threading.Event()

    def on_script_finished(self, *args, **kwargs):
        _local.body_end = time.time()
        return original_finished(self, *args, **kwargs)

    def run_script(self, rerun_data):
        for name in ("setup_ms", "model_ms", "gc_ms"):
            setattr(_local, name, 0.0)
        _local.body_end = None
        start = time.time()
        try:
            return original_run(self, rerun_data)
        finally:
            end = time.time()
            if gc_mode == "freeze" and not frozen.is_set():
                frozen.set()
                gc.collect(2)
                gc.freeze()
            record = {"session": self._session_id, "start": start,
                      "body_end": _local.body_end or end, "end": end,
                      "page": getattr(rerun_data, "page_name", None) or "",
                      "setup_ms": _local.setup_ms, "model_ms": _local.model_ms,
                      "gc_ms": _local.gc_ms}
            with _write_lock, open(log_path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(record) + "\n")

    runner._run_script = run_script
    runner._on_script_finished = on_script_finished


def main(argv: list[str]) -> int:
    log_path, gc_mode, port, data_dir = argv
    if gc_mode not in ("config", "on", "off", "freeze"):
        raise SystemExit("usage: e2e_server LOG_FILE config|on|off|freeze PORT DATA_DIR")
    install(log_path, gc_mode)
    flags = ["--server.headless", "true", "--server.port", port,
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"]
    if gc_mode != "config":
        flags += ["--runner.postScriptGC", "false" if gc_mode == "off" else "true"]
    from streamlit.web import cli
    return cli.main(["run", "dashboard.py", *flags, "--", "--data-dir", data_dir],
                    prog_name="streamlit", standalone_mode=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
