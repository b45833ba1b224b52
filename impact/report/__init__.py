"""The annual report pack: one selection (organisations, period, language) as a PDF,
a self-contained HTML page or an Excel workbook, with a drafted summary paragraph.

    content = gather(db, filters, lang)      # every figure and table, once (content.py)
    data = build(content, "pdf")             # bytes of the chosen format
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from impact.errors import UsageError
from impact.presentation.filenames import selection_stem
from impact.report.content import ReportContent, gather
from impact.report.narrative import narrative

FORMATS = ("pdf", "html", "xlsx")
MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

__all__ = ["FORMATS", "MEDIA_TYPES", "ReportContent", "build", "format_of", "gather",
           "narrative", "file_name", "Built"]


@dataclass(frozen=True)
class Built:
    """A built report: its bytes, format, and how long each step took (seconds)."""

    data: bytes
    fmt: str
    timings: dict


def format_of(path: str | Path) -> str:
    """The report format a file name asks for, or a usage error naming the ones we make."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix == "htm":
        suffix = "html"
    if suffix not in FORMATS:
        shown = Path(path).suffix or "no extension"
        raise UsageError(f"{path}: cannot write a report as {shown}; "
                         f"use .pdf, .html or .xlsx")
    return suffix


def build(content: ReportContent, fmt: str) -> Built:
    """The report in format `fmt` (pdf, html or xlsx)."""
    from impact.report import labels

    started = time.perf_counter()
    timings: dict[str, float] = {}
    if fmt == "xlsx":
        from impact.report.excel import workbook_bytes

        data = workbook_bytes(content)
    else:
        from impact.report.html import render_html

        if fmt == "pdf":
            from impact.report.pdf import warm_up

            warm_up()  # Chromium starts while kaleido draws the charts (two cores)
        html = render_html(content)
        timings["html"] = time.perf_counter() - started
        data = html.encode("utf-8")
        if fmt == "pdf":
            from impact.report.pdf import html_to_pdf

            mark = time.perf_counter()
            data = html_to_pdf(html, labels.title(content.filters, content.orgs, content.lang),
                               content.lang)
            timings["pdf"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return Built(data, fmt, timings)


def file_name(content: ReportContent, fmt: str) -> str:
    """A download name that says what the file is: 珠海协作者_2020_zh.pdf."""
    return f"{selection_stem(content.orgs, content.filters)}_{content.lang}.{fmt}"
