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
    assert any("已从 activities_gbk.csv 向活动记录导入 5 行新数据" in s for s in texts(at, "success"))
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
