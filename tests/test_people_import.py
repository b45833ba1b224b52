"""Importing who was served: group columns, stated reach, outcomes and pseudonymous
participants — and personal data (names, ID cards, phones) refused."""

from __future__ import annotations

import pytest

from impact.storage.db import Database
from impact.filters import Filters
from impact.ingest import check_file, import_payload
from impact.ingest.messages import header_message, row_message
from impact.ingest.personal import SECRET_ENV, SECRET_FILE
from impact.domain.metrics import summarize
from impact.storage.store import DataStore


def csv_bytes(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def snapshot(directory):
    return {p.relative_to(directory).as_posix(): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture
def own_dir(tmp_path, cli):
    path = tmp_path / "own"
    result = cli("init", str(path))
    assert result.returncode == 0, result.stderr
    assert (path / SECRET_FILE).is_file()  # init makes the installation secret
    return path


PARTICIPANTS = csv_bytes(
    "机构,项目,年份,个人编号,群体,参与人次",
    "示例社工中心,社区儿童之家,2024,C-001,儿童,12",
    "示例社工中心,社区儿童之家,2024,C-002,儿童,3",
    "示例社工中心,四点半课堂,2024,C-001,儿童,5",  # the same child in a second project
)


def test_repeated_person_across_projects_counts_once_and_person_times_unchanged(
        demo_copy, monkeypatch):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    db = Database(str(demo_copy))
    before = summarize(db, Filters())["beneficiaries"]
    check, entry = import_payload("p.csv", PARTICIPANTS, "participants", DataStore(demo_copy))
    assert check.ok and entry is not None, [row_message(e) for e in check.errors]
    db.refresh()
    rows = {(r["project"], r["year"], r["beneficiary_group"]): r
            for r in db.rows("participant_people", **Filters(orgs=("示例社工中心",)).params())}
    assert rows[("社区儿童之家", 2024, None)]["people"] == 2
    assert rows[("四点半课堂", 2024, None)]["people"] == 1
    assert rows[("社区儿童之家", 2024, "children")]["people"] == 2
    assert rows[(None, None, None)]["people"] == 2  # not 3: C-001 is one child
    assert rows[(None, None, None)]["attendances"] == 20
    assert summarize(db, Filters())["beneficiaries"] == before  # person-times untouched
    # The ids are not stored: only 32-hex-digit keys, the same child with the same key.
    stored = [r for r in DataStore(demo_copy).read_table("participants").to_pylist()
              if r["org"] == "示例社工中心"]
    keys = {r["project"]: set() for r in stored}
    for r in stored:
        keys[r["project"]].add(r["person_key"])
    assert all(len(r["person_key"]) == 32 and "C-00" not in r["person_key"] for r in stored)
    assert len(keys["社区儿童之家"]) == 2 and keys["四点半课堂"] < keys["社区儿童之家"]
    assert b"C-001" not in b"".join(p.read_bytes() for p in demo_copy.rglob("*.parquet"))


def test_keys_depend_on_the_installation_secret(tmp_path, monkeypatch):
    keys = []
    for secret in ("one", "two"):
        monkeypatch.setenv(SECRET_ENV, secret)
        store = DataStore(tmp_path / secret)
        check = check_file("p.csv", PARTICIPANTS, "participants", store)
        keys.append({r.record["person_key"] for r in check.new_rows})
        assert not (tmp_path / secret / SECRET_FILE).exists()  # the env secret is not written
    assert keys[0].isdisjoint(keys[1])


def test_id_card_column_is_refused_with_a_clear_message(cli, own_dir):
    path = own_dir.parent / "people.csv"
    path.write_bytes(csv_bytes("日期,机构,项目,服务次数,受益人次,志愿者人次,志愿服务时长（分钟）,身份证号",
                               "2024-03-05,示例社工中心,社区儿童之家,1,25,0,0,440101199001011234"))
    before = snapshot(own_dir)
    result = cli("import", str(path), "--table", "activities", "--data-dir", str(own_dir))
    assert result.returncode == 1
    assert 'column "身份证号" looks like personal data (name, ID-card or phone number)' \
        in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(own_dir) == before  # nothing written


@pytest.mark.parametrize("header", ["姓名", "手机", "手机号码", "联系电话", "身份证号码", "Name",
                                    "Phone", "证件号"])
def test_personal_headers_are_refused_in_every_table(tmp_path, header):
    payload = csv_bytes(f"机构,项目,年份,个人编号,参与人次,{header}", "机构A,项目A,2024,X1,1,v")
    check = check_file("p.csv", payload, "participants", DataStore(tmp_path / "d"))
    assert [p.code for p in check.header_problems] == ["personal_data"]
    assert header in header_message(check.header_problems[0], "zh")


def test_hash_personal_turns_an_id_card_column_into_the_key_only(cli, own_dir):
    path = own_dir.parent / "roster.csv"
    path.write_bytes(csv_bytes("机构,项目,年份,身份证号,参与人次",
                               "示例社工中心,助学,2024,440101200801011234,4",
                               "示例社工中心,助学,2024,440101200902021234,2"))
    refused = cli("import", str(path), "--table", "participants", "--data-dir", str(own_dir))
    assert refused.returncode == 1 and "--hash-personal" in refused.stderr
    done = cli("import", str(path), "--table", "participants", "--data-dir", str(own_dir),
               "--hash-personal")
    assert done.returncode == 0, done.stderr
    assert "added 2, 0 duplicates skipped" in done.stdout
    again = cli("import", str(path), "--table", "participants", "--data-dir", str(own_dir),
                "--hash-personal")
    assert "added 0, 2 duplicates skipped" in again.stdout  # same secret, same keys
    stored = b"".join(p.read_bytes() for p in own_dir.rglob("*") if p.is_file())
    assert b"440101200801011234" not in stored


def test_group_columns_become_long_rows_and_shares_show_not_recorded(demo_copy):
    payload = csv_bytes(
        "日期,机构,项目,服务次数,受益人次,志愿者人次,志愿服务时长（分钟）,儿童人次,成人人次,女性人次",
        "2024-03-05,示例社工中心,社区儿童之家,1,40,0,0,30,8,20",
        "2024-03-06,示例社工中心,社区儿童之家,1,60,0,0,45,,",
    )
    store = DataStore(demo_copy)
    check, entry = import_payload("g.csv", payload, "activities", store)
    assert entry is not None, [row_message(e) for e in check.errors]
    db = Database(str(demo_copy))
    selection = Filters(orgs=("示例社工中心",))
    rows = {r["beneficiary_group"]: r["beneficiaries"]
            for r in db.rows("group_person_times", **selection.params())}
    assert rows == {None: 100, "children": 75, "adults": 8, "female": 20}
    from impact.domain.people import group_shares
    rest = {(s.dimension, s.group): s.person_times for s in group_shares(
        db.rows("group_person_times", **selection.params()))}
    assert rest[("age", None)] == 17 and rest[("gender", None)] == 80
    # importing the same file again adds neither activities nor groups
    check, entry = import_payload("g.csv", payload, "activities", store)
    assert entry is None and check.duplicates == 2
    assert store.read_table("activity_groups").num_rows == 1648 + 4


def test_group_columns_above_the_record_total_are_refused(tmp_path):
    payload = csv_bytes("日期,机构,项目,服务次数,受益人次,志愿者人次,志愿服务时长（分钟）,儿童人次,成人人次",
                        "2024-03-05,示例社工中心,社区儿童之家,1,40,0,0,30,20")
    check = check_file("g.csv", payload, "activities", DataStore(tmp_path / "d"))
    assert [e.code for e in check.errors] == ["groups_exceed"]
    assert "50" in row_message(check.errors[0]) and "40" in row_message(check.errors[0])


def test_reach_and_outcomes_import(own_dir, cli):
    reach = own_dir.parent / "reach.xlsx.csv"
    reach.write_bytes(csv_bytes("机构,项目,年份,群体,人数,户数,数据来源",
                                "示例社工中心,社区儿童之家,2024,儿童,120,95,签到名册",
                                "示例社工中心,社区儿童之家,2024,,150,,签到名册"))
    outcomes = own_dir.parent / "outcomes.csv"
    outcomes.write_bytes(csv_bytes("机构,项目,年份,成效指标,单位,基线值,目标值,实际值,数据来源",
                                   "示例社工中心,社区儿童之家,2024,阅读习惯改善比例,%,30,50,56.5,家长问卷"))
    for path, table in ((reach, "reach"), (outcomes, "outcomes")):
        result = cli("import", str(path), "--table", table, "--data-dir", str(own_dir))
        assert result.returncode == 0, result.stderr
    data = cli("summary", "--data-dir", str(own_dir), "--format", "json")
    assert '"people": 120' in data.stdout and '"households": 95' in data.stdout
    assert '"actual": 56.5000' in data.stdout and '"source": "家长问卷"' in data.stdout


def test_participants_imported_with_update_save_the_key_secret(tmp_path, monkeypatch):
    """Issue 27: a first participants import through --update made its keys with a secret it
    never saved, so every later import keyed the same person anew (one child, three rows)."""
    from impact.ingest.write import commit_correction, plan_correction

    monkeypatch.delenv(SECRET_ENV, raising=False)
    store = DataStore(tmp_path / "d")
    check = check_file("p.csv", PARTICIPANTS, "participants", store)
    commit_correction(check, plan_correction(check, store, "update"), store, "update", "first")
    assert (tmp_path / "d" / SECRET_FILE).is_file()
    check, entry = import_payload("p.csv", PARTICIPANTS, "participants", store)
    assert entry is None and check.duplicates == 3  # the same people, the same keys
    assert store.read_table("participants").num_rows == 3
