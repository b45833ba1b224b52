"""`python -m impact summary` as a user runs it: exact figures, zeros, one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

SUMMARY_KEYS = {"services", "beneficiaries", "volunteers", "volunteer_minutes", "volunteer_hours",
                "income_total", "income_by_line", "income_by_source", "expense_total",
                "expense_by_line", "surplus", "cost_per_beneficiary", "funding_concentration",
                "donor_concentration", "donor_dependence", "yoy",
                "people", "outcomes"}


def _json(result) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout, parse_float=Decimal)


def test_zhuhai_2020_matches_the_annual_report(cli):
    result = cli("summary", "--org", "珠海协作者", "--year", "2020", "--format", "json")
    data = _json(result)
    assert set(data) == SUMMARY_KEYS
    assert (data["services"], data["beneficiaries"], data["volunteers"],
            data["volunteer_minutes"]) == (581, 99037, 1394, 70644)
    assert data["income_total"] == Decimal("1674657.61")
    # By source, as the report prints it (its 捐赠收入 129467.99 is from individuals) ...
    assert data["income_by_source"] == {
        "individual": Decimal("129467.99"), "government": Decimal("11500.00"),
        "foundation": Decimal("195459.04"), "enterprise": Decimal("1292703.60"),
        "other": Decimal("45526.98")}
    # ... and by statutory line: gifts of individuals, foundations and companies are all 捐赠收入.
    assert data["income_by_line"] == {
        "donation": Decimal("1617630.63"), "membership": Decimal("0.00"),
        "service": Decimal("0.00"), "sales": Decimal("0.00"),
        "government_grant": Decimal("11500.00"), "investment": Decimal("0.00"),
        "other": Decimal("45526.98")}
    # Money is printed with exactly two decimals, digit for digit.
    assert '"expense_total": 1053831.90,' in result.stdout
    assert '"enterprise": 1292703.60' in result.stdout
    assert data["surplus"] == Decimal("620825.71")
    assert data["funding_concentration"]["largest_source"] == "enterprise"
    assert data["donor_concentration"]["largest_donor"] == "乐购"
    assert set(data["yoy"]) == {"services", "beneficiaries", "volunteers", "volunteer_minutes",
                                "income_total", "expense_total"}
    assert data["yoy"]["services"]["previous"] > 0  # against 2019


def test_suzhou_2015_income_and_yoy_against_2014(cli):
    data = _json(cli("summary", "--org", "苏州清流", "--year", "2015", "--format", "json"))
    assert data["income_total"] == Decimal("545000.00")
    yoy = data["yoy"]["income_total"]
    assert Decimal("220000") <= yoy["previous"] < Decimal("231000")  # 22万余
    assert yoy["change"] == data["income_total"] - yoy["previous"]
    # Exact (unrounded) in JSON: the reader rounds once (was 143.72, already rounded).
    assert yoy["pct"].quantize(Decimal("1e-20")) == (
        yoy["change"] * 100 / yoy["previous"]).quantize(Decimal("1e-20"))


def test_range_summary_compares_with_the_period_before(cli):
    data = _json(cli("summary", "--org", "北京协作者", "--from", "2003", "--to", "2006",
                     "--format", "json"))
    assert Decimal("68000") <= data["beneficiaries"] < Decimal("71400")  # 68000多人次
    assert data["yoy"]["beneficiaries"] is None  # nothing before 2003


def test_empty_data_dir_gives_zeros(cli, tmp_path):
    data_dir = tmp_path / "d"
    data_dir.mkdir()
    data = _json(cli("summary", "--data-dir", str(data_dir), "--format", "json"))
    assert data["services"] == data["beneficiaries"] == 0
    assert data["income_total"] == data["expense_total"] == Decimal("0")
    assert data["cost_per_beneficiary"] is None
    assert all(v is None for v in data["yoy"].values())


@pytest.mark.parametrize("command", ["summary", "verify", "report"])
def test_a_missing_data_dir_is_an_error_not_zeros(cli, tmp_path, command):
    extra = ["--out", str(tmp_path / "r.xlsx")] if command == "report" else []
    result = cli(command, "--data-dir", str(tmp_path / "nope"), *extra)
    line = _one_line_error(result, 1)
    assert "does not exist" in line and "impact init" in line


def test_a_data_dir_that_is_a_file_is_an_error(cli, tmp_path):
    (tmp_path / "f").write_text("x")
    line = _one_line_error(cli("summary", "--data-dir", str(tmp_path / "f")), 1)
    assert "is a file, not a directory" in line


@pytest.mark.parametrize("flag, typed, meant", [
    ("--org", "珠海协作", "珠海协作者"),          # one character short
    ("--org", "苏州请流", "苏州清流"),            # one character wrong
    ("--project", "阅读推", "阅读推广"),
    ("--area", "儿童服", "儿童服务"),
])
@pytest.mark.parametrize("command", ["summary", "report"])
def test_an_unknown_name_is_an_error_that_suggests_the_close_match(cli, tmp_path, command, flag,
                                                                   typed, meant):
    extra = ["--out", str(tmp_path / "r.xlsx")] if command == "report" else []
    line = _one_line_error(cli(command, flag, typed, "--year", "2020", *extra), 1)
    assert f"'{typed}'" in line and f"did you mean {meant}" in line
    assert not (tmp_path / "r.xlsx").exists()


def test_an_unknown_year_is_zeros_not_an_error(cli):
    data = _json(cli("summary", "--org", "珠海协作者", "--year", "1999", "--format", "json"))
    assert data["services"] == 0 and data["income_total"] == Decimal("0")


def test_data_dir_from_environment(cli, tmp_path):
    env = {**os.environ, "IMPACT_DATA_DIR": str(tmp_path)}
    data = _json(cli("summary", "--format", "json", env=env))
    assert data["services"] == 0


def test_table_format_is_readable(cli):
    result = cli("summary", "--org", "珠海协作者", "--year", "2020")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert re.match(r"^服务次数 +581   较 2019 年：-13 \(-2\.2%\)$", lines[0]), lines[0]
    assert re.search(r"^收入 +¥1,674,657\.61   较 2019 年：\+¥281,937\.61 \(\+20\.2%\)$",
                     result.stdout, re.M)


UNSOURCED = """日期,机构,收支,科目,来源类型,资助方,金额（元）
2014-02-01,来源测试,收入,政府补助收入,政府,北桥街道办事处,"223,615.80"
2015-02-01,来源测试,收入,政府补助收入,政府,北桥街道办事处,"410,608.99"
2015-03-01,来源测试,收入,捐赠收入,,,"134,391.01"
"""


@pytest.fixture(scope="module")
def unsourced_dir(tmp_path_factory):
    from tests.conftest import run_cli

    root = tmp_path_factory.mktemp("unsourced")
    (root / "收支.csv").write_text(UNSOURCED, encoding="utf-8")
    (root / "d").mkdir()
    result = run_cli("import", str(root / "收支.csv"), "--table", "finance",
                     "--data-dir", str(root / "d"))
    assert result.returncode == 0, result.stderr
    return str(root / "d")


@pytest.mark.parametrize("lang, unknown, compared", [
    ("zh", "未填来源", "较 2014 年：+¥321,384.20 (+143.7%)"),
    ("en", "Source not recorded", "vs 2014: +¥321,384.20 (+143.7%)")])
def test_table_is_labelled_exact_and_never_python_reprs(cli, unsourced_dir, lang, unknown,
                                                        compared):
    """Issue 26 item 1: income with no source type crashed the table (None.__format__), and
    it printed Decimal('…') reprs, English keys and 34-digit percentages."""
    result = cli("summary", "--data-dir", unsourced_dir, "--year", "2015", "--lang", lang)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(rf"^  {unknown} +¥134,391\.01$", out, re.M), out
    assert re.search(r" ¥545,000\.00   " + re.escape(compared) + "$", out, re.M), out
    for raw in ("Decimal(", "None", "income_total", "143.72", "{'"):
        assert raw not in out
    # Every percentage at one decimal, through the formatter.
    assert re.findall(r"\d+\.\d+%", out) and all(
        re.fullmatch(r"\d+\.\d%", p) for p in re.findall(r"\d+\.\d+%", out))
    if lang == "en":
        labels = [line.split("¥")[0] for line in out.splitlines()]
        assert not any(re.search(r"[\u4e00-\u9fff]", lbl) for lbl in labels
                       if "北桥" not in lbl)


def test_json_names_the_unknown_source_plainly_and_stays_exact(cli, unsourced_dir):
    result = cli("summary", "--data-dir", unsourced_dir, "--year", "2015", "--format", "json")
    data = _json(result)
    assert data["income_by_source"]["not_recorded"] == Decimal("134391.01")
    assert "None" not in result.stdout
    pct = data["yoy"]["income_total"]["pct"]  # exact, 34 digits: the reader rounds once
    assert str(pct).startswith("143.7215974899805827674073")


def _one_line_error(result, code: int) -> str:
    assert result.returncode == code
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_corrupt_parquet_file_names_the_file(cli, demo_copy):
    # A finance file: activity totals may be answered from the monthly rollup files instead.
    victim = sorted((demo_copy / "finance").rglob("*.parquet"))[0]
    victim.write_bytes(b"this is not parquet" + victim.read_bytes()[100:])
    line = _one_line_error(cli("summary", "--data-dir", str(demo_copy)), 1)
    assert victim.name in line


def test_corrupt_rollup_file_names_the_file(cli, demo_copy):
    victim = sorted((demo_copy / "activity_months").rglob("*.parquet"))[-1]
    victim.write_bytes(b"garbage" * 50)
    line = _one_line_error(cli("summary", "--data-dir", str(demo_copy)), 1)
    assert victim.name in line


def test_missing_data_file_names_the_file(cli, demo_copy):
    victim = sorted((demo_copy / "finance").rglob("*.parquet"))[-1]
    victim.unlink()
    line = _one_line_error(cli("summary", "--data-dir", str(demo_copy)), 1)
    assert victim.name in line and "missing" in line


def test_corrupt_manifest(cli, demo_copy):
    (demo_copy / "manifest.json").write_text("{not json", encoding="utf-8")
    line = _one_line_error(cli("summary", "--data-dir", str(demo_copy)), 1)
    assert "manifest.json" in line


@pytest.mark.parametrize("args, fragment", [
    (["summary", "--year", "twenty"], "invalid int value"),
    (["summary", "--format", "xml"], "invalid choice"),
    (["summary", "--year", "2020", "--from", "2019"], "either --year or --from/--to"),
    (["summary", "--from", "2021", "--to", "2019"], "is after"),
    (["nonsense"], "invalid choice"),
])
def test_bad_flags_exit_2_with_one_line(cli, args, fragment):
    assert fragment in _one_line_error(cli(*args), 2)


def test_wrong_columns_name_the_file(cli, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    target = tmp_path / "activities" / "year=2020"
    target.mkdir(parents=True)
    pq.write_table(pa.table({"date": ["2020-01-01"], "org": ["x"]}), target / "mine.parquet")
    line = _one_line_error(cli("summary", "--data-dir", str(tmp_path)), 1)
    # Without a manifest no file on disk is read at all (issue 27: never guess which are
    # current); the one line names the directory's manifest and what is there.
    assert "manifest.json" in line and "1 data file" in line


def test_the_installed_impact_command_works_from_any_folder(tmp_path):
    """`pip install -e .` puts `impact` beside the interpreter; it must not need the repo as cwd."""
    from tests.sysdeps import in_ci

    exe = Path(sys.executable).parent / "impact"
    if not exe.exists():
        message = f"no {exe}: install the package with `pip install -e .` (README quick start)"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    env = {k: v for k, v in os.environ.items() if k != "IMPACT_DATA_DIR"}
    ok = subprocess.run([str(exe), "summary", "--org", "珠海协作者", "--year", "2020",
                         "--format", "json"], cwd=tmp_path, capture_output=True, text=True,
                        timeout=300, env=env)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["beneficiaries"] == 99037
    typo = subprocess.run([str(exe), "summary", "--org", "珠海协作"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, env=env)
    assert typo.returncode == 1 and "did you mean 珠海协作者?" in typo.stderr


# ---------------------------------------------------------------------------- impact link

LINK_SECRET = "L" * 48


def _link(tmp_path, *args, secrets_toml: str | None = None, env_secret: str | None = None):
    """`impact link …` run from a scratch server folder (its .streamlit/secrets.toml, a home
    without one), as an NGO's administrator runs it beside the server."""
    if secrets_toml is not None:
        (tmp_path / ".streamlit").mkdir(exist_ok=True)
        (tmp_path / ".streamlit" / "secrets.toml").write_text(secrets_toml, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("IMPACT_LINK_SECRET",)}
    env.update(HOME=str(tmp_path / "home"), PYTHONPATH=str(Path(__file__).parent.parent),
               IMPACT_AUDIT_LOG=str(tmp_path / "audit.jsonl"))
    if env_secret is not None:
        env["IMPACT_LINK_SECRET"] = env_secret
    data = str(Path(__file__).parent.parent / "data")
    return subprocess.run([sys.executable, "-m", "impact", "link", "--data-dir", data, *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)


LINK_ARGS = ("--funder", "乐购", "--from", "2020", "--to", "2021", "--days", "7",
             "--base-url", "https://impact.example.org/")


def test_link_is_signed_with_the_servers_secret_and_opens_the_funder_view(tmp_path):
    from urllib.parse import parse_qs, urlsplit

    from impact.access import audit, funderlink

    result = _link(tmp_path, *LINK_ARGS, secrets_toml=f'link_secret = "{LINK_SECRET}"\n')
    assert result.returncode == 0, result.stderr
    url = urlsplit(result.stdout.strip())
    assert (url.scheme, url.netloc, url.path) == ("https", "impact.example.org", "/grants")
    query = parse_qs(url.query)
    assert query["lang"] == ["zh"]
    link = funderlink.read_token(query["share"][0], LINK_SECRET)
    assert (link.funder, link.org, link.projects, link.year_from, link.year_to) == (
        "乐购", "珠海协作者", ("千人助学计划",), 2020, 2021)
    assert 6.9 * 86400 < link.expires - time.time() <= 7 * 86400
    # The server would refuse it under any other key, and the making is in the audit log.
    with pytest.raises(funderlink.LinkError):
        funderlink.read_token(query["share"][0], "M" * 48)
    os.environ["IMPACT_AUDIT_LOG"] = str(tmp_path / "audit.jsonl")
    try:
        assert [e["funder"] for e in audit.read() if e["event"] == "link_made"] == ["乐购"]
    finally:
        del os.environ["IMPACT_AUDIT_LOG"]


def test_link_reads_the_environment_when_the_secrets_file_has_no_key(tmp_path):
    result = _link(tmp_path, *LINK_ARGS, env_secret=LINK_SECRET)
    assert result.returncode == 0, result.stderr
    assert "/grants?share=" in result.stdout


@pytest.mark.parametrize("secrets_toml", [
    None,  # nothing set anywhere
    'link_secret = "short"\n',
    # The template's placeholder is long enough, and public: never a key.
    'link_secret = "REPLACE-with-output-of: python -c \'import secrets; print(secrets.token_urlsafe(48))\'"\n'])
def test_link_without_a_usable_secret_says_where_to_set_one(tmp_path, secrets_toml):
    line = _one_line_error(_link(tmp_path, *LINK_ARGS, secrets_toml=secrets_toml), 2)
    assert "link_secret" in line and "IMPACT_LINK_SECRET" in line and "share=" not in line


@pytest.mark.parametrize("args, code, says", [
    (("--funder", "乐", "--from", "2020", "--to", "2021"), 1, "did you mean 乐购?"),
    (("--funder", "乐购", "--from", "2021", "--to", "2020"), 2, "--from 2021 is after --to 2020"),
    (("--funder", "乐购", "--from", "2020", "--to", "2031"), 2, "run from 2017 to 2021"),
    (("--funder", "乐购", "--from", "2020", "--to", "2021", "--days", "0"), 2, "--days 0"),
    (("--funder", "个人捐赠", "--from", "2017", "--to", "2018"), 2, "--org"),
    (("--funder", "乐购", "--org", "苏州清流", "--from", "2020", "--to", "2021"), 1,
     "funds no organisation named '苏州清流'")])
def test_link_refuses_unknown_funders_and_bad_years(tmp_path, args, code, says):
    result = _link(tmp_path, *args, "--base-url", "https://impact.example.org",
                   env_secret=LINK_SECRET)
    line = _one_line_error(result, code)
    assert says in line and "share=" not in result.stdout


def test_link_refuses_a_base_url_that_is_not_a_server_address(tmp_path):
    result = _link(tmp_path, "--funder", "乐购", "--from", "2020", "--to", "2021",
                   "--base-url", "javascript:alert(1)", env_secret=LINK_SECRET)
    assert "--base-url" in _one_line_error(result, 2)
