"""The overview's three trends share one legend (issue 29): the same organisations in the
same colours in every chart, no legend inside any of them, and the page's legend names
each organisation once with its colour, as text (escaped)."""

from __future__ import annotations

from impact.filters import Filters
from impact.views.overview import TREND_ORGS, org_series, overview
from impact.web import widgets


def _colours(figure) -> dict[str, str]:
    return {trace.name: trace.marker.color for trace in figure.data}


def test_the_trends_share_one_legend_and_draw_none(demo_db):
    model = overview(demo_db, Filters(year_from=2019, year_to=2020), "zh")
    figures = [c.figure for c in model.activity_trends]
    assert len(figures) == 3 and all(f is not None for f in figures)
    assert all(f.layout.showlegend is False for f in figures)
    legend = dict(model.trend_legend)
    assert len(legend) > 1
    for figure in figures:  # every stacked series is in the legend, in its colour
        assert _colours(figure) == {name: legend[name] for name in _colours(figure)}
        assert set(_colours(figure)) == set(legend)


def test_one_organisation_has_no_legend(demo_db):
    model = overview(demo_db, Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020), "en")
    assert model.trend_legend == []


def test_beyond_the_palette_every_chart_keeps_the_same_organisations():
    """Ranked by one metric for all three charts: ranking each chart by its own metric gave
    different organisations (and colours) per chart, which one legend could not describe."""
    orgs = [f"机构{i:02d}" for i in range(TREND_ORGS + 4)]
    # services rank the organisations one way round, person-times the other
    rows = [{"org": o, "year": 2020, "services": i, "beneficiaries": 100 - i, "volunteers": i}
            for i, o in enumerate(orgs)]
    kept = [set(org_series(rows, m, [2020], "zh", rank="beneficiaries")[0])
            for m in ("services", "beneficiaries", "volunteers")]
    assert kept[0] == kept[1] == kept[2]
    assert set(orgs[:TREND_ORGS - 1]) <= kept[0]


def test_the_legend_is_text(monkeypatch):
    drawn = []
    monkeypatch.setattr(widgets.st, "html", drawn.append)
    widgets.legend([('<img src=x onerror="alert(1)">', "#1b7f79"), ("苏州清流", "#e69f00")],
                   "三张图中的机构")
    [html] = drawn
    assert "<img" not in html and "&lt;img src=x" in html
    assert 'aria-label="三张图中的机构"' in html and html.count("<li>") == 2
    widgets.legend([], "x")
    assert len(drawn) == 1  # nothing drawn without organisations to name
