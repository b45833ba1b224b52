"""Hostile and huge uploads (issue 12, the importer's part): decompression bombs, the size
limit, and a file with 100,000 invalid rows, on the command line and on the Data page."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from impact.cli import main
from impact.ingest import check_file, errors_csv
from impact.storage.store import DataStore
from impact.views.data_import import SHOWN_ERRORS, preview
from tests.test_import_cli import snapshot
from tests.test_import_errors import ACT

ROOT = Path(__file__).resolve().parent.parent

_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'),
}
_ROW = ('<row><c t="inlineStr"><is><t>2021-03-05</t></is></c><c t="inlineStr"><is><t>A</t>'
        '</is></c><c t="inlineStr"><is><t>P</t></is></c><c><v>1</v></c><c><v>20</v></c>'
        '<c><v>2</v></c><c><v>120</v></c></row>').encode()


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """A ~1 MB .xlsx whose sheet unpacks to 1.2 million rows (over 300 MB of XML)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in _XLSX_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                        b'2006/main"><sheetData>')
            block = _ROW * 10_000
            for _ in range(120):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    assert path.stat().st_size < 2 * 1024 * 1024
    return path


# The child's own peak memory: VmHWM, not getrusage's ru_maxrss, which Linux carries over
# from the parent (pytest) across fork and exec.
_MEASURED = """
import re, sys, time
from impact.cli import main
start = time.monotonic()
code = main(sys.argv[1:])
peak = re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)
print(f"RESULT {code} {time.monotonic() - start:.1f} {int(peak) // 1024}", file=sys.stderr)
"""


def test_an_xlsx_bomb_is_refused_quickly_in_little_memory(bomb, tmp_path):
    """Before: 408 s and 1.07 GB, then refused. Now the rows are counted as the XML streams
    through zlib, before any parser runs. (The interpreter with pyarrow and duckdb loaded is
    ~150 MB of the figure.)"""
    data = tmp_path / "d"
    data.mkdir()
    proc = subprocess.run([sys.executable, "-c", _MEASURED, "import", str(bomb), "--table",
                           "activities", "--data-dir", str(data)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    lines = proc.stderr.strip().splitlines()
    assert lines[0] == f"{bomb}: more than 1048576 rows; split the file", proc.stderr
    _, code, seconds, megabytes = lines[-1].split()
    assert code == "1"
    assert float(seconds) < 60  # ~4 s on an idle machine
    assert int(megabytes) < 300  # ~165 MB
    assert list(data.iterdir()) == []


def _ods(content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
        archive.writestr("content.xml", content)
    return out.getvalue()


def test_an_ods_row_repeated_millions_of_times_is_refused(tmp_path, capsys):
    """In .ods one element may stand for many rows: a 1 KB file can mean 5 million of them."""
    content = (b'<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:'
               b'opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:'
               b'xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
               b'<office:body><office:spreadsheet><table:table table:name="S">'
               b'<table:table-row table:number-rows-repeated="5000000"><table:table-cell '
               b'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
               b'</table:table-row></table:table></office:spreadsheet></office:body>'
               b'</office:document-content>')
    path = tmp_path / "bomb.ods"
    path.write_bytes(_ods(content))
    data = tmp_path / "d"
    data.mkdir()
    capsys.readouterr()
    assert main(["import", str(path), "--table", "activities", "--data-dir", str(data)]) == 1
    assert capsys.readouterr().err.strip() == f"{path}: more than 1048576 rows; split the file"
    assert list(data.iterdir()) == []


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path, capsys):
    path = tmp_path / "big.csv"
    path.write_bytes((ACT + "\n").encode() + b"x" * (50 * 1024 * 1024))
    data = tmp_path / "d"
    data.mkdir()
    capsys.readouterr()
    assert main(["import", str(path), "--table", "activities", "--data-dir", str(data)]) == 1
    assert capsys.readouterr().err.strip() == f"{path}: the file is larger than 50 MB"
    assert list(data.iterdir()) == []


ROWS = 100_000


@pytest.fixture(scope="module")
def many_bad_rows() -> bytes:
    """100,000 rows, each with a negative count; one holds a formula-like text."""
    rows = [f"2021-03-05,A,P,1,-{i + 1},2,120" for i in range(ROWS - 1)]
    rows.append('2021-03-05,A,P,1,"=HYPERLINK(""http://evil.example"",""x"")",2,120')
    return "\n".join([ACT, *rows, ""]).encode()


def test_a_hundred_thousand_bad_rows_give_the_first_errors_and_a_count(many_bad_rows, tmp_path):
    start = time.monotonic()
    check = check_file("bad.csv", many_bad_rows, "activities", DataStore(tmp_path))
    model = preview(check, "en")
    assert time.monotonic() - start < 120  # ~7 s on an idle machine; the page froze 220 s
    assert (len(model.errors), model.error_count, len(model.rows)) == (SHOWN_ERRORS, ROWS, 1000)
    assert model.errors[0] == 'row 2, column 受益人次: "-1" — cannot be negative'
    lines = errors_csv(check, "en").decode("utf-8-sig").splitlines()
    assert len(lines) == ROWS + 1
    assert lines[1] == "2,受益人次,-1,cannot be negative"
    # A spreadsheet opening the download sees text, never a live formula.
    assert lines[-1] == (f"{ROWS + 1},受益人次,\"'=HYPERLINK(\"\"http://evil.example\"\","
                         "\"\"x\"\")\",text in a number column")


def test_the_command_line_lists_the_first_errors_and_a_count(many_bad_rows, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(many_bad_rows)
    data = tmp_path / "d"
    data.mkdir()
    before = snapshot(data)
    capsys.readouterr()
    assert main(["import", str(path), "--table", "activities", "--data-dir", str(data)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == (f"{path}: {ROWS} errors in {ROWS} of {ROWS} rows; nothing was "
                        "written:")
    assert len(lines) == 1 + SHOWN_ERRORS + 1
    assert lines[-1] == f"  … and {ROWS - SHOWN_ERRORS} more (--all-errors lists them all)"
    assert snapshot(data) == before


def test_the_rejects_file_is_formula_safe(tmp_path, capsys):
    """A value that starts like a formula is written with a leading apostrophe in the
    rejects file; a plain negative number stays a number."""
    source = tmp_path / "records.csv"
    data = tmp_path / "d"
    data.mkdir()
    source.write_text(f"{ACT}\n2021-03-05,A,P,1,-3,2,120\n2021-03-06,A,P,1,@SUM(1),2,120\n"
                      "2021-03-07,A,P,1,20,2,120\n", encoding="utf-8")
    assert main(["import", str(source), "--table", "activities", "--data-dir", str(data),
                 "--skip-invalid"]) == 0
    lines = (tmp_path / "records.rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1] == "2021-03-05,A,P,1,-3,2,120,2,受益人次: 不能为负数"
    assert lines[2] == "2021-03-06,A,P,1,'@SUM(1),2,120,3,受益人次: 数字列里填了文字"
