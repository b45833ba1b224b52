"""The sidebar's options from one query per data version (impact/web/options.py) give exactly
what the four per-selection queries give, on the demo data and on bench data, and follow an
import at once."""

from __future__ import annotations

import random

import pytest

from impact.storage.db import Database
from impact.storage.cache import CachedDatabase
from impact.web.options import OptionIndex
from impact.web.sidebar import Options


def _selections(orgs: list[str], n: int = 40) -> list[list[str]]:
    rng = random.Random(14)
    out = [[], orgs[:1], orgs[-1:], orgs[:3], ["no such org"], [orgs[0], "no such org"]]
    for _ in range(n):
        out.append(rng.sample(orgs, rng.randint(1, min(6, len(orgs)))))
    return out


def _assert_same(db) -> None:
    queries, index = Options(db), OptionIndex(db.rows("filter_index"))
    assert index.orgs() == queries.orgs()
    for chosen in _selections(queries.orgs()):
        assert index.projects(chosen) == queries.projects(chosen), chosen
        assert index.areas(chosen) == queries.areas(chosen), chosen
        assert index.span(chosen) == queries.span(chosen), chosen


def test_same_options_as_the_queries_on_the_demo_data(demo_db):
    _assert_same(demo_db)


@pytest.fixture(scope="module")
def bench_db(tmp_path_factory) -> Database:
    from impact.bench.generate import generate
    path = tmp_path_factory.mktemp("bench")
    generate(str(path), 20_000)
    return Database(str(path))


def test_same_options_as_the_queries_on_bench_data_with_the_rollup(bench_db):
    assert bench_db.rollups  # the index is read from the monthly rollup here
    _assert_same(bench_db)


def test_one_index_per_data_version_and_a_new_one_after_an_import(demo_copy):
    from impact.storage.store import DataStore

    db = CachedDatabase(Database(str(demo_copy)))
    first = OptionIndex.for_db(db)
    assert OptionIndex.for_db(db) is first  # the same data version: no query at all
    store = DataStore(str(demo_copy))
    table = store.read_table("activities")
    store.commit({"activities": table.slice(0, table.num_rows // 2)})
    db.refresh()
    second = OptionIndex.for_db(db)
    assert second is not first
    assert second.orgs() == Options(db).orgs()


def test_prewarm_fills_the_shared_cache_with_every_default_view(demo_copy, monkeypatch):
    """After the background warm-up, a new session's default view of every everyday page is
    answered from the result cache: no query reaches DuckDB."""
    from impact.web import prewarm

    monkeypatch.setenv("IMPACT_PREWARM", "1")
    db = CachedDatabase(Database(str(demo_copy)))
    thread = prewarm.ensure(db, db.refresh())
    assert thread is not None and prewarm.ensure(db, db.version) is None  # once per version
    thread.join(timeout=300)
    assert not thread.is_alive()
    filters = prewarm.default_filters(db)
    misses = db.misses
    for lang in ("zh", "en"):
        for module_name, fn_name in prewarm.EVERYDAY:
            import importlib
            getattr(importlib.import_module(f"impact.views.{module_name}"), fn_name)(
                db, filters, lang)
    assert db.misses == misses


def test_a_funders_scope_narrows_the_index_as_it_narrows_the_queries(demo_db):
    """A restricted visitor (funder link) gets the same options from the index as from the
    per-selection queries with the same scope."""
    from types import SimpleNamespace

    orgs = Options(demo_db).orgs()
    projects = Options(demo_db).projects(orgs[:1])
    last = Options(demo_db).span(())[1]
    scope = SimpleNamespace(orgs=frozenset(orgs[:1]), projects=frozenset(projects[:2]),
                            year_from=last - 1, year_to=last)
    queries = Options(demo_db, scope)
    index = OptionIndex(demo_db.rows("filter_index")).scoped(scope)
    assert index.orgs() == queries.orgs()
    for chosen in ([], orgs[:1], orgs[:2]):
        assert index.projects(chosen) == queries.projects(chosen)
        assert index.areas(chosen) == queries.areas(chosen)
        assert index.span(chosen) == queries.span(chosen)


def test_prewarm_builds_the_check_index_once(demo_copy, monkeypatch, tmp_path):
    """After an import, the Data page's checks are ready before anyone opens them: the
    warm-up builds the version's check index (in the checks' child process), once."""
    from impact.storage import check_index
    from impact.web import prewarm

    monkeypatch.setenv("IMPACT_CACHE_DIR", str(tmp_path / "cache"))
    db = CachedDatabase(Database(str(demo_copy)))
    db.refresh()
    assert not check_index.ready(db)
    assert prewarm.build_check_index(db) is True
    assert check_index.ready(db)
    assert prewarm.build_check_index(db) is False  # there already


def test_prewarm_leaves_other_engines_alone():
    from impact.web import prewarm

    class Engine:  # another engine's database: nothing of ours to index
        data_dir = "s3://elsewhere"
        version = "v"

    assert prewarm.build_check_index(Engine()) is False
