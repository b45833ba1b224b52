"""The 业务活动表 (statement of activities): a hand-made ledger that uses all seven income
lines and both restricted kinds imports through the real importer (CSV), and its statement on
the /finance page model, in the Excel sheet and in the PDF equals a hand-computed one."""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal as D

import openpyxl
import pytest

from impact.filters import Filters
from impact.domain.statement import build as build_statement
from impact.storage.db import Database
from impact.views.finance import finance

ORG = "测试社工中心"
LEDGER = """凭证号,日期,机构,收支,科目,来源类型,资助方,限定性,金额（元）
记-21-01,2021-01-05,测试社工中心,收入,捐赠收入,个人,张三,否,"1,000.00"
记-21-02,2021-02-05,测试社工中心,收入,捐赠收入,基金会,某公益基金会,是,"20,000.00"
记-21-03,2021-03-05,测试社工中心,收入,会费收入,,,否,300.00
记-21-04,2021-03-06,测试社工中心,收入,提供服务收入,个人,,否,"1,500.50"
记-21-05,2021-04-05,测试社工中心,收入,商品销售收入,个人,,否,250.25
记-21-06,2021-05-05,测试社工中心,收入,政府补助收入,,某区民政局,是,"50,000.00"
记-21-07,2021-06-30,测试社工中心,收入,投资收益,其他,,否,12.34
记-21-08,2021-07-05,测试社工中心,收入,其他收入,其他,,,99.99
记-21-09,2021-08-05,测试社工中心,支出,业务活动成本,,,是,"30,000.00"
记-21-10,2021-08-06,测试社工中心,支出,业务活动成本,,,否,"5,000.00"
记-21-11,2021-09-05,测试社工中心,支出,管理费用,,,否,"4,000.00"
记-21-12,2021-10-05,测试社工中心,支出,筹资费用,,,否,600.00
记-21-13,2021-11-05,测试社工中心,支出,其他费用,,,否,10.00
记-20-01,2020-03-05,测试社工中心,收入,捐赠收入,个人,李四,否,800.00
记-20-02,2020-06-05,测试社工中心,收入,政府补助收入,政府,某区民政局,是,"10,000.00"
记-20-03,2020-08-05,测试社工中心,支出,业务活动成本,,,是,"6,000.00"
记-20-04,2020-09-05,测试社工中心,支出,管理费用,,,否,"1,000.00"
"""

N = None  # a cell the statement does not have (a heading; an expense's 限定性 cell)
# Worked out by hand: (本年 非限定性, 限定性, 合计, 上年 非限定性, 限定性, 合计)
EXPECTED = {
    "一、收入": (N, N, N, N, N, N),
    "捐赠收入": ("1000.00", "20000.00", "21000.00", "800.00", "0.00", "800.00"),
    "会费收入": ("300.00", "0.00", "300.00", "0.00", "0.00", "0.00"),
    "提供服务收入": ("1500.50", "0.00", "1500.50", "0.00", "0.00", "0.00"),
    "商品销售收入": ("250.25", "0.00", "250.25", "0.00", "0.00", "0.00"),
    "政府补助收入": ("0.00", "50000.00", "50000.00", "0.00", "10000.00", "10000.00"),
    "投资收益": ("12.34", "0.00", "12.34", "0.00", "0.00", "0.00"),
    "其他收入": ("99.99", "0.00", "99.99", "0.00", "0.00", "0.00"),  # empty 限定性: unrestricted
    "收入合计": ("3163.08", "70000.00", "73163.08", "800.00", "10000.00", "10800.00"),
    "二、费用": (N, N, N, N, N, N),
    "业务活动成本": ("35000.00", N, "35000.00", "6000.00", N, "6000.00"),
    "管理费用": ("4000.00", N, "4000.00", "1000.00", N, "1000.00"),
    "筹资费用": ("600.00", N, "600.00", "0.00", N, "0.00"),
    "其他费用": ("10.00", N, "10.00", "0.00", N, "0.00"),
    "费用合计": ("39610.00", N, "39610.00", "7000.00", N, "7000.00"),
    "三、限定性净资产转为非限定性净资产": ("30000.00", "-30000.00", "0.00",
                                       "6000.00", "-6000.00", "0.00"),
    "四、净资产变动额": ("-6446.92", "40000.00", "33553.08", "-200.00", "4000.00", "3800.00"),
}
FILTERS = Filters(orgs=(ORG,), year_from=2021, year_to=2021)


def _expected_decimal():
    return {k: tuple(None if v is None else D(v) for v in vs) for k, vs in EXPECTED.items()}


@pytest.fixture(scope="module")
def ledger_db(tmp_path_factory):
    from tests.conftest import run_cli

    root = tmp_path_factory.mktemp("ledger")
    source = root / "收支.csv"
    source.write_text(LEDGER, encoding="utf-8")
    data = root / "d"
    data.mkdir()
    result = run_cli("import", str(source), "--table", "finance", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    return Database(str(data))


def _cells(row: dict) -> tuple:
    return tuple(row[f"{p}_{c}"] for p in ("current", "previous")
                 for c in ("unrestricted", "restricted", "total"))


def test_page_model_statement_equals_the_hand_computed_one(ledger_db):
    model = finance(ledger_db, FILTERS, "zh")
    table = model.statement
    assert table is not None and "2021" in table.title and "合并" not in table.title
    got = {r["item"].strip("\u3000"): _cells(r) for r in table.rows}
    assert got == _expected_decimal()
    assert list(got) == list(EXPECTED)  # every line, in statutory order
    # Shown as on screen: zeros as ¥0.00, cells the statement does not have as —.
    shown = table.display_rows()
    row = next(r for r in shown if r["项目"].strip("\u3000") == "会费收入")
    assert list(row.values())[1:4] == ["¥300.00", "¥0.00", "¥300.00"]
    row = next(r for r in shown if r["项目"].strip("\u3000") == "管理费用")
    assert list(row.values())[2] == "—"


class _StatementParser:
    """The rows of widgets.statement_html: (header cell, [(class, text) of each td])."""

    def __init__(self, text: str):
        from html.parser import HTMLParser

        self.rows, self.classes = [], {}
        rows, cell = self.rows, {}

        class P(HTMLParser):
            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                if tag == "tr":
                    rows.append([a.get("class"), None, []])
                elif tag in ("th", "td") and rows:
                    cell.update(tag=tag, cls=a.get("class"), text="")

            def handle_data(self, data):
                if cell:
                    cell["text"] += data

            def handle_endtag(self, tag):
                if tag in ("th", "td") and cell and rows:
                    if tag == "th" and rows[-1][1] is None:
                        rows[-1][1] = cell["text"]
                    else:
                        rows[-1][2].append((cell["cls"], cell["text"]))
                    cell.clear()

        P().feed(text)


def test_screen_statement_equals_the_hand_computed_one(ledger_db):
    """What /finance draws (an HTML table): every amount, section headings without cells,
    and on a phone the 合计 columns (the others carry the class the phone CSS hides)."""
    from impact.presentation import fmt
    from impact.web.widgets import statement_html

    table = finance(ledger_db, FILTERS, "zh").statement
    parsed = _StatementParser(statement_html(table, "zh")).rows
    header, *body = parsed
    assert [c for c, _ in header[2]] == ["impact-split", "impact-split", "impact-total"] * 2
    got = {}
    for role, name, cells in body:
        got[name.strip("\u3000")] = tuple(text or None for _, text in cells) or (N,) * 6
        if role == "impact-section":
            assert cells == []  # a heading, not a row of empty amounts
    want = {k: tuple(None if v is None else fmt.money(D(v), "zh") for v in vs)
            for k, vs in EXPECTED.items()}
    assert got == want


def test_screen_statement_escapes_its_text(ledger_db):
    from dataclasses import replace

    from impact.web.widgets import statement_html

    table = finance(ledger_db, FILTERS, "zh").statement
    rows = [dict(table.rows[1], item="<img src=x onerror=alert(1)>"), *table.rows[2:]]
    out = statement_html(replace(table, rows=rows, title="<b>t</b>"), "zh")
    assert "<img" not in out and "<b>t" not in out and "&lt;img" in out


def test_statement_builder_is_consistent_for_any_ledger():
    """The identities of the layout, whatever the amounts: totals add up, and the change in
    net assets per column is that column's income less its own expenses."""
    import random

    rng = random.Random(15)
    from impact.storage.schema import EXPENSE_LINES, INCOME_LINES
    for _ in range(50):
        rows = [{"year": y, "flow": f, "line": ln, "restricted": r,
                 "amount": D(rng.randint(0, 10**7)).scaleb(-2)}
                for y in (2020, 2021) for f, lines in (("income", INCOME_LINES),
                                                      ("expense", EXPENSE_LINES))
                for ln in lines for r in (False, True) if rng.random() < 0.6]
        s = build_statement(rows, 2021)
        for period, year in (("current", 2021), ("previous", 2020)):
            def total(flow, restricted=None):
                return sum((r["amount"] for r in rows if r["year"] == year and r["flow"] == flow
                            and (restricted is None or r["restricted"] == restricted)), D(0))
            assert s.cell("income_total", period, "total") == total("income")
            assert s.cell("expense_total", period, "total") == total("expense")
            assert s.cell("net_change", period, "total") == total("income") - total("expense")
            assert s.cell("net_change", period, "restricted") == (
                total("income", True) - total("expense", True))
            assert s.cell("net_change", period, "unrestricted") == (
                total("income", False) - total("expense", False))


def test_several_organisations_make_a_combined_statement(demo_db):
    model = finance(demo_db, Filters(year_from=2020, year_to=2020), "zh")
    assert "多机构合并" in model.statement.title
    assert "不是任何一家机构的报表" in model.statement.caption
    one = finance(demo_db, Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020), "en")
    assert "combined" not in one.statement.title
    # The demo's by-line income adds up to the published total.
    assert one.statement.rows[8]["current_total"] == D("1674657.61")


def test_excel_sheet_equals_the_hand_computed_one(ledger_db):
    from impact.report import build, gather

    book = openpyxl.load_workbook(io.BytesIO(build(gather(ledger_db, FILTERS, "zh"), "xlsx").data))
    sheet = book["业务活动表"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("项目", "本年数·非限定性", "本年数·限定性", "本年数·合计")
    got = {}
    for row in rows[1:]:
        if row[0] is None:
            continue
        got[str(row[0]).strip("\u3000")] = tuple(
            None if v == "—" else D(str(v)).quantize(D("0.01")) for v in row[1:7])
    assert got == _expected_decimal()


def _figure(text: str) -> str:
    """'-6446.92' as the PDF prints it: -6,446.92."""
    value = D(text)
    return f"{'-' if value < 0 else ''}{abs(value):,.2f}"


@pytest.mark.requires("chromium", "cjk-fonts", "pdftotext")
def test_pdf_table_equals_the_hand_computed_one(ledger_db):
    from impact.report import build, gather

    pdf = build(gather(ledger_db, FILTERS, "zh"), "pdf").data
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")
    start = text.index("业务活动表")
    lines = text[start:].splitlines()
    for label, cells in EXPECTED.items():
        line = next(ln for ln in lines if ln.strip().startswith(label))
        tokens = re.findall(r"-?[\d,]+\.\d\d|—", line[line.index(label) + len(label):])
        assert tokens == ["—" if c is None else _figure(c) for c in cells], label


def test_no_downloaded_label_carries_layout_whitespace(ledger_db):
    """Indentation is the screen's and the print's layout, not part of a label: every table's
    CSV names its rows as the statute does (no leading ideographic or other space)."""
    import csv as csvlib

    model = finance(ledger_db, FILTERS, "zh")
    tables = [tb for tb in vars(model).values() if hasattr(tb, "csv") and callable(tb.csv)]
    assert model.statement in tables
    for table in tables:
        rows = list(csvlib.reader(io.StringIO(table.csv().decode("utf-8-sig"))))
        for row in rows:
            for cell in row:
                assert cell == cell.strip(), (table.key, cell)


def test_previous_year_without_any_record_reads_dash_not_zero(ledger_db):
    """The ledger starts in 2020: 2020's 上年数 (2019) has no data, which ¥0.00 misstated."""
    from impact.web.widgets import statement_html

    table = finance(ledger_db, Filters(orgs=(ORG,), year_from=2020, year_to=2020), "zh").statement
    total = next(r for r in table.rows if r["item"] == "收入合计")
    assert total["current_total"] == D("10800.00")
    assert {total[f"previous_{c}"] for c in ("unrestricted", "restricted", "total")} == {"—"}
    html = statement_html(table, "zh")
    assert "¥0.00" not in html.split("收入合计")[1].split("</tr>")[0]
    assert "<td class=\"impact-total\">—</td>" in html
    # A year before with records keeps its zeros: a line with nothing in it is 0.00.
    assert finance(ledger_db, FILTERS, "zh").statement.rows[2]["previous_total"] == D("0.00")
