"""The sidebar's options for any selection, from one query per data version.

The sidebar asks on every rerun which organisations, projects, programme areas and years it
can offer for the organisations chosen. Asked of DuckDB each time (filter_orgs, filter_projects,
filter_areas, year_span) that is four queries per rerun, and every new choice of
organisations misses the result cache: measured at 27–50 ms p50, up to 201 ms, at 10M rows,
plus filter_orgs' scan of the detail table. `filter_index` returns the whole relation
(organisation, project, area, first and last year) in one small result, from the monthly
rollup; this module answers every option question from it in memory, for as long as the
data version stays the same. The answers are the ones the four queries give
(tests/test_options.py compares them over many selections).
"""

from __future__ import annotations

import threading

_LOCK = threading.Lock()


def default_period(first: int, last: int, scope=None) -> tuple[int, int]:
    """The years a view opens on when its URL names none, inside the span (first, last) the
    visitor may see. A director wants this year against last: the latest year. A scope with a
    period (a funder link for 2020–2021) opens on that whole period: the link's figures are
    for it, and the view must not say less than the link."""
    if scope is not None and (scope.year_from is not None or scope.year_to is not None):
        return first, last
    return last, last
_INDEXES: dict[str, tuple[str, "OptionIndex"]] = {}  # data dir -> (version, index)


class OptionIndex:
    """Same interface as impact.web.sidebar.Options: orgs(), projects(orgs), areas(orgs),
    span(orgs)."""

    def __init__(self, rows: list[dict]):
        self._orgs = sorted({r["org"] for r in rows})
        self._projects: dict[str, list[str]] = {}
        self._areas: dict[str, set[str]] = {}
        self._years: dict[str, tuple[int, int]] = {}
        for r in rows:
            org = r["org"]
            if r["source"] == "activities":
                self._projects.setdefault(org, []).append(r["project"])
                if r["program_area"] is not None:
                    self._areas.setdefault(org, set()).add(r["program_area"])
            if r["first_year"] is not None:
                first, last = self._years.get(org, (r["first_year"], r["last_year"]))
                self._years[org] = (min(first, r["first_year"]), max(last, r["last_year"]))
        for org, projects in self._projects.items():
            self._projects[org] = sorted(set(projects), key=lambda p: (p is None, p or ""))

    @classmethod
    def for_db(cls, db) -> "OptionIndex":
        """The index of `db`'s current data version (built on first use after an import)."""
        version = db.version
        key = str(db.data_dir)
        with _LOCK:
            held = _INDEXES.get(key)
            if held is not None and held[0] == version:
                return held[1]
        index = cls(db.rows("filter_index"))
        with _LOCK:
            _INDEXES[key] = (version, index)
        return index

    def scoped(self, scope) -> "OptionIndex | ScopedOptions":
        """These options narrowed to a restricted visitor's scope (None: everything)."""
        return self if scope is None else ScopedOptions(self, scope)

    def _chosen(self, orgs) -> list[str]:
        return list(orgs) if orgs else self._orgs

    def orgs(self) -> list[str]:
        return list(self._orgs)

    def projects(self, orgs) -> list[str]:
        """Projects of the chosen organisations, by organisation then project, each once."""
        out: dict[str, None] = {}
        for org in sorted(set(self._chosen(orgs))):
            for project in self._projects.get(org, ()):
                out.setdefault(project, None)
        return list(out)

    def areas(self, orgs) -> list[str]:
        found: set[str] = set()
        for org in self._chosen(orgs):
            found |= self._areas.get(org, set())
        return sorted(found)

    def span(self, orgs) -> tuple[int | None, int | None]:
        years = [self._years[o] for o in self._chosen(orgs) if o in self._years]
        if not years:
            return None, None
        return min(y[0] for y in years), max(y[1] for y in years)

    def default_years(self, orgs) -> tuple[int, int] | None:
        first, last = self.span(orgs)
        return None if last is None else default_period(first, last)


class ScopedOptions:
    """The options a restricted visitor (a funder's link) may see: the same narrowing as
    impact.web.sidebar.Options with a scope, answered from the index."""

    def __init__(self, index: OptionIndex, scope):
        self.index, self.scope = index, scope

    def _orgs(self, orgs) -> list[str]:
        return list(orgs) or list(self.scope.orgs)

    def orgs(self) -> list[str]:
        return [o for o in self.index.orgs() if o in self.scope.orgs]

    def projects(self, orgs) -> list[str]:
        return [p for p in self.index.projects(self._orgs(orgs)) if p in self.scope.projects]

    def areas(self, orgs) -> list[str]:
        return self.index.areas(self._orgs(orgs))

    def span(self, orgs) -> tuple[int | None, int | None]:
        first, last = self.index.span(self._orgs(orgs))
        if first is not None:
            if self.scope.year_from is not None:
                first = max(first, self.scope.year_from)
            if self.scope.year_to is not None:
                last = min(last, self.scope.year_to)
            if first > last:
                return None, None
        return first, last

    def default_years(self, orgs) -> tuple[int, int] | None:
        first, last = self.span(orgs)
        return None if last is None else default_period(first, last, self.scope)
