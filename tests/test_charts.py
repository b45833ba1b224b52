"""The one chart template and the figure builders: a font stack that renders Chinese,
万 ticks for Chinese readers, exact hover values, fixed category colours."""

from __future__ import annotations

from decimal import Decimal

import plotly.io as pio

from impact import charts
from impact.storage.schema import INCOME_CATEGORIES


def test_template_sets_cjk_font_stack_and_palette():
    layout = pio.templates[charts.TEMPLATE].layout
    assert layout.font.family == "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"
    assert list(layout.colorway) == list(charts.PALETTE)
    fig = charts.bars([2019], {"a": [1]}, title="t", lang="en")
    assert fig.layout.template.layout.font.family.startswith("Noto Sans CJK SC")


def test_chinese_axis_ticks_use_wan_and_english_uses_separators():
    zh = charts.bars([2019, 2020], {"人次": [72350, 99037]}, title="t", lang="zh")
    assert zh.layout.yaxis.ticktext == ("0", "2.5万", "5万", "7.5万", "10万")
    assert zh.layout.yaxis.tickvals == (0, 25000, 50000, 75000, 100000)
    en = charts.bars([2019, 2020], {"p": [72350, 99037]}, title="t", lang="en")
    assert en.layout.yaxis.tickformat == "," and en.layout.yaxis.ticktext is None


def test_hover_shows_exact_money_while_bars_are_whole_yuan():
    amount = Decimal("1674657.61")
    fig = charts.bars([2020], {"Income": [charts.whole_yuan(amount)]}, title="t", lang="en",
                      kind="money")
    assert fig.data[0].y == (1674658,)
    assert fig.data[0].customdata == ("¥1,674,658.00",)
    assert charts.whole_yuan(Decimal("0.50")) == 1 and charts.whole_yuan(None) == 0


def test_years_are_categories_and_selected_years_are_shaded():
    fig = charts.bars([2018, 2019, 2020], {"a": [1, 2, 3]}, title="t", lang="en")
    assert fig.data[0].x == ("2018", "2019", "2020")
    charts.highlight_years(fig, 2019, 2020)
    shape = fig.layout.shapes[0]
    assert (shape.x0, shape.x1) == (0.5, 2.5)


def test_lines_shade_the_selected_years_of_a_longer_span():
    fig = charts.lines([2016, 2017, 2018, 2019], {"珠海协作者": [1, 2, 3, 4]}, title="t",
                       lang="zh")
    charts.highlight_years(fig, 2017, 2018)
    assert [(s.x0, s.x1) for s in fig.layout.shapes] == [(0.5, 2.5)]
    charts.highlight_years(fig, 2003, 2004)  # outside the span: nothing more to shade
    assert len(fig.layout.shapes) == 1


def test_a_category_keeps_its_colour_across_charts():
    government = charts.color_of("government", INCOME_CATEGORIES)
    fig = charts.donut(["政府资助"], [100], title="t", lang="zh", colors=[government])
    assert fig.data[0].marker.colors == (government,)
    bars = charts.bars([2020], {"政府资助": [100]}, title="t", lang="zh", stacked=True,
                       colors={"政府资助": government})
    assert bars.data[0].marker.color == government


def test_title_is_set_and_legend_only_for_several_series():
    one = charts.lines([2019, 2020], {"a": [1, 2]}, title="Person-times (person-times)",
                       lang="en")
    assert one.layout.title.text == "Person-times (person-times)"
    assert one.layout.showlegend is False
    two = charts.lines([2019, 2020], {"a": [1, 2], "b": [2, 3]}, title="t", lang="en")
    assert two.layout.showlegend is True
