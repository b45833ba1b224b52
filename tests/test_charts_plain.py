"""Figures built without plotly's per-property validation (issue 29) are exactly the figures
validation gives: the same JSON for every builder, and after the edits made to them later
(the growth page's shading, the report's donut, the public view's copy)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import plotly.io as pio
import pytest

from impact.presentation import charts

LONG_TITLE = "各机构每年服务人次（人次），按机构堆叠，所选年份加阴影显示，较长的标题会换行显示"


def _cases():
    years = [2016, 2017, 2019, 2020]
    return {
        "bars_stacked_years": lambda: charts.bars(
            years, {"机构甲": [1, 2, None, 4], "<b>乙</b>": [10_000, 20_000, 30_000, 5]},
            title=LONG_TITLE, lang="zh", stacked=True, highlight=(2017, 2019),
            colors={"机构甲": charts.PALETTE[1]}),
        "bars_money_en": lambda: charts.bars(
            years, {"Income": [Decimal("1.10"), Decimal("25000.05"), Decimal(0), None]},
            title="Income (yuan)", lang="en", kind="money", highlight=(2020, 2020)),
        "bars_horizontal": lambda: charts.bars(
            ["项目A", "项目B %{x}"], {"人次": [3, 7]}, title="按项目", lang="zh",
            horizontal=True),
        "bars_category": lambda: charts.bars(
            ["1月", "2月"], {"a": [1, 2], "b": [3, None]}, title="月", lang="zh"),
        "bars_no_highlight": lambda: charts.bars(years, {"a": [1, 2, 3, 4]}, title="t",
                                                 lang="zh", highlight=(None, None)),
        "lines_years_gap": lambda: charts.lines(
            [2015, 2018, 2019], {"a": [5, 6, None], "b": [1, 2, 3]}, title="趋势", lang="zh",
            highlight=(2018, 2019)),
        "lines_money": lambda: charts.lines(
            [2020, 2021], {"成本": [Decimal("12.34"), Decimal("56.78")]}, title="成本",
            lang="zh", kind="money"),
        "lines_months": lambda: charts.lines(["2020-01", "2020-02"], {"a": [1, 2]},
                                             title="t", lang="en"),
        "scatter": lambda: charts.scatter(
            [1, 50, 300], [20, 1_000, 40_000], ["项目一", "项目二", "<a href=x>三</a>"],
            title="服务与人次", lang="zh", x_title="服务次数", y_title="人次"),
        "donut": lambda: charts.donut(
            ["政府", "基金会", "未填"], [Decimal("100.00"), Decimal("0.50"), Decimal(0)],
            title=LONG_TITLE, lang="zh", colors=charts.PALETTE[:3]),
        "donut_no_colors": lambda: charts.donut(["a"], [Decimal(1)], title="t", lang="en"),
        "highlighted": lambda: charts.highlight_years(
            charts.bars(years, {"a": [1, 2, 3, 4]}, title="t", lang="zh"), 2017, 2019),
    }


def _json(fig) -> dict:
    return json.loads(pio.to_json(fig, validate=False))


def _both(build, monkeypatch):
    monkeypatch.setattr(charts, "PLAIN_FIGURES", False)
    validated = build()
    monkeypatch.setattr(charts, "PLAIN_FIGURES", True)
    plain = build()
    return validated, plain


@pytest.mark.parametrize("name", sorted(_cases()))
def test_a_plain_figure_is_the_validated_figure(name, monkeypatch):
    validated, plain = _both(_cases()[name], monkeypatch)
    assert validated._validate and not plain._validate
    assert _json(plain) == _json(validated)
    # Read the way the tests and the public view read figures.
    assert [t.type for t in plain.data] == [t.type for t in validated.data]
    for key in ("x", "y", "labels", "values", "customdata", "hovertext"):
        if key in validated.data[0]:
            assert plain.data[0][key] == validated.data[0][key], key
    assert plain.layout.title.text == validated.layout.title.text


def test_later_edits_give_the_same_figure(monkeypatch):
    def build():
        fig = charts.donut(["a", "b"], [Decimal(1), Decimal(3)], title=LONG_TITLE, lang="zh")
        # impact/report/figures.py's donut
        fig.update_traces(textposition="inside", insidetextorientation="horizontal")
        extra = fig.layout.title.text.count("<br>")
        fig.update_layout(title=dict(subtitle=dict(text="最大来源 75%")),
                          margin=dict(t=70 + charts.TITLE_LINE_PX * extra),
                          legend=dict(orientation="h", y=-0.05, x=0, yanchor="top"),
                          uniformtext=dict(minsize=9, mode="hide"))
        return fig

    validated, plain = _both(build, monkeypatch)
    assert _json(plain) == _json(validated)


def test_a_copy_is_validated_and_the_same(monkeypatch):
    validated, plain = _both(_cases()["bars_stacked_years"], monkeypatch)
    copied = copy.deepcopy(plain)  # what impact.access.privacy.chart edits
    assert copied._validate
    assert _json(copied) == _json(validated)
    copied.data[0].y = [None, 1, 1, 1]
    assert _json(plain) == _json(validated)  # the original is untouched
