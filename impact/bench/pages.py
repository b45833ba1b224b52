"""What the benchmark times for each page: the page model, through the project's own code path.

The pages engineer's page models live in `impact/views/<page>.py`: functions that compute a
page's KPIs, figures and tables from (db, filters, lang). The benchmark finds them there.
Until a page model exists, a stand-in runs the queries that page will run and builds one
plotly figure per query, so the benchmark measures something real from the start.

`RecordingDatabase` wraps a Database and notes every query a page runs, with its parameters:
the floor and the pandas baseline then do exactly the same work their own way.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import random
import threading
import time
from dataclasses import dataclass
from typing import Callable

import plotly.graph_objects as go

from impact.filters import Filters
from impact.domain.metrics import summarize

PageFn = Callable[..., object]
LANDING_PAGE = "overview"
ADMIN_PAGES = ("data_quality", "data_import")  # data checks over the detail, not everyday use
_ENTRY_NAMES = ("build", "model", "page_model", "view", "compute")


@dataclass(frozen=True)
class Call:
    """One query a page ran: its name and bound parameters (lists as tuples, hashable)."""

    name: str
    params: tuple

    def kwargs(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.params}


class RecordingDatabase:
    """A Database stand-in that passes every call through and remembers it."""

    def __init__(self, db):
        self.db = db
        self.data_dir = db.data_dir
        self.store = db.store
        self.calls: list[Call] = []
        self._spans: list[tuple[float, float]] = []
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        return self.db.version

    def refresh(self) -> str:
        return self.db.refresh()

    def run(self, name: str, **params):
        frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                              for k, v in params.items()))
        with self._lock:
            self.calls.append(Call(name, frozen))
        t0 = time.perf_counter()
        try:
            return self.db.run(name, **params)
        finally:
            with self._lock:
                self._spans.append((t0, time.perf_counter()))

    @property
    def query_s(self) -> float:
        """Wall time during which at least one query ran: the query path without figures
        (page models run some queries concurrently, so durations are not simply added)."""
        total, end = 0.0, float("-inf")
        for start, stop in sorted(self._spans):
            if stop > end:
                total += stop - max(start, end)
                end = stop
        return total

    def rows(self, name: str, **params) -> list[dict]:
        return self.run(name, **params).to_pylist()


# -- stand-ins, used only for a page that has no page model yet ---------------------------

def _figure(rows: list[dict]) -> go.Figure | None:
    if not rows:
        return None
    keys = list(rows[0])
    x = [str(r[keys[0]]) for r in rows]
    y = [r[keys[-1]] for r in rows]
    return go.Figure(go.Bar(x=x, y=y))


def _standin(queries: tuple[str, ...], with_summary: bool) -> PageFn:
    def page(db, filters: Filters, lang: str = "zh") -> dict:
        out = {"summary": summarize(db, filters)} if with_summary else {}
        params = dict(filters.params(), limit=200)
        for name in queries:
            rows = db.rows(name, **params)
            out[name] = (rows, _figure(rows))
        return out
    return page


STANDINS: dict[str, PageFn] = {
    "overview": _standin(("activity_by_year", "activity_by_month", "activity_by_area"), True),
    "activities": _standin(("activity_by_area", "activity_by_project",
                            "activity_by_project_year", "activity_records"), False),
    "finance": _standin(("finance_by_line", "finance_by_funder", "finance_by_year_line",
                         "finance_by_year_source"), True),
    "organisations": _standin(("org_by_year",), False),
    "targets": _standin(("target_achievement", "indicators"), False),
}


def _entry_point(module) -> PageFn | None:
    """The page-model function of a views module: the function named after the module (or
    build/model …, or one annotated to return a …Model) taking (db, filters[, lang])."""
    short = module.__name__.rsplit(".", 1)[-1]
    own = [fn for _, fn in inspect.getmembers(module, inspect.isfunction)
           if fn.__module__ == module.__name__ and not fn.__name__.startswith("_")]
    ranked = ([fn for fn in own if fn.__name__ == short]
              + [fn for n in _ENTRY_NAMES for fn in own if fn.__name__ == n]
              + [fn for fn in own if str(inspect.signature(fn).return_annotation).endswith("Model")])
    for fn in ranked:
        params = list(inspect.signature(fn).parameters.values())
        required = [p for p in params if p.default is inspect.Parameter.empty]
        if [p.name for p in params[:2]] == ["db", "filters"] and len(required) <= 3:
            return fn
    return None


def discover() -> dict[str, tuple[PageFn, str]]:
    """Every page to time: {page: (function, "view" | "stand-in")}, page models first."""
    found: dict[str, tuple[PageFn, str]] = {}
    try:
        views = importlib.import_module("impact.views")
        names = [m.name for m in pkgutil.iter_modules(views.__path__)]
    except ImportError:
        names = []
    for name in sorted(names):
        if name in ("common", "__init__") or name.startswith("_"):
            continue
        try:
            fn = _entry_point(importlib.import_module(f"impact.views.{name}"))
        except Exception:  # a page model being written right now must not stop the benchmark
            fn = None
        if fn is not None:
            found[name] = (fn, "view")
    if not found:  # before the page models exist: time what they will have to do
        found = {name: (fn, "stand-in") for name, fn in STANDINS.items()}
    # The landing page first (a new session renders it cold); the data-checking pages last,
    # so the peak memory of the everyday pages can be read before theirs.
    return dict(sorted(found.items(), key=lambda item: (item[0] != LANDING_PAGE,
                                                        item[0] in ADMIN_PAGES)))


def call_page(fn: PageFn, db, filters: Filters, lang: str = "zh"):
    params = inspect.signature(fn).parameters
    return fn(db, filters, lang) if len(params) >= 3 else fn(db, filters)


def bench_orgs(db) -> list[str]:
    """Every organisation in the data, largest first (the rows are ordered by person-times):
    what the filter changes pick from."""
    rows = db.rows("activity_by_project", orgs=[], projects=[], areas=[],
                   year_from=None, year_to=None)
    return list(dict.fromkeys(r["org"] for r in rows))


def filter_changes(orgs: list[str], years: list[int], n: int, seed: int = 6,
                   projects: dict[str, list[str]] | None = None,
                   areas: list[str] | None = None) -> list[Filters]:
    """n *different* selections a user might step through: one year, a range, one org, a few
    orgs, a project or two of them, a programme area. No two are equal, so no measured change
    is answered by a cache that an earlier change filled (the server shares one across
    sessions)."""
    rng = random.Random(seed)
    last = max(years)
    projects = projects or {}
    areas = areas or []
    seen: set[Filters] = {default_filters(years)}  # the warm-up render asked for it
    out: list[Filters] = []
    for attempt in range(n * 50):
        if len(out) >= n:
            break
        kind = attempt % 6
        start = rng.choice(years)
        end = min(last, start + rng.choice((0, 0, 1, 2)))
        span = dict(year_from=start, year_to=end)
        org = rng.choice(orgs)
        if kind == 0:
            f = Filters(**span)
        elif kind == 1:
            f = Filters(orgs=(org,), **span)
        elif kind == 2:
            f = Filters(orgs=tuple(sorted(rng.sample(orgs, min(rng.randint(2, 4), len(orgs))))),
                        **span)
        elif kind == 3 and projects.get(org):
            chosen = rng.sample(projects[org], min(rng.randint(1, 2), len(projects[org])))
            f = Filters(orgs=(org,), projects=tuple(sorted(chosen)), **span)
        elif kind == 4 and areas:
            f = Filters(areas=(rng.choice(areas),), **span)
        elif kind == 5 and areas:
            f = Filters(orgs=(org,), areas=(rng.choice(areas),), **span)
        else:
            f = Filters(orgs=(org,), year_from=rng.choice(years), year_to=last)
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


def default_filters(years: list[int]) -> Filters:
    """What a new session opens on: every organisation, the latest year."""
    return Filters(year_from=max(years), year_to=max(years))
