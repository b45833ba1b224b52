"""The downloadable import templates speak the page's language completely (issue 11, point 9):
sheet names, headers, the example row, the notes sheet and its allowed values.

The rule, checked on every text cell of every sheet (read back with openpyxl) and on the CSV:
- English: no CJK character at all (the example row's names are English too).
- Chinese: every run of two or more Latin letters is one of the machine keys the importer
  stores as they are and the dashboard looks up (template.MACHINE_KEYS: target metric and
  indicator keys); any other English word is a defect.
And a filled-in template imports: the example row passes the importer in both languages.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from impact.ingest import check_file
from impact.ingest.template import MACHINE_KEYS, notes_rows, template_csv, template_xlsx
from impact.storage.schema import importable_tables
from impact.storage.store import DataStore

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_]+")


def _texts(payload: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(payload))
    texts = list(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            texts += [v for v in row if isinstance(v, str)]
    return texts


def foreign_words(texts: list[str], lang: str) -> list[str]:
    """The words of `texts` that are not in `lang` (the rule in the module docstring)."""
    if lang == "en":
        return [t for t in texts if CJK.search(t)]
    return [w for t in texts for w in LATIN_WORD.findall(t) if w not in MACHINE_KEYS]


def test_the_language_rule_catches_the_old_bilingual_notes():
    assert foreign_words(["说明 Notes", "必填 required", "staff"], "zh") == ["Notes", "required"]
    assert foreign_words(["Notes", "e.g. 儿童服务"], "en") == ["e.g. 儿童服务"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("table", importable_tables())
def test_xlsx_template_speaks_one_language(table, lang):
    texts = _texts(template_xlsx(table, lang))
    assert len(texts) > 10  # sheet names, headers, example, notes: something was read
    assert not foreign_words(texts, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("table", importable_tables())
def test_csv_template_speaks_one_language(table, lang):
    rows = list(csv.reader(io.StringIO(template_csv(table, lang).decode("utf-8-sig"))))
    assert len(rows) == 2
    assert not foreign_words([c for row in rows for c in row], lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("table", importable_tables())
def test_notes_cover_every_column_in_order(table, lang):
    """One row per header of the sheet to fill in, with a meaning and allowed values."""
    book = load_workbook(io.BytesIO(template_xlsx(table, lang)))
    fill_in, notes = book.worksheets
    header = [c.value for c in fill_in[1]]
    rows = notes_rows(table, lang)
    assert [r[0] for r in rows[1:]] == header
    assert all(r[2] and r[3] for r in rows[1:])
    assert [[c.value for c in r] for r in notes.iter_rows()] == rows


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("table", importable_tables())
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_filled_in_template_imports_cleanly(tmp_path, table, lang, kind):
    payload = (template_xlsx if kind == "xlsx" else template_csv)(table, lang)
    result = check_file(f"template.{kind}", payload, table, DataStore(tmp_path),
                        today=date(2026, 1, 1))
    assert result.ok, (result.header_problems, result.errors)
    assert len(result.new_rows) == 1
