"""The one chart template and the figure builders: a font stack that renders Chinese,
万 ticks for Chinese readers, exact hover values, fixed category colours."""

from __future__ import annotations

from decimal import Decimal

import plotly.io as pio
import pytest

from impact.presentation import charts
from impact.storage.schema import SOURCE_TYPES


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


def test_money_points_sit_at_the_fen_their_hover_gives():
    """The class of issue 26 item 5: points were drawn at whole yuan (¥10.64 at 11) while
    the hover said ¥10.64. Every money builder plots the amount at the fen."""
    amount = Decimal("1674657.61")
    fig = charts.bars([2020], {"Income": [amount]}, title="t", lang="en", kind="money")
    assert fig.data[0].y == (1674657.61,)
    assert fig.data[0].customdata == ("¥1,674,657.61",)  # to the fen, never rounded
    assert charts.fen_position(Decimal("0.005")) == 0.01 and charts.fen_position(None) == 0
    cost = [Decimal("10.64"), Decimal("9.49")]
    for fig in (charts.bars([2019, 2020], {"c": cost}, title="t", lang="zh", kind="money"),
                charts.lines([2019, 2020], {"c": cost}, title="t", lang="zh", kind="money")):
        assert [Decimal(str(y)) for y in fig.data[0].y] == cost


def test_every_builder_hovers_the_exact_money_value():
    """The class of bug (hover built from rounded values), for each builder that takes money."""
    amount, other = Decimal("1674657.61"), Decimal("0.05")
    figures = [charts.bars([2019, 2020], {"a": [amount, other]}, title="t", lang=lang,
                           kind="money", stacked=True) for lang in ("zh", "en")]
    figures += [charts.bars(["x", "y"], {"a": [amount, other]}, title="t", lang="zh",
                            kind="money", horizontal=True),
                charts.lines([2019, 2020], {"a": [amount, other]}, title="t", lang="zh",
                             kind="money")]
    for fig in figures:
        assert list(fig.data[0].customdata) == ["¥1,674,657.61", "¥0.05"]
    donut = charts.donut(["a", "b"], [amount, other], title="t", lang="en")
    assert list(donut.data[0].hovertext) == ["a: ¥1,674,657.61 (100.0%)", "b: ¥0.05 (0.0%)"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_donut_tooltip_is_one_text_per_slice_amount_then_share(lang):
    # Read through a 2-D customdata, the pie's tooltip showed "政府: ¥11,500.00,0.7% (-)".
    fig = charts.donut(["政府", "企业"], [Decimal("11500.00"), Decimal("1663157.61")],
                       title="t", lang=lang)
    trace = fig.data[0]
    assert trace.hovertemplate == "%{hovertext}<extra></extra>"
    assert trace.hovertext[0] == "政府: ¥11,500.00 (0.7%)"
    assert "customdata" not in trace.hovertemplate and trace.customdata is None


def test_donut_shares_use_the_tables_precision():
    fig = charts.donut(["a", "b", "c"], [Decimal("9.38"), Decimal("40.62"), Decimal("50")],
                       title="t", lang="en")
    assert fig.data[0].text == ("9.4%", "40.6%", "50.0%")


def test_years_are_a_numeric_axis_so_gaps_show_and_selected_years_are_shaded():
    fig = charts.bars([2008, 2012, 2013], {"a": [1, 2, 3]}, title="t", lang="en")
    assert fig.data[0].x == (2008, 2012, 2013)
    assert fig.layout.xaxis.type == "linear" and fig.layout.xaxis.tickformat == "d"
    charts.highlight_years(fig, 2012, 2013)
    shape = fig.layout.shapes[0]
    assert (shape.x0, shape.x1) == (2011.5, 2013.5)


def test_lines_break_at_a_missing_year_and_shade_the_selected_years():
    fig = charts.lines([2016, 2017, 2019], {"珠海协作者": [1, 2, 4]}, title="t", lang="zh")
    assert fig.data[0].x == (2016, 2017, 2018, 2019)
    assert fig.data[0].y == (1, 2, None, 4)  # a gap, not a line from 2017 to 2019
    charts.highlight_years(fig, 2017, 2018)
    assert [(s.x0, s.x1) for s in fig.layout.shapes] == [(2016.5, 2018.5)]
    charts.highlight_years(fig, 2003, 2004)  # outside the span: nothing more to shade
    assert len(fig.layout.shapes) == 1


def test_scatter_points_are_labelled():
    fig = charts.scatter([1, 2], [3, 4], ["项目甲", "项目乙"], title="t", lang="zh",
                         x_title="x", y_title="y")
    assert fig.data[0].mode == "markers+text" and fig.data[0].text == ("项目甲", "项目乙")


def test_a_category_keeps_its_colour_across_charts():
    government = charts.color_of("government", SOURCE_TYPES)
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


@pytest.mark.parametrize("title", [
    "服务次数与受益人次 · 每点一个项目（次 / 人次）按机构与年份的很长的标题",
    "Services against person-times, one point per project (sessions / person-times)",
    "短标题", "Cost per person-time by year (yuan per person-time)"])
def test_titles_wrap_to_a_phone_charts_width(title):
    """Plotly never wraps a title: every line fits the narrowest chart, no text is lost, and
    a wrapped title gets room above the plot."""
    lines = charts.wrap_title(title)
    assert all(charts.text_width(line, charts.TITLE_SIZE) <= charts.TITLE_WIDTH_PX
               or " " not in line for line in lines)
    assert "".join(lines).replace(" ", "") == title.replace(" ", "")
    fig = charts.bars([2020, 2021], {"a": [1, 2]}, title=title, lang="zh")
    assert fig.layout.title.text.count("<br>") == len(lines) - 1
    top = fig.layout.margin.t if fig.layout.margin.t is not None else 48
    assert top == 48 + charts.TITLE_LINE_PX * (len(lines) - 1)


def _label_boxes(x, y, names):
    """Each placed label's box on the narrowest plot, as label_positions reckons it."""
    places = dict((p, (dx, dy)) for p, dx, dy in charts._PLACES)
    px, py = charts._scale(x, charts.PLOT_WIDTH_PX), charts._scale(y, charts.PLOT_HEIGHT_PX)
    boxes = []
    for a, b, name, place in zip(x, y, names, charts.label_positions(x, y, names)):
        if place is None:
            continue
        w, h = charts.text_width(name, charts.LABEL_SIZE) + 2, charts.LABEL_SIZE * 1.3
        dx, dy = places[place]
        gx = 0 if place.endswith("center") else (7 if dx == 0 else -7)
        gy = 0 if place.startswith("middle") else (7 if dy == 0 else -7)
        left, bottom = px(a) + gx + dx * w, py(b) + gy + dy * h
        boxes.append((left, bottom, left + w, bottom + h))
    return boxes


def test_scatter_labels_near_the_origin_do_not_overlap():
    """Many small projects crowd the origin next to one large one: every label that is drawn
    has a place of its own and stays inside the plot; points apart are all labelled."""
    names = ["阅读推广（珠海协作者）", "活力亲子园（珠海协作者）", "职业之路（珠海协作者）",
             "千人助学计划（珠海协作者）", "P.A.C.E.女性发展（珠海协作者）", "农民工抗疫救援行动",
             "社区儿童之家"]
    x, y = [3, 5, 8, 12, 20, 40, 300], [50, 80, 60, 120, 300, 900, 20000]
    boxes = _label_boxes(x, y, names)
    assert len(boxes) >= 2  # the crowd at the origin keeps what fits
    apart = [50, 100, 150, 200, 250, 300, 350]
    assert len(_label_boxes(apart, apart, names)) == len(names)
    for i, a in enumerate(boxes):
        assert a[0] >= 0 and a[2] <= charts.PLOT_WIDTH_PX
        assert not any(charts._overlaps(a, b) for b in boxes[i + 1:])
    fig = charts.scatter(x, y, names, title="t", lang="zh", x_title="a", y_title="b")
    shown = [t for t in fig.data[0].text if t]
    assert len(shown) == len(boxes)
    assert set(fig.data[0].hovertext[i].split("<br>")[0] for i in range(len(names))) == set(names)
