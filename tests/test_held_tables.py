"""Small tables read into memory once per data version give exactly the files' answers.

Database holds every table of at most `held_rows` rows (and the monthly rollup) in DuckDB's
memory and points its view at that copy (issue 29); a query with no programme area chosen
reads finance through `finance_any_area_in`, without the area lookup's join. Both must be
invisible in every answer: each named query is compared with a Database that reads every
table from its files on every query.
"""

from __future__ import annotations

import pytest

from impact.bench.generate import generate
from impact.errors import DataError
from impact.filters import Filters
from impact.storage import rollup
from impact.storage.db import Database, query_names, without_areas
from impact.storage.store import DataStore

ROOT_DATA = __import__("pathlib").Path(__file__).resolve().parent.parent / "data"

SELECTIONS = [
    Filters(),
    Filters(year_from=2020, year_to=2021),
    Filters(orgs=("机构001", "机构007"), year_from=2019, year_to=2022),
    Filters(areas=("儿童服务", "长者服务")),
    Filters(orgs=("珠海协作者",), areas=("儿童服务",), year_from=2020, year_to=2023),
    Filters(projects=("机构002·项目0002",), year_from=2024, year_to=2024),
    Filters(orgs=("没有这个机构",)),
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("held") / "data")
    generate(path, 30_000)
    return Database(path), Database(path, held_rows=0)


@pytest.fixture(scope="module")
def demo():
    return Database(str(ROOT_DATA)), Database(str(ROOT_DATA), held_rows=0)


def test_small_tables_and_the_rollup_are_held_the_detail_is_not(generated, demo):
    for held, files in (generated, demo):
        assert {"finance", "indicators", "targets", rollup.NAME} <= held.held
        assert "activities" not in held.held
        assert files.held == set()
    # The demo's people tables are small too.
    assert {"participants", "reach", "outcomes", "grants"} <= demo[0].held


@pytest.mark.parametrize("name", query_names())
def test_every_query_gives_the_same_rows_held_or_from_files(generated, demo, name):
    for held, files in (generated, demo):
        for filters in SELECTIONS:
            params = dict(filters.params(), limit=100, funder="乐购")
            assert held.run(name, **params).equals(files.run(name, **params)), (name, filters)


def test_a_table_over_the_limit_stays_on_its_files(tmp_path):
    path = str(tmp_path / "data")
    generate(path, 30_000)
    finance_rows = sum(f.rows for f in DataStore(path).files("finance"))
    db = Database(path, held_rows=finance_rows - 1)
    assert "finance" not in db.held and "indicators" in db.held
    fin = db.rows("finance_by_line", **Filters().params())
    assert sum(r["transactions"] for r in fin) == finance_rows


def test_an_import_replaces_the_held_copy(tmp_path):
    path = tmp_path / "data"
    source = DataStore(ROOT_DATA)
    store = DataStore(path)
    store.commit({"finance": source.read_table("finance")}, fresh=True)
    db = Database(str(path))
    assert "finance" in db.held
    before = db.rows("finance_by_line", **Filters().params())
    finance = source.read_table("finance")
    store.commit({"finance": finance.slice(0, finance.num_rows // 2)}, fresh=True)
    db.refresh()
    after = db.rows("finance_by_line", **Filters().params())
    assert sum(r["transactions"] for r in after) == finance.num_rows // 2
    assert after != before


def test_a_damaged_small_file_is_named(tmp_path):
    path = tmp_path / "data"
    source = DataStore(ROOT_DATA)
    DataStore(path).commit({"indicators": source.read_table("indicators")}, fresh=True)
    (damaged,) = DataStore(path).files("indicators")
    with open(DataStore(path).full_path(damaged.path), "r+b") as fh:
        fh.seek(len(fh.read()) // 2)
        fh.write(b"\0" * 64)
    with pytest.raises(DataError, match=damaged.path.split("/")[-1]):
        Database(str(path)).rows("indicators", **Filters().params())


def test_finance_reads_without_the_area_join_only_when_no_area_is_chosen():
    sql = "SELECT * FROM finance_in($orgs, $projects, $areas, 1, 2) JOIN finance_in (x)"
    assert without_areas(sql, {"areas": []}).count("finance_any_area_in(") == 2
    assert without_areas(sql, {"areas": ["儿童服务"]}) == sql
    assert without_areas("SELECT 1 FROM my_finance_in(1)", {"areas": []}) == \
        "SELECT 1 FROM my_finance_in(1)"


def test_every_area_filter_goes_through_a_macro():
    """An area clause written out in a query (`project IN (SELECT … FROM activities …)`)
    read the detail activities on every query, area chosen or not, and could not skip its
    join when none was (issue 29): the filters live in the macros of impact.storage.db."""
    from impact.storage.db import load_query

    inline = [name for name in query_names() if "list_contains($areas" in load_query(name).sql]
    assert inline == []
