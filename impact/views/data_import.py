"""The Data page's import preview: what a checked file would add, and each error on its row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from impact.i18n import t
from impact.ingest import ImportCheck
from impact.ingest.messages import header_message, row_message, row_reason
from impact.storage.schema import TABLES, importable_tables

PREVIEW_ROWS = 1000  # enough to scroll through; the error list below is always complete


@dataclass
class ImportPreview:
    """A verdict line, the problems, and the file's rows with a status and reasons each."""

    summary: str
    blocked: bool  # header problems: nothing can be imported until the file is fixed
    header_problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    new_rows: int = 0
    rejected_rows: int = 0

    def can_commit(self, skip_invalid: bool) -> bool:
        """New rows to write, and no error (or the user chose to skip the invalid rows)."""
        return not self.blocked and self.new_rows > 0 and (skip_invalid or not self.errors)


def preview(check: ImportCheck, lang: str) -> ImportPreview:
    """The model of a checked upload."""
    table_name = t(f"data.table.{check.table}", lang)
    if check.header_problems:
        problems = [header_message(p, lang) for p in check.header_problems]
        return ImportPreview(t("data.preview.blocked", lang, file=check.file_name),
                             blocked=True, header_problems=problems)
    summary = t("data.preview.summary", lang, file=check.file_name, table=table_name,
                read=check.rows_read, new=len(check.new_rows), duplicates=check.duplicates,
                rejected=len(check.rejected_rows))
    if check.sheet.encoding:
        summary += t("data.preview.encoding", lang, encoding=check.sheet.encoding)
    columns, rows = _rows(check, lang)
    return ImportPreview(
        summary=summary,
        blocked=False,
        errors=[row_message(e, lang) for e in check.errors],
        columns=columns, rows=rows, new_rows=len(check.new_rows),
        rejected_rows=len(check.rejected_rows))


def _rows(check: ImportCheck, lang: str) -> tuple[list[str], list[dict]]:
    """The file's rows, rows with errors first, each with its status and reasons."""
    reasons: dict[int, list[str]] = {}
    for e in check.errors:
        reasons.setdefault(e.row, []).append(f"{e.column}: {row_reason(e, lang)}")
    new = {r.row for r in check.new_rows}
    row_label, status_label, errors_label = (t("data.preview.row", lang),
                                             t("data.preview.status", lang),
                                             t("data.preview.errors", lang))
    headers = [str(h).strip() for h in check.sheet.headers]
    out = []
    for number, cells in check.sheet.rows:
        status = ("error" if number in reasons else "new" if number in new else "duplicate")
        row = {row_label: number, status_label: t(f"data.status.{status}", lang),
               errors_label: "; ".join(reasons.get(number, []))}
        row.update({h: _show(c) for h, c in zip(headers, cells)})
        out.append(row)
    out.sort(key=lambda r: (r[errors_label] == "", r[row_label]))
    return [row_label, status_label, errors_label, *headers], out[:PREVIEW_ROWS]


def _show(value) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def table_choices() -> list[str]:
    return importable_tables()
