"""One measurement in a process of its own, so its time and peak memory are its own.

    python -m impact.bench.worker warm   DATA_DIR CHANGES      our path: every page, warm
    python -m impact.bench.worker cold   DATA_DIR -            our path: first renders
    python -m impact.bench.worker pandas DATA_DIR CALLS_FILE   the pandas way
    python -m impact.bench.worker report DATA_DIR REPEATS      one org-year's PDF, cold + warm

Each prints one JSON object on stdout. The runner (impact.bench.runner) starts them.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time

PAGE_BUDGET_S = 30  # measure a page over fewer filter changes once it has used this much


def peak_rss_mb() -> float:
    """This process's own peak resident memory so far, in MB.

    /proc/self/status VmHWM belongs to this process's address space. getrusage's ru_maxrss
    does not: Linux carries the parent's peak across fork and exec, so a worker started by
    the runner after it generated the data reported the generator's peak as its own."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _calls_json(calls) -> list:
    return [[c.name, [[k, list(v) if isinstance(v, tuple) else v] for k, v in c.params]]
            for c in calls]


def _calls_from_json(raw) -> list:
    from impact.bench.pages import Call
    return [Call(name, tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in params))
            for name, params in raw]


def _selection(db):
    from impact.bench.pages import bench_orgs, default_filters, filter_changes
    orgs = bench_orgs(db)
    span = db.rows("year_span", orgs=[])[0]
    years = list(range(span["first_year"], span["last_year"] + 1))
    projects: dict[str, list[str]] = {}
    for r in db.rows("filter_projects", orgs=[]):
        projects.setdefault(r["org"], []).append(r["project"])
    areas = [r["program_area"] for r in db.rows("filter_areas", orgs=[])]
    return orgs, years, projects, areas, default_filters, filter_changes


def _sidebar_options(options, filters) -> None:
    """What the sidebar asks on every rerun before the page runs (impact/web/sidebar.py)."""
    options.orgs()
    options.span(filters.orgs)
    options.projects(filters.orgs)
    options.areas(filters.orgs)


def warm(data_dir: str, changes: int) -> dict:
    """Every page over `changes` filter changes on one warm Database; then the floor."""
    import duckdb

    from impact.bench.floor import page_floor_ms
    from impact.bench.pages import RecordingDatabase, call_page, discover
    from impact.storage.db import Database

    from impact.storage.cache import CachedDatabase
    from impact.web.options import OptionIndex

    db = Database(data_dir)
    orgs, years, projects, areas, default_filters, filter_changes = _selection(db)
    # As in the server: one result cache for everything (impact.web.context.get_db); the
    # selections never repeat, so a measured change is never answered from it.
    shared = CachedDatabase(db)
    # The sidebar's options as the server asks them (impact.web.context): one index per data
    # version, built once (the server pre-warms it), then answered in Python on every rerun.
    # Until issue 29 the bench still asked impact.web.sidebar.Options' four queries per rerun,
    # which the server no longer does.
    OptionIndex.for_db(shared)
    pages = discover()
    # Each page gets its own selections (pages share queries, so reusing one page's
    # selections on the next would be answered from the shared cache).
    every = filter_changes(orgs, years, changes * len(pages), projects=projects, areas=areas)
    selections = {p: every[i::len(pages)] for i, p in enumerate(pages)}
    times = {p: [] for p in pages}
    option_times = {p: [] for p in pages}
    query_times = {p: [] for p in pages}
    calls = {p: [] for p in pages}
    repeat_times = {p: [] for p in pages}
    rss_after = {}
    for page, (fn, _) in pages.items():  # page by page, so memory can be read per page
        call_page(fn, shared, default_filters(years))  # untimed: lazy imports, plotly templates
        for filters in selections[page]:
            if len(times[page]) >= 3 and sum(times[page]) > PAGE_BUDGET_S * 1000:
                break  # a pathologically slow page: report fewer changes, not wait an hour
            rec = RecordingDatabase(shared)
            t0 = time.perf_counter()
            shared.refresh()  # what every rerun does: cheap unless an import happened
            _sidebar_options(OptionIndex.for_db(shared), filters)
            t1 = time.perf_counter()
            call_page(fn, rec, filters)
            times[page].append((time.perf_counter() - t0) * 1000)
            option_times[page].append((t1 - t0) * 1000)
            query_times[page].append(rec.query_s * 1000)
            calls[page].append(rec.calls)
        # The same selections again: every query is now answered by the result cache, so
        # this is the page's own Python work (figures, formatting, tables) on a repeat visit.
        # Reported apart from the headline, which only counts a selection's first time.
        for filters in selections[page][:len(times[page])]:
            t0 = time.perf_counter()
            shared.refresh()
            _sidebar_options(OptionIndex.for_db(shared), filters)
            call_page(fn, shared, filters)
            repeat_times[page].append((time.perf_counter() - t0) * 1000)
        rss_after[page] = round(peak_rss_mb(), 1)
    rss = peak_rss_mb()
    con = duckdb.connect(":memory:", config={"threads": 2})
    floors = {p: statistics.median(page_floor_ms(con, db.store, c, rollups=db.rollups)
                                   for c in calls[p]) for p in pages}
    detail = {p: statistics.median(page_floor_ms(con, db.store, c, rollups=False)
                                   for c in calls[p]) for p in pages}
    return {
        "peak_rss_mb": round(rss, 1),
        "rollups": db.rollups,
        "pages": {p: {"kind": pages[p][1], "times_ms": times[p], "floor_ms": floors[p],
                      "query_ms": query_times[p], "peak_rss_after_mb": rss_after[p],
                      "options_ms": option_times[p], "repeat_ms": repeat_times[p],
                      "floor_detail_ms": detail[p],
                      "queries": sorted({c.name for cs in calls[p] for c in cs}),
                      "calls": [_calls_json(cs) for cs in calls[p]]} for p in pages},
    }


def cold(data_dir: str) -> dict:
    """A new process renders the landing page, then every other page, each on a fresh
    Database (new DuckDB, views built from the manifest, nothing cached). The landing page
    also pays for what a new server process loads lazily (plotly, locale data)."""
    t_start = time.perf_counter()
    import streamlit  # noqa: F401  what the server imports before it can answer anything
    import impact.web.context  # noqa: F401
    from impact.bench.pages import call_page, default_filters, discover
    from impact.storage.db import Database

    pages = discover()  # imports every page model, as a new server process does
    out = {"import_ms": (time.perf_counter() - t_start) * 1000, "pages": {}}
    for page, (fn, _) in pages.items():
        t0 = time.perf_counter()
        db = Database(data_dir)
        span = db.rows("year_span", orgs=[])[0]
        call_page(fn, db, default_filters(list(range(span["first_year"], span["last_year"] + 1))))
        out["pages"][page] = (time.perf_counter() - t0) * 1000
        db.close()
    return out


def pandas(data_dir: str, calls_file: str) -> dict:
    """The pandas way over the same calls our pages made; per interaction, median."""
    from impact.bench import baseline

    with open(calls_file, encoding="utf-8") as fh:
        wanted = json.load(fh)
    t0 = time.perf_counter()
    cached = baseline.load(data_dir)
    load_ms = (time.perf_counter() - t0) * 1000
    frames = baseline.unpickled(cached)  # st.cache_resource: the same objects every rerun
    out = {}
    for page, per_change in wanted.items():
        fair = []
        for raw in per_change:
            if len(fair) >= 3 and sum(fair) > PAGE_BUDGET_S * 1000:
                break
            t1 = time.perf_counter()
            baseline.interaction_resource(frames, _calls_from_json(raw))
            fair.append((time.perf_counter() - t1) * 1000)
        times, covered = [], 0
        for raw in per_change:
            if len(times) >= 3 and sum(times) > PAGE_BUDGET_S * 1000:
                break  # as for our path: fewer changes for a very slow page
            calls = _calls_from_json(raw)
            t1 = time.perf_counter()
            covered = baseline.interaction(cached, calls)
            times.append((time.perf_counter() - t1) * 1000)
        out[page] = {"times_ms": times, "resource_times_ms": fair, "covered": covered}
    return {"load_ms": load_ms, "peak_rss_mb": round(peak_rss_mb(), 1), "pages": out}


def report(data_dir: str, repeats: int) -> dict:
    """The annual report PDF for the largest organisation in the latest year: the first build
    (browsers start) and the warm ones after it, as a director clicking twice would see."""
    from impact.storage.db import Database
    from impact.filters import Filters
    from impact.report import build, gather
    from impact.report.browser import shutdown

    db = Database(data_dir)
    last = db.rows("year_span", orgs=[])[0]["last_year"]
    year = Filters(year_from=last, year_to=last)
    orgs = db.rows("activity_by_project", **year.params())
    filters = Filters(orgs=(orgs[0]["org"],), year_from=last, year_to=last)
    times = []
    try:
        for _ in range(1 + repeats):
            t0 = time.perf_counter()
            build(gather(db, filters, "zh"), "pdf")
            times.append((time.perf_counter() - t0) * 1000)
    finally:
        shutdown()
    return {"org": filters.orgs[0], "year": last, "cold_ms": times[0],
            "warm_ms": statistics.median(times[1:]) if repeats else None}


def main(argv: list[str]) -> int:
    mode, data_dir, arg = argv
    if mode == "warm":
        result = warm(data_dir, int(arg))
    elif mode == "report":
        result = report(data_dir, int(arg))
    elif mode == "cold":
        result = cold(data_dir)
    elif mode == "pandas":
        result = pandas(data_dir, arg)
    else:
        raise SystemExit(f"unknown mode {mode}")
    json.dump(result, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
