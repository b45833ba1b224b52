"""Render import problems as text a user can act on, in Chinese or English.

The texts live in `impact/locales/<lang>/data.json` (keys `data.err.*`, `data.file.*`,
`data.header.*`), so the command line, the Data page and the rejects file say the same thing.
"""

from __future__ import annotations

from impact.i18n import t
from impact.ingest.headers import HeaderProblem
from impact.ingest.reading import FileProblem
from impact.ingest.rows import RowError


def row_reason(error: RowError, lang: str = "en") -> str:
    """Why the cell was refused, without the row/column (e.g. for a column in a table)."""
    return t(f"data.err.{error.code}", lang, **error.params)


def row_message(error: RowError, lang: str = "en") -> str:
    """'row 5, column 受益人次: "-3" — a count cannot be negative'."""
    return t("data.row_error", lang, row=error.row, column=error.column,
             value=error.value, reason=row_reason(error, lang))


def header_message(problem: HeaderProblem, lang: str = "en") -> str:
    text = t(f"data.header.{problem.code}", lang, header=problem.header, other=problem.other)
    if problem.suggestion:
        text += t("data.header.suggest", lang, suggestion=problem.suggestion)
    return text


def file_message(problem: FileProblem, lang: str = "en") -> str:
    return t(f"data.file.{problem.code}", lang, **problem.params)
