"""Table columns are sized from what they show (impact.web.widgets.column_widths): a figure
column is never narrower than its widest formatted value, so no figure is cut mid-digit on a
phone (issue 26: "90,0" for 90,000); the name column is capped so a phone keeps room beside it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from impact.presentation.i18n import t
from impact.views.common import COUNT, MONEY, PERCENT, Column, Table
from impact.web.widgets import KEY_MAX_WIDTH, column_widths, text_px


def _table() -> Table:
    return Table("t", "T", [Column("name", "项目"), Column("money", "金额", MONEY),
                            Column("count", "人次", COUNT), Column("share", "占比", PERCENT)],
                 [{"name": "社区服务活动" * 6, "money": Decimal("1674657.61"), "count": 137973,
                   "share": Decimal("80.5")},
                  {"name": "阅读推广", "money": Decimal("90000"), "count": 5, "share": Decimal("10")}],
                 lang="zh")


def test_a_figure_column_is_as_wide_as_its_widest_value():
    widths = column_widths(_table())
    assert widths["金额"] >= text_px("¥1,674,657.61") + 16
    assert widths["人次"] >= text_px("137,973") + 16
    assert widths["占比"] >= text_px("80.5%") + 16


def test_the_name_column_is_capped_and_a_set_width_is_kept():
    assert column_widths(_table())["项目"] == KEY_MAX_WIDTH
    table = _table()
    table.columns[0].width = 150
    assert column_widths(table)["项目"] == 150


def test_the_estimate_is_not_below_the_fonts_own_widths():
    # Chromium's Source Sans at 14 px: "¥1,674,657.61" 80.0 px, a CJK character 14 px.
    assert text_px("¥1,674,657.61") >= 80.0
    assert text_px("受益人转为志愿者") >= 112.0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_scripts_survive_streamlit_sanitiser(lang, monkeypatch):
    """Streamlit passes st.html through DOMPurify, which drops a <script> whose text holds
    "<" followed by a letter or "/" (a comment naming "<html …>" silently took the chart
    names, the table edges and the translated Streamlit words with it)."""
    import re

    from impact.web import browser

    drawn = []
    monkeypatch.setattr(browser.st, "html", lambda body, **kw: drawn.append(body))
    browser.page_head(lang)
    (body,) = drawn
    script = body.removeprefix("<script>").removesuffix("</script>")
    assert "<script>" not in script and not re.search(r"<[/\w]", script)
    assert "__impactTableEdges" in script
    assert browser._script_json(t("table.more_columns", lang)) in script
