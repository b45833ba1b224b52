"""The adversarial tier of issue 27 ("nothing silently wrong, nothing leaked"): generated
hostile cases across every class the issue names, each outcome classified as

    clean         refused in one line naming the fault, or shown as typed / inert
    silent-wrong  accepted (exit 0, data written or figures shown) where it must be refused,
                  or refused yet something on disk changed
    leak          a name reached a renderer as markup, a formula or a control character
    traceback     an exception escaped (the user would see a stack trace)

and the table printed through pytest's terminal reporter (shown with or without -s). The
run asserts 0 silent-wrong, 0 leaks, 0 tracebacks. In-process calls throughout; a
subprocess only where the CLI's own output stream is the point. `pytest -m long`."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import sys
import traceback
from collections import Counter
from pathlib import Path

import pytest

from impact.cli import main
from impact.presentation.safetext import (as_markdown, markdown_text, spreadsheet_cell,
                                          terminal_text)
from tests.hostile import EVIL_BARE_URL, EVIL_LINK, EVIL_MD_LINK, EVIL_SCRIPT, FORMULA, RTL

pytestmark = pytest.mark.long

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data"

CLEAN, SILENT, LEAK, TRACEBACK = "clean", "silent-wrong", "leak", "traceback"

ESC_SEQUENCES = ("\x1b[2J", "\x1b]0;pwned\x07", "\x1b[31m红\x1b[0m", "\x9b2J")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
BASES = (EVIL_MD_LINK, EVIL_BARE_URL, EVIL_LINK, EVIL_SCRIPT, FORMULA, RTL,
         "![img](https://evil.example/x.png)", "<img src=x onerror=alert(1)>", ":red[红色]",
         "珠海协作者")
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_UNESCAPED_MARKUP = re.compile(r"(?<!\\)[\[<`*]|(?<!\\)\]\(|evil\.example")


def hostile_names() -> list[str]:
    """Every base combined with every ESC sequence and zero-width character, before and
    after: 10 × (4 + 5) × 2 = 180 names (plus the bases)."""
    names = list(BASES)
    for base, extra in itertools.product(BASES, ESC_SEQUENCES + ZERO_WIDTH):
        names += [extra + base, base + extra]
    return names


def markdown_outcome(shown: str) -> str:
    return LEAK if _UNESCAPED_MARKUP.search(shown) or CONTROLS.search(shown) else CLEAN


def html_outcome(html: str) -> str:
    return LEAK if re.search(r"<(a|img|script)\b", html) or CONTROLS.search(html) else CLEAN


def cell_outcome(cell) -> str:
    text = str(cell)
    return LEAK if text[:1] in ("=", "+", "-", "@", "\t", "\r") else CLEAN


def terminal_outcome(text: str) -> str:
    return LEAK if CONTROLS.search(text) else CLEAN


class Tally:
    def __init__(self):
        self.by_class: dict[str, Counter] = {}
        self.bad: list[str] = []

    def record(self, cls: str, case: str, check) -> None:
        try:
            outcome = check()
        except BaseException as exc:  # noqa: BLE001 — a SystemExit from argparse counts too
            outcome = TRACEBACK
            case = f"{case}: {''.join(traceback.format_exception_only(exc)).strip()}"
        self.by_class.setdefault(cls, Counter())[outcome] += 1
        if outcome != CLEAN:
            self.bad.append(f"{outcome} [{cls}] {case!r}"[:300])

    def table(self) -> list[str]:
        cols = (CLEAN, SILENT, LEAK, TRACEBACK)
        lines = [f"{'class':<34}{'cases':>6}" + "".join(f"{c:>14}" for c in cols)]
        total = Counter()
        for cls, counts in self.by_class.items():
            total.update(counts)
            lines.append(f"{cls:<34}{sum(counts.values()):>6}"
                         + "".join(f"{counts[c]:>14}" for c in cols))
        lines.append(f"{'total':<34}{sum(total.values()):>6}"
                     + "".join(f"{total[c]:>14}" for c in cols))
        return lines

    def total(self, outcome: str | None = None) -> int:
        return sum(c[outcome] if outcome else sum(c.values()) for c in self.by_class.values())


def run_cli(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line_refusal(code: int, out: str, err: str) -> bool:
    return code != 0 and err.startswith("error: ") and err.count("\n") == 1


def snapshot(directory: Path) -> dict:
    return {p.relative_to(directory): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


# -- the classes ----------------------------------------------------------------------------

def names_through_renderers(tally: Tally) -> None:
    from impact.report.html import _template
    from impact.web.widgets import md

    page = _template().environment.from_string("<td>{{ name }}</td>")
    for name in hostile_names():
        tally.record("name → widgets.say (Markdown)", name,
                     lambda: markdown_outcome(as_markdown(name)))
        tally.record("name → widgets.md", name, lambda: markdown_outcome(md(name)))
        tally.record("name → HTML report", name,
                     lambda: html_outcome(page.render(name=name)))
        tally.record("name → CSV/Excel cell", name,
                     lambda: cell_outcome(spreadsheet_cell(name)))
        tally.record("name → terminal", name, lambda: terminal_outcome(terminal_text(name)))


def names_in_cli_output(tally: Tally, data: Path, capsys) -> None:
    """Stored hostile names and reasons, then `history` and `summary` on the terminal."""
    from datetime import date

    import pyarrow as pa

    from impact.storage import compaction
    from impact.storage.schema import TABLES
    from impact.storage.store import DataStore

    store = DataStore(data)
    names = [n for n in hostile_names() if CONTROLS.search(n)][:12]
    rows = [{"activity_id": f"ADV-{i}", "date": date(2021, 1, 1 + i), "org": name,
             "project": name, "program_area": None, "activity_type": None, "sessions": 1,
             "beneficiaries": 5, "volunteers": 0, "volunteer_minutes": 0}
            for i, name in enumerate(names)]
    compaction.append(store, "activities",
                      pa.Table.from_pylist(rows, schema=TABLES["activities"].arrow_schema))
    for i, name in enumerate(names[:4]):
        run_cli(capsys, "delete", "--table", "activities", "--id", f"ADV-{i}", "--reason",
                name, "--yes", "--data-dir", str(data))

    def history() -> str:
        code, out, err = run_cli(capsys, "history", "--data-dir", str(data))
        return TRACEBACK if code else terminal_outcome(out + err)
    tally.record("stored names → `impact history`", "history", history)
    for name in names:
        def summary(name=name) -> str:
            code, out, err = run_cli(capsys, "summary", "--org", name, "--data-dir", str(data))
            return terminal_outcome(out + err)
        tally.record("stored names → `impact summary`", name, summary)

    def real_terminal() -> str:  # the CLI's own streams, as a terminal gets them
        done = subprocess.run([sys.executable, "-m", "impact", "history", "--data-dir",
                               str(data)], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
        if "Traceback" in done.stderr:
            return TRACEBACK
        return terminal_outcome(done.stdout + done.stderr)
    tally.record("stored names → `impact history`", "subprocess", real_terminal)


DATA_DIRS = ["file:///nonexistent/impact", "file://otherhost/srv/data", "FILE:relative/x",
             "htps://bucket/x", "ftp://host/data", "http://evil.example/", "gopher://x",
             "/nonexistent/impact-data", "relative/nowhere", "/tmp/a\x00b",
             "file:///tmp/a%00b", "file:///srv/data?x=1", "file:///srv/data#frag", "\x00"]


def bad_data_dirs(tally: Tally, capsys, cwd: Path) -> None:
    for value, command in itertools.product(DATA_DIRS, (["summary"], ["verify"], ["history"])):
        def check(value=value, command=command) -> str:
            before = sorted(cwd.rglob("*"))
            code, out, err = run_cli(capsys, *command, "--data-dir", value)
            if sorted(cwd.rglob("*")) != before:
                return SILENT  # a phantom folder appeared
            return CLEAN if one_line_refusal(code, out, err) else SILENT
        tally.record("bad --data-dir", f"{command[0]} {value}", check)


def damaged_files(tally: Tally, capsys, scratch: Path) -> None:
    """Lost or damaged manifest / history / import log, against the readers and writers."""
    from impact.storage.store import DataStore
    from impact.views.data_quality import import_log

    damage = {
        "manifest lost": lambda d: (d / "manifest.json").unlink(),
        "manifest and history lost": lambda d: ((d / "manifest.json").unlink(),
                                               shutil.rmtree(d / "history")),
        "manifest truncated": lambda d: (d / "manifest.json").write_bytes(
            (d / "manifest.json").read_bytes()[:40]),
        "manifest a list": lambda d: (d / "manifest.json").write_text("[]"),
        "manifest not UTF-8": lambda d: (d / "manifest.json").write_bytes(b"\xff\xfe{"),
        "manifest version -1": lambda d: _edit_manifest(d, version=-1),
        "manifest format 99": lambda d: _edit_manifest(d, format=99),
    }
    commands = [["summary"], ["history"], ["verify"], ["undo"],
                ["delete", "--table", "activities", "--id", "X", "--reason", "r", "--yes"]]
    for (what, hurt), command in itertools.product(damage.items(), commands):
        def check(hurt=hurt, command=command) -> str:
            d = _fresh(scratch)
            hurt(d)
            before = snapshot(d)
            code, out, err = run_cli(capsys, *command, "--data-dir", str(d))
            if snapshot(d) != before:
                return SILENT
            if command == ["verify"]:  # its report: what is wrong, then the verdict line
                return CLEAN if code == 1 and "manifest.json" in err \
                    and "does not match its manifest" in err else SILENT
            return CLEAN if one_line_refusal(code, out, err) else SILENT
        tally.record("damaged manifest", f"{what}: {command[0]}", check)

    history_damage = {"not JSON": b"{broken", "a list": b"[]", "empty": b"",
                      "binary": b"\x00\xff" * 8}
    for (what, raw), command in itertools.product(history_damage.items(),
                                                  (["history"], ["undo"])):
        def check(raw=raw, command=command) -> str:
            d = _fresh(scratch, versions=2)
            bad = d / "history" / "v000001.json"
            bad.write_bytes(raw)
            before = snapshot(d)
            code, out, err = run_cli(capsys, *command, "--data-dir", str(d))
            named = str(bad) in err
            if command == ["history"]:
                # Carries on: the sound versions listed, the damaged one named (exit 1).
                return CLEAN if named and "v2 " in out and snapshot(d) == before else SILENT
            return CLEAN if one_line_refusal(code, out, err) and named \
                and snapshot(d) == before else SILENT
        tally.record("damaged history/ file", f"{what}: {command[0]}", check)

    log_damage = ["{torn", "[1, 2]", "null", "\x00\x00", '{"time": 1', "42"]
    for n, line in enumerate(log_damage):
        def check(line=line) -> str:
            d = _fresh(scratch)
            good = json.dumps({"time": "t", "who": "w", "file": "f.csv", "sha256": "a" * 64,
                               "table": "activities", "rows_added": 1})
            (d / "import_log.jsonl").write_text(f"{good}\n{line}\n{good}\n", encoding="utf-8")
            out = [import_log(DataStore(d), lang) for lang in ("zh", "en")]
            ok = all(len(t.rows) == 2 and "import_log.jsonl" in t.caption and "2" in t.caption
                     for t in out)
            return CLEAN if ok else SILENT
        tally.record("damaged import_log line", f"line {n}: {line!r}", check)


def _edit_manifest(d: Path, **changes) -> None:
    manifest = json.loads((d / "manifest.json").read_text())
    manifest.update(changes)
    (d / "manifest.json").write_text(json.dumps(manifest))


_COUNTER = itertools.count()


def _fresh(scratch: Path, versions: int = 1) -> Path:
    d = scratch / f"d{next(_COUNTER)}"
    shutil.copytree(DEMO, d)
    if versions > 1:
        from datetime import date

        import pyarrow as pa

        from impact.storage import compaction
        from impact.storage.schema import TABLES
        from impact.storage.store import DataStore

        compaction.append(DataStore(d), "activities", pa.Table.from_pylist(
            [{"activity_id": "V2", "date": date(2021, 2, 1), "org": "珠海协作者",
              "project": "p", "program_area": None, "activity_type": None, "sessions": 1,
              "beneficiaries": 1, "volunteers": 0, "volunteer_minutes": 0}],
            schema=TABLES["activities"].arrow_schema))
    return d


PUBLIC_WRITES = [["undo"], ["delete", "--table", "activities", "--id", "X", "--reason", "r"],
                 ["close", "--org", "珠海协作者", "--year", "2020", "--reason", "r"],
                 ["reopen", "--org", "珠海协作者", "--year", "2020", "--reason", "r"],
                 ["restore", "1"], ["gc"],
                 ["import", str(ROOT / "tests" / "fixtures" / "activities_gbk.csv"),
                  "--table", "activities"]]


def public_writes(tally: Tally, capsys, monkeypatch, data: Path) -> None:
    monkeypatch.setenv("IMPACT_MODE", "public")
    try:
        for command in PUBLIC_WRITES:
            def check(command=command) -> str:
                before = snapshot(data)
                code, out, err = run_cli(capsys, *command, "--data-dir", str(data))
                if snapshot(data) != before:
                    return SILENT
                return CLEAN if one_line_refusal(code, out, err) and "public mode" in err \
                    else SILENT
            tally.record("public-mode write", command[0], check)
    finally:
        monkeypatch.delenv("IMPACT_MODE")


HEADER = "活动编号,活动日期,机构名称,项目名称,场次,服务人次,义工人次,志愿服务时长（分钟）"
GOOD = "ADV1,2021-03-05,示例社工中心,社区儿童之家,1,25,3,360"
BAD_FILES = {
    "a cell missing (shift left)": [HEADER, "ADV1,2021-03-05,社区儿童之家,1,25,3,360"],
    "an extra cell (shift right)": [HEADER, "ADV1,2021-03-05,示例社工中心,x,社区儿童之家,1,25,3,360"],
    "date and org swapped": [HEADER, "ADV1,示例社工中心,2021-03-05,社区儿童之家,1,25,3,360"],
    "counts shifted into the name": [HEADER, "ADV1,2021-03-05,25,社区儿童之家,1,x,3,360"],
    "person-times as text": [HEADER, "ADV1,2021-03-05,示例社工中心,社区儿童之家,1,二十五,3,360"],
    "negative count": [HEADER, "ADV1,2021-03-05,示例社工中心,社区儿童之家,1,-25,3,360"],
    "fractional count": [HEADER, "ADV1,2021-03-05,示例社工中心,社区儿童之家,1,2.5,3,360"],
    "ambiguous date": [HEADER, "ADV1,05/03/2021,示例社工中心,社区儿童之家,1,25,3,360"],
    "date in the future": [HEADER, "ADV1,2999-03-05,示例社工中心,社区儿童之家,1,25,3,360"],
    "date before 1950": [HEADER, "ADV1,1900-03-05,示例社工中心,社区儿童之家,1,25,3,360"],
    "impossible date": [HEADER, "ADV1,2021-02-30,示例社工中心,社区儿童之家,1,25,3,360"],
    "RLO in a name": [HEADER, GOOD.replace("示例社工中心", "\u202e示例社工中心")],
    "ESC in a name": [HEADER, GOOD.replace("示例社工中心", "\x1b[2J示例社工中心")],
    "NUL in a name": [HEADER, GOOD.replace("示例社工中心", "示例\x00社工中心")],
    "a header missing": [HEADER.replace(",服务人次", ""), GOOD.replace(",25,", ",")],
    "duplicate header": [HEADER + ",服务人次", GOOD + ",30"],
    "no header row": [GOOD, GOOD.replace("ADV1", "ADV2")],
    "empty file": [""],
    "one id twice with different values": [HEADER, GOOD, GOOD.replace(",25,", ",26,")],
    "a name of 300 characters": [HEADER, GOOD.replace("示例社工中心", "长" * 300)],
    "huge count": [HEADER, GOOD.replace(",25,", ",99999999999999999999,")],
}


def importer_refusals(tally: Tally, capsys, scratch: Path) -> None:
    """Column shifts and formats the importer must refuse: exit ≠ 0, nothing written."""
    target = _fresh(scratch)
    for encoding, (what, lines) in itertools.product(("utf-8", "gbk"), BAD_FILES.items()):
        def check(encoding=encoding, what=what, lines=lines) -> str:
            path = scratch / f"adv{next(_COUNTER)}.csv"
            try:
                path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
            except UnicodeEncodeError:
                path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
            before = snapshot(target)
            code, out, err = run_cli(capsys, "import", str(path), "--table", "activities",
                                     "--data-dir", str(target))
            if snapshot(target) != before:
                return SILENT
            return CLEAN if code != 0 and err.startswith(str(path)) or \
                one_line_refusal(code, out, err) else SILENT
        tally.record("importer must refuse", f"{what} ({encoding})", check)


def test_adversarial_suite(capsys, monkeypatch, tmp_path, request):
    monkeypatch.delenv("IMPACT_MODE", raising=False)
    monkeypatch.setenv("IMPACT_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    tally = Tally()
    names_through_renderers(tally)
    names_in_cli_output(tally, _fresh(tmp_path, versions=2), capsys)
    bad_data_dirs(tally, capsys, cwd)
    damaged_files(tally, capsys, tmp_path)
    public_writes(tally, capsys, monkeypatch, _fresh(tmp_path))
    importer_refusals(tally, capsys, tmp_path)

    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    lines = ["", "adversarial suite (issue 27):", *tally.table(), *tally.bad[:40]]
    if reporter is not None:
        for line in lines:
            reporter.write_line(line)
    else:
        with capsys.disabled():
            print("\n".join(lines))
    assert tally.total() >= 300
    assert (tally.total(SILENT), tally.total(LEAK), tally.total(TRACEBACK)) == (0, 0, 0), \
        tally.bad
