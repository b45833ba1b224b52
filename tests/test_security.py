"""Hostile input everywhere: every URL parameter of every page, every CLI option, and names
from data in charts, tables, CSV and Excel exports. Clean behaviour (no traceback, no
exception, a one-line message at most) and unchanged data are asserted for every class of
input in tests/hostile.py."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from impact import cli

from impact.presentation import charts
from impact.filters import Filters
from impact.presentation.safetext import FORMULA_START, spreadsheet_cell
from tests.hostile import (EVIL_LINK, FORMULA, FORMULA_CMD, INPUTS, RTL,
                           hostile_data)
from tests.test_import_cli import snapshot

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("overview", "beneficiaries", "volunteers", "finance", "growth", "data", "report",
         "share")
URL_PARAMS = ("org", "project", "area", "from", "to", "lang", "share")


@pytest.fixture(scope="module")
def evil_dir(tmp_path_factory) -> Path:
    return hostile_data(tmp_path_factory.mktemp("hostile") / "data")


@pytest.fixture
def env(monkeypatch, evil_dir, tmp_path):
    monkeypatch.setenv("IMPACT_DATA_DIR", str(evil_dir))
    monkeypatch.setenv("IMPACT_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("IMPACT_LINK_SECRET", "L" * 40)
    for name in ("IMPACT_MODE", "IMPACT_STAFF_PASSWORD_HASH"):
        monkeypatch.delenv(name, raising=False)
    return evil_dir


def _no_traceback(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception][:1]
    for element in at.get("error"):
        assert "Traceback" not in str(element.value) and "File \"/" not in str(element.value)


@pytest.mark.parametrize("input_class", list(INPUTS))
def test_every_url_parameter_of_every_page_takes_hostile_values(env, input_class):
    values = INPUTS[input_class]
    before = snapshot(env)
    for page in ("../dashboard", *PAGES):  # the whole app (sidebar, banner, notices) too
        at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=120)
        for name in URL_PARAMS:
            at.query_params[name] = values if name in ("org", "project", "area") else values[0]
        at.run()
        _no_traceback(at)
        # Nothing from the URL ends up unescaped in Markdown: notices quote it escaped.
        for md in at.markdown:
            assert "<script" not in md.value and '<a href="https://evil' not in md.value
    assert snapshot(env) == before


# ---------------------------------------------------------------------------- command line

def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:  # argparse refusing a value: exit 2 with one line
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


CLI_CASES = [  # (command line with {} for the hostile value)
    ("summary", "--org", "{}"), ("summary", "--project", "{}"), ("summary", "--area", "{}"),
    ("summary", "--year", "{}"), ("summary", "--from", "{}"), ("summary", "--to", "{}"),
    ("summary", "--format", "{}"), ("summary", "--data-dir", "{}"),
    ("summary", "--format", "json", "--org", "{}"),
    ("report", "--org", "{}", "--year", "2020", "--out", "r.xlsx"),
    ("report", "--out", "{}"), ("report", "--lang", "{}", "--out", "r.xlsx"),
    ("import", "{}", "--table", "activities", "--dry-run"),
    ("import", "FIXTURE", "--table", "{}", "--dry-run"),
    ("import", "FIXTURE", "--table", "activities", "--sheet", "{}", "--dry-run"),
    ("verify", "--data-dir", "{}"),
]


@pytest.mark.parametrize("input_class", list(INPUTS))
def test_every_cli_option_takes_hostile_values(env, input_class, capsys, monkeypatch,
                                               tmp_path):
    from tests.test_import_cli import FIXTURES

    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)  # "../../x" stays inside tmp_path
    before = snapshot(env)
    for case in CLI_CASES:
        for value in INPUTS[input_class]:
            if case[1:] == ("--data-dir", "{}") and value.strip() in ("", "~/.ssh/id_rsa"):
                continue  # "": the default data dir; a home directory is not ours to read
            argv = [value if a == "{}" else str(FIXTURES / "activities_gbk.csv")
                    if a == "FIXTURE" else a for a in case]
            code, out, err = _cli(capsys, *argv)
            shown = ([a[:80] for a in argv], err[-600:])
            assert code in (0, 1, 2), shown
            assert "Traceback" not in err and "Traceback" not in out, shown
            if code:
                assert err.strip() and len(err.strip().splitlines()) <= 40, shown
    assert snapshot(env) == before


# ---------------------------------------------------------------------------- names as text

def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _strings(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _strings(value)


def test_chart_labels_and_tooltips_escape_html(env):
    from impact.storage.db import Database
    from impact.views.beneficiaries import beneficiaries
    from impact.views.finance import finance
    from impact.views.volunteers import volunteers

    db = Database(str(env))
    f = Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020)
    models = [beneficiaries(db, f, "zh"), volunteers(db, f, "zh", 25, 60), finance(db, f, "zh")]
    figures = [c.figure for m in models for c in vars(m).values()
               if hasattr(c, "figure") and c.figure is not None]
    texts = [s for fig in figures for s in _strings(json.loads(fig.to_json())["data"])]
    joined = "\n".join(texts)
    assert "点击领取" in joined  # the name is there …
    assert "<a href" not in joined and "<script" not in joined and "<img" not in joined
    assert "\u202e" not in joined  # … as text, the override neutralised
    assert "&lt;a href=&#34;https://evil.example/&#34;&gt;点击领取&lt;/a&gt;" in joined


def test_safe_label_escapes_template_and_markup():
    assert charts.safe_label("%{y}<b>") == "&#37;{y}&lt;b&gt;"
    assert charts.safe_label(RTL) == "\ufffdtxt.exe"


@pytest.mark.parametrize("value", [FORMULA, FORMULA_CMD, "+1+A1", "-A1", "@SUM(A1)",
                                   "\t=1", "\r=1"])
def test_formula_cells_are_neutralised(value):
    assert spreadsheet_cell(value) == "'" + value
    assert spreadsheet_cell("-12.5") == "-12.5" and spreadsheet_cell(-3) == -3


def test_every_csv_download_is_formula_safe(env):
    from impact.storage.db import Database
    from impact.views.beneficiaries import beneficiaries, project_records
    from impact.views.finance import finance

    db = Database(str(env))
    f = Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020)
    tables = [finance(db, f, "zh").funders, beneficiaries(db, f, "zh").projects,
              project_records(db, f, "珠海协作者", EVIL_LINK, "zh")]
    assert [t.filename for t in tables] == ["funders.csv", "projects.csv", "records.csv"]
    for table in tables:
        text = table.csv().decode("utf-8-sig")
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not cell or cell[0] not in FORMULA_START or _number(cell), (
                    table.filename, cell)
    funders = [row[0] for row in csv.reader(io.StringIO(tables[0].csv().decode("utf-8-sig")))]
    assert "'" + FORMULA in funders and "'" + FORMULA_CMD in funders


def _number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def test_rejects_file_is_formula_safe(tmp_path):
    from impact.ingest import check_file, rejects_csv
    from impact.storage.store import DataStore

    out = io.StringIO()
    csv.writer(out).writerows([
        ["日期", "机构", "项目", "服务领域", "活动类型", "服务次数", "受益人次", "志愿者人次",
         "志愿服务时长（分钟）"],
        ["2021-02-30", FORMULA, "=1+1", "@x", "-y", "1", "5", "0", "0"]])
    payload = out.getvalue().encode("utf-8")
    check = check_file("x.csv", payload, "activities", DataStore(tmp_path))
    text = rejects_csv(check).decode("utf-8-sig")
    row = next(csv.reader(io.StringIO(text.splitlines()[1])))
    assert row[1] == "'" + FORMULA and row[2] == "'=1+1" and row[3] == "'@x" and row[4] == "'-y"


def test_report_excel_with_hostile_names_has_no_formula_and_builds(env, tmp_path):
    from impact.storage.db import Database
    from impact.report import build, gather

    db = Database(str(env))
    for orgs in (("珠海协作者",), (FORMULA_CMD,)):
        content = gather(db, Filters(orgs=orgs, year_from=2020, year_to=2020), "zh")
        data = build(content, "xlsx").data  # a NUL in a name used to raise here
        wb = load_workbook(io.BytesIO(data))
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert cell.value[:1] not in FORMULA_START, (ws.title, cell.value)
    title = wb.worksheets[0]["A1"].value
    assert title.startswith("'=cmd")  # the organisation's name leads the title cell


def test_report_page_builds_nothing_until_asked(env):
    at = AppTest.from_file(str(ROOT / "pages" / "report.py"), default_timeout=120)
    at.query_params["org"] = FORMULA_CMD
    at.run()
    _no_traceback(at)
    assert not at.get("download_button")
    assert {b.key for b in at.button} >= {"build_xlsx", "build_pdf", "build_html"}
    at.button(key="build_xlsx").click().run()
    _no_traceback(at)
    assert [d for d in at.get("download_button")]


def test_client_never_shows_tracebacks():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["address"] == "127.0.0.1"


def test_no_secrets_in_the_repository():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert ".streamlit/secrets.toml" in ignored
    example = (ROOT / ".streamlit" / "secrets.toml.example").read_text()
    assert "[auth]" in example and "staff_password_hash" in example
    assert not (ROOT / ".streamlit" / "secrets.toml").exists() or \
        ".streamlit/secrets.toml" not in os.popen(f"git -C {ROOT} ls-files").read()
