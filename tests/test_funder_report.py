"""`impact report --funder 乐购 --year 2020`: the funder view as PDF (text read back with
pdftotext), HTML and Excel; an unknown funder exits 1 naming the known ones."""

from __future__ import annotations

import subprocess

from openpyxl import load_workbook

from tests import sysdeps


def test_funder_report_pdf_shows_what_the_grant_delivered(cli, tmp_path):
    sysdeps.check("chromium", "cjk-fonts", "pdftotext")
    out = tmp_path / "legou.pdf"
    result = cli("report", "--funder", "乐购", "--year", "2020", "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    for expected in ("乐购 资助成效报告", "297,850", "161", "¥416,648.88", "千人助学计划",
                     "预算执行", "截至 2020-12-31"):
        assert expected in text, expected
    assert "微软" not in text and "职业之路" not in text  # another funder's grant


def test_funder_report_excel_keeps_exact_numbers(cli, tmp_path):
    out = tmp_path / "legou.xlsx"
    result = cli("report", "--funder", "乐购", "--year", "2020", "--out", str(out),
                 "--lang", "en")
    assert result.returncode == 0, result.stderr
    book = load_workbook(out)
    values = [c.value for ws in book for row in ws.iter_rows() for c in row]
    assert 297850 in values and 161 in values
    received = [ws for ws in book if ws.title == "Grants"][0]
    assert received.cell(2, 2).number_format == "#,##0.00"


def test_unknown_funder_exits_1_naming_the_known_ones(cli, tmp_path):
    result = cli("report", "--funder", "乐够", "--year", "2020", "--out",
                 str(tmp_path / "x.pdf"))
    assert result.returncode == 1
    assert "did you mean 乐购" in result.stderr and "乐购, 微软" in result.stderr
    assert not (tmp_path / "x.pdf").exists()
