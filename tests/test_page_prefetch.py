"""A page's queries run at once (CachedDatabase.prefetch), not one after another (issue 29).

A query a page model asks after its prefetch waits for the ones before it; one prefetched
with other parameters than the page then asks is run twice. Both happened unseen: the
beneficiaries page asked its three people queries one by one after the others, and it and
the volunteers page prefetched the by-year chart with the selected year only while the
chart asks for the year before too. The finance page ran the budget section's two queries
after the page's. This test runs every page with a prefetch over selections of each shape
and names any query asked outside it, and any prefetched query never read."""

from __future__ import annotations

from pathlib import Path

import pytest

from impact.bench.pages import call_page, discover
from impact.filters import Filters
from impact.storage.cache import CachedDatabase
from impact.storage.db import Database
from impact.views.finance import finance
from impact.views.grants import budget_section

DATA = str(Path(__file__).resolve().parent.parent / "data")

# Asked after the prefetch by design: the organisations of the data (for the empty state's
# wording, once per data version), and the transactions when there is no activity record
# (the empty-state check reads the activities first).
AFTER_BY_DESIGN = {"filter_orgs", "finance_by_line"}
# With no year chosen, the finance page's statement is of the last year with records, which
# only its by-year answer tells.
AFTER_WITHOUT_YEARS = {"statement_of_activities"}
SELECTIONS = [
    Filters(),  # every year
    Filters(year_from=2021, year_to=2021),  # one year: by-year charts add the year before
    Filters(year_from=2019, year_to=2021),
    Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020),
    Filters(areas=("儿童服务",), year_from=2018, year_to=2021),
]


class Recording(CachedDatabase):
    """A CachedDatabase that notes what was prefetched, what was read, and what was asked
    outside a prefetch."""

    def __init__(self, db):
        super().__init__(db)
        self.prefetched: set = set()
        self.read: set = set()
        self.outside: list[str] = []

    def prefetch(self, calls):
        self.prefetched |= {self._key(name, params) for name, params in calls}
        super().prefetch(calls)

    def _get(self, name, params):
        key = self._key(name, params)
        self.read.add(key)
        if self.prefetched and key not in self.prefetched and key not in self._results:
            self.outside.append(name)
        return super()._get(name, params)


@pytest.fixture(scope="module")
def database():
    return Database(DATA)


def _page_runs(database):
    for page, (fn, *_) in discover().items():
        for filters in SELECTIONS:
            yield page, filters, lambda db, fn=fn, filters=filters: call_page(fn, db, filters)
    for filters in SELECTIONS:  # as a staff member sees it: the budget section too
        yield "finance+budgets", filters, lambda db, filters=filters: (
            finance(db, filters, "zh", budgets=True), budget_section(db, filters, "zh"))


def test_every_page_asks_its_queries_at_once_and_reads_what_it_prefetched(database):
    late, unread, runs = [], [], 0
    for page, filters, run in _page_runs(database):
        db = Recording(database)
        run(db)
        if not db.prefetched:  # a page without a prefetch (the data checks: one query each)
            continue
        runs += 1
        allowed = AFTER_BY_DESIGN | (AFTER_WITHOUT_YEARS if filters.year_to is None else set())
        late += [f"{page} {filters}: {name}" for name in db.outside if name not in allowed]
        # The page may stop early (an empty selection): only a full page reads everything.
        if not set(db.outside) & AFTER_BY_DESIGN:
            unread += [f"{page} {filters}: {key[0]}" for key in db.prefetched - db.read]
    assert runs >= 6 * len(SELECTIONS)
    assert not late, "asked one by one after the page's prefetch:\n" + "\n".join(late)
    assert not unread, "prefetched and never read:\n" + "\n".join(unread)


def test_a_visitor_without_the_budget_section_does_not_pay_for_it(database):
    db = Recording(database)
    finance(db, SELECTIONS[1], "zh")
    assert not {key[0] for key in db.read} & {"budget_vs_actual_projects",
                                               "budget_vs_actual_grants"}
