"""Multi-organisation trends show who contributes to each year and flag sums over
organisations that cover different years (issue 11, point 5)."""

from __future__ import annotations

from impact.filters import Filters
from impact.views.growth import growth
from impact.views.overview import overview


def test_all_organisations_trend_is_stacked_by_organisation_on_a_numeric_year_axis(demo_db):
    model = overview(demo_db, Filters(year_from=2018, year_to=2018), "zh")
    people = next(c for c in model.activity_trends if c.key == "trend_beneficiaries")
    figure = people.figure
    assert figure.layout.barmode == "stack" and figure.layout.xaxis.type == "linear"
    assert {trace.name for trace in figure.data} == {"中山联和", "北京协作者", "珠海协作者",
                                                     "苏州清流"}
    # Each organisation's bars equal its org_by_year rows; no bar where it has no record.
    rows = demo_db.rows("org_by_year", **Filters().params())
    for trace in figure.data:
        mine = {r["year"]: r["beneficiaries"] for r in rows if r["org"] == trace.name}
        drawn = {x: y for x, y in zip(trace.x, trace.y) if y is not None}
        assert drawn == mine
    # 2008 and 2012 are four years apart on the axis: the gap shows.
    assert 2009 not in {x for t in figure.data for x, y in zip(t.x, t.y) if y is not None}
    assert "各机构有记录的年份不同" in people.caption and "中山联和 2016–2018" in people.caption
    assert "各机构有记录的年份不同" in model.money_trend.caption


def test_one_organisation_keeps_a_single_line_without_a_coverage_flag(demo_db):
    model = overview(demo_db, Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020), "en")
    people = next(c for c in model.activity_trends if c.key == "trend_beneficiaries")
    assert len(people.figure.data) == 1 and people.figure.data[0].mode == "lines+markers"
    assert "different years" not in people.caption


def test_growth_flags_totals_over_organisations_with_different_coverage(demo_db):
    model = growth(demo_db, Filters(year_from=2016, year_to=2018), "en")
    assert any("cover different years" in n for n in model.notices)
    single = growth(demo_db, Filters(orgs=("珠海协作者",), year_from=2018, year_to=2020), "en")
    assert not single.notices


def test_volunteer_minutes_are_on_the_volunteers_page(demo_db):
    from impact.views.volunteers import volunteers
    model = volunteers(demo_db, Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020), "zh")
    cards = {k.key: k.display for k in model.kpis}
    assert cards["volunteer_minutes"] == "70,644"  # as the 2020 report prints it
    assert "volunteer_minutes" in {c.key for c in model.projects.columns}


def test_a_single_year_is_drawn_against_the_year_before(demo_db):
    from impact.views.beneficiaries import beneficiaries
    model = beneficiaries(demo_db, Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020),
                          "en")
    figure = model.by_year.figure
    assert list(figure.data[0].x) == [2019, 2020] and list(figure.data[0].y) == [72350, 99037]
    shade = figure.layout.shapes[0]
    assert (shade.x0, shade.x1) == (2019.5, 2020.5)
    assert "2019 is drawn beside it" in model.by_year.caption
