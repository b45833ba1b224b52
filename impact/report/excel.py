"""The Excel workbook: one sheet per table, headers in the report's language, numbers as
numbers (money with two decimals, exact: Decimal is written digit for digit, never via float),
plus the summary paragraph and a sheet with the definitions and the report's scope."""

from __future__ import annotations

import io
import json
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from impact.presentation.i18n import t
from impact.report import labels
from impact.report.about import definitions, scope
from impact.report.content import ReportContent
from impact.report.labels import HOURS, INT, MONEY, PCT, PCT_PLACES, VALUE
from impact.report.claims import check
from impact.report.narrative import disclosure, narrative
from impact.presentation.safetext import spreadsheet_cell
from impact.report.sections import all_tables
from impact.report.tables import ReportTable, cell_kind

NUMBER_FORMATS = {INT: "#,##0", MONEY: "#,##0.00", PCT: "0.00", VALUE: "#,##0.####",
                  HOURS: "#,##0.00"}
HEADER_FILL = PatternFill("solid", fgColor="E3F0EF")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _write_rows(ws, header: list[str], rows: list[list],
                formats: list[list[str | None]] | None = None) -> None:
    ws.append([_text(h) for h in header])
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = BOLD, HEADER_FILL
    for values, fmts in zip(rows, formats or [[]] * len(rows)):
        ws.append([_cell_value(v) for v in values])
        for cell, number_format in zip(ws[ws.max_row], fmts):
            if number_format and cell.value is not None:
                cell.number_format = number_format
    ws.freeze_panes = "A2"


def _widths(ws, minimum: int = 8, maximum: int = 60) -> None:
    """Column widths that fit the content (a CJK character is about two Latin ones wide)."""
    for idx, column in enumerate(ws.iter_cols(values_only=True), start=1):
        longest = max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(v)) for v in column
                       if v is not None), default=minimum)
        ws.column_dimensions[get_column_letter(idx)].width = min(max(longest + 2, minimum),
                                                                 maximum)


def _cell_value(value, kind: str = ""):
    """Numbers stay numbers (int or exact Decimal); a year is a number too. Text is made safe
    for a spreadsheet: formula starts neutralised, and characters an XLSX cannot hold (NUL
    and other C0 controls, which made openpyxl raise) shown as U+FFFD."""
    if isinstance(value, Decimal) and kind == PCT:
        # A percentage is exact until it is shown (metrics.percent); the sheet shows the
        # printed report's figure, rounded once to its places (20.24%).
        return value.quantize(Decimal(1).scaleb(-PCT_PLACES), ROUND_HALF_UP)
    if isinstance(value, (int, Decimal)) or value is None:
        return value
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", spreadsheet_cell(str(value)))


def _text(value) -> str:
    return _cell_value(str(value))


def _table_sheet(wb: Workbook, table: ReportTable, lang: str) -> None:
    ws = wb.create_sheet(t(f"report.sheet.{table.name}", lang)[:31])  # our own words
    rows, formats = [], []
    for row in table.rows:
        kinds = [cell_kind(c, row) for c in table.columns]
        rows.append([_cell_value(v, k) if v is not None or not table.none_text
                     else table.none_text for v, k in zip(table.cells(row), kinds)])
        formats.append([None if c.key in ("year", "month") else NUMBER_FORMATS.get(k)
                        for c, k in zip(table.columns, kinds)])
    _write_rows(ws, table.headers(lang), rows, formats)
    _widths(ws)


def _narrative_sheet(wb: Workbook, content: ReportContent) -> None:
    lang = content.lang
    ws = wb.create_sheet(t("report.sheet.narrative", lang)[:31])
    ws["A1"] = _text(labels.title(content.filters, content.orgs, lang))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A3"] = _text(narrative(content))
    ws["A3"].alignment = WRAP
    ws.column_dimensions["A"].width = 110
    ws.row_dimensions[3].height = 15 * (len(ws["A3"].value) // 55 + 2)
    row = 5
    if content.demo:
        ws.cell(row, 1, _text(t("report.demo_notice", lang))).alignment = WRAP
        ws.row_dimensions[row].height = 45
        row += 2
    note = disclosure(content)
    if note:
        ws.cell(row, 1, t("disclosure.title", lang)).font = Font(bold=True)
        ws.cell(row + 1, 1, _text(note)).alignment = WRAP
        ws.row_dimensions[row + 1].height = 15 * (len(note) // 55 + 2)
        row += 3
    if content.draft.strip():
        findings = check(content.draft, content)
        ws.cell(row, 1, t("report.section.claims", lang)).font = Font(bold=True)
        ws.cell(row + 1, 1, t("report.claims.intro" if findings else "report.claims.none",
                              lang))
        for offset, finding in enumerate(findings, start=2):
            cell = ws.cell(row + offset, 1, f"“{finding.claim}”: {finding.message}")
            cell.alignment = WRAP


def _about_sheet(wb: Workbook, content: ReportContent) -> None:
    lang = content.lang
    ws = wb.create_sheet(t("report.sheet.about", lang)[:31])
    _write_rows(ws, [labels.column("setting", lang), labels.column("setting_value", lang)],
                [list(pair) for pair in scope(content)])
    ws.append([])
    _write_rows(ws, [labels.column("term", lang), labels.column("definition", lang)],
                [list(pair) for pair in definitions(content)])
    ws.freeze_panes = None
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 100
    for row in ws.iter_rows(min_col=2, max_col=2):
        row[0].alignment = WRAP


def workbook_bytes(content: ReportContent) -> bytes:
    """The report as an .xlsx file's bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    _narrative_sheet(wb, content)
    for table in all_tables(content):
        _table_sheet(wb, table, content.lang)
    _about_sheet(wb, content)
    wb.properties.title = _text(labels.title(content.filters, content.orgs, content.lang))
    wb.properties.creator = "Impact Dashboard"
    # The stamp, machine-readable, for `impact verify --report` (impact.report.stamp).
    wb.properties.keywords = json.dumps(content.stamp, ensure_ascii=False, sort_keys=True)
    sink = io.BytesIO()
    wb.save(sink)
    return sink.getvalue()
