"""Nothing is cut off and nothing overlaps, on a phone (390 px) and a desktop (1440 px), on
every page in both languages (issue 11, point 11 and the phone defects: chart titles cut off,
the volunteer-value card's "¥…" value, scatter labels drawn on each other).

tests/layout_defects.js measures the page as Chromium drew it: text clipped by its container
or by an ellipsis, text beyond the viewport outside scrolling tables, headings / KPI cards /
captions drawn on each other, and inside every Plotly chart a title, axis title, legend entry
or point label that leaves the chart or intersects another.
"""

from __future__ import annotations

import pytest

from impact.presentation.i18n import t
from tests.browser_support import defects_once_drawn, layout_defects, new_page, settled
from tests.test_accessibility import PAGES, PARAMS, _title
from tests.test_browser import browser, link, pytestmark, server  # noqa: F401

WIDTHS = {"phone": 390, "desktop": 1440}
# One organisation (the screenshots' view), and all organisations in the default period: the
# most projects on the scatter, the longest labels. /data and /report draw the same for both.
SELECTIONS = {"one_org": PARAMS, "all": {}}
# One organisation at 1440 px is checked on the visit tests/test_accessibility.py makes
# (the same view, the same width): one page load fewer per page and language.
CASES = [(name, selection, width) for name in PAGES for selection in SELECTIONS
         for width in WIDTHS
         if (selection == "one_org" or name not in ("data", "report"))
         and (selection, width) != ("one_org", "desktop")]


# A grid is a long table: the records of this project (278), opened from its URL.
GRID = {"drill": "社区服务活动 · 珠海协作者"}


def on_a_phone(server, browser, name: str, lang: str, **extra):  # noqa: F811
    """A 390 px tab on a page with the test selection, once it has settled."""
    page = new_page(browser, 390, 900)
    page.goto(link(server, name, **PARAMS, **extra, lang=lang))
    page.get_by_role("heading", name=t(f"{name}.title", lang), level=1).wait_for(
        timeout=120_000)
    settled(page, lang)
    return page


def defects_of(page) -> list[str]:
    return layout_defects(page)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name,selection,width", CASES)
def test_nothing_is_cut_off_or_drawn_over(server, browser, name, selection, lang,  # noqa: F811
                                          width):
    page = new_page(browser, WIDTHS[width], 900)
    page.goto(link(server, name, **SELECTIONS[selection], lang=lang))
    page.get_by_role("heading", name=_title(name, lang), level=1).wait_for(timeout=120_000)
    settled(page, lang)
    found = defects_of(page)
    page.close()
    assert not found, "\n".join(found)


def test_the_check_sees_a_cut_off_card_and_overlapping_labels(server, browser):  # noqa: F811
    """The measure itself: a card value cut by an ellipsis, a chart title wider than its
    chart and two point labels on each other are each reported."""
    page = on_a_phone(server, browser, "volunteers", "zh")
    assert defects_of(page) == []
    page.evaluate("""() => {
      // (as Streamlit draws a card's value: one line, ellipsis; the stylesheet's override
      // is outranked by inline !important)
      const value = document.querySelector('[data-testid="stMetricValue"] p');
      for (const [k, v] of [['white-space', 'nowrap'], ['overflow', 'hidden'],
                            ['text-overflow', 'ellipsis']]) {
        value.style.setProperty(k, v, 'important');
      }
      value.textContent = '¥1,234,567.89 – ¥2,345,678.90 ¥1,234,567.89 – ¥2,345,678.90';
      const title = document.querySelector('[data-testid="stPlotlyChart"] .gtitle');
      title.textContent = '很长的图表标题'.repeat(12);
      const svg = document.querySelector('[data-testid="stPlotlyChart"] .main-svg');
      for (const x of [60, 64]) {
        const g = document.createElementNS('http://www.w3.org/2000/svg', 'g');
        g.setAttribute('class', 'textpoint');
        g.innerHTML = `<text x="${x}" y="120">项目名称标签</text>`;
        svg.appendChild(g);
      }
    }""")
    found = defects_of(page)
    page.close()
    assert any(d.startswith("clipped") and "¥1,234,567.89" in d for d in found), found
    found = "\n".join(found)
    assert "reaches out of the chart" in found
    assert "项目名称标签\" overlaps \"项目名称标签" in found


def test_the_check_sees_a_figure_cut_in_a_table_or_a_card(server, browser):  # noqa: F811
    """The measure itself: a table cell whose figure is wider than its column (the grid's
    accessible cell carries the text the canvas draws) and a card value wider than its box
    are each reported; the page as drawn has neither. (A grid: a project's records on
    /beneficiaries; the short tables of /finance are HTML.)"""
    page = on_a_phone(server, browser, "beneficiaries", "en", **GRID)
    assert defects_of(page) == []
    page.evaluate("""() => {
      const frame = [...document.querySelectorAll('[data-testid="stDataFrame"]')]
        .find(d => d.offsetParent !== null);  // (one in a closed tab is not measured)
      const cell = frame.querySelector('td[role="gridcell"][aria-colindex="2"]');
      cell.textContent = '¥1,234,567,890,123,456,789.01';
    }""")
    found = defects_of(page)
    page.close()
    cut = 'table cell cut: "¥1,234,567,890,123,456,789.01"'
    assert any(d.startswith(cut) for d in found), found
    page = on_a_phone(server, browser, "finance", "en")
    assert defects_of(page) == []
    page.evaluate("""() => {
      const value = document.querySelector('[data-testid="stMetricValue"] p');
      value.style.setProperty('white-space', 'nowrap', 'important');
      value.textContent = '¥1,234,567,890,123,456,789.01';
    }""")
    found = defects_of(page)
    page.close()
    assert any(d.startswith("card value cut") for d in found), found


def test_the_check_sees_a_table_toolbar_over_its_title(server, browser):  # noqa: F811
    """Without the room the stylesheet leaves at the right of a table's title, the toolbar
    (search, full screen) is drawn over the title's end on a phone: the check reports it."""
    page = on_a_phone(server, browser, "beneficiaries", "en", **GRID)
    assert not [d for d in defects_of(page) if "toolbar" in d]
    page.evaluate("""() => {
      document.querySelectorAll('[data-testid="stMarkdownContainer"] p')
        .forEach(p => p.style.setProperty('padding-right', '0', 'important'));
      // a title on one line as wide as the phone, so its end is where the toolbar goes
      const frame = [...document.querySelectorAll('[data-testid="stDataFrame"]')]
        .find(d => d.offsetParent !== null);
      const title = frame.closest('[data-testid="stElementContainer"]')
        .previousElementSibling.querySelector('p');
      title.textContent = 'Projects ranked by person-times, in the years chosen';
      title.style.setProperty('white-space', 'nowrap', 'important');
    }""")
    found = defects_of(page)
    page.close()
    assert any(d.startswith("table toolbar over its title") for d in found), found


# As Streamlit would draw them: each grid as wide as its place, each HTML table's box
# ending inside a column (where a plain box would end), and no "more columns" line.
_GRIDS_AS_DRAWN = """() => {
  document.documentElement.setAttribute('data-impact-tables', 'as-drawn');
  document.querySelectorAll('[data-testid="stDataFrameResizable"]').forEach(box => {
    const room = box.closest('[data-testid="stDataFrame"]').parentElement.clientWidth;
    box.style.width = box.style.maxWidth = room + 'px';
  });
  document.querySelectorAll('[data-impact-more]')
    .forEach(box => box.removeAttribute('data-impact-more'));
}"""
_HTML_TABLES_AS_DRAWN = """() => {
  document.documentElement.setAttribute('data-impact-tables', 'as-drawn');
  document.querySelectorAll('div.impact-scroll').forEach(scroll => {
    scroll.style.maxWidth = '';
    const left = scroll.getBoundingClientRect().left;
    const wide = [...scroll.querySelectorAll('thead th')].find(
      c => c.getBoundingClientRect().right - left > scroll.parentElement.clientWidth);
    if (wide) {
      const r = wide.getBoundingClientRect();
      scroll.style.width = Math.round(r.left - left + r.width / 2) + 'px';
    }
  });
  document.querySelectorAll('[data-impact-more]')
    .forEach(box => box.removeAttribute('data-impact-more'));
}"""


@pytest.mark.parametrize("name, extra, marked, as_drawn", [
    ("beneficiaries", GRID, ":has(> [data-testid='stDataFrame'])", _GRIDS_AS_DRAWN),
    ("finance", {}, ":has(> div.impact-scroll)", _HTML_TABLES_AS_DRAWN),  # short tables: HTML
])
def test_the_check_sees_a_column_cut_at_the_right_edge(server, browser, name,  # noqa: F811
                                                       extra, marked, as_drawn):
    """Issue 26 (cosmetic): on a phone a wide table's right edge cut a column through
    ("¥324,7" of ¥324,700.00) or hid columns with nothing saying so. As drawn, every such
    table (a grid, or a short table's box: impact.web.html_tables) ends at a column boundary
    with a line under it (impact.web.browser._TABLE_EDGES); as Streamlit would draw it, the
    check reports both."""
    page = on_a_phone(server, browser, name, "en", **extra)
    assert defects_of(page) == []
    hint = t("table.more_columns", "en")
    assert page.locator(f'[data-impact-more="{hint}"]{marked}').count() >= 1
    page.evaluate(as_drawn)
    found = defects_once_drawn(page, ("table column cut at the right edge", "table hides"))
    page.close()
    assert any(d.startswith("table column cut at the right edge") for d in found), found
    assert any(d.startswith("table hides") for d in found), found
