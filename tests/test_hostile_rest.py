"""Issue 27, the rest: nothing silently wrong, nothing leaked.

- `delete --id X` deleted X in every organisation: an id in several is refused naming them,
  and `--org` says whose;
- a zero-width character or a decomposed form in a name made a second, identical-looking
  organisation: the shared cell parser removes the one and composes the other;
- one damaged line of import_log.jsonl took down the data page's integrity tab, one damaged
  history/ file took down `history` and `undo`: they carry on where sound and name the fault;
- stored names reached the terminal and the HTML report raw (ESC sequences, U+202E): one
  safe-text rule (impact.presentation.safetext.display_text) for screen, terminal and HTML.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from impact.cli import main
from impact.storage import compaction
from impact.storage.schema import TABLES
from impact.storage.store import DataStore

ESC_NAME = "\x1b[2J\x1b]0;pwned\x07项目"
RTL_NAME = "\u202etxt.exe"


def add(store: DataStore, table: str, rows: list[dict]) -> None:
    compaction.append(store, table, pa.Table.from_pylist(rows, schema=TABLES[table].arrow_schema))


def activity(activity_id: str, org: str, day: date, project: str = "儿童服务") -> dict:
    return {"activity_id": activity_id, "date": day, "org": org, "project": project,
            "program_area": None, "activity_type": None, "sessions": 1, "beneficiaries": 7,
            "volunteers": 0, "volunteer_minutes": 0}


def test_an_id_in_several_organisations_is_refused_naming_them(demo_copy, capsys):
    store = DataStore(demo_copy)
    # The same id in two organisations, in different years' files.
    add(store, "activities", [activity("SHARED-1", "珠海协作者", date(2019, 3, 1)),
                              activity("SHARED-1", "北京协作者", date(2021, 3, 1))])
    version = store.manifest()["version"]
    code = main(["delete", "--table", "activities", "--id", "SHARED-1", "--reason", "r",
                 "--yes", "--data-dir", str(demo_copy)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "SHARED-1" in err and "北京协作者" in err and "珠海协作者" in err and "--org" in err
    assert store.manifest()["version"] == version
    code = main(["delete", "--table", "activities", "--id", "SHARED-1", "--org", "北京协作者",
                 "--reason", "r", "--yes", "--data-dir", str(demo_copy)])
    assert code == 0, capsys.readouterr().err
    left = store.read_table("activities").to_pylist()
    assert [r["org"] for r in left if r["activity_id"] == "SHARED-1"] == ["珠海协作者"]


def test_invisible_characters_and_decomposed_forms_make_no_second_organisation(tmp_path,
                                                                              capsys):
    from impact.ingest.values import clean_text, parse_text

    decomposed = unicodedata.normalize("NFD", "Café 社工")
    for variant in ("Café 社工\u200b", "\ufeffCafé\u2060 社工", "Ca\u200cfé 社工\u200d",
                    decomposed):
        assert parse_text(variant) == "Café 社工" == clean_text(variant)
    data = tmp_path / "data"
    assert main(["init", str(data)]) == 0
    csv_file = tmp_path / "acts.csv"
    rows = ["活动编号,日期,机构,项目,服务次数,受益人次,志愿者人次,志愿服务时长（分钟）"]
    for n, org in enumerate(("Café 社工", "Café 社工\u200b", decomposed, "\ufeffCafé 社工")):
        rows.append(f"A{n},2021-03-0{n + 1},{org},儿童服务,1,5,0,0")
    csv_file.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code = main(["import", str(csv_file), "--table", "activities", "--data-dir", str(data)])
    assert code == 0, capsys.readouterr().err
    orgs = set(DataStore(data).read_table("activities")["org"].to_pylist())
    assert orgs == {"Café 社工"}


def test_a_damaged_import_log_line_is_skipped_and_named(demo_copy):
    from impact.views.data_quality import import_log

    good = {"time": "2024-01-01T00:00:00+00:00", "who": "me", "file": "a.csv",
            "sha256": "ab" * 32, "table": "activities", "rows_added": 3,
            "duplicates_skipped": 0, "rows_rejected": 0}
    (demo_copy / "import_log.jsonl").write_text(
        json.dumps(good) + "\n{torn write\n" + json.dumps(good) + "\n[1]\n", encoding="utf-8")
    for lang, word in (("en", "2, 4"), ("zh", "2")):
        log = import_log(DataStore(demo_copy), lang)
        assert len(log.rows) == 2
        assert "import_log.jsonl" in log.caption and word in log.caption


@pytest.fixture
def three_versions(demo_copy):
    store = DataStore(demo_copy)
    add(store, "activities", [activity("V2", "珠海协作者", date(2021, 5, 1))])
    add(store, "activities", [activity("V3", "珠海协作者", date(2021, 6, 1))])
    assert store.manifest()["version"] == 3
    return demo_copy


def test_a_damaged_history_file_is_named_and_the_rest_listed(three_versions, capsys):
    bad = three_versions / "history" / "v000001.json"
    bad.write_text("{broken", encoding="utf-8")
    code = main(["history", "--data-dir", str(three_versions)])
    out = capsys.readouterr()
    assert code == 1
    assert out.err.count("\n") == 1 and str(bad) in out.err
    assert [line[:3] for line in out.out.splitlines()] == ["v2 ", "v3 "]
    # Undoing v3 restores v2, which is sound: it carries on.
    assert main(["undo", "--data-dir", str(three_versions)]) == 0, capsys.readouterr().err


def test_undo_of_a_version_whose_predecessor_is_damaged_names_the_file(three_versions, capsys):
    bad = three_versions / "history" / "v000002.json"
    bad.write_text("{broken", encoding="utf-8")
    before = (three_versions / "manifest.json").read_bytes()
    code = main(["undo", "--data-dir", str(three_versions)])  # v3: restore the damaged v2
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and str(bad) in err
    assert (three_versions / "manifest.json").read_bytes() == before


def test_undo_refuses_when_a_damaged_record_may_be_the_last_change(three_versions, capsys):
    # v4 closes a period (no data change); v3's record is damaged: whether v3 is the last
    # data change cannot be known, so undoing v2 in its place would be silently wrong.
    assert main(["close", "--org", "珠海协作者", "--year", "2019", "--reason", "r",
                 "--data-dir", str(three_versions)]) == 0
    bad = three_versions / "history" / "v000003.json"
    bad.write_text("{broken", encoding="utf-8")
    capsys.readouterr()
    before = (three_versions / "manifest.json").read_bytes()
    code = main(["undo", "--data-dir", str(three_versions)])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert str(bad) in err and "nothing was undone" in err
    assert (three_versions / "manifest.json").read_bytes() == before


def test_history_and_summary_print_no_terminal_control(demo_copy, capsys):
    store = DataStore(demo_copy)
    add(store, "activities", [activity("ESC-1", ESC_NAME, date(2021, 5, 1), RTL_NAME)])
    assert main(["delete", "--table", "activities", "--id", "ESC-1", "--reason",
                 f"why {ESC_NAME} {RTL_NAME}", "--yes", "--data-dir", str(demo_copy)]) == 0
    capsys.readouterr()
    assert main(["history", "--data-dir", str(demo_copy)]) == 0
    out = capsys.readouterr().out
    assert "why \ufffd[2J" in out and "\x1b" not in out and "\u202e" not in out
    assert main(["undo", "--data-dir", str(demo_copy)]) == 0
    capsys.readouterr()
    assert main(["summary", "--org", ESC_NAME, "--data-dir", str(demo_copy)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "受益人次" in out


def test_the_html_report_writes_no_bidi_or_escape_character(demo_copy):
    from impact.filters import Filters
    from impact.report import gather
    from impact.report.html import render_html
    from impact.storage.db import Database

    store = DataStore(demo_copy)
    add(store, "activities", [activity("ESC-2", "珠海协作者", date(2020, 5, 1), ESC_NAME),
                              activity("RTL-2", "珠海协作者", date(2020, 5, 2), RTL_NAME)])
    add(store, "finance", [{"txn_id": "F-RTL", "date": date(2020, 5, 1), "org": "珠海协作者",
                            "flow": "income", "line": "donation", "source_type": "enterprise",
                            "funder": RTL_NAME, "project": ESC_NAME, "restricted": True,
                            "amount": Decimal("99999999.00")}])
    html = render_html(gather(Database(str(demo_copy)),
                              Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020), "en"),
                       with_charts=False)
    assert "\ufffdtxt.exe" in html and "\ufffd[2J" in html
    assert "\x1b" not in html and "\u202e" not in html and "\x07" not in html
