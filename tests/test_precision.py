"""One precision rule per kind of metric, in every card, chart tooltip, table and CSV of every
page model (issue 11, points 2, 3 and 12): counts whole, money ¥ to the fen, % to one
decimal; CSVs carry plain numbers at the same precision; changes in tables are signed."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest

from impact.filters import Filters
from impact.views.beneficiaries import beneficiaries
from impact.views.common import COUNT, DECIMAL, HOURS, MONEY, PERCENT, Chart, Table
from impact.views.finance import finance
from impact.views.growth import growth
from impact.views.overview import overview
from impact.views.volunteers import volunteers

SHOWN = {COUNT: re.compile(r"^[+-]?\d{1,3}(,\d{3})*$"),
         MONEY: re.compile(r"^[+-]?¥\d{1,3}(,\d{3})*\.\d{2}$"),
         PERCENT: re.compile(r"^[+-]?\d{1,3}(,\d{3})*\.\d%$"),
         DECIMAL: re.compile(r"^[+-]?\d{1,3}(,\d{3})*(\.\d+)?$"),
         HOURS: re.compile(r"^[+-]?\d{1,3}(,\d{3})*\.\d{2}$")}  # one hours rule
PLAIN = {COUNT: re.compile(r"^-?\d+$"), MONEY: re.compile(r"^-?\d+\.\d{2}$"),
         PERCENT: re.compile(r"^-?\d+\.\d$"), DECIMAL: re.compile(r"^-?\d+(\.\d+)?$"),
         HOURS: re.compile(r"^-?\d+(\.\d+)?$")}
SELECTIONS = (Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020),
              Filters(year_from=2015, year_to=2018),
              Filters(orgs=("苏州清流",), year_from=2012, year_to=2016))
DASH = "—"


def _models(db, filters, lang):
    return [overview(db, filters, lang), beneficiaries(db, filters, lang),
            volunteers(db, filters, lang), finance(db, filters, lang),
            growth(db, filters, lang)]


def _parts(model, kind):
    for value in vars(model).values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, kind):
                yield item


def _check_table(table: Table):
    shown = table.display_rows()
    files = list(csv.reader(io.StringIO(table.csv().decode("utf-8-sig"))))[1:]
    assert len(files) == len(table.rows)
    for row, screen, plain in zip(table.rows, shown, files):
        for i, col in enumerate(table.columns):
            if not col.numeric or row.get(col.key) is None:
                continue
            kind = table.kind_of(row, col)
            cell = screen[col.label]
            if not isinstance(cell, str):  # a sortable count
                assert kind == COUNT and isinstance(cell, int), (table.key, col.key, cell)
                cell = f"{cell:,}"
            assert SHOWN[kind].match(cell), (table.key, col.key, kind, cell)
            assert PLAIN[kind].match(plain[i]), (table.key, col.key, kind, plain[i])
            if col.signed and row[col.key] > 0:
                assert cell.startswith("+"), (table.key, col.key, cell)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_table_and_csv_follows_the_kinds_precision(demo_db, lang):
    checked = 0
    for filters in SELECTIONS:
        for model in _models(demo_db, filters, lang):
            for table in _parts(model, Table):
                _check_table(table)
                checked += len(table.rows)
    assert checked > 100


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_money_tooltip_is_exact_to_the_fen(demo_db, lang):
    """Hover texts of money charts read ¥ and two decimals; none ends in a fake .00 of a
    rounded value (the 2020 income reads ¥1,674,657.61)."""
    model = finance(demo_db, SELECTIONS[0], lang)
    texts = []
    for chart in _parts(model, Chart):
        if chart.figure is None:
            continue
        for trace in chart.figure.data:
            for item in trace.customdata or ():
                text = item[0] if isinstance(item, (list, tuple)) else item
                if "¥" in str(text):
                    assert SHOWN[MONEY].match(text), (chart.key, text)
                    texts.append(text)
    assert texts
    overview_model = overview(demo_db, SELECTIONS[0], lang)
    hover = list(overview_model.money_trend.figure.data[0].customdata)
    assert "¥1,674,657.61" in hover


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cards_follow_the_same_rule(demo_db, lang):
    model = overview(demo_db, SELECTIONS[0], lang)
    shown = {k.key: k.display for k in model.kpis}
    assert shown["beneficiaries"] == "99,037" and shown["income_total"] == "¥1,674,657.61"
    assert shown["volunteer_hours"] == "1,177.40"


def test_targets_table_shows_counts_whole_and_money_with_yen(demo_db):
    table = overview(demo_db, Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020),
                     "zh").targets
    cells = [c for row in table.display_rows() for c in row.values() if isinstance(c, str)]
    assert not any(re.search(r"\.0000", c) for c in cells)
    assert any(re.match(r"^¥1,674,657\.61$", c) for c in cells) or not any(
        r["metric"] == "income_total" for r in table.rows)
    plain = table.csv().decode("utf-8-sig")
    assert ".0000" not in plain  # no fixed-scale zeros in downloads either


def test_a_target_in_yuan_is_money_wherever_it_shows(demo_db):
    """An indicator whose unit is 元 (千人助学计划's 297,850 元 of grants paid) is money in the
    targets table, the funder view's deliverables and the funder report's Excel: one rule,
    views.common.metric_kind, for core metrics and indicators alike."""
    from impact.report.funder import render_excel, gather
    from impact.views.common import metric_kind
    from impact.views.grants import funder_view

    assert metric_kind("services") == COUNT and metric_kind("income_total") == MONEY
    assert metric_kind("grants_paid", "元") == MONEY and metric_kind("students", "人") == DECIMAL
    assert metric_kind("whatever", None) == DECIMAL
    year = Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020)
    targets = overview(demo_db, year, "zh").targets.display_rows()
    paid = [r for r in targets if r["指标"] == "发放资助"]
    assert paid and all(r["实际"] == "¥297,850.00" and r["目标"] == "¥300,000.00"
                        for r in paid)
    # Two targets for one metric (the organisation's and a grant's) are told apart.
    assert any(r.get("资助编号") == "ZHXZ-LG-2020" for r in targets)
    funder = funder_view(demo_db, Filters(year_from=2020, year_to=2020), "乐购", "zh")
    row = next(r for r in funder.deliverables.display_rows() if r["指标"] == "发放资助")
    assert (row["实际"], row["目标"]) == ("¥297,850.00", "¥300,000.00")
    import openpyxl
    book = openpyxl.load_workbook(io.BytesIO(render_excel(
        *gather(demo_db, Filters(year_from=2020, year_to=2020), "乐购", "zh"))))
    formats = [c.number_format for sheet in book for row in sheet.iter_rows()
               for c in row if c.value == Decimal("297850") or c.value == 297850]
    assert formats and set(formats) == {"#,##0.00"}


@pytest.mark.parametrize("lang, words", [("zh", "机构整体数据"), ("en", "organisation-level")])
def test_targets_and_indicators_say_they_are_organisation_level_under_an_area_filter(
        demo_db, lang, words):
    """Targets and indicators have no programme area (issue 11, point 7)."""
    area = Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020, areas=("儿童服务",))
    model = overview(demo_db, area, lang)
    assert words in model.targets.title and words in model.indicators.title
    plain = overview(demo_db, Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020), lang)
    assert words not in plain.targets.title
