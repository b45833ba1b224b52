"""The result cache keeps its answers within a count and an estimated byte size."""

from __future__ import annotations

from pathlib import Path

from impact.filters import Filters
from impact.storage.cache import CachedDatabase, _size
from impact.storage.db import Database

DATA = str(Path(__file__).resolve().parent.parent / "data")


def test_a_repeat_is_answered_from_memory_and_a_new_version_is_not():
    cache = CachedDatabase(Database(DATA))
    p = Filters().params()
    first = cache.rows("finance_by_line", **p)
    assert cache.rows("finance_by_line", **p) is first and cache.hits == 1


def test_large_results_are_dropped_first_by_bytes_not_only_by_count():
    db = Database(DATA)
    years = [Filters(year_from=y, year_to=y).params() for y in (2017, 2018, 2019, 2020)]
    one = max(_size(db.rows("finance_by_org_funder", **p))
              + db.run("finance_by_org_funder", **p).nbytes for p in years)
    # Room for about two such answers: a third one pushes out the least recently used.
    cache = CachedDatabase(db, max_results=512, max_bytes=int(one * 2.5))
    for q in years:
        cache.rows("finance_by_org_funder", **q)
    assert len(cache._results) < len(years)
    assert cache._bytes == sum(cache._sizes.values()) <= int(one * 2.5)
    assert set(cache._sizes) == set(cache._results)
    # The newest is kept; asking for it again is a hit.
    hits = cache.hits
    cache.rows("finance_by_org_funder", **years[-1])
    assert cache.hits == hits + 1


def test_a_result_larger_than_the_whole_budget_is_still_kept_until_the_next():
    cache = CachedDatabase(Database(DATA), max_bytes=1)
    p = Filters().params()
    rows = cache.rows("finance_by_line", **p)
    assert cache.rows("finance_by_line", **p) is rows  # the page reading it right after hits
    cache.rows("finance_by_source", **p)
    assert len(cache._results) == 1 and cache._bytes == sum(cache._sizes.values())


def test_clear_forgets_sizes_too():
    cache = CachedDatabase(Database(DATA))
    cache.rows("finance_by_line", **Filters().params())
    cache.clear()
    assert cache._bytes == 0 and not cache._sizes and not cache._results
