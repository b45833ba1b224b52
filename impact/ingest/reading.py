"""Read a user's file into a header row and data rows, keeping the row numbers the user sees.

The content decides how a file is read, the name only what is expected: a CSV must be text,
a workbook (.xlsx, .xls, .ods) must be one of the three workbook formats, whichever of them
its bytes are (an .xls renamed .xlsx is read as the .xls it is). Formats: `csvfile` (text,
encodings, quotes), `workbook` (Excel and OpenDocument, with the decompression guard).
"""

from __future__ import annotations

import bisect
import itertools
import pickle
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from impact.ingest.csvfile import QuotedSpan, decode, decoded_lines, detect_encoding, stream_csv
from impact.ingest.problems import FileProblem
from impact.ingest.workbook import read_workbook, sheet_names, sniff

__all__ = ["FileProblem", "Sheet", "RawRows", "read_file", "open_file", "sheet_names", "MAX_BYTES", "MAX_ROWS",
           "TEXT_SUFFIXES", "WORKBOOK_SUFFIXES", "decode"]

MAX_BYTES = 50 * 1024 * 1024  # also stated on the Data page
MAX_ROWS = 1_000_000
TEXT_SUFFIXES = (".csv", ".txt")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


class RawRows(Sequence):
    """The data rows as read — (row number as the user sees it, cells) — held compactly:
    each chunk of rows pickled and compressed, a few bytes a row instead of a list of Python
    strings (a million rows: a few MB, not a GB). Rows are rebuilt when read (rejects,
    preview), a chunk at a time."""

    CHUNK = 10_000

    def __init__(self, rows: Iterable[tuple[int, list]] = ()):
        self._chunks: list[bytes] = []  # each a compressed pickle of (number, cells) rows
        self._starts: list[int] = []
        self._count = 0
        self._pending: list[tuple[int, list]] = []
        for row in rows:
            self.append(row)

    def append(self, row: tuple[int, list]) -> None:
        self._pending.append(row)
        if len(self._pending) >= self.CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        self._starts.append(self._count)
        self._count += len(rows)
        # Pickled and compressed: a chunk of 10,000 rows of text is ~300 KB as Python
        # objects' bytes, ~60 KB compressed (a million rows: tens of MB → a few).
        self._chunks.append(zlib.compress(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL),
                                          1))

    @staticmethod
    def _rows(chunk) -> list[tuple[int, list]]:
        return pickle.loads(zlib.decompress(chunk))

    def close(self) -> None:
        """No more rows: the last ones are made compact too."""
        self._flush()

    def __len__(self) -> int:
        return self._count + len(self._pending)

    def __iter__(self) -> Iterator[tuple[int, list]]:
        for chunk in self._chunks:
            yield from self._rows(chunk)
        yield from list(self._pending)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step == 1:
                return list(itertools.islice(iter(self), start, max(start, stop)))
            return [self[i] for i in range(start, stop, step)]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index >= self._count:
            return self._pending[index - self._count]
        k = bisect.bisect_right(self._starts, index) - 1
        return self._rows(self._chunks[k])[index - self._starts[k]]

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def __repr__(self) -> str:
        return f"RawRows({len(self)} rows)"


@dataclass
class Sheet:
    """What was read: headers, data rows as (row number as the user sees it, cells).

    `open_file` leaves `rows` empty and hands the data rows out once, one at a time, from
    `stream` (a big CSV is never held as lists of cells); `check_file` keeps them in `rows`
    (RawRows, compact) as it goes. `read_file` reads them all into `rows`."""

    headers: list
    rows: Sequence[tuple[int, list]] = field(default_factory=list)
    encoding: str = ""  # CSV only: utf-8, utf-8-sig, gbk, gb18030, utf-16
    sheet_name: str = ""  # workbooks only
    header_row: int = 1
    hidden_sheets: list[str] = field(default_factory=list)  # workbooks: sheets not shown
    sheet_count: int = 0  # workbooks: how many sheets there are
    stream: Iterator[tuple[int, list]] | None = field(default=None, repr=False, compare=False)
    expected_rows: int = field(default=0, repr=False, compare=False)  # for progress: about


HeaderTest = Callable[[list], bool]
TITLE_ROWS = 10  # how far down a header row is looked for, below a sheet's title lines


def read_file(name: str, payload: bytes, sheet: str | None = None,
              is_header: HeaderTest | None = None) -> Sheet:
    """Read `payload` (the bytes of the file called `name`), every row into `rows`.

    The header is the first non-blank row that `is_header` accepts within the first rows
    (sheets often start with a title such as "2021年活动统计表"), else the first non-blank row.
    """
    out = open_file(name, payload, sheet, is_header)
    out.rows = list(out.stream)
    out.stream = None
    return out


def open_file(name: str, payload: bytes, sheet: str | None = None,
              is_header: HeaderTest | None = None) -> Sheet:
    """As `read_file`, but the data rows come one at a time from `Sheet.stream` (checked as
    they come: a problem of the file as a whole raises FileProblem from the stream)."""
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
        encoding = detect_encoding(payload)
        return _open_sheet(stream_csv(decoded_lines(payload, encoding)), is_header,
                           strict_width=True, encoding=encoding,
                           expected_rows=payload.count(b"\n"))
    if kind not in ("xlsx", "xls", "ods"):
        raise FileProblem("damaged_workbook" if kind == "zip" else "not_workbook",
                          suffix=suffix, kind=kind)
    book = read_workbook(payload, kind, sheet)
    return _open_sheet(((r, ()) for r in book.records), is_header,
                       sheet_name=book.sheet_name, hidden_sheets=book.hidden,
                       sheet_count=book.sheet_count, expected_rows=len(book.records))


def _open_sheet(records: Iterable[tuple[list, list[QuotedSpan]]],
                is_header: HeaderTest | None, strict_width: bool = False, **extra) -> Sheet:
    """Split off the header row (and any title rows above it); blank rows carry no data and
    are dropped. Row numbers stay those of the file.

    `strict_width` (CSV): a row with more cells than the header line is refused even when
    the extra cells are empty. An unquoted thousands separator (…,1,000,) splits one number
    into two cells and shifts every later one: ¥1,000 would be stored as ¥1.00. A workbook
    cell cannot split, so its empty trailing cells are just formatting."""
    records = iter(records)
    head, spans = [], []  # the first non-blank rows, where the header is looked for
    for number, (cells, record_spans) in enumerate(records, 1):
        spans += record_spans
        if not _blank(cells):
            head.append((number, cells))
            if len(head) == TITLE_ROWS:
                break
    if not head:
        raise FileProblem("empty")
    start = next((i for i, (_, cells) in enumerate(head)
                  if is_header and is_header(list(cells))), 0)
    (header_row, headers), data = head[start], head[start + 1:]
    width = len(headers)
    while width and _blank(headers[width - 1:width]):
        width -= 1  # trailing empty header cells: Excel leaves them after a deleted column
    _check_quotes(spans, headers, width)
    after = head[-1][0] if head else 0
    return Sheet(headers=list(headers[:width]), header_row=header_row,
                 stream=_data_rows(data, records, after, headers, width, strict_width),
                 **extra)


def _data_rows(data: list, records: Iterator, after: int, headers: list, width: int,
               strict_width: bool) -> Iterator[tuple[int, list]]:
    """The data rows, each checked for a swallowing quote and for its width as it comes."""
    count = 0

    def checked(number: int, cells) -> tuple[int, list]:
        nonlocal count
        count += 1
        if count > MAX_ROWS:
            raise FileProblem("too_many_rows", limit=MAX_ROWS)
        cells = list(cells)
        if strict_width and len(cells) > len(headers):
            raise FileProblem("shifted_cells", row=number, cells=len(cells),
                              width=len(headers), example=_split_number(cells))
        if len(cells) > width and not _blank(cells[width:]):
            raise FileProblem("extra_cells", row=number, width=width)
        return number, (cells + [None] * width)[:width]

    for number, cells in data:
        yield checked(number, cells)
    for number, (cells, record_spans) in enumerate(records, after + 1):
        _check_quotes(record_spans, headers, width)
        if not _blank(cells):
            yield checked(number, cells)
    if not count:
        raise FileProblem("no_rows")


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


