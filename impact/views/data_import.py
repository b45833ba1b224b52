"""The Data page's import preview: what a checked file would add, and each error on its row."""

from __future__ import annotations

from dataclasses import dataclass, field

from impact.presentation.i18n import t
from impact.ingest import ImportCheck
from impact.ingest.values import clean_text
from impact.ingest.headers import is_personal
from impact.ingest.mappings import IGNORE, fields
from impact.ingest.messages import (field_words, header_message, notice_lines, overlap_message,
                                    row_message, row_reason, totals_line, visible)
from impact.storage.schema import TABLES, importable_tables

PREVIEW_ROWS = 1000  # enough to scroll through
SHOWN_ERRORS = 200  # listed on the page; all of them are in the errors download


@dataclass
class ImportPreview:
    """A verdict line, the problems, and the file's rows with a status and reasons each."""

    summary: str
    blocked: bool  # header problems: nothing can be imported until the file is fixed
    header_problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the first SHOWN_ERRORS
    error_count: int = 0  # all of them
    columns: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    new_rows: int = 0
    rejected_rows: int = 0
    # What the dry run understood: header row, each column's meaning, ignored columns, the
    # skipped totals row, the organisation given, the totals the new rows add.
    notes: list[str] = field(default_factory=list)

    def can_commit(self, skip_invalid: bool) -> bool:
        """New rows to write, and no error (or the user chose to skip the invalid rows)."""
        return not self.blocked and self.new_rows > 0 and (skip_invalid or not self.error_count)


def preview(check: ImportCheck, lang: str) -> ImportPreview:
    """The model of a checked upload."""
    table_name = t(f"data.table.{check.table}", lang)
    if check.header_problems:
        problems = [header_message(p, lang) for p in check.header_problems]
        return ImportPreview(t("data.preview.blocked", lang, file=check.file_name),
                             blocked=True, header_problems=problems)
    if check.overlaps:  # a corrected copy of stored records without ids: replace, never add
        problems = [overlap_message(org, overlap, lang) for org, overlap in check.overlaps.items()]
        return ImportPreview(t("data.preview.overlap", lang, file=check.file_name),
                             blocked=True, header_problems=problems)
    summary = t("data.preview.summary", lang, file=check.file_name, table=table_name,
                read=check.rows_read, new=len(check.new_rows), duplicates=check.duplicates,
                rejected=len(check.rejected_rows))
    if check.sheet.encoding:
        summary += t("data.preview.encoding", lang, encoding=check.sheet.encoding)
    summary += sheet_note(check, lang)
    columns, rows = _rows(check, lang)
    notes = notice_lines(check, lang)
    if check.new_rows and totals_line(check, lang):
        notes.append(totals_line(check, lang))
    return ImportPreview(
        notes=notes,
        summary=summary,
        blocked=False,
        errors=[row_message(e, lang) for e in check.errors[:SHOWN_ERRORS]],
        error_count=len(check.errors),
        columns=columns, rows=rows, new_rows=len(check.new_rows),
        rejected_rows=len(check.rejected_rows))


def sheet_note(check: ImportCheck, lang: str) -> str:
    """Which sheet of a workbook was read, when it had several (and which were hidden)."""
    sheet = check.sheet
    if not sheet or sheet.sheet_count <= 1:
        return ""
    text = t("data.preview.sheet", lang, sheet=visible(sheet.sheet_name))
    if sheet.hidden_sheets:
        text += t("data.preview.hidden", lang,
                  hidden=t("data.list_sep", lang).join(visible(n) for n in sheet.hidden_sheets))
    return text


def _rows(check: ImportCheck, lang: str) -> tuple[list[str], list[dict]]:
    """The first PREVIEW_ROWS rows, rows with errors first, with their status and reasons
    (only the rows shown are built: a file may have a million)."""
    reasons: dict[int, list[str]] = {}
    for e in check.errors:
        if len(reasons) >= PREVIEW_ROWS and e.row not in reasons:
            continue
        reasons.setdefault(e.row, []).append(f"{visible(e.column)}: {row_reason(e, lang)}")
    new = {r.row for r in check.new_rows}
    totals = {number for number, _ in check.totals_rows}  # skipped, not "already stored"
    row_label, status_label, errors_label = (t("data.preview.row", lang),
                                             t("data.preview.status", lang),
                                             t("data.preview.errors", lang))
    headers = [visible(str(h).strip()) for h in check.sheet.headers]
    with_errors = [(n, c) for n, c in check.sheet.rows if n in reasons][:PREVIEW_ROWS]
    others = [] if len(with_errors) >= PREVIEW_ROWS else [
        (n, c) for n, c in check.sheet.rows[:PREVIEW_ROWS * 2] if n not in reasons]
    out = []
    for number, cells in (with_errors + others)[:PREVIEW_ROWS]:
        status = ("error" if number in reasons else "new" if number in new
                  else "total" if number in totals else "duplicate")
        row = {row_label: number, status_label: t(f"data.status.{status}", lang),
               errors_label: "; ".join(reasons.get(number, []))}
        row.update({h: _show(c) for h, c in zip(headers, cells)})
        out.append(row)
    return [row_label, status_label, errors_label, *headers], out


def _show(value) -> str:
    return visible(clean_text(value))


@dataclass
class MappingQuestion:
    """One column of the file the importer does not know: what it may be mapped to."""

    header: str  # as in the file
    label: str  # shown (escaped control characters)
    options: list[str]  # "" (not chosen yet), the table's fields, "ignore"
    example: str  # the first few values of the column


CHOOSE = ""


def mapping_questions(check: ImportCheck) -> list[MappingQuestion]:
    """The columns to map before the file can be read: unknown ones, and name / phone / ID
    columns (which may only be ignored). Empty when every column is known."""
    asked = [p.header for p in check.header_problems
             if p.code in ("unknown_column", "personal_data")]
    if not asked or check.sheet is None:
        return []
    headers = [str(h).strip() if h is not None else "" for h in check.sheet.headers]
    everything = [CHOOSE] + fields(check.table)
    out = []
    for header in asked:
        pos = headers.index(header) if header in headers else None
        values = [] if pos is None else [clean_text(c) for _, c in check.sheet.rows[:20]
                                         if pos < len(c) and clean_text(c)]
        example = " | ".join(visible(v) for v in list(dict.fromkeys(values))[:3])
        out.append(MappingQuestion(header, visible(header),
                                   [CHOOSE, IGNORE] if is_personal(header) else everything,
                                   example))
    return out


def option_words(table: str, option: str, lang: str) -> str:
    """A mapping choice in words ("受益人次" / "person-times served")."""
    if option == CHOOSE:
        return t("data.field.choose", lang)
    return field_words(table, option, lang)


def needs_org(check: ImportCheck) -> bool:
    """The file has no organisation column (and the table has one): the page asks for it."""
    return any(p.code == "missing_column" and p.header.endswith("(org)")
               for p in check.header_problems)


def table_choices() -> list[str]:
    return importable_tables()
