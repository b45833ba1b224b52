"""`impact report --funder 乐购 --year 2020`: the funder view as PDF (text read back with
pdftotext), HTML and Excel; an unknown funder exits 1 naming the known ones."""

from __future__ import annotations

import subprocess
from decimal import Decimal as D

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


def _text(path) -> str:
    import html
    import re

    body = path.read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", body,
                                                        flags=re.S)))


def test_the_grantee_is_named_without_org(cli, tmp_path):
    """Issue 26 item 17: without --org the report named no grantee ("全部机构" only); it
    names the organisations holding the funder's grants, from the grants' data."""
    for funder, grantee in (("乐购", "珠海协作者"),):
        for lang, words in (("zh", f"受资助机构：{grantee}"), ("en", f"Grantee: {grantee}")):
            out = tmp_path / f"{lang}.html"
            made = cli("report", "--funder", funder, "--year", "2020", "--out", str(out),
                       "--lang", lang)
            assert made.returncode == 0, made.stderr
            assert words in _text(out)
    from impact.config import DEFAULT_DATA_DIR
    from impact.filters import Filters
    from impact.report.funder import gather, grantees
    from impact.storage.db import Database

    db = Database(str(DEFAULT_DATA_DIR))
    for funder in ("乐购", "微软"):
        model, _ = gather(db, Filters(), funder, "zh")
        assert grantees(model, Filters()) == tuple(dict.fromkeys(g.org for g in model.grants))
        assert grantees(model, Filters()), funder


def test_verify_checks_a_funder_report_like_the_annual_report(cli, demo_copy, tmp_path):
    """Issue 26 item 17: the funder report carries the annual report's stamp, and `verify
    --report` recomputes every figure it prints: current on fresh data, a changed grant
    figure named after the data changed, the same figures after a change elsewhere."""
    from impact.report.stamp import read
    from impact.storage.store import DataStore
    from tests.test_versions import _csv

    data = str(demo_copy)
    outs = [tmp_path / "legou.html", tmp_path / "legou.xlsx"]
    for out in outs:
        made = cli("report", "--funder", "乐购", "--year", "2020", "--out", str(out),
                   "--data-dir", data)
        assert made.returncode == 0, made.stderr
        stamp = read(out)
        assert stamp["version"] == 1 and len(stamp["manifest"]) == 12
        assert "/grants?" in stamp["url"] and "funder=%E4%B9%90%E8%B4%AD" in stamp["url"]
        fresh = cli("verify", "--report", str(out), "--data-dir", data)
        assert fresh.returncode == 0 and "current" in fresh.stdout, fresh.stdout
    assert "数据版本：v1 (manifest " in _text(outs[0])  # printed, as a PDF is read back

    rows = DataStore(demo_copy).read_table("finance").to_pylist()
    # A change elsewhere (another organisation's income): the funder's figures stand.
    other = next(r for r in rows if r["org"] != "珠海协作者" and r["flow"] == "income")
    fix = tmp_path / "other.csv"
    fix.write_bytes(_csv([{**other, "amount": other["amount"] + 1}]))
    assert cli("import", str(fix), "--table", "finance", "--update", "--reason", "别处",
               "--data-dir", data).returncode == 0
    for out in outs:
        same = cli("verify", "--report", str(out), "--data-dir", data)
        assert same.returncode == 0 and "the figures of the report's view are the same" \
            in same.stdout, same.stdout

    # Income received on the grant in 2020 changes: received is named, then → now.
    paid = next(r for r in rows if r["grant_id"] == "ZHXZ-LG-2020" and r["flow"] == "income"
                and r["date"].year == 2020)
    fix = tmp_path / "fix.csv"
    fix.write_bytes(_csv([{**paid, "amount": paid["amount"] + 100}]))
    done = cli("import", str(fix), "--table", "finance", "--update", "--reason", "补录",
               "--data-dir", data)
    assert done.returncode == 0, done.stderr
    for out in outs:
        stale = cli("verify", "--report", str(out), "--data-dir", data)
        assert stale.returncode == 1 and "outdated" in stale.stdout, stale.stdout
        assert "update: 补录" in stale.stdout
        changed = [l.strip() for l in stale.stdout.splitlines() if "→" in l]
        received = [l for l in changed if l.startswith("cards: received:")]
        assert received, stale.stdout
        then, now = (D(x) for x in received[0].split(":", 2)[2].split("→"))
        assert now - then == 100
        assert any(l.startswith("funder_grants: ") and ": received:" in l for l in changed)
