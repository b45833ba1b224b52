"""Issue 25, the rest: a sub-account is kept as the transaction's detail (明细科目), a
refusal of a corrected copy names the earlier file that holds its months, and an
organisation's two journals of the same months (bank and cash) are corrected one at a time:
`--replace` replaces the rows of the journal it corrects and never the other's."""

from __future__ import annotations

import io
from decimal import Decimal

import pyarrow.parquet as pq
import pytest

from impact.cli import main
from impact.filters import Filters
from impact.storage.db import Database
from impact.storage.store import DataStore
from tests.test_import_books import _journal_copy, data, run, write  # noqa: F401 (fixture)
from tests.test_import_cli import snapshot
from tests.page_tables import page_tables

JOURNAL = "日期,摘要,科目,收入,支出,余额"
SUBS = (f"{JOURNAL}\n"
        "2023-01-05,月捐,捐赠收入,\"1,000.00\",,1000\n"
        "2023-01-10,活动材料,5101 业务活动成本-儿童项目,,300.10,699.90\n"
        "2023-01-12,探访,业务活动成本—长者项目,,200,499.90\n"
        "2023-01-20,打印纸,管理费用/办公费,,50,449.90\n")
ORG = "无锡同心"


def _finance(data) -> list[dict]:
    return sorted(DataStore(data).read_table("finance").to_pylist(),
                  key=lambda r: (r["date"], r["amount"]))


def test_a_sub_account_is_stored_as_the_rows_detail_and_read_back(data, tmp_path, capsys):
    path = write(tmp_path, SUBS, "现金日记账2023.csv")
    code, out, err = run(capsys, path, "--table", "finance", "--data-dir", data, "--org", ORG,
                         "--dry-run")
    assert code == 0, err
    assert '科目 "5101 业务活动成本-儿童项目" read as its statutory line 业务活动成本 (1 rows)' in out
    assert run(capsys, path, "--table", "finance", "--data-dir", data, "--org", ORG)[0] == 0
    rows = _finance(data)
    assert [(r["line"], r["sub_account"]) for r in rows] == [
        ("donation", None), ("program", "5101 业务活动成本-儿童项目"),
        ("program", "业务活动成本—长者项目"), ("admin", "管理费用/办公费")]
    assert {r["source_file"] for r in rows} == {"现金日记账2023.csv"}
    # the views read it: the finance page's sub-account table, exact to the fen
    db = Database(str(data))
    found = db.rows("finance_by_sub_account", **Filters().params())
    assert [(r["line"], r["sub_account"], r["amount"]) for r in found] == [
        ("admin", "管理费用/办公费", Decimal("50.00")),
        ("program", "5101 业务活动成本-儿童项目", Decimal("300.10")),
        ("program", "业务活动成本—长者项目", Decimal("200.00"))]
    from impact.views.finance import finance

    model = finance(db, Filters(), "zh")
    assert [r["sub_account"] for r in model.sub_accounts.rows][:1] == ["管理费用/办公费"]
    assert model.sub_accounts.columns[0].label == "明细科目"
    assert finance(db, Filters(), "en").sub_accounts.columns[0].label == "Sub-account"
    # the same file again adds nothing: the detail is no part of a row's generated id
    code, out, _ = run(capsys, path, "--table", "finance", "--data-dir", data, "--org", ORG)
    assert code == 0 and "added 0, 4 duplicates skipped" in out, out


def test_a_sub_account_column_is_read_as_the_detail(data, tmp_path, capsys):
    path = write(tmp_path, "日期,科目,明细科目,支出\n2023-01-10,业务活动成本,儿童项目,300\n"
                 "2023-01-11,管理费用-房租,,100\n")
    assert run(capsys, path, "--table", "finance", "--data-dir", data, "--org", ORG)[0] == 0
    assert [(r["line"], r["sub_account"]) for r in _finance(data)] == [
        ("program", "儿童项目"), ("admin", "管理费用-房租")]


def test_data_written_before_the_new_columns_still_reads(demo_copy, tmp_path, capsys):
    """The bundled demo's finance files predate 明细科目 and 来源文件: they read as empty, and
    a directory holding old files beside new ones reads both."""
    store = DataStore(demo_copy)
    old = store.files("finance")
    assert old and all("sub_account" not in pq.read_schema(io.BytesIO(store.verified_bytes(f))).names
                       for f in old)
    db = Database(str(demo_copy))
    before = {(r["flow"], r["line"]): r["amount"]
              for r in db.rows("finance_by_line", **Filters().params())}
    assert db.rows("finance_by_sub_account", **Filters().params()) == []
    assert set(store.read_table("finance")["sub_account"].to_pylist()) == {None}
    path = write(tmp_path, SUBS, "journal.csv")
    assert run(capsys, path, "--table", "finance", "--data-dir", demo_copy, "--org", ORG)[0] == 0
    assert any("sub_account" not in pq.read_schema(io.BytesIO(store.verified_bytes(f))).names
               for f in store.files("finance"))  # old and new files side by side
    db.refresh()
    after = {(r["flow"], r["line"]): r["amount"]
             for r in db.rows("finance_by_line", **Filters().params())}
    assert after[("expense", "program")] == before[("expense", "program")] + Decimal("500.10")
    assert len(db.rows("finance_by_sub_account", **Filters().params())) == 3
    assert main(["verify", "--data-dir", str(demo_copy)]) == 0


def test_the_overlap_refusal_names_the_earlier_file(data, tmp_path, capsys):
    org = ["--table", "finance", "--data-dir", data, "--org", ORG]
    assert run(capsys, write(tmp_path, SUBS, "现金日记账2023.csv"), *org)[0] == 0
    fixed = write(tmp_path, SUBS.replace(",,50,", ",,55,"), "现金日记账2023（更正）.csv")
    before = snapshot(data)
    code, _, err = run(capsys, fixed, *org)
    assert code == 1 and snapshot(data) == before
    assert ("this file covers 无锡同心 2023-01…2023-01, which already holds 4 records without "
            "ids from 现金日记账2023.csv (version v2, 20") in err, err
    # activities do not record their file: the latest imports of the table are named
    act = ["--table", "activities", "--data-dir", data, "--org", "A"]
    head = "日期,项目,服务次数,受益人次,志愿者人次,志愿服务时长（分钟）\n"
    rows = "2023-01-05,P,1,94,2,2\n2023-01-06,P,1,20,2,2\n"
    assert run(capsys, write(tmp_path, head + rows, "1月活动.csv"), *act)[0] == 0
    code, _, err = run(capsys, write(tmp_path, head + rows.replace(",94,", ",95,"), "b.csv"), *act)
    assert code == 1 and ("this file covers A 2023-01…2023-01, which already holds 2 records "
                          "without ids from an earlier import whose file the rows do not record "
                          "(the latest imports of this table: 1月活动.csv (version v3, ") in err, err
    assert "1 of them are not in it" in err and err.count("an earlier import") == 1


def test_the_refusal_names_the_file_in_chinese_on_the_data_page(data, tmp_path, capsys):
    from impact.ingest.check import check_file
    from impact.views.data_import import preview

    org = ["--table", "finance", "--data-dir", data, "--org", ORG]
    assert run(capsys, write(tmp_path, SUBS, "现金日记账2023.csv"), *org)[0] == 0
    check = check_file("更正.csv", SUBS.replace(",,50,", ",,55,").encode(), "finance",
                       DataStore(data), org=ORG)
    model = preview(check, "zh")
    assert model.blocked and "来自 现金日记账2023.csv（版本 v2，" in model.header_problems[0]


BANK = (f"{JOURNAL}\n"
        "2023-01-08,基金会拨款,捐赠收入,\"20,000.00\",,20000\n"
        "2023-02-08,项目人员工资,业务活动成本-人员费用,,\"8,000.00\",12000\n"
        "2023-03-08,银行手续费,其他费用,,12.50,11987.50\n")


def _two_journals(data, tmp_path, capsys):
    """A cash journal (the workbook fixture, without ids) and a bank journal of the same
    months, imported one after the other."""
    org = ["--table", "finance", "--data-dir", data, "--org", ORG]
    cash = _journal_copy(tmp_path, "现金日记账2023.xlsx", ids=False)
    assert run(capsys, cash, *org)[0] == 0
    assert run(capsys, write(tmp_path, BANK, "银行日记账2023.csv"), *org)[0] == 0
    return org


def _by_journal(data) -> dict[str, tuple]:
    out: dict[str, list] = {}
    for r in _finance(data):
        out.setdefault(r["source_file"], []).append((r["txn_id"], r["date"], r["amount"]))
    return {k: tuple(v) for k, v in out.items()}


def test_two_journals_of_the_same_months_are_corrected_one_at_a_time(data, tmp_path, capsys):
    org = _two_journals(data, tmp_path, capsys)
    stored = _by_journal(data)
    assert sorted(stored) == ["现金日记账2023.xlsx", "银行日记账2023.csv"]
    assert len(stored["现金日记账2023.xlsx"]) == 7 and len(stored["银行日记账2023.csv"]) == 3
    # a longer export of the bank journal adds its new row (it leaves none of its own out)
    longer = write(tmp_path, BANK + "2023-03-20,利息,投资收益,1.20,,11988.70\n",
                   "银行日记账2023.csv")
    code, out, err = run(capsys, longer, *org)
    assert code == 0 and "added 1, 3 duplicates skipped" in out, err
    bank = _by_journal(data)["银行日记账2023.csv"]
    # staff correct the cash journal and import the corrected copy under the same name
    fixed = _journal_copy(tmp_path, "现金日记账2023.xlsx", ids=False, income="¥1,100.00")
    before = snapshot(data)
    code, _, err = run(capsys, fixed, *org)
    assert code == 1 and snapshot(data) == before
    assert "7 records without ids from 现金日记账2023.xlsx (version v2, " in err, err
    assert "银行日记账" not in err
    code, out, err = run(capsys, fixed, *org, "--replace", "--reason", "月捐是 1,100")
    assert code == 0, err
    assert "add 1, change 0, remove 1; totals income +100.00" in out, out
    after = _by_journal(data)
    assert after["银行日记账2023.csv"] == bank  # the other journal untouched
    cash = [r for r in _finance(data) if r["source_file"] == "现金日记账2023.xlsx"]
    assert len(cash) == 7 and sum(r["amount"] for r in cash if r["flow"] == "income") \
        == Decimal("51112.34")


def test_a_corrected_copy_under_another_name_replaces_the_journal_it_repeats(
        data, tmp_path, capsys):
    org = _two_journals(data, tmp_path, capsys)
    bank = _by_journal(data)["银行日记账2023.csv"]
    fixed = _journal_copy(tmp_path, "现金日记账2023（更正）.xlsx", ids=False, income="¥1,100.00")
    code, out, err = run(capsys, fixed, *org, "--replace")
    assert code == 0 and "add 1, change 0, remove 1" in out, err
    after = _by_journal(data)  # the journal keeps its name; the history has the file's
    assert sorted(after) == ["现金日记账2023.xlsx", "银行日记账2023.csv"]
    assert after["银行日记账2023.csv"] == bank and len(after["现金日记账2023.xlsx"]) == 7
    capsys.readouterr()
    assert main(["history", "--data-dir", str(data)]) == 0
    assert "[现金日记账2023（更正）.xlsx" in capsys.readouterr().out


def test_a_replace_that_corrects_no_stored_journal_is_refused_and_source_names_it(
        data, tmp_path, capsys):
    org = _two_journals(data, tmp_path, capsys)
    bank = _by_journal(data)["银行日记账2023.csv"]
    # every row of the cash journal corrected (none repeated), saved under another name
    every = "日期,科目,收入,支出\n2023-01-05,捐赠收入,1100,\n2023-03-02,管理费用,,3000\n"
    path = write(tmp_path, every, "更正后.csv")
    before = snapshot(data)
    code, _, err = run(capsys, path, *org, "--replace")
    assert code == 1 and snapshot(data) == before
    assert ("none of the records stored for 无锡同心 2023-01…2023-03 come from 更正后.csv or are "
            "repeated in this file: they come from 现金日记账2023.xlsx and 银行日记账2023.csv. "
            "If this file corrects one of them, name it with --source") in err, err
    code, out, err = run(capsys, path, *org, "--replace", "--source", "现金日记账2023.xlsx")
    assert code == 0 and "add 2, change 0, remove 7" in out, err
    after = _by_journal(data)
    assert after["银行日记账2023.csv"] == bank and len(after["现金日记账2023.xlsx"]) == 2
    capsys.readouterr()
    assert main(["history", "--data-dir", str(data)]) == 0
    assert "[更正后.csv" in capsys.readouterr().out


def test_source_is_for_finance_only(data, tmp_path, capsys):
    head = "日期,项目,服务次数,受益人次,志愿者人次,志愿服务时长（分钟）\n"
    code = main(["import", str(write(tmp_path, head + "2023-01-05,P,1,9,0,0\n", "a.csv")),
                 "--table", "activities", "--data-dir", str(data), "--org", "A",
                 "--source", "x"])
    assert code == 2
    assert "--source needs a journal's name, and applies to --table finance" in \
        capsys.readouterr().err


@pytest.mark.parametrize("lang, words", [("zh", "请用 --source 写明"), ("en", "name it with --source")])
def test_the_data_page_says_which_journals_a_replace_would_miss(data, tmp_path, capsys, lang,
                                                                words):
    from impact.ingest.check import check_file
    from impact.views.data_versions import correction

    _two_journals(data, tmp_path, capsys)
    check = check_file("更正后.csv", "日期,科目,收入\n2023-01-05,捐赠收入,1100\n".encode(),
                       "finance", DataStore(data), org=ORG)
    shown = correction(check, DataStore(data), "replace", lang)
    assert shown.plan is None and words in shown.summary and "银行日记账2023.csv" in shown.summary


@pytest.mark.parametrize("mode", ["private", "public"])
def test_the_finance_page_lists_sub_accounts_for_staff_only(demo_copy, tmp_path, capsys,
                                                           monkeypatch, mode):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    path = write(tmp_path, SUBS, "现金日记账2023.csv")
    assert run(capsys, path, "--table", "finance", "--data-dir", demo_copy, "--org", ORG)[0] == 0
    monkeypatch.setenv("IMPACT_DATA_DIR", str(demo_copy))
    monkeypatch.setenv("IMPACT_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    for name in ("IMPACT_MODE", "IMPACT_STAFF_PASSWORD_HASH", "IMPACT_LINK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    if mode == "public":
        monkeypatch.setenv("IMPACT_MODE", "public")
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "pages" / "finance.py"),
                           default_timeout=120)
    at.query_params.update({"org": ORG})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    tables = [d for d in page_tables(at) if "明细科目" in d.columns]
    if mode == "public":
        assert not tables
    else:
        assert len(tables) == 1
        assert "5101 业务活动成本-儿童项目" in set(tables[0]["明细科目"])


def test_a_renamed_copy_repeating_two_journals_must_say_which_it_corrects(data, tmp_path,
                                                                          capsys):
    org = _two_journals(data, tmp_path, capsys)
    # one row of each journal, under a third name: which journal does it correct?
    both = (f"{JOURNAL}\n2023-01-05,月捐,捐赠收入,\"1,000.00\",,\n"
            "2023-01-08,基金会拨款,捐赠收入,\"20,000.00\",,\n2023-03-09,x,其他费用,,1,\n")
    path = write(tmp_path, both, "汇总.csv")
    before = snapshot(data)
    code, _, err = run(capsys, path, *org, "--replace")
    assert code == 1 and snapshot(data) == before
    assert ("repeats records of more than one journal of 无锡同心 2023-01…2023-03: "
            "现金日记账2023.xlsx and 银行日记账2023.csv. Name the one it corrects with --source") \
        in err, err


def test_a_fix_by_id_keeps_the_row_in_its_journal_and_stored_rows_import_back(
        data, tmp_path, capsys):
    """`--update` from a small fix file changes the figure, not the journal the row belongs
    to (so the journal's own `--replace` still finds it); and a stored row written back out
    with its 来源文件 column is read, that column ignored with a notice, never refused."""
    import csv

    journal = write(tmp_path, "凭证号,日期,科目,收入,支出\nP1,2023-01-05,捐赠收入,1000,\n"
                    "P2,2023-01-10,业务活动成本,,300.10\n", "现金日记账2023.csv")
    assert run(capsys, journal, "--table", "finance", "--data-dir", data, "--org", ORG)[0] == 0
    stored = next(r for r in _finance(data) if r["txn_id"] == "P2")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(stored))
    writer.writeheader()
    writer.writerow({**stored, "amount": Decimal("310.10")})
    fix = write(tmp_path, out.getvalue(), "更正.csv")
    code, text, err = run(capsys, fix, "--table", "finance", "--data-dir", data, "--dry-run")
    assert '"source_file": where stored rows came from' in text and "ignored" in text, err
    code, text, err = run(capsys, fix, "--table", "finance", "--data-dir", data, "--update",
                          "--reason", "金额录错")
    assert code == 0, err
    assert "source_file" not in text  # the one change is the amount
    rows = {r["txn_id"]: r for r in _finance(data)}
    assert rows["P2"]["amount"] == Decimal("310.10")
    assert {r["source_file"] for r in rows.values()} == {"现金日记账2023.csv"}
