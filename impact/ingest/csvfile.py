"""Read CSV text: detect the encoding, parse, and find a quote that opens and never closes.

Encodings are detected by strict decoding — never with replacement characters — and a
GBK/GB18030 decoding is accepted only when the text looks like Chinese written in GB2312's
common characters; otherwise the user is told to save as UTF-8 rather than given mojibake.

An unbalanced quote (`2021-03-05,"社区儿童之家,1,20` with no closing `"`) makes a CSV parser
read every following line into one cell: rows vanish without an error. `QuotedSpan`s record
each cell that spans lines, so the reader can refuse one that holds what look like whole rows.
"""

from __future__ import annotations

import csv
import io
import itertools
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Iterator

from impact.ingest.problems import FileProblem

_SAMPLE = 256 * 1024


def decode(payload: bytes) -> tuple[str, str]:
    """(text, encoding name). Raises FileProblem rather than guess wrong."""
    if payload.startswith(b"\xef\xbb\xbf"):
        return _after_bom(payload), "utf-8-sig"
    if payload.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(payload, "utf-16", "utf-16", 0), "utf-16"
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


def _after_bom(payload: bytes) -> str:
    """UTF-8 after a BOM. A BOM followed by GBK text happens when a GBK file is pasted into an
    editor that saves "UTF-8 with BOM" byte by byte: say so, rather than "invalid byte"."""
    try:
        return payload[3:].decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            text = payload[3:].decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None and _looks_like_gb_chinese(text, payload[3:]):
            raise FileProblem("bom_then_gbk") from None
        raise FileProblem("encoding_broken", encoding="utf-8-sig",
                          offset=exc.start + 3) from None


def _strict(payload: bytes, codec: str, name: str, skip: int) -> str:
    try:
        return payload.decode(codec)
    except UnicodeDecodeError as exc:
        raise FileProblem("encoding_broken", encoding=name, offset=exc.start + skip) from None


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


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


@dataclass(frozen=True)
class QuotedSpan:
    """A cell that spans lines (or whose quote is still open at the end of the file)."""

    record: int  # 0-based index of the record (= the row Excel shows, minus 1)
    field: int  # 0-based column position
    line: int  # the file's line where the record starts
    first: int  # delimiters on the record's first physical line
    inner: int  # the most delimiters on one line strictly inside the cell
    last: int  # delimiters on the record's last physical line
    unclosed: bool  # the file ends inside the quote

    def holds_rows(self, width: int) -> bool:
        """Does the cell hold what looks like whole rows (or run to the end of the file)?

        A legitimate cell with a line break (an address, a note) splits one row over two
        lines, so its first and last lines share one row's delimiters. A quote that swallowed
        rows leaves a whole row's worth on a line inside the cell, or on both the first line
        (the row where the quote opened) and the last (a row whose own quote closed it).
        """
        if self.unclosed:
            return True
        whole = width - 1
        return width >= 3 and (self.inner >= whole or (self.first >= whole
                                                       and self.last >= whole))


def detect_encoding(payload: bytes) -> str:
    """The payload's encoding, checked over the whole file as `decode` does; the text made
    for the check is dropped again, so a big file is decoded line by line (`decoded_lines`)."""
    return decode(payload)[1]


def decoded_lines(payload: bytes, encoding: str) -> Iterator[str]:
    """The payload's text line by line (line ends kept, as `io.StringIO(text, newline="")`
    gives them), without a second copy of the whole text in memory."""
    codec = {"utf-8-sig": "utf-8-sig", "utf-16": "utf-16"}.get(encoding, encoding)
    return io.TextIOWrapper(io.BytesIO(payload), encoding=codec, newline="")


class _Lines:
    """The text's physical lines, keeping those of the record being parsed."""

    def __init__(self, lines: Iterable[str]):
        self._lines = iter(lines)
        self.current: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.current.append(line)
        return line


def stream_csv(lines: Iterable[str]) -> Iterator[tuple[list[str], list[QuotedSpan]]]:
    """The records one at a time, each with its cells that span lines (the last one also
    with a quote still open at the end of the file). Only one record's lines are held."""
    lines = iter(lines)
    first = next(lines, "").lstrip("\ufeff")
    delimiter = sniff_delimiter(first.split("\n", 1)[0])
    source = _Lines(itertools.chain([first], lines))
    reader = csv.reader(source, delimiter=delimiter)
    pending = None
    index, start_line = 0, 1
    try:
        for record in reader:
            spans = (_spans(index, record, start_line, delimiter)
                     if reader.line_num > start_line else [])  # this record took several lines
            raw, source.current = source.current, []
            if pending is not None:
                yield pending[0], pending[1]
            pending = (record, spans, raw, start_line)
            index += 1
            start_line = reader.line_num + 1
    except csv.Error as exc:
        raise FileProblem("csv_syntax", line=reader.line_num, detail=str(exc)) from None
    if pending is not None:
        record, spans, raw, line = pending
        if _ends_inside_quote("".join(raw), delimiter):
            spans = spans + [QuotedSpan(index - 1, len(record) - 1, line, 0, 0, 0, True)]
        yield record, spans


def parse_csv(text: str) -> tuple[list[list[str]], list[QuotedSpan], str]:
    """(records, cells spanning lines, delimiter) of a whole text."""
    text = text.lstrip("\ufeff")
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    records, spans = [], []
    for record, record_spans in stream_csv(io.StringIO(text, newline="")):
        records.append(record)
        spans += record_spans
    return records, spans, delimiter


def _spans(index: int, record: list[str], line: int, delimiter: str) -> list[QuotedSpan]:
    """The record's cells holding a line break, with the delimiters on their lines (the
    cells before the first line's part and after the last line's part count too)."""
    out = []
    for position, cell in enumerate(record):
        parts = cell.splitlines()
        if len(parts) < 2:
            continue
        inner = max((p.count(delimiter) for p in parts[1:-1]), default=0)
        first = position + parts[0].count(delimiter)
        last = parts[-1].count(delimiter) + len(record) - 1 - position
        out.append(QuotedSpan(index, position, line, first, inner, last, False))
    return out


def _ends_inside_quote(tail: str, delimiter: str) -> bool:
    """Does the file end inside a quoted cell? Only the strict parser says so (the lenient one
    silently closes it), and only the last record needs the second look."""
    try:
        for _ in csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False
