"""Default views stay small however large the network (issue 14): with every organisation
selected, a table shows its first SCREEN_ROWS rows and says so (the CSV has every row), a
bar chart draws its top projects, a trend stacks its largest organisations and sums the rest.
Checked on benchmark data with 40 organisations and 160 projects, for every everyday page."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from impact.bench.generate import generate
from impact.storage.db import Database
from impact.views.beneficiaries import SCATTER_PROJECTS, beneficiaries
from impact.views.common import CHART_PROJECTS, SCREEN_ROWS, Chart, Column, Table
from impact.views.growth import growth
from impact.views.overview import TREND_ORGS, overview
from impact.views.volunteers import volunteers
from impact.web.prewarm import default_filters
from tests.page_tables import page_tables

ROOT = Path(__file__).resolve().parent.parent
# The most points a trace may draw: a project bar chart, the scatter, or 10 bench years.
MOST_POINTS = max(CHART_PROJECTS, SCATTER_PROJECTS)


@pytest.fixture(scope="module")
def network(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("network")
    generate(str(path), 20_000)  # 40 organisations, 160 projects, 10 years
    return str(path)


@pytest.fixture(scope="module")
def models(network):
    db = Database(network)
    filters = default_filters(db)
    return {fn.__name__: fn(db, filters, lang)
            for fn in (overview, beneficiaries, volunteers, growth) for lang in ("zh",)}


def _parts(model) -> tuple[list[Table], list[Chart]]:
    tables, charts = [], []
    for value in vars(model).values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Table):
                tables.append(item)
            elif isinstance(item, Chart) and item.figure is not None:
                charts.append(item)
    return tables, charts


def test_every_everyday_table_shows_at_most_screen_rows_and_says_how_many_it_has(models):
    long_tables = 0
    for name, model in models.items():
        tables, _ = _parts(model)
        for table in tables:
            shown = table.head()
            assert len(shown.rows) <= SCREEN_ROWS, (name, table.key)
            assert shown.rows == table.rows[:len(shown.rows)], "the table's own order"
            if len(table.rows) > SCREEN_ROWS:
                long_tables += 1
                assert table.shown_note() == (f"显示前 {SCREEN_ROWS} 行，共 {len(table.rows)} "
                                              "行；下载的 CSV 包含全部。")
                # The CSV (built on click) still has every row.
                lines = list(csv.reader(io.StringIO(table.csv().decode("utf-8-sig"))))
                assert len(lines) == len(table.rows) + 1
            else:
                assert table.shown_note() == ""
    assert long_tables >= 3, "the bench network has long project and target tables"


def test_no_everyday_chart_draws_hundreds_of_points_or_series(models):
    for name, model in models.items():
        _, charts = _parts(model)
        for chart in charts:
            assert len(chart.figure.data) <= TREND_ORGS, (name, chart.key)
            for trace in chart.figure.data:
                points = len(trace.y) if trace.y is not None else 0
                assert points <= MOST_POINTS, (name, chart.key, points)


def test_top_projects_chart_is_the_tables_top_rows_and_its_caption_says_so(models):
    model = models["beneficiaries"]
    [bars] = model.by_project.figure.data
    top = model.projects.rows[:CHART_PROJECTS]
    assert list(bars.x) == [r["beneficiaries"] for r in top]
    total = len(model.projects.rows)
    assert f"图中显示排名前 {CHART_PROJECTS} 的项目（共 {total} 个）" in model.by_project.caption
    assert f"排名前 {SCATTER_PROJECTS} 的项目" in model.services_vs_people.caption


def test_trend_keeps_the_largest_organisations_and_sums_the_rest_exactly(network, models):
    db = Database(network)
    model = models["overview"]
    trend = next(c for c in model.activity_trends if c.key == "trend_beneficiaries")
    names = [trace.name for trace in trend.figure.data]
    assert len(names) == TREND_ORGS and names[-1] == f"其他 {40 - TREND_ORGS + 1} 家机构"
    assert f"其余 {40 - TREND_ORGS + 1} 家合并为“{names[-1]}”" in trend.caption
    # The stack still adds up to the year's total, so no organisation went missing.
    totals = {r["year"]: r["beneficiaries"] for r in db.rows("activity_by_year", orgs=[],
              projects=[], areas=[], year_from=None, year_to=None)}
    drawn: dict[int, int] = {}
    for trace in trend.figure.data:
        for x, y in zip(trace.x, trace.y):
            drawn[x] = drawn.get(x, 0) + (y or 0)
    assert drawn == totals
    # The named ones are the largest over the years.
    per_org: dict[str, int] = {}
    for r in db.rows("org_by_year", orgs=[], projects=[], areas=[], year_from=None,
                     year_to=None):
        per_org[r["org"]] = per_org.get(r["org"], 0) + r["beneficiaries"]
    largest = sorted(per_org, key=lambda o: (-per_org[o], o))[:TREND_ORGS - 1]
    assert names[:-1] == largest


def test_a_short_table_is_not_capped_and_limit_none_shows_all():
    rows = [{"n": i} for i in range(SCREEN_ROWS + 5)]
    table = Table("t", "", [Column("n", "n", "count")], rows, lang="en")
    assert table.shown_note() == (f"Showing the first {SCREEN_ROWS} of {SCREEN_ROWS + 5} rows; "
                                  "the CSV download has them all.")
    assert Table("t", "", table.columns, rows, limit=None).head().rows == rows
    assert Table("t", "", table.columns, rows[:SCREEN_ROWS]).shown_note() == ""


def test_the_beneficiaries_page_sends_only_the_shown_rows(network, monkeypatch):
    monkeypatch.setenv("IMPACT_DATA_DIR", network)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/beneficiaries.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [len(df) for df in page_tables(at)] == [SCREEN_ROWS]
    assert any(f"显示前 {SCREEN_ROWS} 行，共 160 行" in c.value for c in at.caption)
    # The drill-down list offers the projects the table shows.
    [drill] = [s for s in at.selectbox if s.label == "查看某个项目的活动记录"]
    assert len(drill.options) == SCREEN_ROWS
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert max(len(trace.get("y") or []) for spec in specs for trace in spec["data"]) \
        <= MOST_POINTS
