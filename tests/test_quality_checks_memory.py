"""The data checks in bounded memory (issue 29) give the same answers as before.

- outliers: the project median is read off a histogram instead of median() over the records;
- duplicates: run a year at a time on large data, the years' groups ordered and cut together;
- both read activities_in(...) directly instead of a CTE used twice (DuckDB materializes it).
"""

from __future__ import annotations

import random

import duckdb
import pytest

from impact.bench.generate import generate
from impact.filters import Filters
from impact.storage import db as dbmod
from impact.storage.db import Database, _typed, load_query, macros_sql

# The outliers check as it was: median() over every record of the project.
OUTLIERS_BEFORE = """
WITH r AS (
    SELECT * FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
), m AS (
    SELECT org, project, median(beneficiaries) AS project_median, count(*) AS project_records
    FROM r GROUP BY org, project
)
SELECT r.activity_id, r.date, r.org, r.project, r.beneficiaries,
    m.project_median::DECIMAL(18,1) AS project_median,
    (r.beneficiaries / m.project_median)::DECIMAL(18,1) AS times_median
FROM r JOIN m ON m.org = r.org AND m.project = r.project
WHERE m.project_records >= 5 AND m.project_median > 0 AND r.beneficiaries > 10 * m.project_median
ORDER BY times_median DESC, r.date, r.activity_id
LIMIT 200
"""
PARAMS = ("orgs", "projects", "areas", "year_from", "year_to")


def _activities(con, seed: int) -> None:
    rng = random.Random(seed)
    con.execute("""CREATE TABLE activities (activity_id VARCHAR, org VARCHAR, date DATE,
        project VARCHAR, program_area VARCHAR, activity_type VARCHAR, sessions INTEGER,
        beneficiaries INTEGER, volunteers INTEGER, volunteer_minutes INTEGER, year INTEGER)""")
    rows = []
    for i in range(3000):
        org = f"o{rng.randint(0, 3)}"
        project = f"{org}-p{rng.randint(0, 6)}"  # some projects with few records, odd and even
        year = rng.choice((2021, 2022, 2023))
        value = rng.choice((0, 1, 2, 3, 3, 4, 5, 8, 12)) if rng.random() > 0.03 \
            else rng.choice((90, 150, 400, 1000))  # an extra 0 or two
        rows.append((f"a{i:05d}", org, f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                     project, rng.choice(("elderly", "youth", None)), "visit", 1, value, 1, 60,
                     year))
    con.executemany("INSERT INTO activities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("CREATE TABLE finance (org VARCHAR, project VARCHAR, year INTEGER)")
    for statement in macros_sql("activities").split(";"):
        if "MACRO activities_in(" in statement:  # the only table made here
            con.execute(statement)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("filters", [Filters(), Filters(orgs=("o1",)),
                                     Filters(year_from=2022, year_to=2022),
                                     Filters(orgs=("o0", "o2"), areas=("youth",))])
def test_outliers_histogram_median_is_median(seed, filters):
    con = duckdb.connect()
    _activities(con, seed)
    params = {k: v for k, v in filters.params().items()}
    before = con.sql(_typed(OUTLIERS_BEFORE, PARAMS), params=params).fetchall()
    after = con.sql(_typed(load_query("data_quality_outliers").sql, PARAMS),
                    params=params).fetchall()
    assert after == before
    if filters == Filters():
        assert before  # the data has outliers to find


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("dq") / "data"
    generate(str(path), 300_000)
    return str(path)


@pytest.mark.parametrize("filters", [Filters(), Filters(year_from=2020, year_to=2022),
                                     Filters(year_from=1990, year_to=1991)])
def test_duplicates_a_year_at_a_time_are_the_same_groups(bench_dir, filters, monkeypatch):
    db = Database(bench_dir)
    try:
        whole = db.run("data_quality_duplicates", **filters.params())
        monkeypatch.setattr(dbmod, "PER_YEAR_FROM_ROWS", 0)  # split even this small data
        by_year = db.run("data_quality_duplicates", **filters.params())
        assert load_query("data_quality_duplicates").per_year
    finally:
        db.close()
    assert by_year.schema == whole.schema
    assert by_year.to_pylist() == whole.to_pylist()
    if filters == Filters():
        assert whole.num_rows > 0


def test_per_year_marker_needs_a_year_range_and_a_final_limit(tmp_path, monkeypatch):
    (tmp_path / "bad.sql").write_text("-- impact: one year at a time\nSELECT 1", encoding="utf-8")
    monkeypatch.setattr(dbmod, "QUERIES_DIR", tmp_path)
    dbmod.load_query.cache_clear()
    try:
        with pytest.raises(ValueError, match="one year at a time"):
            dbmod.load_query("bad")
    finally:
        dbmod.load_query.cache_clear()
