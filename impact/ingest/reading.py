"""Read a user's file into a header row and data rows, keeping the row numbers the user sees.

CSV encodings are detected by strict decoding — never with replacement characters — and a
GBK/GB18030 decoding is accepted only when the text looks like Chinese written in GB2312's
common characters; otherwise the user is told to save as UTF-8 rather than given mojibake.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from impact.errors import ImpactError

MAX_BYTES = 50 * 1024 * 1024  # also stated on the Data page
MAX_ROWS = 1_000_000


class FileProblem(ImpactError):
    """The file as a whole cannot be read: wrong format, encoding, sheet, or no data."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(code)


@dataclass
class Sheet:
    """What was read: headers, data rows as (row number as the user sees it, cells)."""

    headers: list
    rows: list[tuple[int, list]] = field(default_factory=list)
    encoding: str = ""  # CSV only: utf-8, utf-8-sig, gbk, gb18030, utf-16
    sheet_name: str = ""  # xlsx only
    header_row: int = 1


HeaderTest = Callable[[list], bool]
TITLE_ROWS = 10  # how far down a header row is looked for, below a sheet's title lines


def read_file(name: str, payload: bytes, sheet: str | None = None,
              is_header: HeaderTest | None = None) -> Sheet:
    """Dispatch on the file name's extension; `payload` is the file's bytes.

    The header is the first non-blank row that `is_header` accepts within the first rows
    (sheets often start with a title such as "2021年活动统计表"), else the first non-blank row.
    """
    suffix = Path(name).suffix.casefold()
    if len(payload) > MAX_BYTES:
        raise FileProblem("too_large", limit_mb=MAX_BYTES // (1024 * 1024))
    if suffix in (".csv", ".txt"):
        if sheet:
            raise FileProblem("sheet_for_csv")
        return read_csv(payload, is_header)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(payload, sheet, is_header)
    if suffix == ".xls":
        raise FileProblem("old_excel")
    raise FileProblem("unknown_format", suffix=suffix or "(none)")


# -- CSV -------------------------------------------------------------------------------------
def decode(payload: bytes) -> tuple[str, str]:
    """(text, encoding name). Raises FileProblem("encoding") rather than guess wrong."""
    if payload.startswith(b"\xef\xbb\xbf"):
        return _strict(payload[3:], "utf-8", "utf-8-sig"), "utf-8-sig"
    if payload.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(payload, "utf-16", "utf-16"), "utf-16"
    try:
        return payload.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = payload.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise FileProblem("encoding", offset=exc.start) from None
    if not _looks_like_gb_chinese(text, payload):
        raise FileProblem("encoding_doubtful")
    try:
        payload.decode("gbk")
        return text, "gbk"
    except UnicodeDecodeError:
        return text, "gb18030"


def _strict(payload: bytes, codec: str, name: str) -> str:
    try:
        return payload.decode(codec)
    except UnicodeDecodeError as exc:
        raise FileProblem("encoding_broken", encoding=name, offset=exc.start) from None


def _looks_like_gb_chinese(text: str, payload: bytes) -> bool:
    """Is a strict GB18030 decoding the right reading, not a lucky one?

    Text from a wrong guess is full of private-use code points or of rare characters outside
    GB2312 (Big5, Shift-JIS read as GBK); EUC-KR bytes even read as common GB2312 characters,
    so a statistical detector (charset-normalizer) must also find GB at least as plausible as
    any other encoding.
    """
    chars = set(text)  # distinct characters: a big file repeats the same few hundred
    if all(ord(c) < 0x80 for c in chars):
        return True
    han = 0
    rare = 0
    for char in chars:
        if 0xE000 <= ord(char) <= 0xF8FF or 0x80 <= ord(char) <= 0x9F:
            return False
        if unicodedata.category(char) == "Lo":
            han += 1
            try:
                char.encode("gb2312")
            except UnicodeEncodeError:
                rare += 1
    if rare > max(2, han // 5):
        return False
    return _gb_is_most_plausible(payload)


def _gb_is_most_plausible(payload: bytes) -> bool:
    from charset_normalizer import from_bytes

    sample = payload[:_SAMPLE]
    if len(payload) > _SAMPLE and b"\n" in sample:
        sample = sample[:sample.rindex(b"\n") + 1]  # 0x0A is never inside a GBK character
    matches = list(from_bytes(sample))
    gb = [m.chaos for m in matches if m.encoding in ("gb18030", "gbk", "gb2312")]
    return bool(gb) and min(gb) <= min(m.chaos for m in matches)


_SAMPLE = 256 * 1024


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(payload: bytes, is_header: HeaderTest | None = None) -> Sheet:
    text, encoding = decode(payload)
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""),
                        delimiter=_sniff_delimiter(first))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise FileProblem("csv_syntax", line=reader.line_num, detail=str(exc)) from None
    return _to_sheet(records, is_header, encoding=encoding)


def _to_sheet(records: list[list], is_header: HeaderTest | None, **extra) -> Sheet:
    """Split off the header row (and any title rows above it); blank rows carry no data and
    are dropped. Row numbers stay those of the file."""
    numbered = [(i + 1, r) for i, r in enumerate(records) if not _blank(r)]
    if not numbered:
        raise FileProblem("empty")
    start = next((i for i, (_, cells) in enumerate(numbered[:TITLE_ROWS])
                  if is_header and is_header(list(cells))), 0)
    (header_row, headers), data = numbered[start], numbered[start + 1:]
    width = len(headers)
    while width and _blank(headers[width - 1:width]):
        width -= 1  # trailing empty header cells: Excel leaves them after a deleted column
    if not data:
        raise FileProblem("no_rows")
    if len(data) > MAX_ROWS:
        raise FileProblem("too_many_rows", limit=MAX_ROWS)
    rows = []
    for number, cells in data:
        cells = list(cells)
        if len(cells) > width and not _blank(cells[width:]):
            raise FileProblem("extra_cells", row=number, width=width)
        rows.append((number, (cells + [None] * width)[:width]))
    return Sheet(headers=list(headers[:width]), rows=rows, header_row=header_row, **extra)


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


# -- Excel -----------------------------------------------------------------------------------
def read_xlsx(payload: bytes, sheet: str | None, is_header: HeaderTest | None = None) -> Sheet:
    from openpyxl import load_workbook  # slow to import; only needed for Excel files

    try:
        book = load_workbook(io.BytesIO(payload), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem("bad_xlsx", detail=str(exc).splitlines()[0] if str(exc) else "") from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise FileProblem("no_sheet", sheet=sheet, sheets="、".join(book.sheetnames))
        records = [list(r) for r in ws.iter_rows(values_only=True)]
        return _to_sheet(records, is_header, sheet_name=ws.title)
    finally:
        book.close()


def sheet_names(payload: bytes) -> list[str]:
    """The workbook's sheet names, for the Data page's sheet choice ([] if unreadable)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(payload), read_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return []
    try:
        return list(book.sheetnames)
    finally:
        book.close()
