"""The check index answers the Data page's duplicate and outlier checks exactly as the queries
over every record do (impact.storage.check_index), for any organisations, projects and
areas: projects spread over several areas (one with no area), areas where most records count
0 person-times, outliers, duplicates across years."""

from __future__ import annotations

import json
import random

import pytest

from impact.bench.generate import generate
from impact.filters import Filters
from impact.storage import check_index
from impact.storage.db import Database
from impact.views.data_quality import data_quality

CHECKS = ("data_quality_duplicates", "data_quality_outliers")
AREAS = ("elderly", "youth", "women", None)


def _records(seed: int) -> list[tuple]:
    rng = random.Random(seed)
    rows = []
    for i in range(4000):
        org = f"o{rng.randint(0, 3)}"
        project = f"{org}-p{rng.randint(0, 5)}"
        area = rng.choice(AREAS)
        year = rng.choice((2021, 2022, 2023))
        if area == "women" and rng.random() < 0.7:
            value = 0  # most of this area's records count nobody: its lower median is 0
        elif rng.random() < 0.04:
            value = rng.choice((60, 90, 150, 400, 1000))  # an extra 0 or two
        else:
            value = rng.choice((1, 2, 3, 3, 4, 5, 8, 12)) * (3 if area == "youth" else 1)
        row = (org, f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", project, area,
               rng.choice(("visit", "group")), 1, value, rng.randint(0, 2), 60, year)
        rows.append((f"a{i:05d}", *row))
        if rng.random() < 0.05:  # the same session keyed twice, or three times
            for copy in range(rng.choice((1, 1, 2))):
                rows.append((f"a{i:05d}-{copy}", *row))
    return rows


@pytest.fixture(params=[1, 2, 3])
def db(request, tmp_path, monkeypatch):
    """A Database whose activities are the records above (the view pointed at a table)."""
    monkeypatch.setenv("IMPACT_CACHE_DIR", str(tmp_path / "cache"))
    generate(str(tmp_path / "data"), 2_000)
    database = Database(str(tmp_path / "data"), rollups=False)
    cur = database._con.cursor()
    cur.execute("""CREATE TABLE synthetic (activity_id VARCHAR, org VARCHAR, date DATE,
        project VARCHAR, program_area VARCHAR, activity_type VARCHAR, sessions INTEGER,
        beneficiaries INTEGER, volunteers INTEGER, volunteer_minutes INTEGER, year INTEGER)""")
    cur.executemany("INSERT INTO synthetic VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    _records(request.param))
    cur.execute("CREATE OR REPLACE VIEW activities AS SELECT * FROM synthetic")
    yield database
    database.close()


def _selections(seed: int) -> list[Filters]:
    rng = random.Random(seed)
    orgs = [f"o{i}" for i in range(4)]
    projects = [f"{o}-p{j}" for o in orgs for j in range(6)]
    areas = [a for a in AREAS if a]
    out = [Filters(), Filters(areas=("women",)), Filters(areas=("elderly", "youth")),
           Filters(orgs=("o1",)), Filters(projects=("o2-p3",), areas=("women", "youth"))]
    for _ in range(40):
        out.append(Filters(orgs=tuple(rng.sample(orgs, rng.randint(0, 2))),
                           projects=tuple(rng.sample(projects, rng.choice((0, 0, 1, 3)))),
                           areas=tuple(rng.sample(areas, rng.randint(0, 2)))))
    return out


def test_every_selection_gets_the_rows_the_records_give(db):
    meta = check_index.ensure(db)
    assert meta["outliers"] and meta["duplicate_groups"] > 0
    found = {name: 0 for name in CHECKS}
    for filters in _selections(7):
        params = filters.params()
        for name in CHECKS:
            indexed = check_index.answer_name(db, name, params)
            assert indexed != name
            expected, got = db.run(name, **params), db.run(indexed, **params)
            assert got.schema == expected.schema, name
            assert got.to_pylist() == expected.to_pylist(), (name, filters)
            found[name] += bool(expected.num_rows)
    assert all(found.values()), found  # the data has duplicates and outliers to find


def test_the_page_model_is_the_same_with_and_without_the_index(db, monkeypatch):
    filters = Filters(areas=("women", "youth"))
    with_index = data_quality(db, filters, "zh")
    assert check_index.ready(db)
    monkeypatch.setattr(check_index, "answer_name", lambda db, name, params: name)
    without = data_quality(db, filters, "zh")
    for part in ("rows", "gaps", "duplicates", "outliers"):
        assert getattr(with_index, part).rows == getattr(without, part).rows, part


def test_a_year_range_reads_the_records(db):
    check_index.ensure(db)
    for name in CHECKS:
        assert check_index.answer_name(db, name, Filters(year_from=2022).params()) == name
        assert check_index.answer_name(db, name, Filters().params()) != name


def test_too_many_candidates_leave_the_outliers_to_the_records(db, monkeypatch):
    monkeypatch.setattr(check_index, "MAX_CANDIDATES", 10)
    meta = check_index.ensure(db)
    assert meta["outliers"] is False and not check_index.ready(db)
    params = Filters().params()
    assert check_index.answer_name(db, "data_quality_outliers", params) \
        == "data_quality_outliers"
    assert check_index.answer_name(db, "data_quality_duplicates", params) \
        != "data_quality_duplicates"


def test_one_index_per_version_written_whole(db):
    path = check_index.index_dir(db)
    assert not path.exists() and not check_index.ready(db)
    check_index.ensure(db)
    assert sorted(p.name for p in path.iterdir()) == [
        "candidates.parquet", "duplicates.parquet", "index.json", "values.parquet"]
    assert json.loads((path / "index.json").read_text())["version"] == db.version
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".building-")]
    # A damaged index (no metadata) is built again, not read.
    (path / "index.json").write_text("{", encoding="utf-8")
    assert not check_index.ready(db)
    assert check_index.ensure(db)["outliers"]


def test_other_engines_read_the_records():
    class Engine:  # a Database of another engine: no local files to index
        version = "v"
        data_dir = "s"

    assert check_index.ensure(Engine()) is None
    assert check_index.answer_name(Engine(), "data_quality_outliers", Filters().params()) \
        == "data_quality_outliers"


def test_no_writable_cache_directory_leaves_the_checks_to_the_records(db, tmp_path,
                                                                     monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("IMPACT_CACHE_DIR", str(blocker))
    assert check_index.ensure(db) is None
    params = Filters().params()
    assert check_index.answer_name(db, "data_quality_duplicates", params) \
        == "data_quality_duplicates"
    model = data_quality(db, Filters(), "zh")
    assert model.duplicates.rows
