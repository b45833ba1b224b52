"""Read spreadsheet workbooks: .xlsx with openpyxl, .xls and .ods with python-calamine.

Why two readers: openpyxl streams an .xlsx sheet row by row and lets us see a formula cell
that has no computed value (a file saved by a script, never opened in Excel), which calamine
cannot tell from an empty cell. Calamine reads the old binary .xls and LibreOffice/WPS .ods,
which openpyxl cannot read at all. Both give cells of the same Python types (str, int,
float, bool, date, datetime, time), so the same validation applies to every format.

Calamine runs in a child process under a memory limit (`calamine_child`): a damaged .xls can
make it abort the process it runs in, which must not be the dashboard's server.

Damaged and hostile files: every XML part is parsed with entity expansion refused
(openpyxl uses defusedxml when it is installed; we require it), and before any parser
runs, a zip's declared sizes are checked and each sheet's rows and cells are counted while
its XML streams through zlib, so a small file that unpacks to millions of rows is refused
in seconds and in a few megabytes of memory. Any other failure inside a workbook is one
line, "this workbook is damaged", never a traceback.
"""

from __future__ import annotations

import io
import pickle
import re
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from dataclasses import dataclass, field
from datetime import datetime

from impact.ingest.problems import FileProblem
from impact.ingest.values import Month, Uncalculated

# Excel's own maximum rows per sheet: a sheet with more was not saved by a spreadsheet program.
MAX_SHEET_ROWS = 1_048_576
MAX_CELLS = 30_000_000  # ~1M rows of 30 columns
MAX_UNPACKED = 1024 * 1024 * 1024  # all parts together, as the zip declares them
MAX_SMALL_PART = 64 * 1024 * 1024  # workbook.xml, styles.xml, relationships …
_CHUNK = 1024 * 1024

OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # the container of .xls (and of encrypted Office files)
# Files people pick by mistake: PDF, PNG, JPEG, GIF, gzip, 7-Zip, RAR.
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"7z\xbc\xaf",
                 b"Rar!")


def sniff(payload: bytes) -> str:
    """What the bytes are, whatever the file is called: xlsx, ods, zip, xls, text or binary."""
    if payload.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(payload)).namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            return "zip"
        if "mimetype" in names and "content.xml" in names:
            return "ods"
        if "[Content_Types].xml" in names or "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    if payload.startswith(OLE2_MAGIC):
        return "xls"
    if payload.startswith(_BINARY_MAGIC):
        return "binary"
    head = payload[:8192]
    if payload.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") * 10 <= len(head):
        return "text"  # a stray NUL in a cell is text (the cell is refused, and says why)
    return "binary"


@dataclass
class Book:
    """One sheet's records, plus what the user should be told about the other sheets."""

    records: list[list]
    sheet_name: str
    hidden: list[str] = field(default_factory=list)
    sheet_count: int = 1


def read_workbook(payload: bytes, kind: str, sheet: str | None) -> Book:
    if kind == "xlsx":
        from openpyxl.xml import DEFUSEDXML

        if not DEFUSEDXML:  # never parse a workbook with entity expansion on
            raise RuntimeError("defusedxml is required to read .xlsx files (requirements.txt)")
        archive = _guarded_zip(payload, sheet_part=re.compile(r"xl/worksheets/[^/]+\.xml"),
                               strings_part="xl/sharedStrings.xml")
        return _damaged_if_unreadable(lambda: _read_xlsx(archive, sheet))
    if kind == "ods":
        _guarded_zip(payload, sheet_part=re.compile(r"content\.xml"), strings_part=None)
    return _damaged_if_unreadable(lambda: _read_calamine(payload, kind, sheet))


def _damaged_if_unreadable(read):
    """Run a reader; anything but our own verdict means a damaged file (openpyxl and calamine
    raise whatever their parsers meet: ParseError, KeyError, TypeError, EntitiesForbidden …)."""
    try:
        return read()
    except FileProblem:
        raise
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - see the docstring: a third-party parser's failure
        raise FileProblem("damaged_workbook") from None


# -- the zip guard ---------------------------------------------------------------------------
def _guarded_zip(payload: bytes, *, sheet_part: re.Pattern, strings_part: str | None
                 ) -> zipfile.ZipFile:
    """Open the zip after checking its declared sizes and counting rows in its sheets.

    Python's zipfile never inflates a member beyond its declared size (it stops, and the
    CRC check fails), so the declared sizes bound what any later reader of this archive sees.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise FileProblem("damaged_workbook") from None
    if sum(m.file_size for m in members) > MAX_UNPACKED:
        raise FileProblem("unpacked_too_large", limit_mb=MAX_UNPACKED // (1024 * 1024))
    try:
        for member in members:
            if sheet_part.fullmatch(member.filename):
                _count_rows(archive, member)
            elif member.filename.casefold() == (strings_part or "").casefold():
                _count(archive, member, _STRING_TAGS, MAX_CELLS, "too_many_cells")
            elif member.file_size > MAX_SMALL_PART and member.filename.endswith((".xml",
                                                                                  ".rels")):
                raise FileProblem("unpacked_too_large",
                                  limit_mb=MAX_SMALL_PART // (1024 * 1024))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError,
            RuntimeError):  # RuntimeError: an encrypted member
        raise FileProblem("damaged_workbook") from None  # bad CRC, cut-off or odd compression
    return archive


# Tags counted with bytes.count, which runs at memory speed (a regex would take seconds on a
# 400 MB sheet). Counting a few unrelated tags (<rowBreaks>) only errs on the safe side.
_ROW_TAGS = (b"<row", b":row", b"-row ", b"-row>")  # <row>, <x:row>, <table:table-row>
_CELL_TAGS = (b"<c", b":c ", b"-cell")  # <c>, <x:c>, <table:table-cell>
_STRING_TAGS = (b"<si", b":si")


def _tags(data: bytes, tags: tuple[bytes, ...], end: int) -> int:
    return sum(data.count(tag, 0, end) for tag in tags)


_REPEATED = re.compile(rb"number-(rows|columns)-repeated=\"(\d+)\"")
_HAS_VALUE = re.compile(rb"value-type=|<text:p[\s>]")
_ROW_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?table-row>")


def _count_rows(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Count a sheet's rows and cells as its XML streams by; stop at the first excess.

    In .ods one element can stand for many rows or cells (`number-rows-repeated`). Repeats
    count in full, except for an empty one: LibreOffice ends every sheet with a million empty
    repeated rows, which no reader expands.
    """
    counts = [0, 0]  # rows, cells
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            cut = max(0, len(data) - 4096)  # a tag split across chunks is counted once
            _count_part(data, cut, counts)
            tail = data[cut:]
    _count_part(tail, len(tail), counts)


def _count_part(data: bytes, end: int, counts: list[int]) -> None:
    counts[0] += _tags(data, _ROW_TAGS, end)
    counts[1] += _tags(data, _CELL_TAGS, end)
    for match in _REPEATED.finditer(data, 0, end):
        extra = int(match.group(2)) - 1
        if extra > 100 and not _repeats_a_value(data, match):
            continue
        counts[0 if match.group(1) == b"rows" else 1] += extra
    if counts[0] > MAX_SHEET_ROWS:
        raise FileProblem("too_many_rows", limit=MAX_SHEET_ROWS)
    if counts[1] > MAX_CELLS:
        raise FileProblem("too_many_cells", limit=MAX_CELLS)


def _repeats_a_value(data: bytes, match: re.Match) -> bool:
    """Does the repeated element (up to the end of its row) hold a value? When its row does
    not end within the buffer, assume it does: counting too much is the safe side."""
    end = _ROW_END.search(data, match.end())
    if end is None:
        return True
    return _HAS_VALUE.search(data, match.end(), end.start()) is not None


def _count(archive, member, tags: tuple[bytes, ...], limit: int, code: str) -> None:
    found = 0
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            cut = max(0, len(data) - 64)
            found += _tags(data, tags, cut)
            tail = data[cut:]
            if found > limit:
                raise FileProblem(code, limit=limit)


# -- .xlsx with openpyxl ---------------------------------------------------------------------
def _read_xlsx(archive: zipfile.ZipFile, sheet: str | None) -> Book:
    from openpyxl import load_workbook  # slow to import; only needed for Excel files

    book = load_workbook(archive.fp, read_only=True, data_only=True)
    try:
        states = [(ws.title, getattr(ws, "sheet_state", "visible")) for ws in book.worksheets]
        name = _choose(states, sheet)
        ws = book[name]
        records = _xlsx_records(book, ws)
    finally:
        book.close()
    return Book(records, name, [n for n, s in states if s != "visible"], len(states))


def _choose(states: list[tuple[str, str]], sheet: str | None) -> str:
    """The named sheet, else the first visible one (what Excel shows on opening the file)."""
    names = [n for n, _ in states]
    if not names:
        raise FileProblem("empty")
    if sheet is not None:
        if sheet not in names:
            raise FileProblem("no_sheet", sheet=sheet, sheets="、".join(names))
        return sheet
    return next((n for n, s in states if s == "visible"), names[0])


def _number_format(book, style_id: int) -> str:
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    try:
        fmt_id = book._cell_styles[style_id].numFmtId
    except (IndexError, AttributeError):
        return ""
    if fmt_id in BUILTIN_FORMATS:
        return BUILTIN_FORMATS[fmt_id]
    try:
        return book._number_formats[fmt_id - 164]
    except (IndexError, AttributeError):
        return ""


def _shows_month_only(book, style_id: int) -> bool:
    """Is a date cell's number format a month without a day (yyyy"年"m"月", yyyy-mm, mmm-yy)?
    Quoted text, escapes and [colour/locale] sections are not format codes."""
    fmt = _number_format(book, style_id).split(";")[0]
    codes = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", fmt).casefold()
    return "y" in codes and "m" in codes and not any(c in codes for c in "dhs")


def _xlsx_records(book, ws) -> list[list]:
    """The sheet's rows as lists of cell values, at their Excel row numbers (gaps are [])."""
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        """openpyxl's streaming parser, telling a formula without a computed value (no <v>,
        or an empty one where a number belongs: what openpyxl itself writes) from an empty
        cell; a formula's computed empty text (t="str", <v></v>) stays empty."""

        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if isinstance(cell["value"], datetime) and _shows_month_only(
                    book, cell.get("style_id", 0)):
                day = cell["value"]  # the sheet shows 2023年3月: a month, not its first day
                cell["value"] = Month(day.year, day.month, 1)
            if cell["value"] is None:
                formula = element.find(FORMULA_TAG)
                computed = element.find(VALUE_TAG)
                if formula is not None and (computed is None or element.get("t", "n") in (
                        "n", "b", "d", "e")):
                    cell["value"] = Uncalculated("=" + (formula.text or "…"))
            return cell

    records: list[list] = []
    with ws._get_source() as source:  # openpyxl 3.1 (pinned): the sheet's XML stream
        parser = Parser(source, ws._shared_strings, data_only=True, epoch=book.epoch,
                        date_formats=book._date_formats,
                        timedelta_formats=book._timedelta_formats)
        for number, cells in parser.parse():
            if number > MAX_SHEET_ROWS:
                raise FileProblem("too_many_rows", limit=MAX_SHEET_ROWS)
            records.extend([] for _ in range(number - 1 - len(records)))
            row: list = []
            for cell in cells:
                column = cell["column"]
                if column > len(row):
                    row.extend([None] * (column - 1 - len(row)))
                    row.append(cell["value"])
                else:
                    row[column - 1] = cell["value"]
            records.append(row)
    return records


# -- .xls and .ods with calamine, in a child process -----------------------------------------
_CHILD = Path(__file__).with_name("calamine_child.py")
CHILD_TIMEOUT = 300  # seconds; a 50 MB .xls takes a few


def _calamine(payload: bytes, kind: str, sheet: str | None, names_only: bool = False) -> tuple:
    """Run calamine_child.py on the payload; its verdict, or FileProblem if it died (a
    damaged file can make calamine abort the process that runs it)."""
    try:
        proc = subprocess.run([sys.executable, "-I", str(_CHILD)],
                              input=pickle.dumps((payload, sheet, names_only)),
                              capture_output=True, timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise FileProblem("damaged_workbook") from None
    if proc.returncode != 0 or not proc.stdout:
        raise FileProblem("old_excel" if kind == "xls" else "damaged_workbook")
    result = pickle.loads(proc.stdout)  # our own child's output, not the user's bytes
    if result[0] == "error":
        raise FileProblem("old_excel" if kind == "xls" else "damaged_workbook")
    if result[0] == "empty":
        raise FileProblem("empty")
    if result[0] == "no_sheet":
        raise FileProblem("no_sheet", sheet=sheet, sheets="、".join(result[1]))
    return result


def _read_calamine(payload: bytes, kind: str, sheet: str | None) -> Book:
    if kind == "xls" and "EncryptedPackage".encode("utf-16-le") in payload:
        raise FileProblem("encrypted")  # a password-protected .xlsx travels in this container
    _, states, name, records = _calamine(payload, kind, sheet)
    if len(records) > MAX_SHEET_ROWS:
        raise FileProblem("too_many_rows", limit=MAX_SHEET_ROWS)
    return Book(records, name, [n for n, s in states if s != "visible"], len(states))


def sheet_names(payload: bytes) -> list[str]:
    """The workbook's sheet names for the Data page's sheet choice, visible sheets first (so
    the default is the sheet an import reads without --sheet); [] if unreadable."""
    kind = sniff(payload)
    try:
        if kind == "xlsx":
            states = _xlsx_sheet_states(payload)
        elif kind in ("xls", "ods"):
            if kind == "ods":
                _guarded_zip(payload, sheet_part=re.compile(r"content\.xml"), strings_part=None)
            states = _calamine(payload, kind, None, names_only=True)[1]
        else:
            return []
    except Exception:  # noqa: BLE001 - the import itself reports what is wrong with the file
        return []
    return [n for n, s in states if s == "visible"] + [n for n, s in states if s != "visible"]


def _xlsx_sheet_states(payload: bytes) -> list[tuple[str, str]]:
    """Read from workbook.xml alone (with entities refused), not by opening the workbook."""
    from defusedxml.ElementTree import fromstring

    archive = zipfile.ZipFile(io.BytesIO(payload))
    info = archive.getinfo("xl/workbook.xml")
    if info.file_size > MAX_SMALL_PART:
        return []
    root = fromstring(archive.read(info))
    return [(el.get("name"), el.get("state", "visible")) for el in root.iter()
            if el.tag.endswith("}sheet") and el.get("name")]
