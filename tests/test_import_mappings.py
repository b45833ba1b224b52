"""Issue 25: a column mapping made once is remembered — a survey tool's export (问卷星: long
numbered questions, a submission-time column, one response per session) imports with it, the
next month's file with the same headers needs no questions, and a mapping can never store
something other than what the file says."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from impact.cli import main
from impact.ingest.mappings import Mapping, MappingProblem, list_mappings, load, save
from impact.ingest.messages import field_words, mapping_message
from impact.storage.store import DataStore
from tests.test_import_cli import snapshot

FIXTURES = Path(__file__).parent / "fixtures"
MARCH = FIXTURES / "wjx_activity_signin_2023_03.csv"
APRIL = FIXTURES / "wjx_activity_signin_2023_04.csv"
SURVEY_MAP = {"提交答卷时间": "ignore", "所用时间": "ignore", "来源": "ignore", "来源详情": "ignore",
              "来自IP": "ignore", "1. 您参加的活动日期：": "date", "2. 活动所属项目：": "project",
              "3. 活动类型：": "activity_type", "4. 本次活动场次：": "sessions",
              "5. 参加人数（人次）：": "beneficiaries", "6. 志愿者人数（人次）：": "volunteers",
              "7. 志愿者服务时长合计（分钟）：": "volunteer_minutes",
              "8. 活动物资费用（元）：": "ignore", "9. 参与者总体满意度：": "ignore",
              "10. 其他意见或建议：": "ignore"}


def headers_of(path: Path) -> tuple[str, ...]:
    return tuple(next(csv.reader(path.read_text(encoding="utf-8-sig").splitlines())))


def survey_mapping(**changes) -> Mapping:
    return Mapping("问卷星活动签到", "activities", headers_of(MARCH), {**SURVEY_MAP, **changes})


@pytest.fixture
def data(tmp_path):
    target = tmp_path / "data"
    assert main(["init", str(target)]) == 0
    return target


def run(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_survey_export_is_refused_until_mapped_and_the_refusal_says_how(data, capsys):
    code, _, err = run(capsys, "import", MARCH, "--table", "activities", "--data-dir", data,
                       "--org", "无锡同心")
    assert code == 1 and 'unknown column "1. 您参加的活动日期："' in err
    assert "map these columns once on the Data page" in err


def test_a_survey_export_imports_with_its_mapping_and_next_month_needs_none(data, capsys):
    save(DataStore(data), survey_mapping())
    code, out, err = run(capsys, "import", MARCH, "--table", "activities", "--data-dir", data,
                         "--org", "无锡同心", "--mapping", "问卷星活动签到", "--dry-run")
    assert code == 0, err
    assert 'columns read with the saved mapping "问卷星活动签到"' in out
    assert "5. 参加人数（人次）： = person-times served" in out
    assert '"提交答卷时间": ignored by the mapping "问卷星活动签到"' in out
    assert '"8. 活动物资费用（元）：": ignored by the mapping' in out
    assert "services 6, person-times 122, volunteer person-times 13, volunteer minutes 1,680" in out
    assert run(capsys, "import", MARCH, "--table", "activities", "--data-dir", data,
               "--org", "无锡同心")[0] == 0
    # April: the same headers, no --mapping and no --org: found by its headers, and the data
    # directory's one organisation is offered.
    code, out, err = run(capsys, "import", APRIL, "--table", "activities", "--data-dir", data)
    assert code == 0, err
    assert "would add" not in out and "added 4" in out
    rows = sorted(DataStore(data).read_table("activities").to_pylist(), key=lambda r: r["date"])
    assert [(str(r["date"]), r["project"], r["sessions"], r["beneficiaries"], r["volunteers"],
             r["volunteer_minutes"]) for r in rows[:2]] == [
        ("2023-03-03", "社区儿童之家", 1, 18, 2, 240), ("2023-03-08", "长者关爱行动", 1, 12, 4, 480)]
    assert len(rows) == 9 and {r["org"] for r in rows} == {"无锡同心"}
    assert sum(r["beneficiaries"] for r in rows) == 122 + 108


def test_the_mappings_command_lists_them(data, capsys):
    code, out, _ = run(capsys, "mappings", "--data-dir", data)
    assert code == 0 and "no saved mappings" in out
    save(DataStore(data), survey_mapping())
    code, out, _ = run(capsys, "mappings", "--data-dir", data)
    assert code == 0 and "问卷星活动签到  (activities, 16 columns, 8 ignored)" in out
    assert "  4. 本次活动场次： → sessions" in out
    code, out, _ = run(capsys, "mappings", "--data-dir", data, "--json")
    assert json.loads(out)[0]["columns"]["2. 活动所属项目："] == "project"


def test_the_mapping_file_is_plain_json_in_the_data_directory(data):
    save(DataStore(data), survey_mapping())
    stored = json.loads((data / "mappings" / "问卷星活动签到.json").read_text(encoding="utf-8"))
    assert stored["table"] == "activities" and stored["headers"][6] == "1. 您参加的活动日期："
    assert [p.name for p in (data / "mappings").iterdir()] == ["问卷星活动签到.json"]  # no temp
    assert load(DataStore(data), "问卷星活动签到") == survey_mapping()


@pytest.mark.parametrize("mapping, code, words", [
    (survey_mapping(**{"6. 志愿者人数（人次）：": "beneficiaries"}), "same_field",
     'columns "6. 志愿者人数（人次）：" and "5. 参加人数（人次）：" are both mapped to "beneficiaries"'),
    (survey_mapping(**{"8. 活动物资费用（元）：": "volunteers", "6. 志愿者人数（人次）：": "ignore"}),
     "money_to_count", 'column "8. 活动物资费用（元）：" holds money and cannot be mapped to the count'),
    (survey_mapping(**{"3. 活动类型：": "amount"}), "unknown_field",
     'is mapped to "amount", which is no field of this table'),
    (Mapping("x", "activities", ("联系电话", "日期"), {"联系电话": "project"}), "personal",
     'column "联系电话" looks like names, ID cards or phone numbers'),
    (Mapping("../../etc/passwd", "activities", ("a",), {"a": "ignore"}), "bad_name", "cannot be used"),
    (Mapping(".hidden", "activities", ("a",), {"a": "ignore"}), "bad_name", "cannot be used"),
    (Mapping("x", "activities", ("a",), {"b": "date"}), "not_a_header", '"b" is not one of'),
])
def test_a_mapping_that_would_misread_the_file_is_never_saved(data, mapping, code, words):
    before = snapshot(data)
    with pytest.raises(MappingProblem) as caught:
        save(DataStore(data), mapping)
    assert caught.value.code == code and words in mapping_message(caught.value)
    assert mapping_message(caught.value, "zh") != mapping_message(caught.value)  # both languages
    assert snapshot(data) == before and not (data / "mappings").exists()


def test_a_name_keeps_its_meaning(data):
    save(DataStore(data), survey_mapping())
    save(DataStore(data), survey_mapping(**{"3. 活动类型：": "ignore"}))  # same headers: updated
    other = Mapping("问卷星活动签到", "finance", ("日期", "金额"), {})
    with pytest.raises(MappingProblem) as caught:
        save(DataStore(data), other)
    assert caught.value.code == "name_taken"
    assert load(DataStore(data), "问卷星活动签到").columns["3. 活动类型："] == "ignore"


def test_a_mapped_column_goes_through_the_same_cell_rules(data, tmp_path, capsys):
    save(DataStore(data), survey_mapping())
    bad = tmp_path / "april.csv"
    bad.write_text(APRIL.read_text(encoding="utf-8-sig").replace(",33,3,540,", ",三十三,3,540,")
                   .replace("2023-04-07", "2023-04-31"), encoding="utf-8-sig")
    before = snapshot(data)
    code, _, err = run(capsys, "import", bad, "--table", "activities", "--data-dir", data,
                       "--org", "无锡同心")
    assert code == 1
    assert 'row 2, column 5. 参加人数（人次）：: "三十三"' in err
    assert 'row 3, column 1. 您参加的活动日期：: "2023-04-31" — no such day in the calendar' in err
    assert snapshot(data) == before


def test_a_named_mapping_for_other_headers_is_refused_naming_the_difference(data, tmp_path,
                                                                           capsys):
    save(DataStore(data), survey_mapping())
    changed = tmp_path / "may.csv"
    changed.write_text(MARCH.read_text(encoding="utf-8-sig").replace("3. 活动类型：", "3. 活动形式："),
                       encoding="utf-8-sig")
    code, _, err = run(capsys, "import", changed, "--table", "activities", "--data-dir", data,
                       "--org", "A", "--mapping", "问卷星活动签到")
    assert code == 1 and "extra in the file: 3. 活动形式：; missing from it: 3. 活动类型：" in err
    code, _, err = run(capsys, "import", changed, "--table", "activities", "--data-dir", data,
                       "--org", "A", "--mapping", "没有这个")
    assert code == 1 and 'no mapping called "没有这个" (saved: 问卷星活动签到)' in err


def test_a_damaged_mapping_file_is_named_not_skipped(data, capsys):
    (data / "mappings").mkdir()
    (data / "mappings" / "坏.json").write_text("{not json", encoding="utf-8")
    code, _, err = run(capsys, "import", MARCH, "--table", "activities", "--data-dir", data,
                       "--org", "A")
    assert code == 1 and "mappings/坏.json is damaged" in err
    with pytest.raises(MappingProblem):
        list_mappings(DataStore(data))


def test_field_words_in_both_languages():
    assert field_words("activities", "beneficiaries", "zh") == "受益人次"
    assert field_words("activities", "beneficiaries", "en") == "person-times served"
    assert field_words("finance", "amount:income", "zh") == "收入金额（元）"
    assert field_words("activities", "group:children", "en") == "person-times of Children"
