"""Bad inputs from real spreadsheets (issue 10): each refusal asserts its message and a
byte-identical data directory; each acceptance asserts the exact stored values."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hyp
from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from impact.cli import main
from impact.ingest import import_payload
from impact.storage import compaction
from impact.storage.store import DataStore
from tests.test_import_cli import FIXTURES
from tests.test_import_errors import ACT, ACT_OK, FIN, rejected, seeded  # noqa: F401
from tests.test_import_roundtrip import (activity, cells, expected, make_file, sort_key, stored,
                                         transaction)

LEDGER = (FIXTURES / "finance_ledger.xlsx").read_bytes()
ROOT = Path(__file__).resolve().parent.parent


def accepted(tmp_path, capsys, table: str, payload: bytes, name: str = "in.csv",
             *extra: str) -> tuple[list[dict], str]:
    """Import into a new, empty data directory; return the stored rows and the summary."""
    base = Path(tempfile.mkdtemp(dir=tmp_path))
    path = base / name
    path.write_bytes(payload)
    data = base / "fresh"
    data.mkdir()
    capsys.readouterr()
    code = main(["import", str(path), "--table", table, "--data-dir", str(data), *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    return DataStore(data).read_table(table).to_pylist(), out.strip()


def one_error(lines: list[str]) -> str:
    assert lines[0].endswith("nothing was written:"), lines
    [line] = lines[1:]
    return line


# -- unbalanced quotes -----------------------------------------------------------------------
QUOTE_CASES = {
    # The quote opens in the last column and never closes: every later line became its text.
    "last_column": (f'{ACT}\n2021-03-05,A,P,1,20,2,"120\n2021-03-06,A,P,1,20,2,120\n'
                    "2021-03-07,A,P,1,20,2,120\n", 2, "志愿服务时长（分钟）", 2),
    # In a middle column: the row and the ones after it were read as one short row.
    "middle_column": (f'{ACT}\n{ACT_OK}\n2021-03-06,A,"P,1,20,2,120\n'
                      "2021-03-07,A,P,1,20,2,120\n", 3, "项目", 3),
    # The quote closes at a later quote, lines further down: the lines between are lost.
    "closes_later": (f'{ACT}\n2021-03-05,A,"P,1,20,2,120\n2021-03-06,A,"Q",1,20,2,120\n',
                     2, "项目", 2),
    # The same, with whole rows between the two quotes.
    "closes_much_later": (f'{ACT}\n2021-03-05,A,"P,1,20,2,120\n2021-03-06,A,P,1,20,2,120\n'
                          '2021-03-07,A,"Q",1,20,2,120\n', 2, "项目", 2),
    # At the very end of the file, without a line break.
    "at_end_of_file": (f'{ACT}\n{ACT_OK}\n2021-03-06,A,P,1,20,2,"120', 3,
                       "志愿服务时长（分钟）", 3),
}


@pytest.mark.parametrize("case", list(QUOTE_CASES))
def test_an_unclosed_quote_is_refused_at_the_row_where_it_opened(case, seeded, tmp_path,
                                                                 capsys):
    text, row, column, line = QUOTE_CASES[case]
    [message] = rejected(seeded, tmp_path, capsys, "activities", text.encode())
    assert message.endswith(
        f'in.csv: row {row}, column {column}: a quote (") opens here and is not closed, so '
        f"the lines after it were read into this cell (line {line} of the file); close or "
        "remove the quote")


def test_a_quoted_cell_spanning_lines_is_still_one_cell(tmp_path, capsys):
    text = (f'{ACT}\n2021-03-05,"示例, 社工中心","社区\n儿童之家",1,20,2,120\n'
            "2021-03-06,A,P,1,20,2,120\n")
    rows, summary = accepted(tmp_path, capsys, "activities", text.encode())
    assert sorted((r["org"], r["project"], r["date"]) for r in rows) == [
        ("A", "P", date(2021, 3, 6)), ("示例, 社工中心", "社区 儿童之家", date(2021, 3, 5))]
    assert "2 rows read, added 2" in summary


# -- numbers ---------------------------------------------------------------------------------
def _fin(amount: str) -> bytes:
    return f'{FIN}\n2021-03-05,A,收入,捐赠收入,"{amount}",V-2,否\n'.encode()


def _act(count: str) -> bytes:
    return f'{ACT}\n2021-03-05,A,P,1,"{count}",2,120\n'.encode()


NUMBER_CASES = {
    "comma_not_thousands": (_fin("12,34"), 'row 2, column 金额（元）: "12,34" — a comma may '
                            "only separate thousands (1,234,567.89); for decimals use a point "
                            "(12.34)"),
    "commas_everywhere": (_fin("1,2,3,4"), 'row 2, column 金额（元）: "1,2,3,4" — a comma may '
                          "only separate thousands (1,234,567.89); for decimals use a point "
                          "(12.34)"),
    "comma_in_count": (_act("2,5"), 'row 2, column 受益人次: "2,5" — a comma may only '
                       "separate thousands (1,234,567.89); for decimals use a point (12.34)"),
    "decimal_comma": (_fin("1.234,56"), 'row 2, column 金额（元）: "1.234,56" — decimal comma: '
                      "write 1234.56"),
    "superscript_digits": (_act("²³"), 'row 2, column 受益人次: "²³" — contains "²", which is '
                           "not a digit 0-9; write numbers with 0-9"),
    "arabic_indic_digits": (_fin("٣٠٠"), 'row 2, column 金额（元）: "٣٠٠" — contains "٣", which '
                            "is not a digit 0-9; write numbers with 0-9"),
    "scientific_count": (_act("1e3"), 'row 2, column 受益人次: "1e3" — scientific notation; '
                         "write the number in full (1000, not 1e3)"),
    "scientific_amount": (_fin("1E3"), 'row 2, column 金额（元）: "1E3" — scientific notation; '
                          "write the number in full (1000, not 1e3)"),
    # Forty digits: refused as too large, never a decimal-precision traceback.
    "forty_digit_amount": (_fin("9" * 40), f'row 2, column 金额（元）: "{"9" * 40}" — more than '
                           "1,000,000,000 元 in one entry, not plausible for one transaction of "
                           "an NGO; check for extra digits"),
    "forty_digit_count": (_act("9" * 40), f'row 2, column 受益人次: "{"9" * 40}" — implausibly '
                          "large"),
    "implausible_amount": (_fin("1,000,000,000.01"), 'row 2, column 金额（元）: '
                           '"1,000,000,000.01" — more than 1,000,000,000 元 in one entry, not '
                           "plausible for one transaction of an NGO; check for extra digits"),
}


@pytest.mark.parametrize("case", list(NUMBER_CASES))
def test_a_number_in_an_odd_form_is_refused_with_its_value(case, seeded, tmp_path, capsys):
    payload, message = NUMBER_CASES[case]
    table = "finance" if payload.startswith(FIN.encode()) else "activities"
    assert one_error(rejected(seeded, tmp_path, capsys, table, payload)) == message


def test_thousands_commas_and_full_width_digits_are_read_exactly(tmp_path, capsys):
    text = (f'{FIN}\n2021-03-05,A,收入,捐赠收入,"1,234,567.89",V-1,否\n'
            "2021-03-06,A,收入,捐赠收入,￥１２３．４５,V-2,否\n"
            '2021-03-07,A,支出,管理费用,"1,000,000,000",V-3,否\n')
    rows, _ = accepted(tmp_path, capsys, "finance", text.encode())
    assert sorted(r["amount"] for r in rows) == [Decimal("123.45"), Decimal("1234567.89"),
                                                 Decimal("1000000000.00")]
    acts, _ = accepted(tmp_path, capsys, "activities", _act("１,２００"))
    assert [r["beneficiaries"] for r in acts] == [1200]


def test_sums_of_the_largest_storable_amounts_do_not_break_a_page(tmp_path, cli, monkeypatch):
    """120 rows of the DECIMAL(18,2) maximum: the sums need DECIMAL(38,2), and every finance
    query, the summary, the report and the pages must still answer (verify always did)."""
    import pyarrow as pa

    from impact.storage.db import Database
    from impact.storage.schema import TABLES

    data = tmp_path / "d"
    data.mkdir()
    top = Decimal("9999999999999999.99")
    rows = [{"txn_id": f"V-{i}", "date": date(2021, 1, 1 + i % 28), "org": "A",
             "flow": "income" if i % 2 else "expense", "line": "other",
             "source_type": "other" if i % 2 else None, "funder": "F",
             "project": "P", "restricted": False, "amount": top} for i in range(120)]
    compaction.append(DataStore(data), "finance", pa.Table.from_pylist(
        rows, schema=TABLES["finance"].arrow_schema))
    result = cli("summary", "--data-dir", str(data), "--format", "json", "--year", "2021")
    assert result.returncode == 0, result.stderr
    assert '"income_total": 599999999999999999.40' in result.stdout.replace(" ", "") or \
        "599999999999999999.40" in result.stdout
    db = Database(str(data))
    params = dict(orgs=["A"], projects=[], areas=[], year_from=2021, year_to=2021)
    for name, flows in (("finance_by_line", 2), ("finance_by_funder", 1),
                        ("finance_by_year_line", 2)):
        amounts = [r["amount"] for r in db.rows(name, **params)]
        assert sum(amounts) == top * 60 * flows, name
    report = cli("report", "--data-dir", str(data), "--org", "A", "--year", "2021", "--out",
                 str(tmp_path / "report.xlsx"))
    assert report.returncode == 0, report.stderr
    monkeypatch.setenv("IMPACT_DATA_DIR", str(data))
    for page in ("overview", "finance", "growth"):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.query_params.update({"org": "A", "from": "2021", "to": "2021"})
        at.run()
        if page != "overview":
            at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])


# -- dates -----------------------------------------------------------------------------------
def test_a_date_with_a_time_of_day_is_that_day(tmp_path, capsys):
    text = f"{ACT}\n2021-03-05 13:45,A,P,1,20,2,120\n2021/3/6 08:30:15,A,P,1,20,2,120\n"
    rows, _ = accepted(tmp_path, capsys, "activities", text.encode())
    assert sorted(r["date"] for r in rows) == [date(2021, 3, 5), date(2021, 3, 6)]


def _book(rows: list[list], *, hidden_first: bool = False, fmt: dict | None = None) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "数据"
    for row in rows:
        ws.append(row)
    for cell, number_format in (fmt or {}).items():
        ws[cell].number_format = number_format
    if hidden_first:
        notes = book.create_sheet("说明", 0)
        notes.append(["这张表只是说明"])
        notes.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ACT_HEADERS = ACT.split(",")


def test_a_date_and_time_cell_is_that_day(tmp_path, capsys):
    payload = _book([ACT_HEADERS, [datetime(2021, 3, 5, 13, 45), "A", "P", 1, 20, 2, 120]])
    rows, _ = accepted(tmp_path, capsys, "activities", payload, "in.xlsx")
    assert rows[0]["date"] == date(2021, 3, 5)


def test_excel_day_zero_is_shown_as_a_date(seeded, tmp_path, capsys):
    payload = _book([ACT_HEADERS, [0, "A", "P", 1, 20, 2, 120]], fmt={"A2": "yyyy-mm-dd"})
    lines = rejected(seeded, tmp_path, capsys, "activities", payload, "in.xlsx")
    assert one_error(lines) == ('row 2, column 日期: "1899-12-30" — before 1950: probably a '
                                "typo in the year")


# -- every error of a row --------------------------------------------------------------------
def test_every_error_in_a_row_is_reported(seeded, tmp_path, capsys):
    text = f"{ACT}\n2021-02-30,A\x1b,P,1,-3,1,3000\n"
    lines = rejected(seeded, tmp_path, capsys, "activities", text.encode())
    assert lines[1:] == [
        'row 2, column 日期: "2021-02-30" — no such day in the calendar',
        'row 2, column 机构: "A\\x1b" — contains the invisible control character U+001B; '
        "delete it (it usually comes from pasting)",
        'row 2, column 受益人次: "-3" — cannot be negative',
        'row 2, column 志愿服务时长（分钟）: "3000" — more than 24 hours per volunteer '
        "person-time (1 volunteer person-times allow at most 1440 minutes)",
    ]


# -- text ------------------------------------------------------------------------------------
def test_control_and_bidi_characters_are_refused_and_never_echoed_raw(seeded, tmp_path, capsys):
    text = (f"{ACT}\n2021-03-05,A,P\u202etxt.exe,1,20,2,120\n"
            f"2021-03-06,A\x00B,P,1,20,2,120\n2021-03-07,A,P,1,\x1b[2J9,2,120\n")
    lines = rejected(seeded, tmp_path, capsys, "activities", text.encode())
    assert lines[1:] == [
        'row 2, column 项目: "P\\u202etxt.exe" — contains the text-direction control U+202E, '
        "which can make a name display reversed; delete it",
        'row 3, column 机构: "A\\x00B" — contains the invisible control character U+0000; '
        "delete it (it usually comes from pasting)",
        'row 4, column 受益人次: "\\x1b[2J9" — text in a number column',
    ]
    assert not any(c in "\n".join(lines) for c in "\x00\x1b\u202e")


# -- encodings -------------------------------------------------------------------------------
def test_a_utf8_bom_before_gbk_text_asks_for_csv_utf8(seeded, tmp_path, capsys):
    payload = b"\xef\xbb\xbf" + f"{ACT}\n{ACT_OK}\n".encode("gbk")
    [line] = rejected(seeded, tmp_path, capsys, "activities", payload)
    assert line.endswith('in.csv: the file starts with a UTF-8 marker (BOM) but its text is '
                         'GBK; save it as "CSV UTF-8"')


# -- workbooks -------------------------------------------------------------------------------
def _replace(payload: bytes, part: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(payload))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = content if item.filename == part else source.read(item.filename)
            target.writestr(item.filename, data)
    return out.getvalue()


def _part(part: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(LEDGER)).read(part)


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
          b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
          b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>')
DAMAGED = {
    "truncated_workbook_xml": ("xl/workbook.xml", _part("xl/workbook.xml")[:200]),
    "truncated_sheet_xml": ("xl/worksheets/sheet1.xml", _part("xl/worksheets/sheet1.xml")[:900]),
    "styles_not_xml": ("xl/styles.xml", b"this is not XML at all \x00\x01"),
    "billion_laughs_sheet": ("xl/worksheets/sheet1.xml", LAUGHS + _part(
        "xl/worksheets/sheet1.xml").replace(b"<t>", b"<t>&lol4;", 1)),
    "billion_laughs_workbook": ("xl/workbook.xml", LAUGHS + _part("xl/workbook.xml")),
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_a_damaged_workbook_is_one_line(case, seeded, tmp_path, capsys):
    part, content = DAMAGED[case]
    [line] = rejected(seeded, tmp_path, capsys, "finance", _replace(LEDGER, part, content),
                      "ledger.xlsx")
    assert line.endswith("ledger.xlsx: this workbook is damaged (its contents cannot be read); "
                         "open it in Excel or WPS and save it again")


def test_a_formula_without_a_computed_value_is_named(seeded, tmp_path, capsys):
    payload = _book([ACT_HEADERS, ["2021-03-05", "A", "P", 1, "=B9*2", 2, 120]])
    lines = rejected(seeded, tmp_path, capsys, "activities", payload, "in.xlsx")
    assert one_error(lines) == ('row 2, column 受益人次: "=B9*2" — formula not calculated: '
                                "open and save the file in Excel")


def test_a_hidden_first_sheet_is_skipped_and_named(tmp_path, capsys):
    payload = _book([ACT_HEADERS, ["2021-03-05", "A", "P", 1, 20, 2, 120]], hidden_first=True)
    rows, summary = accepted(tmp_path, capsys, "activities", payload, "in.xlsx")
    assert [r["beneficiaries"] for r in rows] == [20]
    assert summary.endswith('[read sheet "数据" of 2; hidden, not read: "说明"]')


@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_xls_and_ods_twins_import_to_the_same_records(suffix, tmp_path, capsys):
    """The fixtures were converted from finance_ledger.xlsx by LibreOffice
    (soffice --headless --convert-to xls|ods)."""
    results = []
    for name in ("finance_ledger.xlsx", f"finance_ledger.{suffix}"):
        rows, summary = accepted(tmp_path, capsys, "finance", (FIXTURES / name).read_bytes(),
                                 name)
        assert "7 rows read, added 7" in summary
        # the same records; only the journal they came from (来源文件) is each file's name
        assert {r.pop("source_file") for r in rows} == {name}
        results.append(sorted(tuple(r.values()) for r in rows))
    assert results[0] == results[1]
    assert sum(r[10] for r in results[0]) == Decimal("200356.26")


def test_an_xls_named_xlsx_is_read_as_xls(tmp_path, capsys):
    payload = (FIXTURES / "finance_ledger.xls").read_bytes()
    rows, summary = accepted(tmp_path, capsys, "finance", payload, "ledger.xlsx")
    assert "7 rows read, added 7" in summary
    assert sorted(r["amount"] for r in rows)[-1] == Decimal("120000.50")


CONTENT_CASES = {
    "workbook_named_csv": ("in.csv", LEDGER, "in.csv: named .csv, but the content is an Excel "
                           "workbook (.xlsx), not CSV text; rename it or save it as CSV"),
    "pdf_named_xlsx": ("in.xlsx", b"%PDF-1.4\n\x00\x01\x02binary", "in.xlsx: named .xlsx, but "
                       "the content is binary data, not a workbook; save it as .xlsx"),
    "zip_named_xlsx": ("in.xlsx", _replace(LEDGER, "xl/workbook.xml", b"x").replace(
        b"xl/workbook.xml", b"xl/w0rkbook.xml").replace(b"[Content_Types]", b"[Content_Typez]"),
        "in.xlsx: this workbook is damaged"),
}


@pytest.mark.parametrize("case", list(CONTENT_CASES))
def test_the_content_decides_not_the_name(case, seeded, tmp_path, capsys):
    name, payload, message = CONTENT_CASES[case]
    [line] = rejected(seeded, tmp_path, capsys, "finance", payload, name)
    assert message in line


# -- the data directory ----------------------------------------------------------------------
def test_a_missing_data_dir_is_not_created(tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text(f"{ACT}\n{ACT_OK}\n", encoding="utf-8")
    typo = tmp_path / "dta"
    for extra in ((), ("--dry-run",)):
        code = main(["import", str(source), "--table", "activities", "--data-dir", str(typo),
                     *extra])
        assert code == 1
        assert capsys.readouterr().err.strip() == (
            f"error: data directory {typo} does not exist (make an empty one with "
            f"`impact init {typo}`, or give the right --data-dir)")
        assert not typo.exists()


# -- round trip with line breaks, quotes and commas inside cells -------------------------------
def _with_breaks(draw, text: str) -> str:
    """The name with a line break (LF or CRLF, as Alt+Enter in Excel saves) somewhere."""
    at = draw(hyp.integers(0, len(text)))
    return text[:at] + draw(hyp.sampled_from(("\n", "\r\n"))) + text[at:]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=hyp.sampled_from(("activities", "finance")),
       encoding=hyp.sampled_from(("utf-8", "gbk")), data=hyp.data())
def test_cells_with_line_breaks_quotes_and_commas_round_trip(table, encoding, data):
    """Random valid rows written as CSV (quoted where needed by Python's csv module, as Excel
    does) in UTF-8 and GBK import as exactly those rows. A line break inside a name is
    stored as a space (docs/import.md, Text)."""
    records = data.draw(hyp.lists(activity() if table == "activities" else transaction(),
                                  min_size=1, max_size=6))
    rows = []
    for record in records:
        row = cells(table, record, data.draw(hyp.integers(0, 19)))
        fields = {1: "org", 2: "project"} if table == "activities" else {1: "org", 4: "funder"}
        for position, key in fields.items():
            if row[position] and row[position].count(",") <= 3 and data.draw(hyp.booleans()):
                row[position] = _with_breaks(data.draw, row[position])
                record[key] = " ".join(row[position].split())
        rows.append(row)
    name, payload = make_file(table, rows, encoding)
    with tempfile.TemporaryDirectory() as tmp:
        check, entry = import_payload(name, payload, table, DataStore(tmp))
        assert check.ok, [(e.row, e.column, e.value, e.code) for e in check.errors]
        assert check.sheet.encoding == encoding
        assert sorted(stored(tmp, table), key=sort_key) == sorted(
            (expected(table, r) for r in records), key=sort_key)


def test_a_password_protected_workbook_says_so(seeded, tmp_path, capsys):
    """Excel stores an encrypted .xlsx in the old .xls container, as "EncryptedPackage"."""
    payload = (FIXTURES / "finance_ledger.xls").read_bytes() + "EncryptedPackage".encode(
        "utf-16-le")
    [line] = rejected(seeded, tmp_path, capsys, "finance", payload, "ledger.xlsx")
    assert line.endswith("ledger.xlsx: the workbook is protected by a password; save a copy "
                         "without the password and import that")


def test_a_workbook_with_corrupt_compressed_data_is_damaged(seeded, tmp_path, capsys):
    """Flipped bytes inside a compressed part: zlib or the CRC check fails while reading."""
    payload = bytearray(LEDGER)
    start = payload.index(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    for offset in range(start + 40, start + 80):
        payload[offset] ^= 0x5A
    [line] = rejected(seeded, tmp_path, capsys, "finance", bytes(payload), "ledger.xlsx")
    assert line.endswith("ledger.xlsx: this workbook is damaged (its contents cannot be read); "
                         "open it in Excel or WPS and save it again")


# -- whatever the bytes, a verdict and never a traceback --------------------------------------
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=hyp.sampled_from(("in.csv", "in.xlsx", "in.xls", "in.ods")), data=hyp.data())
def test_any_bytes_get_a_verdict_not_a_traceback(name, data, tmp_path_factory):
    """Random bytes, and the ledger with random bytes overwritten, in every format: the
    check either reads the file or raises FileProblem (one line), nothing else."""
    from impact.ingest import FileProblem, check_file

    if data.draw(hyp.booleans()):
        payload = data.draw(hyp.binary(max_size=2000))
    else:
        source = bytearray((FIXTURES / data.draw(hyp.sampled_from(
            ("finance_ledger.xlsx", "finance_ledger.xls", "finance_ledger.ods")))).read_bytes())
        for _ in range(data.draw(hyp.integers(1, 20))):
            source[data.draw(hyp.integers(0, len(source) - 1))] = data.draw(hyp.integers(0, 255))
        payload = bytes(source)
    store = DataStore(tmp_path_factory.mktemp("fuzz"))
    try:
        check_file(name, payload, "finance", store)
    except FileProblem:
        pass


def test_an_xls_that_makes_calamine_abort_only_kills_its_child(seeded, tmp_path, capsys):
    """damaged_alloc.xls is finance_ledger.xls with a few bytes changed (found by fuzzing):
    calamine asks for 1.3 TB and aborts the process that reads it. It runs in a child
    process (impact/ingest/calamine_child.py), so this process — on a server, the dashboard —
    lives on and says the file cannot be read."""
    payload = (FIXTURES / "damaged_alloc.xls").read_bytes()
    for name in ("ledger.xls", "ledger.xlsx", "ledger.ods"):
        [line] = rejected(seeded, tmp_path, capsys, "finance", payload, name)
        assert line.endswith(f"{name}: old Excel format (.xls) that cannot be read; save it as "
                             ".xlsx (Excel workbook) or CSV")
