"""The whole benchmark: make (or reuse) the data, run each measurement in its own process,
and put the numbers side by side with the budget of issue 6."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from impact.bench.stats import percentile  # noqa: F401  (the bench's callers import it here)
from impact.config import PROJECT_ROOT
from impact.errors import DataError, UsageError
from impact.storage.store import DataStore

BUDGET_WARM_MS = 150          # per page and filter change, at 10M rows (300 ms at 50M)
BUDGET_COLD_MS = 1000         # first page of a new session
BUDGET_RSS_MB = 400           # dashboard process at 10M rows
BUDGET_FLOOR_RATIO = 1.15     # ours ÷ floor
BUDGET_PANDAS_RATIO = 3       # the fair pandas way ÷ ours, per everyday page (issue 29)
PANDAS_MAX_ROWS = 20_000_000  # beyond this the pandas way needs more memory than is safe here


def _worker(mode: str, data_dir: str, arg: str, timeout: int = 3600) -> dict:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-m", "impact.bench.worker", mode, data_dir, arg],
                          capture_output=True, text=True, env=env, timeout=timeout,
                          cwd=PROJECT_ROOT)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise DataError(f"benchmark step '{mode}' failed: {last}")
    return json.loads(proc.stdout)


def prepare_data(data_dir: str | None, rows: int, log) -> tuple[str, bool]:
    """A data directory holding exactly `rows` bench rows: reused if it already does, made
    otherwise. Refuses a directory holding anything but benchmark data. Returns (dir, temp)."""
    from impact.bench.generate import generate

    temp = data_dir is None
    path = data_dir or tempfile.mkdtemp(prefix="impact-bench-")
    store = DataStore(path)
    manifest = store.manifest()
    if manifest is not None and manifest.get("meta", {}).get("source") != "bench":
        raise UsageError(f"--data-dir {path}: holds real data (manifest source "
                         f"{manifest.get('meta', {}).get('source')!r}); give an empty directory")
    if manifest is None and not temp and Path(path).is_dir() and any(Path(path).iterdir()):
        raise UsageError(f"--data-dir {path}: not empty and not a benchmark data directory")
    if manifest is not None and manifest["meta"].get("rows") == rows:
        log(f"reusing {rows:,} rows in {path}")
        return path, temp
    t0 = time.perf_counter()
    generate(path, rows)
    log(f"generated {rows:,} activity rows in {path} ({time.perf_counter() - t0:.1f} s)")
    return path, temp


def measure(data_dir: str, rows: int, changes: int, pandas: bool, log,
            report_pdf: bool = True) -> dict:
    """Run every measurement; return the report (what --json writes)."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    log("warm: every page over filter changes, then the floor …")
    warm = _worker("warm", data_dir, str(changes))
    report = {"rows": rows, "peak_rss_mb": warm["peak_rss_mb"], "pandas_peak_rss_mb": None,
              "filter_changes": changes, "rollups": warm["rollups"], "pages": {},
              "load": load}
    from impact.bench.pages import ADMIN_PAGES
    everyday = [w["peak_rss_after_mb"] for p, w in warm["pages"].items() if p not in ADMIN_PAGES]
    report["everyday_peak_rss_mb"] = max(everyday) if everyday else None
    log("cold: a new process, a fresh Database per page …")
    cold = _worker("cold", data_dir, "-")
    report["import_ms"] = round(cold["import_ms"], 1)
    first = next(iter(cold["pages"]), None)
    for page, w in warm["pages"].items():
        report["pages"][page] = {
            "kind": w["kind"],
            "queries": w["queries"],
            "changes_measured": len(w["times_ms"]),
            "warm_p50_ms": round(statistics.median(w["times_ms"]), 1),
            "query_p50_ms": round(statistics.median(w["query_ms"]), 1),
            "peak_rss_after_mb": w["peak_rss_after_mb"],
            "warm_p95_ms": round(percentile(w["times_ms"], 95), 1),
            # The landing page is what a new server process shows first: it pays the imports
            # (Streamlit, our modules, plotly) too; the others pay only a fresh Database.
            "cold_ms": round(cold["pages"][page] + (cold["import_ms"] if page == first else 0), 1),
            "options_p50_ms": round(statistics.median(w["options_ms"]), 1),
            # The same selections asked again (result-cache hits): the Python part alone.
            "repeat_p50_ms": (round(statistics.median(w["repeat_ms"]), 1)
                              if w.get("repeat_ms") else None),
            "floor_ms": round(w["floor_ms"], 1),
            "floor_detail_ms": round(w["floor_detail_ms"], 1),
            "pandas_ms": None,
        }
    if pandas:
        log("pandas: read the Parquet, cache, group by per interaction …")
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
            json.dump({p: w["calls"] for p, w in warm["pages"].items()}, fh)
        try:
            pd_result = _worker("pandas", data_dir, fh.name)
        finally:
            os.unlink(fh.name)
        report["pandas_peak_rss_mb"] = pd_result["peak_rss_mb"]
        report["pandas_load_ms"] = round(pd_result["load_ms"], 1)
        for page, r in pd_result["pages"].items():
            report["pages"][page]["pandas_copy_ms"] = round(statistics.median(r["times_ms"]), 1)
            # The ratio is stated against the fair pandas way (st.cache_resource, no copy).
            report["pages"][page]["pandas_ms"] = round(
                statistics.median(r["resource_times_ms"]), 1)
            report["pages"][page]["pandas_queries_covered"] = r["covered"]
            report["pages"][page]["pandas_changes_measured"] = len(r["times_ms"])
    report["report_pdf"] = _report_pdf(data_dir, log) if report_pdf else {"skipped": "--e2e run"}
    return report


def measure_e2e(data_dir: str, rows: int, changes: int, e2e: dict, log) -> list[dict]:
    """`bench --e2e`: the same data in Chromium, once per post-run GC mode asked for."""
    from impact.bench.e2e import run_e2e

    orgs = _orgs(data_dir)
    from impact.config import PROJECT_ROOT
    roots = ([e2e["app_before"]] if e2e.get("app_before") else []) + [PROJECT_ROOT]
    from impact.bench.e2e import format_e2e
    results = []
    for root in roots:
        for mode in e2e["gc_modes"]:
            results.append(run_e2e(data_dir, orgs, e2e["sessions"], changes, e2e["first_visits"],
                                   mode, log=log, app_root=root,
                                   cpu_throttle=e2e.get("cpu_throttle", 1),
                                   processes=e2e.get("processes", 1),
                                   **({"pages": e2e["pages"]} if e2e.get("pages") else {})))
            log(format_e2e(rows, results[-1]))  # as it comes: a long run shows progress
    return results


def measure_peer(data_dir: str, changes: int, peer_app: str, log) -> dict:
    """`bench --e2e --peer APP`: our overview and the plain page, alternating."""
    from impact.bench.peer import run_peer

    return run_peer(data_dir, _orgs(data_dir), changes, peer_app, log=log)


def _orgs(data_dir: str) -> list[str]:
    """The bench data's organisations, in the order the browser actors add them."""
    from impact.bench.pages import bench_orgs
    from impact.storage.db import Database

    db = Database(data_dir)
    try:
        return bench_orgs(db)
    finally:
        db.close()


def _report_pdf(data_dir: str, log) -> dict:
    """Time the annual report PDF (issue 5: under 10 s with the browser warm), if it can be
    built here; otherwise say why."""
    from impact.report.browser import MissingDependency, chromium_path, cjk_font

    try:
        chromium_path()
        cjk_font()
    except MissingDependency as exc:
        return {"skipped": str(exc)}
    log("report: one organisation-year's annual report PDF, first and warm …")
    result = _worker("report", data_dir, "2")
    return {k: (round(v, 1) if isinstance(v, float) else v) for k, v in result.items()}


def _num(value) -> str:
    return "–" if value is None else f"{value:.0f}"


def _ratio(a, b) -> str:
    return f"{a / b:.2f}" if a is not None and b else "–"


def format_table(report: dict) -> str:
    """The report as a plain-text table, with the ratios the budget is stated in."""
    head = (f"{'page':<14}{'n':>4}{'warm p50':>10}{'p95':>9}{'opts':>6}{'queries':>9}{'cold':>8}"
            f"{'floor':>8}{'q/floor':>9}{'detail':>8}{'pandas':>9}{'pandas/ours':>12}"
            f"{'copying':>9}{'repeat':>8}{'RSS':>7}")
    lines = [f"{report['rows']:,} activity rows, {report['filter_changes']} filter changes; "
             f"ms, server side, without Streamlit; load average {report.get('load', '?')}",
             head, "-" * len(head)]
    for page, p in report["pages"].items():
        pandas_ms = "skipped" if p["pandas_ms"] is None else f"{p['pandas_ms']:.0f}"
        mark = "" if p["kind"] == "view" else " *"
        lines.append(f"{(page + mark):<14}{p['changes_measured']:>4}"
                     f"{p['warm_p50_ms']:>10.1f}{p['warm_p95_ms']:>9.1f}"
                     f"{p.get('options_p50_ms', 0):>6.1f}{p['query_p50_ms']:>9.1f}"
                     f"{p['cold_ms']:>8.0f}{p['floor_ms']:>8.1f}"
                     f"{_ratio(p['query_p50_ms'], p['floor_ms']):>9}{p['floor_detail_ms']:>8.1f}"
                     f"{pandas_ms:>9}{_ratio(p['pandas_ms'], p['warm_p50_ms']):>12}"
                     f"{_num(p.get('pandas_copy_ms')):>9}{_num(p.get('repeat_p50_ms')):>8}"
                     f"{p['peak_rss_after_mb']:>7.0f}")
    lines.append("-" * len(head))
    # Every page with a pandas figure, the data checks' too (answered from the check index
    # since issue 29's fourth round; before, they read every record per selection).
    ratios = {page: p["pandas_ms"] / p["warm_p50_ms"] for page, p in report["pages"].items()
              if p.get("pandas_ms") and p["warm_p50_ms"]}
    if ratios:
        short = [f"{page} {r:.2f}" for page, r in ratios.items() if r < BUDGET_PANDAS_RATIO]
        lines.append(f"pandas/ours ≥ {BUDGET_PANDAS_RATIO:g} on every page (issue 29): "
                     + ("met" if not short else "missed: " + ", ".join(short)))
    pandas_rss = report.get("pandas_peak_rss_mb")
    everyday = report.get("everyday_peak_rss_mb")
    lines.append(f"peak RSS: dashboard process {report['peak_rss_mb']:.0f} MB"
                 + (f" ({everyday:.0f} MB before the data-check pages)" if everyday else "")
                 + (f"; pandas way {pandas_rss:.0f} MB" if pandas_rss else "; pandas way skipped"))
    pdf = report.get("report_pdf") or {}
    if "skipped" in pdf:
        lines.append(f"annual report PDF: skipped ({pdf['skipped']})")
    elif pdf:
        lines.append(f"annual report PDF ({pdf['org']} {pdf['year']}): first {pdf['cold_ms'] / 1000:.1f} s "
                     f"(browsers start), warm {pdf['warm_ms'] / 1000:.1f} s; budget 10 s warm")
    lines += [
        "warm = sidebar options + page model (queries + figures + formatting) per filter change,",
        "p50/p95 over n different selections (orgs, years, projects, areas; never a repeat), one",
        "result cache shared as in the server; opts = the sidebar's option queries within warm;",
        "queries = the same renders' time inside Database.run; cold = new process, fresh Database",
        "(the landing page includes importing Streamlit, our modules and plotly);",
        "pandas = the fair pandas way (frames in st.cache_resource); copying = with st.cache_data,",
        "which unpickles a copy on every rerun; repeat = the same selections asked again (every",
        "query answered by the result cache: the page's own Python work), apart from warm;",
        "floor = raw DuckDB scan of the columns those queries read (rollup files where used);",
        "detail = that scan over the detail rows; RSS = process peak after the page's runs (MB)."]
    if any(p["kind"] != "view" for p in report["pages"].values()):
        lines.append("* stand-in: no page model in impact/views yet; times its queries + one figure each")
    return "\n".join(lines)


def run(rows: int, data_dir: str | None, json_path: str | None, changes: int,
        pandas: bool | None, keep: bool, log=print, e2e: dict | None = None) -> dict:
    path, temp = prepare_data(data_dir, rows, log)
    try:
        if pandas is None:
            pandas = rows <= PANDAS_MAX_ROWS
        if e2e and e2e.get("only"):
            report = {"rows": rows, "pages": {}, "e2e_only": True}
        else:
            report = measure(path, rows, changes, pandas, log, report_pdf=e2e is None)
        if e2e and not e2e.get("peer_only"):
            report["e2e"] = measure_e2e(path, rows, changes, e2e, log)
        if e2e and e2e.get("peer"):
            report["peer"] = measure_peer(path, changes, e2e["peer"], log)
    finally:
        if temp and not keep:
            import shutil
            shutil.rmtree(path, ignore_errors=True)
    if not report.get("e2e_only"):
        print(format_table(report))
    for result in report.get("e2e") or []:
        from impact.bench.e2e import format_e2e
        print()
        print(format_e2e(rows, result, report["pages"]))
    if report.get("peer"):
        from impact.bench.peer import format_peer
        print()
        print(format_peer(rows, report["peer"]))
    if json_path:
        Path(json_path).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    return report
