"""Docs as tests: docs/import.md lists every header and category name the importer accepts."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from impact.ingest.headers import display_names
from impact.ingest.values import (EXPENSE_LINE_ALIASES, INCOME_CATEGORY_ALIASES,
                                  INCOME_LINE_ALIASES, SOURCE_ALIASES)
from impact.storage.schema import TABLES

DOC = unicodedata.normalize("NFKC", (Path(__file__).resolve().parent.parent / "docs" /
                                     "import.md").read_text(encoding="utf-8"))


def test_every_accepted_header_is_documented():
    for table in TABLES.values():
        missing = [n for n in display_names(table) if unicodedata.normalize("NFKC", n) not in DOC]
        assert not missing, f"docs/import.md does not list {table.name} header(s) {missing}"


def test_every_line_source_and_old_category_name_is_documented():
    names = [n for n in (*INCOME_LINE_ALIASES, *INCOME_CATEGORY_ALIASES, *EXPENSE_LINE_ALIASES,
                         *SOURCE_ALIASES) if not n.isascii()]
    assert [n for n in names if n not in DOC] == []
