"""`python -m impact import`: the issue's "done when", end to end through the command line."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

from impact.storage.store import DataStore

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under a directory with its bytes: a rejected import must not change one."""
    if not directory.exists():
        return {}
    return {p.relative_to(directory).as_posix(): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def summary(cli, data_dir: Path, *args: str) -> dict:
    result = cli("summary", "--data-dir", str(data_dir), "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout, parse_float=Decimal)  # money stays exact


def test_gbk_csv_and_xlsx_ledger_import_into_empty_dir_with_exact_totals(cli, tmp_path):
    data = tmp_path / "new-data"
    data.mkdir()
    first = cli("import", str(FIXTURES / "activities_gbk.csv"), "--table", "activities",
                "--data-dir", str(data))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == (
        "activities_gbk.csv → activities: 5 rows read, added 5, 0 duplicates skipped "
        "(示例社工中心 2021: 4, 示例社工中心 2022: 1) [encoding gbk]")
    second = cli("import", str(FIXTURES / "finance_ledger.xlsx"), "--table", "finance",
                 "--data-dir", str(data))
    assert second.returncode == 0, second.stderr
    assert "added 7, 0 duplicates skipped" in second.stdout

    totals = summary(cli, data, "--year", "2021")
    # Two identical 2021-04-02 rows (typed 2021年4月2日 and 2021/4/2) are two records.
    assert (totals["services"], totals["beneficiaries"], totals["volunteers"],
            totals["volunteer_minutes"]) == (10, 2450, 30, 3600)
    # ¥1,000 twice (same day, same donor: two donations) + 120,000.50 + ¥58,800.00
    assert totals["income_total"] == Decimal("180800.50")
    # Its 类别 column is the old model: 捐赠收入 meant individuals, 企业 a company's gift;
    # both are 捐赠收入 by statutory line.
    assert totals["income_by_source"]["individual"] == Decimal("2000.00")
    assert totals["income_by_line"]["donation"] == Decimal("60800.00")
    assert totals["expense_by_line"] == {
        "program": Decimal("12345.67"), "admin": Decimal("3210.09"),
        "fundraising": Decimal("0.00"), "other": Decimal("0.00")}
    assert totals["expense_total"] == Decimal("15555.76")
    assert summary(cli, data, "--year", "2022")["expense_total"] == Decimal("4000.00")


def test_reimporting_the_same_file_adds_nothing(cli, tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    args = ("import", str(FIXTURES / "finance_ledger.xlsx"), "--table", "finance",
            "--data-dir", str(data))
    assert cli(*args).returncode == 0
    before = snapshot(data / "finance")
    again = cli(*args)
    assert again.returncode == 0
    assert "added 0, 7 duplicates skipped" in again.stdout
    assert snapshot(data / "finance") == before
    assert DataStore(data).read_table("finance").num_rows == 7


def test_planted_errors_are_all_reported_and_nothing_changes(cli, demo_copy):
    before = snapshot(demo_copy)
    result = cli("import", str(FIXTURES / "activities_errors.csv"), "--table", "activities",
                 "--data-dir", str(demo_copy))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{FIXTURES / 'activities_errors.csv'}: 2 errors in 2 of 3 rows; nothing was written:",
        '  row 2, column 受益人次: "-3" — cannot be negative',
        '  row 3, column 日期: "2021-02-30" — no such day in the calendar',
    ]
    finance = cli("import", str(FIXTURES / "finance_errors.csv"), "--table", "finance",
                  "--data-dir", str(demo_copy))
    assert finance.returncode == 1
    assert '  row 2, column 类别: "彩票收入" — unknown income line (科目); use one of 捐赠收入' \
        in finance.stderr
    assert '  row 3, column 金额（元）: "￥200.555" — more than 2 decimals' in finance.stderr
    assert "Traceback" not in result.stderr + finance.stderr
    assert snapshot(demo_copy) == before


def test_skip_invalid_writes_valid_rows_and_a_rejects_file(cli, tmp_path):
    source = tmp_path / "records.csv"
    source.write_bytes((FIXTURES / "activities_errors.csv").read_bytes())
    data = tmp_path / "d"
    data.mkdir()
    result = cli("import", str(source), "--table", "activities", "--data-dir", str(data),
                 "--skip-invalid")
    assert result.returncode == 0, result.stderr
    rejects = tmp_path / "records.rejects.csv"
    assert f"2 invalid rows skipped, listed with reasons in {rejects}" in result.stdout
    lines = rejects.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].endswith(",2,受益人次: 不能为负数")
    assert lines[2].endswith(",3,日期: 日历上没有这一天")
    assert DataStore(data).read_table("activities")["beneficiaries"].to_pylist() == [20]


def test_dry_run_reports_and_writes_nothing(cli, tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    result = cli("import", str(FIXTURES / "activities_gbk.csv"), "--table", "activities",
                 "--data-dir", str(data), "--dry-run")
    assert result.returncode == 0
    assert "would add 5" in result.stdout
    assert list(data.iterdir()) == []


def test_usage_errors_exit_2_without_traceback(cli, tmp_path):
    missing = cli("import", str(tmp_path / "nope.csv"), "--table", "activities")
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"error: {tmp_path / 'nope.csv'}: no such file"
    bad_table = cli("import", str(FIXTURES / "activities_gbk.csv"), "--table", "people")
    assert bad_table.returncode == 2 and "invalid choice: 'people'" in bad_table.stderr


def test_import_log_records_who_what_and_when(cli, tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    cli("import", str(FIXTURES / "finance_ledger.xlsx"), "--table", "finance",
        "--data-dir", str(data))
    cli("import", str(FIXTURES / "finance_ledger.xlsx"), "--table", "finance",
        "--data-dir", str(data))  # adds nothing: not logged as an import
    [entry] = [json.loads(line) for line in (data / "import_log.jsonl").read_text().splitlines()]
    assert entry["file"] == "finance_ledger.xlsx"
    assert entry["sha256"] == hashlib.sha256(
        (FIXTURES / "finance_ledger.xlsx").read_bytes()).hexdigest()
    assert (entry["table"], entry["rows_added"], entry["manifest_version"]) == ("finance", 7, 1)
    assert "(cli)" in entry["who"] and entry["time"].endswith("+00:00")
    assert DataStore(data).manifest()["meta"]["last_import"]["sha256"] == entry["sha256"]


def test_an_import_into_the_bundled_demo_data_is_refused(cli):
    from impact.config import DEFAULT_DATA_DIR

    before = snapshot(DEFAULT_DATA_DIR)
    result = cli("import", str(FIXTURES / "activities_gbk.csv"), "--table", "activities",
                 "--data-dir", str(DEFAULT_DATA_DIR))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "bundled demo data" in result.stderr and "impact init DIR" in result.stderr
    assert snapshot(DEFAULT_DATA_DIR) == before


def test_init_makes_an_empty_directory_that_imports_go_into(cli, tmp_path):
    data = tmp_path / "ngo"
    made = cli("init", str(data))
    assert made.returncode == 0 and "made an empty data directory" in made.stdout
    assert cli("summary", "--data-dir", str(data)).returncode == 0
    again = cli("init", str(data))
    assert again.returncode == 2 and "not empty" in again.stderr
    assert cli("import", str(FIXTURES / "activities_gbk.csv"), "--table", "activities",
               "--data-dir", str(data)).returncode == 0
    assert cli("verify", "--data-dir", str(data)).returncode == 0


def test_demo_refuses_a_directory_holding_other_data(cli, tmp_path):
    own = tmp_path / "own"
    cli("init", str(own))
    cli("import", str(FIXTURES / "activities_gbk.csv"), "--table", "activities",
        "--data-dir", str(own))
    before = snapshot(own)
    result = cli("demo", "--data-dir", str(own))
    assert result.returncode == 2 and "not demo data" in result.stderr
    assert snapshot(own) == before
    stray = tmp_path / "stray"
    stray.mkdir()
    (stray / "notes.txt").write_text("mine")
    assert cli("demo", "--data-dir", str(stray)).returncode == 2
    assert (stray / "notes.txt").read_text() == "mine"


def test_demo_refuses_a_demo_copy_that_records_were_imported_into(cli, demo_copy):
    from impact.storage.directory import holds_user_data

    assert holds_user_data(str(demo_copy)) is None  # regenerating a demo copy is fine
    assert cli("import", str(FIXTURES / "activities_gbk.csv"), "--table", "activities",
               "--data-dir", str(demo_copy)).returncode == 0
    result = cli("demo", "--data-dir", str(demo_copy))
    assert result.returncode == 2 and "imported" in result.stderr
