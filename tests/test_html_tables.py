"""Short tables drawn as HTML (impact.web.html_tables): every cell as the grid showed it,
every text escaped, the row's name as its header, and only a long table still a grid. The class: anything a table shows goes through one builder, so these hold for all."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from streamlit.testing.v1 import AppTest

from impact.views.common import SCREEN_ROWS, Column, Table
from impact.web.html_tables import table_html
from tests.page_tables import html_table, is_html_table, page_tables

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = '<img src=x onerror="alert(1)">&amp;"\'‮'


def _table(rows, **kw) -> Table:
    return Table("t", kw.pop("title", "收入<来源>"), [
        Column("name", "名称"), Column("n", "人次", "count"), Column("m", "金额", "money"),
        Column("d", "变化", "count", signed=True), Column("p", "占比", "percent")], rows, **kw)


def test_cells_read_as_the_grid_showed_them():
    rows = [{"name": "甲", "n": 1234567, "m": Decimal("1674657.61"), "d": -5188,
             "p": Decimal("14.25")},
            {"name": None, "n": None, "m": Decimal("0"), "d": 24, "p": None}]
    model = _table(rows)
    frame = html_table(table_html(model, "zh-CN"))
    grid = model.display_rows()
    assert list(frame.columns) == ["名称", "人次", "金额", "变化", "占比"]
    assert frame.iloc[0].tolist() == ["甲", 1234567, "¥1,674,657.61", "-5,188", grid[0]["占比"]]
    assert frame.iloc[1].tolist() == ["", "", "¥0.00", "+24", "—"]  # as fmt.value says


def test_every_text_is_escaped_and_names_head_their_rows():
    model = _table([{"name": HOSTILE, "n": 1, "m": Decimal(1), "d": 0, "p": None}],
                   title=HOSTILE)
    html = table_html(model, "zh-CN")
    assert "<img" not in html and 'onerror="' not in html
    assert "\u202e" not in html  # a bidi override shows as �, as everywhere on screen
    assert '<th scope="row" class="impact-text impact-key">' in html
    assert html.count('scope="col"') == 5
    assert 'role="region" aria-label="&lt;img' in html and 'tabindex="0"' in html
    assert html_table(html).iloc[0, 0].startswith("<img src=x")  # shown as typed


def test_figures_are_right_aligned_and_text_left():
    html = table_html(_table([]), "en")
    assert html.count('class="impact-num"') == 4
    assert 'class="impact-text impact-key"' in html and 'lang="en"' in html


def test_short_tables_are_html_and_long_ones_grids():
    at = AppTest.from_file(str(ROOT / "pages" / "growth.py"), default_timeout=120).run()
    assert not at.exception
    drawn = [e for e in at.get("html") if is_html_table(e)]
    assert drawn and not at.dataframe
    assert len(page_tables(at)) == len(drawn)
    # /beneficiaries: its project list is HTML; the records of a project picked from the
    # list (278 of them; up to DRILLDOWN_LIMIT are shown) are a grid.
    at = AppTest.from_file(str(ROOT / "pages" / "beneficiaries.py"), default_timeout=120)
    at.query_params.update(org="珠海协作者", **{"from": "2019"}, to="2020")
    at.run()
    assert not at.exception and not at.dataframe
    at.selectbox(key="drill_project").select("社区服务活动 · 珠海协作者").run()
    assert not at.exception
    [records] = at.dataframe
    assert len(records.value) > SCREEN_ROWS
