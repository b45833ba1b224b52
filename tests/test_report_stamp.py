"""Reports carry a stamp, and `impact verify --report` says whether their figures still hold."""

from __future__ import annotations

import json

import pytest

from impact.report.stamp import _from_pdf_text, read
from tests.test_versions import _csv, _one_activity


# The HTML report draws its charts with Chromium; the workbook needs none.
@pytest.mark.parametrize("suffix", [pytest.param("html", marks=pytest.mark.requires("chromium")),
                                    "xlsx"])
def test_a_report_made_before_a_correction_is_outdated_naming_the_figures(cli, demo_copy,
                                                                         tmp_path, suffix):
    row = _one_activity(demo_copy)
    year = row["date"].year
    out = tmp_path / f"report.{suffix}"
    made = cli("report", "--org", row["org"], "--year", str(year), "--out", str(out),
               "--data-dir", str(demo_copy))
    assert made.returncode == 0, made.stderr
    stamp = read(out)
    assert stamp["version"] == 1 and len(stamp["manifest"]) == 12
    assert f"from={year}" in stamp["url"] and stamp["closed"] is False
    fresh = cli("verify", "--report", str(out), "--data-dir", str(demo_copy))
    assert fresh.returncode == 0 and "current" in fresh.stdout

    # Closing the period is a version too, but changes no figure: still current.
    assert cli("close", "--org", row["org"], "--year", str(year), "--reason", "audited",
               "--data-dir", str(demo_copy)).returncode == 0
    assert cli("reopen", "--org", row["org"], "--year", str(year), "--reason", "fix",
               "--data-dir", str(demo_copy)).returncode == 0
    assert cli("verify", "--report", str(out), "--data-dir", str(demo_copy)).returncode == 0

    fix = tmp_path / "fix.csv"
    fix.write_bytes(_csv([{**row, "beneficiaries": row["beneficiaries"] + 1000}]))
    assert cli("import", str(fix), "--table", "activities", "--update", "--reason",
               "typo", "--data-dir", str(demo_copy)).returncode == 0
    stale = cli("verify", "--report", str(out), "--data-dir", str(demo_copy))
    assert stale.returncode == 1 and "outdated" in stale.stdout
    assert "update: typo" in stale.stdout
    [line] = [l for l in stale.stdout.splitlines() if l.strip().startswith("beneficiaries:")]
    then, now = (int(x) for x in line.split(":", 1)[1].split("→"))
    assert now - then == 1000


@pytest.mark.requires("chromium")  # the HTML report draws its charts with Chromium
def test_the_closed_state_is_printed_in_the_report(cli, demo_copy, tmp_path):
    row = _one_activity(demo_copy)
    year = str(row["date"].year)
    assert cli("close", "--org", row["org"], "--year", year, "--reason", "audited",
               "--data-dir", str(demo_copy)).returncode == 0
    for lang, mark in (("zh", "已关账"), ("en", "closed: the figures are final")):
        out = tmp_path / f"r-{lang}.html"
        assert cli("report", "--org", row["org"], "--year", year, "--lang", lang, "--out",
                   str(out), "--data-dir", str(demo_copy)).returncode == 0
        text = out.read_text(encoding="utf-8")
        assert mark in text
        assert read(out)["closed"] is True


def test_a_pdf_stamp_is_read_back_from_its_text_even_when_the_url_wraps():
    text = ("数据版本 v7(manifest0123456789ab)\n复现此报告的页面\nhttp://localhost:8501/report?\n"
            "org=%E5%8C%97&from=2020&to=2020&lang=zh\n下一行")
    stamp = _from_pdf_text(text)
    assert stamp == {"version": 7, "manifest": "0123456789ab",
                     "url": "http://localhost:8501/report?org=%E5%8C%97&from=2020&to=2020&lang=zh"}


def test_a_stamp_value_cannot_break_out_of_its_attribute(tmp_path):
    """The template escapes the stamp like any attribute value (autoescape)."""
    stamp = {"version": 1, "manifest": "0" * 12, "url": '"><script>alert(1)</script>'}
    import jinja2
    env = jinja2.Environment(autoescape=True)
    out = env.from_string('<meta name="impact-stamp" content="{{ s }}">').render(
        s=json.dumps(stamp, ensure_ascii=False))
    assert "<script>" not in out
    path = tmp_path / "r.html"
    path.write_text(out, encoding="utf-8")
    assert read(path)["url"] == stamp["url"]


def test_a_change_that_only_the_statement_shows_makes_the_report_outdated(cli, demo_copy,
                                                                         tmp_path):
    """Issue 26 point 16: moving income between restricted and unrestricted changes no total,
    but it changes the printed statement of activities; the check covers every printed figure."""
    from impact.storage.store import DataStore

    rows = DataStore(demo_copy).read_table("finance").to_pylist()
    row = next(r for r in rows if r["flow"] == "income" and r["restricted"] is False
               and r["grant_id"] is None and r["amount"] > 1000)
    year = row["date"].year
    out = tmp_path / "report.xlsx"
    assert cli("report", "--org", row["org"], "--year", str(year), "--out", str(out),
               "--data-dir", str(demo_copy)).returncode == 0
    fix = tmp_path / "fix.csv"
    fix.write_bytes(_csv([{**row, "restricted": True}]))
    done = cli("import", str(fix), "--table", "finance", "--update", "--reason", "限定性",
               "--data-dir", str(demo_copy))
    assert done.returncode == 0, done.stderr
    stale = cli("verify", "--report", str(out), "--data-dir", str(demo_copy))
    assert stale.returncode == 1 and "outdated" in stale.stdout, stale.stdout
    changed = [l.strip() for l in stale.stdout.splitlines() if l.strip().startswith("statement:")]
    assert any("restricted" in line for line in changed), stale.stdout
    assert not any(l.strip().startswith("income_total:") for l in stale.stdout.splitlines())
