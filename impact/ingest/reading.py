"""Read a user's file into a header row and data rows, keeping the row numbers the user sees.

The content decides how a file is read, the name only what is expected: a CSV must be text,
a workbook (.xlsx, .xls, .ods) must be one of the three workbook formats, whichever of them
its bytes are (an .xls renamed .xlsx is read as the .xls it is). Formats: `csvfile` (text,
encodings, quotes), `workbook` (Excel and OpenDocument, with the decompression guard).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from impact.ingest.csvfile import QuotedSpan, decode, parse_csv
from impact.ingest.problems import FileProblem
from impact.ingest.workbook import read_workbook, sheet_names, sniff

__all__ = ["FileProblem", "Sheet", "read_file", "sheet_names", "MAX_BYTES", "MAX_ROWS",
           "TEXT_SUFFIXES", "WORKBOOK_SUFFIXES", "decode"]

MAX_BYTES = 50 * 1024 * 1024  # also stated on the Data page
MAX_ROWS = 1_000_000
TEXT_SUFFIXES = (".csv", ".txt")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass
class Sheet:
    """What was read: headers, data rows as (row number as the user sees it, cells)."""

    headers: list
    rows: list[tuple[int, list]] = field(default_factory=list)
    encoding: str = ""  # CSV only: utf-8, utf-8-sig, gbk, gb18030, utf-16
    sheet_name: str = ""  # workbooks only
    header_row: int = 1
    hidden_sheets: list[str] = field(default_factory=list)  # workbooks: sheets not shown
    sheet_count: int = 0  # workbooks: how many sheets there are


HeaderTest = Callable[[list], bool]
TITLE_ROWS = 10  # how far down a header row is looked for, below a sheet's title lines


def read_file(name: str, payload: bytes, sheet: str | None = None,
              is_header: HeaderTest | None = None) -> Sheet:
    """Read `payload` (the bytes of the file called `name`).

    The header is the first non-blank row that `is_header` accepts within the first rows
    (sheets often start with a title such as "2021年活动统计表"), else the first non-blank row.
    """
    suffix = Path(name).suffix.casefold()
    if suffix not in TEXT_SUFFIXES + WORKBOOK_SUFFIXES:
        raise FileProblem("unknown_format", suffix=suffix or "(none)")
    if len(payload) > MAX_BYTES:
        raise FileProblem("too_large", limit_mb=MAX_BYTES // (1024 * 1024))
    kind = sniff(payload)
    if suffix in TEXT_SUFFIXES:
        if kind != "text":
            raise FileProblem("not_text", suffix=suffix, kind=kind)
        if sheet:
            raise FileProblem("sheet_for_csv")
        text, encoding = decode(payload)
        records, spans, _ = parse_csv(text)
        return _to_sheet(records, is_header, spans, strict_width=True, encoding=encoding)
    if kind not in ("xlsx", "xls", "ods"):
        raise FileProblem("damaged_workbook" if kind == "zip" else "not_workbook",
                          suffix=suffix, kind=kind)
    book = read_workbook(payload, kind, sheet)
    return _to_sheet(book.records, is_header, sheet_name=book.sheet_name,
                     hidden_sheets=book.hidden, sheet_count=book.sheet_count)


def _to_sheet(records: list[list], is_header: HeaderTest | None,
              spans: list[QuotedSpan] = (), strict_width: bool = False, **extra) -> Sheet:
    """Split off the header row (and any title rows above it); blank rows carry no data and
    are dropped. Row numbers stay those of the file.

    `strict_width` (CSV): a row with more cells than the header line is refused even when
    the extra cells are empty. An unquoted thousands separator (…,1,000,) splits one number
    into two cells and shifts every later one: ¥1,000 would be stored as ¥1.00. A workbook
    cell cannot split, so its empty trailing cells are just formatting."""
    numbered = [(i + 1, r) for i, r in enumerate(records) if not _blank(r)]
    if not numbered:
        raise FileProblem("empty")
    start = next((i for i, (_, cells) in enumerate(numbered[:TITLE_ROWS])
                  if is_header and is_header(list(cells))), 0)
    (header_row, headers), data = numbered[start], numbered[start + 1:]
    width = len(headers)
    while width and _blank(headers[width - 1:width]):
        width -= 1  # trailing empty header cells: Excel leaves them after a deleted column
    _check_quotes(spans, headers, width)
    if not data:
        raise FileProblem("no_rows")
    if len(data) > MAX_ROWS:
        raise FileProblem("too_many_rows", limit=MAX_ROWS)
    rows = []
    for number, cells in data:
        cells = list(cells)
        if strict_width and len(cells) > len(headers):
            raise FileProblem("shifted_cells", row=number, cells=len(cells),
                              width=len(headers), example=_split_number(cells))
        if len(cells) > width and not _blank(cells[width:]):
            raise FileProblem("extra_cells", row=number, width=width)
        rows.append((number, (cells + [None] * width)[:width]))
    return Sheet(headers=list(headers[:width]), rows=rows, header_row=header_row, **extra)


def _split_number(cells: list) -> str:
    """The first pair of cells that reads as one number split at a thousands comma
    ("1" then "000"), joined again for the message; else a generic example."""
    for left, right in zip(cells, cells[1:]):
        a, b = str(left or "").strip(), str(right or "").strip()
        if a.isdigit() and len(a) <= 3 and len(b) == 3 and b.isdigit():
            return f"{a},{b}"
    return "1,000"


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _check_quotes(spans: list[QuotedSpan], headers: list, width: int) -> None:
    """Refuse a quote that swallowed rows, naming the row where it opened."""
    for span in spans:
        if span.holds_rows(width):
            column = (str(headers[span.field]).strip() if span.field < len(headers)
                      and headers[span.field] is not None else f"#{span.field + 1}")
            raise FileProblem("unclosed_quote", row=span.record + 1, column=column,
                              line=span.line)


