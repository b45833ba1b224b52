"""Issue 25: the books staff already keep import as they are — a cash journal (收入 / 支出
columns, 余额, notes, sub-accounts), a file without a 机构 column — and a refusal never
suggests a column that means something else, and always says where the template is."""

from __future__ import annotations

from decimal import Decimal

import pytest

from impact.cli import main
from impact.ingest.headers import display_names, suggest
from impact.storage.schema import TABLES
from impact.storage.store import DataStore
from tests.test_import_cli import snapshot

JOURNAL = "日期,凭证号,摘要,科目,收入,支出,余额,经手人,备注"


@pytest.fixture
def data(tmp_path):
    target = tmp_path / "data"
    assert main(["init", str(target)]) == 0
    return target


def run(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["import", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path, text: str, name: str = "journal.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_cash_journal_reads_income_and_expense_columns_and_never_the_balance(
        data, tmp_path, capsys):
    path = write(tmp_path, f"{JOURNAL}\n"
                 '2023-01-05,记1,收到捐款,捐赠收入,"1,000.00",,"1,000.00",张三,\n'
                 "2023-01-06,记2,购买打印纸,管理费用/办公费,,¥120.50,879.50,李四,发票\n"
                 "2023-01-31,记3,1月工资,业务活动成本-人员费用,0.00,800,79.50,李四,\n")
    code, out, err = run(capsys, path, "--table", "finance", "--data-dir", data,
                         "--org", "无锡同心", "--dry-run")
    assert code == 0, err
    assert run(capsys, path, "--table", "finance", "--data-dir", data, "--org", "无锡同心")[0] == 0
    rows = sorted(DataStore(data).read_table("finance").to_pylist(), key=lambda r: r["date"])
    assert [(r["org"], r["flow"], r["line"], r["amount"]) for r in rows] == [
        ("无锡同心", "income", "donation", Decimal("1000.00")),
        ("无锡同心", "expense", "admin", Decimal("120.50")),
        ("无锡同心", "expense", "program", Decimal("800.00"))]
    assert '"余额": a running balance, never read as money' in out
    for note in ("摘要", "经手人", "备注"):
        assert f'"{note}": notes, not stored; ignored' in out
    assert '科目 "管理费用/办公费" read as its statutory line 管理费用 (1 rows)' in out


@pytest.mark.parametrize("row, message", [
    ("2023-01-05,记1,x,捐赠收入,100,50,,,",
     'row 2, column 支出: "50.00" — both 收入 (100.00) and 支出 are filled'),
    ("2023-01-05,记1,x,捐赠收入,,,100,,",
     'row 2, column 收入/支出: "" — neither 收入 nor 支出 holds an amount'),
    ("2023-01-05,记1,x,捐赠收入,-100,,,,",
     'row 2, column 收入: "-100" — an amount must be greater than 0'),
])
def test_a_journal_row_must_hold_exactly_one_amount(data, tmp_path, capsys, row, message):
    before = snapshot(data)
    code, _, err = run(capsys, write(tmp_path, f"{JOURNAL}\n{row}\n"), "--table", "finance",
                       "--data-dir", data, "--org", "A")
    assert code == 1 and any(line.strip().startswith(message) for line in err.splitlines()), err
    assert snapshot(data) == before


def test_amount_beside_journal_columns_is_refused_as_ambiguous(data, tmp_path, capsys):
    code, _, err = run(capsys, write(tmp_path, "日期,收入,支出,金额,科目\n2023-01-05,1,,1,捐赠\n"),
                       "--table", "finance", "--data-dir", data, "--org", "A")
    assert code == 1 and 'both "金额" and the cash-journal columns 收入/支出 are given' in err


@pytest.mark.parametrize("table, word", [("finance", "余额"), ("activities", "序号"),
                                         ("activities", "活动形式"), ("finance", "收入"),
                                         ("activities", "受益人数"), ("finance", "支出")])
def test_no_suggestion_changes_the_meaning(table, word):
    assert suggest(word, display_names(TABLES[table])) == ""


def test_a_suggestion_remains_for_a_mere_spelling_difference():
    assert suggest("金额 元", display_names(TABLES["finance"])) == "金额（元）"
    assert suggest("benficiaries", display_names(TABLES["activities"])) == "beneficiaries"


def test_row_numbers_never_become_record_ids(data, tmp_path, capsys):
    path = write(tmp_path, "序号,日期,项目,服务次数,受益人次,志愿者人次,志愿服务时长（分钟）\n"
                 "1,2023-01-05,P,1,20,0,0\n2,2023-01-06,P,1,20,0,0\n")
    code, out, err = run(capsys, path, "--table", "activities", "--data-dir", data, "--org", "A",
                         "--dry-run")
    assert code == 0, err
    assert run(capsys, path, "--table", "activities", "--data-dir", data, "--org", "A")[0] == 0
    ids = DataStore(data).read_table("activities").column("activity_id").to_pylist()
    assert all(i.startswith("auto-") for i in ids) and '"序号": row numbers' in out


def test_every_header_refusal_points_to_the_template(data, tmp_path, capsys):
    code, _, err = run(capsys, write(tmp_path, "日期,机构,项目,活动形式\n2023-01-05,A,P,x\n"),
                       "--table", "activities", "--data-dir", data)
    assert code == 1
    last = err.splitlines()[-1]
    assert "活动记录模板.xlsx" in last and "`impact template activities`" in last
    assert "模板" in last


def test_the_template_command_writes_a_template_that_imports(data, tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    assert main(["template", "finance", "--out", str(out)]) == 0
    assert main(["template", "finance", "--out", str(out)]) == 2  # never overwritten
    code, _, err = run(capsys, out, "--table", "finance", "--data-dir", data)
    assert code == 0, err


def test_a_file_without_org_takes_the_only_organisation_and_says_so(data, tmp_path, capsys):
    first = write(tmp_path, "日期,机构,收支,科目,金额\n2023-01-05,无锡同心,收入,捐赠收入,5\n",
                  "first.csv")
    assert run(capsys, first, "--table", "finance", "--data-dir", data)[0] == 0
    code, out, err = run(capsys, write(tmp_path, f"{JOURNAL}\n2023-02-01,,,捐赠收入,7,,,,\n"),
                         "--table", "finance", "--data-dir", data)
    assert code == 0, err
    assert "no 机构 column; every row is 无锡同心's" in err
    orgs = DataStore(data).read_table("finance").column("org").to_pylist()
    assert orgs == ["无锡同心", "无锡同心"]


def test_org_given_for_a_file_with_its_own_org_column_is_refused(data, tmp_path, capsys):
    path = write(tmp_path, "日期,机构,收支,科目,金额\n2023-01-05,B,收入,捐赠收入,5\n")
    code, _, err = run(capsys, path, "--table", "finance", "--data-dir", data, "--org", "A")
    assert code == 1 and 'organisation column "机构", and --org A was given too' in err


def test_without_org_and_several_organisations_the_refusal_says_how(data, tmp_path, capsys):
    code, _, err = run(capsys, write(tmp_path, f"{JOURNAL}\n2023-02-01,,,捐赠收入,7,,,,\n"),
                       "--table", "finance", "--data-dir", data)
    assert code == 1 and "give the organisation with --org NAME" in err


def test_a_dry_run_refuses_the_bundled_demo_as_the_import_would(tmp_path, capsys,
                                                                monkeypatch):
    monkeypatch.delenv("IMPACT_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, "日期,机构,收支,科目,金额\n2023-01-05,A,收入,捐赠收入,5\n")
    for extra in (["--dry-run"], []):
        capsys.readouterr()
        assert main(["import", str(path), "--table", "finance", *extra]) == 2
        assert "bundled demo data" in capsys.readouterr().err


def test_help_states_the_real_default_data_directory(capsys):
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "else ./data" not in text and "bundled demo data" in text


@pytest.mark.parametrize("table", ["finance", "grants", "activities"])
def test_the_template_notes_mark_required_exactly_the_columns_the_importer_requires(table):
    from impact.ingest.headers import required_columns
    from impact.ingest.template import headers, notes_rows

    spec = TABLES[table]
    marked = {row[0] for row in notes_rows(table, "zh")[1:] if row[1] == "是"}
    names = dict(zip(headers(table, "zh"), [c.name for c in spec.columns]))
    assert {names[h] for h in marked if h in names} == set(required_columns(spec))


@pytest.mark.parametrize("table, text, example", [
    ("finance", "日期,机构,收支,科目,金额,凭证号\n2023-01-05,A,收入,捐赠收入,1,000,\n", "1,000"),
    ("activities", "日期,机构,项目,服务次数,受益人次,志愿者人次,志愿服务时长（分钟）\n"
     "2023-01-05,A,P,1,1,200,2,120\n", "1,200"),
    ("finance", "日期,机构,收支,科目,金额\n2023-01-05,A,收入,捐赠收入,5,,\n", "1,000"),
])
def test_a_row_wider_than_its_header_is_never_a_silent_column_shift(data, tmp_path, capsys,
                                                                     table, text, example):
    before = snapshot(data)
    code, _, err = run(capsys, write(tmp_path, text), "--table", table, "--data-dir", data)
    assert code == 1 and "row 2 has" in err and f"({example} without quotes?)" in err, err
    assert snapshot(data) == before


def test_an_excel_float_that_rounds_to_the_fen_is_read_at_the_fen():
    from impact.ingest.values import CellError, parse_amount

    assert parse_amount(0.1 + 0.2) == Decimal("0.30")
    with pytest.raises(CellError):
        parse_amount(0.305)  # a real third decimal, as the sheet shows it


FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures"


def test_the_cash_journal_fixture_imports_to_its_own_totals(data, capsys):
    path = FIXTURES / "cash_journal_2023.xlsx"
    code, out, err = run(capsys, path, "--table", "finance", "--data-dir", data,
                         "--org", "无锡同心", "--dry-run")
    assert code == 0, err
    assert run(capsys, path, "--table", "finance", "--data-dir", data, "--org", "无锡同心")[0] == 0
    assert "row 10 (合计): a totals row that equals the sum" in out
    assert "income ¥51,012.34, expense ¥17,691.36" in out
    rows = DataStore(data).read_table("finance").to_pylist()
    assert sum(r["amount"] for r in rows if r["flow"] == "income") == Decimal("51012.34")
    assert sum(r["amount"] for r in rows if r["flow"] == "expense") == Decimal("17691.36")


def test_a_totals_row_that_does_not_add_up_refuses_the_file(data, tmp_path, capsys):
    before = snapshot(data)
    path = write(tmp_path, f"{JOURNAL}\n2023-01-05,1,,捐赠收入,100,,,,\n"
                 "2023-01-06,2,,管理费用,,40,,,\n合计,,,,100,45,,,\n")
    code, _, err = run(capsys, path, "--table", "finance", "--data-dir", data, "--org", "A")
    assert code == 1
    assert ('row 4, column 支出: "45" — this is a totals row (合计), but the rows above it '
            'add up to 40.00') in err
    assert snapshot(data) == before


def test_a_total_is_not_blamed_for_a_refused_row_above_it(data, tmp_path, capsys):
    path = write(tmp_path, f"{JOURNAL}\n2023-01-05,1,,捐赠收入,100,,,,\n"
                 "2023-13-06,2,,管理费用,,40,,,\n合计,,,,100,40,,,\n")
    code, _, err = run(capsys, path, "--table", "finance", "--data-dir", data, "--org", "A")
    assert code == 1 and "row 3, column 日期" in err and "totals row" not in err, err


HOURS = "日期,项目,服务次数,受益人次,志愿者人次,志愿服务时长（小时）\n"


@pytest.mark.parametrize("hours, minutes", [("1.5", 90), ("0.25", 15), ("1.1", 66), ("2", 120)])
def test_hours_become_exact_minutes(data, tmp_path, capsys, hours, minutes):
    path = write(tmp_path, f"{HOURS}2023-01-05,P,1,20,2,{hours}\n")
    code, _, err = run(capsys, path, "--table", "activities", "--data-dir", data, "--org", "A")
    assert code == 0, err
    assert DataStore(data).read_table("activities")["volunteer_minutes"].to_pylist() == [minutes]


@pytest.mark.parametrize("hours, shown", [("1.2345", "74.07"), ("0.01", "0.6"),
                                          ("1.005", "60.3")])
def test_hours_that_are_no_whole_number_of_minutes_are_refused(data, tmp_path, capsys,
                                                               hours, shown):
    before = snapshot(data)
    path = write(tmp_path, f"{HOURS}2023-01-05,P,1,20,2,{hours}\n")
    code, _, err = run(capsys, path, "--table", "activities", "--data-dir", data, "--org", "A")
    assert code == 1
    assert (f'row 2, column 志愿服务时长（小时）: "{hours}" — {shown} minutes is not a whole '
            "number of minutes") in err, err
    assert snapshot(data) == before


def test_the_monthly_report_fixture_imports_as_monthly_totals(data, capsys):
    path = FIXTURES / "monthly_activities_2023.xlsx"
    code, out, err = run(capsys, path, "--table", "activities", "--data-dir", data,
                         "--org", "无锡同心", "--dry-run")
    assert code == 0, err
    assert "3 rows give a month without a day (rows 3–5)" in out
    assert ("the new rows add: services 36, person-times 719, volunteer person-times 54, "
            "volunteer minutes 6,525") in out  # the sheet's 合计: 36, 719, 54, 108.75 h
    assert run(capsys, path, "--table", "activities", "--data-dir", data, "--org", "无锡同心")[0] == 0
    rows = sorted(DataStore(data).read_table("activities").to_pylist(), key=lambda r: r["date"])
    assert [(str(r["date"]), r["beneficiaries"], r["volunteer_minutes"]) for r in rows] == [
        ("2023-01-01", 240, 2190), ("2023-02-01", 198, 1800), ("2023-03-01", 281, 2535)]


@pytest.mark.parametrize("cell", ["2015年3月", "2015-03", "2015/3", "2015.3", "２０１５年３月份"])
def test_a_month_without_a_day_is_that_months_total(data, tmp_path, capsys, cell):
    path = write(tmp_path, f"{HOURS}{cell},P,4,80,2,3\n")
    code, _, err = run(capsys, path, "--table", "activities", "--data-dir", data, "--org", "A")
    assert code == 0, err
    assert [str(d) for d in DataStore(data).read_table("activities")["date"].to_pylist()] == [
        "2015-03-01"]


def test_an_excel_cell_formatted_as_a_month_is_a_month(data, tmp_path, capsys):
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["日期", "项目", "服务次数", "受益人次", "志愿者人次", "志愿服务时长（分钟）"])
    for day, fmt in ((datetime(2023, 4, 17), 'yyyy"年"m"月"'), (datetime(2023, 5, 1), "yyyy-mm"),
                     (datetime(2023, 6, 9), "yyyy-mm-dd")):
        sheet.append([day, "P", 1, 10, 0, 0])
        sheet.cell(sheet.max_row, 1).number_format = fmt
    book.save(tmp_path / "months.xlsx")
    code, out, err = run(capsys, tmp_path / "months.xlsx", "--table", "activities",
                         "--data-dir", data, "--org", "A", "--dry-run")
    assert code == 0 and "2 rows give a month without a day (rows 2–3)" in out, err
    assert run(capsys, tmp_path / "months.xlsx", "--table", "activities", "--data-dir", data,
               "--org", "A")[0] == 0
    days = sorted(str(d) for d in DataStore(data).read_table("activities")["date"].to_pylist())
    assert days == ["2023-04-01", "2023-05-01", "2023-06-09"]


@pytest.mark.parametrize("cell, reason", [
    ("2023-13", "no such day in the calendar"),
    ("2099年1月", "in the future"),
])
def test_an_impossible_or_future_month_is_refused(data, tmp_path, capsys, cell, reason):
    code, _, err = run(capsys, write(tmp_path, f"{HOURS}{cell},P,4,80,2,3\n"), "--table",
                       "activities", "--data-dir", data, "--org", "A")
    assert code == 1 and f'row 2, column 日期: "{cell}" — ' in err and reason in err, err


def test_a_transaction_needs_its_day(data, tmp_path, capsys):
    code, _, err = run(capsys, write(tmp_path, f"{JOURNAL}\n2023-03,1,,捐赠收入,100,,,,\n"),
                       "--table", "finance", "--data-dir", data, "--org", "A")
    assert code == 1
    assert 'row 2, column 日期: "2023-03" — a month without a day; this table records' in err


def _journal_copy(tmp_path, name: str, *, ids: bool, income: str | None = None):
    """The cash-journal fixture, with or without its 凭证号 column, its first income corrected."""
    from openpyxl import load_workbook

    book = load_workbook(FIXTURES / "cash_journal_2023.xlsx")
    sheet = book.active
    if income:
        sheet["E3"], sheet["E10"] = income, "51,112.34"  # the 合计 follows the correction
    if not ids:
        sheet.delete_cols(2)
    book.save(tmp_path / name)
    return tmp_path / name


def _income(data) -> Decimal:
    rows = DataStore(data).read_table("finance").to_pylist()
    return sum(r["amount"] for r in rows if r["flow"] == "income")


@pytest.mark.parametrize("ids", [True, False])
def test_a_corrected_journal_changes_nothing_unless_it_replaces(data, tmp_path, capsys, ids):
    org = ["--table", "finance", "--data-dir", data, "--org", "无锡同心"]
    first = _journal_copy(tmp_path, "journal.xlsx", ids=ids)
    fixed = _journal_copy(tmp_path, "journal_fixed.xlsx", ids=ids, income="¥1,100.00")
    assert run(capsys, first, *org)[0] == 0
    before = snapshot(data)
    code, _, err = run(capsys, fixed, *org)
    assert code == 1 and snapshot(data) == before
    if ids:  # the voucher number names the stored record: a conflict, row and id named
        assert 'row 3, column 凭证号: "现收-01" — a record with this key is already stored' in err
    else:
        assert ("this file covers 无锡同心 2023-01…2023-03, which already holds 7 records "
                "without ids from journal.xlsx (version v2, ") in err
        assert "; the file repeats some of them and 1 of them are not in it" in err
        assert "--replace" in err
    code, out, err = run(capsys, fixed, *org, "--replace", "--dry-run")
    assert code == 0 and "totals income +100.00" in out and snapshot(data) == before, err
    assert "1000.00" in out and "1100.00" in out  # the difference is shown
    assert run(capsys, fixed, *org, "--replace", "--reason", "donation was 1,100")[0] == 0
    assert _income(data) == Decimal("51112.34")
    assert len(DataStore(data).read_table("finance")) == 7
    capsys.readouterr()
    assert main(["history", "--data-dir", str(data)]) == 0
    history = capsys.readouterr().out
    assert "import journal.xlsx into finance" in history
    assert "replace: donation was 1,100 [journal_fixed.xlsx" in history


def test_a_corrected_copy_of_a_file_without_ids_is_not_added_beside_the_old_rows(
        data, tmp_path, capsys):
    org = ["--table", "activities", "--data-dir", data, "--org", "A"]
    rows = "2023-01-05,P,1,94,2,2\n2023-01-06,P,1,20,2,2\n"
    assert run(capsys, write(tmp_path, HOURS + rows, "a.csv"), *org)[0] == 0
    code, _, err = run(capsys, write(tmp_path, HOURS + rows.replace(",94,", ",95,"), "b.csv"),
                       *org)
    assert code == 1 and "this file covers A 2023-01…2023-01" in err, err
    assert sum(DataStore(data).read_table("activities")["beneficiaries"].to_pylist()) == 114
    # another project's sheet of the same month, and a longer export, still add
    assert run(capsys, write(tmp_path, HOURS + "2023-01-07,Q,1,5,0,0\n", "c.csv"), *org)[0] == 0
    assert run(capsys, write(tmp_path, HOURS + rows + "2023-01-09,P,1,7,0,0\n", "d.csv"),
               *org)[0] == 0
    assert sum(DataStore(data).read_table("activities")["beneficiaries"].to_pylist()) == 126


def test_a_stored_generated_id_given_with_other_values_is_a_conflict_or_an_update(
        data, tmp_path, capsys):
    org = ["--table", "activities", "--data-dir", data, "--org", "A"]
    assert run(capsys, write(tmp_path, HOURS + "2023-01-05,P,1,94,2,2\n"), *org)[0] == 0
    [stored] = DataStore(data).read_table("activities").to_pylist()
    edited = write(tmp_path, "活动编号," + HOURS + f"{stored['activity_id']},2023-01-05,P,1,95,2,2\n",
                   "edited.csv")
    code, out, err = run(capsys, edited, *org)
    assert code == 1 and "duplicates skipped" not in out
    assert f'row 2, column 活动编号: "{stored["activity_id"]}" — a record with this key' in err
    code, out, err = run(capsys, edited, *org, "--update")
    assert code == 0 and "beneficiaries: 94 → 95" in out and "nothing to change" not in out, err
    assert DataStore(data).read_table("activities")["beneficiaries"].to_pylist() == [95]


def test_the_default_organisation_note_and_the_org_hint_are_translated():
    from impact.presentation.i18n import t

    for key in ("data.cli.default_org", "data.cli.give_org", "data.cli.stored_orgs"):
        assert t(key, "zh") != t(key, "en") and "--org" in t(key, "zh") + t("data.cli.give_org",
                                                                            "zh")


@pytest.mark.parametrize("lang, word", [("zh", "替换"), ("en", "Replace")])
def test_the_data_page_refuses_a_corrected_copy_as_the_cli_does(data, tmp_path, capsys, lang,
                                                                 word):
    """The data page reads the same check: a corrected copy of rows without ids is blocked
    there too, naming the overlap and pointing to its Replace mode, never added beside."""
    from impact.ingest.check import check_file
    from impact.views.data_import import preview

    org = ["--table", "activities", "--data-dir", data, "--org", "A"]
    rows = "2023-01-05,P,1,94,2,2\n2023-01-06,P,1,20,2,2\n"
    assert run(capsys, write(tmp_path, HOURS + rows, "a.csv"), *org)[0] == 0
    fixed = (HOURS + rows.replace(",94,", ",95,")).encode("utf-8")
    check = check_file("b.csv", fixed, "activities", DataStore(data), org="A")
    model = preview(check, lang)
    assert model.blocked and word in model.summary
    assert len(model.header_problems) == 1 and "2023-01" in model.header_problems[0]
