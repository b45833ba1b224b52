"""`python -m impact report`: the file a user asked for, or one line saying why not."""

from __future__ import annotations

import os

import openpyxl
import pytest


def test_xlsx_report_from_the_command_line(cli, tmp_path):
    out = tmp_path / "report.xlsx"
    result = cli("report", "--org", "珠海协作者", "--year", "2020", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out}")
    book = openpyxl.load_workbook(out)
    assert book["核心指标"]["B2"].value == 581


def test_unknown_extension_is_refused(cli, tmp_path):
    result = cli("report", "--org", "珠海协作者", "--year", "2020", "--out",
                 str(tmp_path / "report.docx"))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"error: {tmp_path / 'report.docx'}: cannot write a report "
                                     "as .docx; use .pdf, .html or .xlsx")


def test_missing_folder_is_refused_before_any_work(cli, tmp_path):
    out = tmp_path / "no-such-folder" / "report.pdf"
    result = cli("report", "--org", "珠海协作者", "--year", "2020", "--out", str(out))
    assert result.returncode == 2
    assert f"folder {out.parent} does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_is_not_a_file_name(cli, tmp_path):
    result = cli("report", "--org", "珠海协作者", "--year", "2020", "--out", str(tmp_path))
    assert result.returncode == 2


def test_unknown_organisation_lists_the_known_ones(cli, tmp_path):
    result = cli("report", "--org", "珠海协作", "--year", "2020", "--out",
                 str(tmp_path / "r.xlsx"))
    assert result.returncode == 1
    assert "no organisation named '珠海协作'" in result.stderr
    assert "珠海协作者" in result.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_year_and_range_together_is_a_usage_error(cli, tmp_path):
    result = cli("report", "--org", "珠海协作者", "--year", "2020", "--from", "2019",
                 "--out", str(tmp_path / "r.xlsx"))
    assert result.returncode == 2 and "either --year or --from/--to" in result.stderr


def test_period_without_data_builds_and_says_so(cli, tmp_path):
    out = tmp_path / "r.xlsx"
    result = cli("report", "--org", "珠海协作者", "--year", "2030", "--out", str(out))
    assert result.returncode == 0
    assert "no activity or finance records" in result.stderr
    assert out.exists()


def test_missing_chromium_names_the_debian_package(cli, tmp_path):
    out = tmp_path / "r.pdf"
    env = {**os.environ, "IMPACT_CHROMIUM": str(tmp_path / "no-chromium")}
    result = cli("report", "--org", "珠海协作者", "--year", "2020", "--out", str(out), env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "install the Debian package `chromium`" in lines[0]
    assert not out.exists()


def test_missing_cjk_font_names_the_debian_package(monkeypatch):
    import pytest

    from impact.report import browser

    monkeypatch.setattr(browser, "CJK_FONT_DIRS", ("/nonexistent/fonts",))
    with pytest.raises(browser.MissingDependency, match="`fonts-noto-cjk`"):
        browser.cjk_font()
