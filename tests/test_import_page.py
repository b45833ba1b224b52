"""The Data page (/data) through Streamlit's AppTest: upload, errors on their rows, confirm,
and the data directory untouched by a rejected file."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from impact.storage.store import DataStore
from tests.test_import_cli import FIXTURES, snapshot

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_page(monkeypatch, tmp_path):
    """The Data page over an empty data directory, in Chinese (the default)."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("IMPACT_DATA_DIR", str(data))
    monkeypatch.delenv("IMPACT_STAFF_PASSWORD_HASH", raising=False)
    monkeypatch.setenv("IMPACT_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    # The page alone (it sets up its own context): AppTest does not deliver button clicks to
    # a page reached through st.navigation's switch_page.
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at, data


def upload(at: AppTest, name: str) -> AppTest:
    at.get("file_uploader")[0].set_value((name, (FIXTURES / name).read_bytes(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in at.get(kind)]


def test_planted_errors_are_shown_by_row_and_nothing_is_written(data_page):
    at, data = data_page
    before = snapshot(data)
    upload(at, "activities_errors.csv")
    assert ("activities_errors.csv → 活动记录：读取 3 行；新增 1 行，已存在 0 行（跳过），有错误 2 行。"
            " 编码：utf-8-sig。") in [w.replace("\\", "") for w in texts(at, "warning")]
    errors = "\n".join(m.value for m in at.markdown)
    assert "第 2 行，列“受益人次”：“\\-3”——不能为负数" in errors
    assert "第 3 行，列“日期”：“2021\\-02\\-30”——日历上没有这一天" in errors
    preview = at.dataframe[0].value
    assert list(preview["行号"][:2]) == [2, 3]
    assert list(preview["错误"][:2]) == ["受益人次: 不能为负数", "日期: 日历上没有这一天"]
    assert not [b for b in at.button if b.key == "data_go"]  # no confirm while rows are invalid
    assert snapshot(data) == before


def test_gbk_upload_then_confirm_imports_and_reports(data_page):
    at, data = data_page
    upload(at, "activities_gbk.csv")
    [go] = [b for b in at.button if b.key == "data_go"]
    assert go.label == "导入 5 行新数据"
    go.click().run()
    assert not at.exception, [e.value for e in at.exception]
    # The file name reaches Streamlit escaped as Markdown (widgets.say): read it as shown.
    assert any("已从 activities_gbk.csv 向活动记录导入 5 行新数据" in s.replace("\\", "")
               for s in texts(at, "success"))
    table = DataStore(data).read_table("activities")
    assert (table.num_rows, sum(table["beneficiaries"].to_pylist())) == (5, 2450 + 80)
    # The same file again: everything is already stored, nothing to confirm.
    assert any("没有可导入的数据" in i for i in texts(at, "info"))


def test_skip_invalid_imports_the_valid_rows(data_page):
    at, data = data_page
    upload(at, "activities_errors.csv")
    at.checkbox(key="data_skip").check().run()
    [go] = [b for b in at.button if b.key == "data_go"]
    go.click().run()
    assert DataStore(data).read_table("activities")["beneficiaries"].to_pylist() == [20]
    assert [b.label for b in at.get("download_button") if "跳过的行" in b.label]


def test_staff_password_guards_the_page_when_set(monkeypatch, tmp_path):
    from impact.access import passwords
    monkeypatch.setenv("IMPACT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IMPACT_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.setattr(passwords, "LIMITER", passwords.RateLimiter())
    # Only the salted hash is configured (python -m impact hash-password), never the password.
    monkeypatch.setenv("IMPACT_STAFF_PASSWORD_HASH",
                       passwords.hash_password("社工2024", iterations=1000))
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=120).run()
    assert "此页面供工作人员使用。请输入工作人员密码以导入数据。" in texts(at, "info")
    assert not at.tabs and not at.get("file_uploader")
    at.text_input(key="data_pw").input("guess").run()
    assert texts(at, "error") == ["密码错误。"] and not at.get("file_uploader")
    at.text_input(key="data_pw").input("社工2024").run()
    assert at.get("file_uploader") and not texts(at, "error")


def _upload_bytes(at: AppTest, name: str, payload: bytes) -> AppTest:
    at.get("file_uploader")[0].set_value((name, payload, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_damaged_workbook_is_one_line_on_the_page(data_page):
    from tests.test_import_inputs import DAMAGED, LEDGER, _replace

    at, data = data_page
    before = snapshot(data)
    part, content = DAMAGED["billion_laughs_sheet"]
    _upload_bytes(at, "ledger.xlsx", _replace(LEDGER, part, content))
    assert [e.replace("\\", "") for e in texts(at, "error")] == [
        "ledger.xlsx: 此工作簿已损坏（内容无法读取）；请用 Excel 或 WPS 打开后重新保存"]
    assert snapshot(data) == before


def test_ods_and_xls_uploads_are_checked_like_xlsx(data_page):
    at, data = data_page
    at.selectbox(key="data_table").set_value("finance").run()
    for name in ("finance_ledger.ods", "finance_ledger.xls"):
        _upload_bytes(at, name, (FIXTURES / name).read_bytes())
        [go] = [b for b in at.button if b.key == "data_go"]
        assert go.label == "导入 7 行新数据", name


def test_many_errors_show_the_first_ones_and_offer_the_full_list(data_page):
    from tests.test_import_errors import ACT

    at, _ = data_page
    rows = "\n".join(f"2021-03-05,A,P,1,-{i + 1},2,120" for i in range(500))
    _upload_bytes(at, "bad.csv", f"{ACT}\n{rows}\n".encode())
    captions = texts(at, "caption")
    assert "共 500 个错误，这里列出前 200 个；完整清单请在下方下载。" in captions
    [download] = [b for b in at.get("download_button") if b.label == "下载全部 500 个错误（CSV）"]
    assert download


def test_a_hidden_first_sheet_is_not_the_default_and_the_sheet_read_is_named(data_page):
    from tests.test_import_inputs import ACT_HEADERS, _book

    at, _ = data_page
    payload = _book([ACT_HEADERS, ["2021-03-05", "A", "P", 1, 20, 2, 120]], hidden_first=True)
    _upload_bytes(at, "book.xlsx", payload)
    assert at.selectbox(key="data_sheet").options == ["数据", "说明"]
    summaries = [s.replace("\\", "") for s in texts(at, "success")]
    assert any(s.endswith(" 读取的工作表：数据。 未读取的隐藏工作表：说明。") for s in summaries), \
        summaries


def test_the_bundled_demo_data_offers_no_upload_and_says_what_to_do(monkeypatch):
    monkeypatch.delenv("IMPACT_DATA_DIR", raising=False)
    monkeypatch.delenv("IMPACT_STAFF_PASSWORD", raising=False)
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.get("file_uploader")
    assert any("impact init" in e.value and "演示数据" in e.value for e in at.info)


# Issue 25: the mapping step, the organisation field and what the dry run understood.

def _map_survey(at: AppTest, choices: dict[str, str], name: str = "问卷星活动签到") -> AppTest:
    """Answer the mapping form: each question's field by the header in its label."""
    for box in at.selectbox:
        if box.key and box.key.startswith("data_map_"):
            header = next(h for h in choices if f"“{h}”" in box.label.replace("\\", ""))
            box.set_value(choices[header])
    [name_box] = [b for b in at.text_input if b.key and b.key.startswith("data_map_name_")]
    name_box.input(name)
    [save] = [b for b in at.button if b.label == "保存映射并重新检查"]
    save.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_survey_export_is_mapped_once_and_next_month_needs_no_questions(data_page):
    from tests.test_import_mappings import SURVEY_MAP

    at, data = data_page
    upload(at, "wjx_activity_signin_2023_03.csv")
    assert "列映射：告诉系统每一列是什么" in [h.value for h in at.header]
    asked = [b for b in at.selectbox if b.key and b.key.startswith("data_map_")]
    assert len(asked) == 15 and not [b for b in at.button if b.key == "data_go"]
    _map_survey(at, SURVEY_MAP)
    assert "已保存映射“问卷星活动签到”。" in texts(at, "success")
    assert (data / "mappings" / "问卷星活动签到.json").exists()
    # An empty directory knows no organisation: the field asks for one.
    assert "请填写机构名称：文件中没有机构列。" in texts(at, "info")
    at.text_input(key="data_org").input("无锡同心").run()
    notes = "\n".join(m.value for m in at.markdown).replace("\\", "")
    assert "按已保存的映射“问卷星活动签到”读取列" in notes
    assert "5. 参加人数（人次）： = 受益人次" in notes
    assert "“提交答卷时间”：按映射“问卷星活动签到”忽略，不导入" in notes
    assert "所有行的机构：无锡同心（文件中没有机构列）" in notes
    assert "新增各行合计：服务次数 6，受益人次 122" in notes
    [go] = [b for b in at.button if b.key == "data_go"]
    go.click().run()
    # April: the same headers — no mapping form, the organisation prefilled.
    upload(at, "wjx_activity_signin_2023_04.csv")
    assert not [b for b in at.selectbox if b.key and b.key.startswith("data_map_")]
    assert at.text_input(key="data_org").value == "无锡同心"
    [go] = [b for b in at.button if b.key == "data_go"]
    assert go.label == "导入 4 行新数据"
    go.click().run()
    rows = DataStore(data).read_table("activities").to_pylist()
    assert len(rows) == 9 and sum(r["beneficiaries"] for r in rows) == 230


def test_a_mapping_of_money_to_a_count_is_refused_on_the_page(data_page):
    from tests.test_import_mappings import SURVEY_MAP

    at, data = data_page
    upload(at, "wjx_activity_signin_2023_03.csv")
    _map_survey(at, {**SURVEY_MAP, "8. 活动物资费用（元）：": "volunteers",
                     "6. 志愿者人数（人次）：": "ignore"})
    assert any("是金额，不能映射为计数" in e for e in texts(at, "error"))
    assert not (data / "mappings").exists()


def test_the_cash_journal_asks_for_its_organisation_and_shows_what_was_understood(data_page):
    at, data = data_page
    at.selectbox(key="data_table").set_value("finance").run()
    _upload_bytes(at, "cash_journal_2023.xlsx", (FIXTURES / "cash_journal_2023.xlsx").read_bytes())
    at.text_input(key="data_org").input("无锡同心").run()
    notes = "\n".join(m.value for m in at.markdown).replace("\\", "")
    assert "表头在第 2 行" in notes and "收入 = 收入金额（元）" in notes
    assert "“余额”：滚动余额，不作为金额读取" in notes
    assert "第 10 行（合计）：合计行，与上面各行之和相符；已跳过" in notes
    assert "新增各行合计：收入 ¥51,012.34，支出 ¥17,691.36" in notes
    preview = at.dataframe[0].value
    assert list(preview[preview["行号"] == 10]["状态"]) == ["合计行（已跳过）"]  # not "已存在"
    en = preview_en(at)
    assert any("income in yuan" in line for line in en)


def preview_en(at: AppTest) -> list[str]:
    """The same check's notes in English (the page model, as the English page shows them)."""
    from impact.views.data_import import preview

    [check] = [c for c in at.session_state["data_check"].values() if c.org]
    return preview(check, "en").notes
