"""The Data page (/data) corrects, shows the history and undoes, through Streamlit's AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from impact.storage.store import DataStore
from tests.test_versions import _csv, _one_activity
from tests.page_tables import page_tables

ROOT = Path(__file__).resolve().parent.parent


def frame(at: AppTest, column: str):
    """The (first) table on the page with this column."""
    return next(d for d in page_tables(at) if column in d.columns)


@pytest.fixture
def page(monkeypatch, demo_copy):
    monkeypatch.setenv("IMPACT_DATA_DIR", str(demo_copy))
    monkeypatch.delenv("IMPACT_STAFF_PASSWORD", raising=False)
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at, demo_copy


def test_update_shows_the_diff_commits_on_confirm_and_undo_restores(page):
    at, data = page
    row = _one_activity(data)
    fixed = {**row, "beneficiaries": row["beneficiaries"] + 1000}
    original = json.loads((data / "manifest.json").read_text())
    at.get("file_uploader")[0].set_value(("fix.csv", _csv([fixed]), "text/csv")).run()
    at.radio(key="data_mode").set_value("update").run()
    assert not at.exception, [e.value for e in at.exception]
    [summary] = [w.value for w in at.warning]
    assert "更改 1 条" in summary and "+1000" in summary
    diff = frame(at, "原值")
    assert list(diff["原值"]) == [str(row["beneficiaries"])]
    assert list(diff["新值"]) == [str(fixed["beneficiaries"])]
    assert DataStore(data).manifest()["version"] == 1  # nothing written before confirming
    at.text_input(key="data_reason").set_value("录入错误").run()
    at.button(key="data_correct").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("第 2 版" in s.value for s in at.success)
    manifest = DataStore(data).manifest()
    assert manifest["commit"]["why"] == "录入错误" and manifest["commit"]["kind"] == "update"

    history = frame(at, "版本")
    assert list(history["版本"]) == [2, 1]
    assert frame(at, "新值")["新值"].tolist() == [str(fixed["beneficiaries"])]
    at.button(key="data_undo").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("第 1 版" in s.value for s in at.success)
    now = DataStore(data).manifest()
    assert now["version"] == 3 and now["tables"] == original["tables"]


def test_pages_mark_closed_periods_once_one_is_closed(monkeypatch, demo_copy, cli):
    monkeypatch.setenv("IMPACT_DATA_DIR", str(demo_copy))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    assert not any("已关账" in c.value or "未关账" in c.value for c in at.caption)
    assert cli("close", "--org", "珠海协作者", "--year", "2020", "--reason", "审计完成",
               "--data-dir", str(demo_copy)).returncode == 0
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["from"] = "2020"
    at.query_params["to"] = "2020"
    at.run()
    marks = [c.value for c in at.caption if "已关账" in c.value]
    assert marks and "珠海协作者 2020" in marks[0], [c.value for c in at.caption]


def test_history_lists_the_sound_versions_and_names_a_damaged_history_file(monkeypatch,
                                                                            demo_copy):
    """A damaged history/ file (a torn copy, a hand edit) is named in one line on the Data
    page, and the other versions are still listed (as `impact history` does), rather than the
    page failing on it (issue #27, item 11)."""
    from impact.ingest import import_payload
    from impact.storage.retention import history_path
    from tests.test_versions import _csv, _one_activity

    store = DataStore(demo_copy)
    row = _one_activity(demo_copy)
    for people in (7001, 7002):  # versions 2 and 3
        fresh = {**row, "activity_id": f"dmg-{people}", "beneficiaries": people}
        _, entry = import_payload("more.csv", _csv([fresh]), "activities", store)
        assert entry is not None
    assert store.manifest()["version"] == 3
    damaged = demo_copy / history_path(2)
    damaged.write_text("{ not json")
    monkeypatch.setenv("IMPACT_DATA_DIR", str(demo_copy))
    monkeypatch.delenv("IMPACT_STAFF_PASSWORD", raising=False)
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    history = frame(at, "版本")
    assert list(history["版本"]) == [3, 1]
    shown = [w.value.replace("\\", "") for w in at.warning]  # as drawn: Markdown-escaped
    assert [s for s in shown if "v000002" in s] == [
        "第 2 版未列出：其历史文件 history/v000002.json 已损坏（`impact history` 说明原因）；"
        "其余版本照常列出。"], shown
