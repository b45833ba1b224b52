"""The monthly rollup gives exactly the detail's answers, for every named query."""

from __future__ import annotations

import pytest

from impact.storage import rollup
from impact.bench.generate import generate
from impact.storage.db import Database, load_query, query_names
from impact.filters import Filters
from impact.storage.store import DataStore

ROOT_DATA = __import__("pathlib").Path(__file__).resolve().parent.parent / "data"

SELECTIONS = [
    Filters(),
    Filters(year_from=2020, year_to=2020),
    Filters(year_from=2016, year_to=2018),
    Filters(orgs=("机构000",)),
    Filters(orgs=("机构001", "机构007"), year_from=2019, year_to=2022),
    Filters(areas=("儿童服务", "长者服务")),
    Filters(projects=("机构002·项目0002",), year_from=2024, year_to=2024),
    Filters(orgs=("没有这个机构",)),  # empty selection: zeros, not NULLs
]


@pytest.fixture(scope="module")
def both_ways(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("rollup") / "data")
    generate(path, 30_000)
    return Database(path), Database(path, rollups=False)


@pytest.fixture(scope="module")
def demo_both_ways(tmp_path_factory):
    """The demo dataset recommitted through the store (which adds the rollup)."""
    path = tmp_path_factory.mktemp("demo") / "data"
    source = DataStore(ROOT_DATA)
    DataStore(path).commit({t: source.read_table(t) for t in
                            ("activities", "finance", "indicators", "targets")}, fresh=True)
    return Database(str(path)), Database(str(path), rollups=False)


def test_the_rollup_is_smaller_and_sums_to_the_detail(both_ways):
    fast, _ = both_ways
    assert fast.rollups
    rows = sum(f.rows for f in fast.store.rollup_files())
    # At most one row per project and month (160 × 120 here): the ratio grows with the data,
    # about 100× at 10M rows (docs/performance.md).
    assert rows < 30_000 / 2
    # Sums over the rollup equal the control totals of the detail files.
    detail = {k: sum(f.totals[k] for f in fast.store.files("activities"))
              for k in ("sessions", "beneficiaries", "volunteers", "volunteer_minutes")}
    totals = fast.rows("activity_totals", **Filters().params())[0]
    assert totals["records"] == 30_000
    assert (totals["services"], totals["beneficiaries"]) == (detail["sessions"], detail["beneficiaries"])


@pytest.mark.parametrize("name", query_names())
def test_every_query_gives_the_same_rows_from_rollup_and_detail(both_ways, name):
    fast, slow = both_ways
    for filters in SELECTIONS:
        params = dict(filters.params(), limit=100, funder="乐购")
        assert fast.run(name, **params).equals(slow.run(name, **params)), (name, filters)


@pytest.mark.parametrize("name", query_names())
def test_demo_figures_are_the_same_from_rollup_and_detail(demo_both_ways, name):
    fast, slow = demo_both_ways
    assert fast.rollups
    for filters in (Filters(), Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020),
                    Filters(areas=("儿童服务",))):
        params = dict(filters.params(), limit=100, funder="乐购")
        assert fast.run(name, **params).equals(slow.run(name, **params)), (name, filters)


def test_the_headline_demo_figures_hold_on_the_rollup(demo_both_ways):
    fast, _ = demo_both_ways
    row = fast.rows("activity_totals", **Filters(orgs=("珠海协作者",), year_from=2020,
                                                 year_to=2020).params())[0]
    assert (row["services"], row["beneficiaries"], row["volunteers"],
            row["volunteer_minutes"]) == (581, 99037, 1394, 70644)


def test_queries_the_rollup_cannot_answer_read_the_detail():
    assert rollup.rollup_sql(load_query("activity_records").sql) is None  # day, id
    assert rollup.rollup_sql(load_query("finance_by_line").sql) is None  # no activities
    assert rollup.rollup_sql("SELECT avg(beneficiaries) FROM activities_in($orgs, $projects, "
                             "$areas, $year_from, $year_to)") is None  # mean of sums ≠ mean
    assert rollup.rollup_sql("SELECT max(sessions) FROM activities_in($orgs, $projects, "
                             "$areas, $year_from, $year_to)") is None
    assert rollup.rollup_sql("SELECT count(DISTINCT date) FROM activities_in($orgs, "
                             "$projects, $areas, $year_from, $year_to)") is None
    assert "activity_months_in(" in rollup.rollup_sql(load_query("activity_by_year").sql)
    # A count(*) over another table would be rewritten as a sum of activity records.
    assert rollup.rollup_sql("WITH a AS (SELECT sum(sessions) AS s FROM activities_in($orgs, "
                             "$projects, $areas, $year_from, $year_to)) SELECT count(*) FROM "
                             "finance_in($orgs, $projects, $areas, $year_from, $year_to)") is None


def test_aggregates_over_other_tables_do_not_keep_a_query_on_the_detail():
    # Issue 29: min(unit) over the indicators and a count over the finance rows kept these
    # two on the detail (1M rows per overview rerun); the rewrite leaves those parts alone.
    for name in ("target_achievement", "data_quality_rows"):
        sql = rollup.rollup_sql(load_query(name).sql)
        assert sql is not None and "activity_months_in(" in sql, name


def test_first_and_last_month_are_answered_from_the_rollup_but_not_days():
    # The data check's gaps need each organisation's first and last month: min/max of a
    # month is the same over the rollup's month-start dates, min/max of a day is not.
    months = "($orgs, $projects, $areas, $year_from, $year_to)"
    assert rollup.rollup_sql(f"SELECT org, min(date_trunc('month', date)), max(year(date)) "
                             f"FROM activities_in{months} GROUP BY org") is not None
    assert rollup.rollup_sql(f"SELECT org, min(date) FROM activities_in{months} "
                             "GROUP BY org") is None
    assert "activity_months_in(" in rollup.rollup_sql(load_query("data_quality_gaps").sql)


def test_stale_rollups_are_not_used(tmp_path):
    generate(str(tmp_path), 5_000)
    store = DataStore(tmp_path)
    manifest = store.manifest()
    manifest["rollups"]["activity_months"]["files"].pop()  # one year's rollup missing
    store._publish(manifest, manifest, manifest["tables"], {}, False, manifest["rollups"])
    db = Database(str(tmp_path))
    assert not db.rollups
    assert db.rows("activity_totals", **Filters().params())[0]["records"] == 5_000
