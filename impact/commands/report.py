"""`report`: the annual report pack for organisations and a period, as PDF, HTML or Excel."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from impact.cli import add_data_dir
from impact.commands.summary import add_filter_arguments, filters_from_args
from impact.errors import UsageError
from impact.presentation.i18n import LANGS

NAME = "report"
HELP = ("Write the annual report (title page, headline figures with year-over-year change, "
        "charts, tables, drafted summary) as .pdf, .html or .xlsx.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_filter_arguments(parser)
    add_data_dir(parser)
    parser.add_argument("--out", required=True, metavar="FILE",
                        help="file to write; its extension picks the format: .pdf, .html, .xlsx")
    parser.add_argument("--lang", choices=LANGS, default="zh", help="report language (default zh)")
    parser.add_argument("--funder", metavar="NAME",
                        help="the funder report instead: what this funder's grants delivered "
                             "(资助成效) in the selected years, e.g. --funder 乐购 --year 2020")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="build N times and print each build's timings (the first is "
                             "cold, the others run with the browsers warm); writes the last")


def check_writable(path: Path) -> None:
    """Refuse before any work is done when the file could not be written."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"{path}: is a directory; give a file name such as report.pdf")
    if not folder.is_dir():
        raise UsageError(f"{path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{path}: cannot write in folder {folder} (permission denied)")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{path}: file exists and is not writable")


def run(args: argparse.Namespace) -> int:
    from impact.storage.db import Database
    from impact.report import build, format_of, gather
    from impact.report.browser import shutdown
    from impact.domain.selection import check_names
    from impact.storage.store import atomic_write_bytes

    out = Path(args.out).expanduser()
    fmt = format_of(out)
    check_writable(out)
    if args.repeat < 1:
        raise UsageError(f"--repeat {args.repeat}: give at least 1")
    filters = filters_from_args(args)
    db = Database(args.data_dir)
    check_names(db, filters)
    if args.funder is not None:
        return _funder_report(db, filters, args, out, fmt)
    try:
        for attempt in range(1, args.repeat + 1):
            content = gather(db, filters, args.lang)
            built = build(content, fmt)
            if args.repeat > 1:
                print(f"build {attempt} ({'cold' if attempt == 1 else 'warm'}): "
                      + _timings(built.timings), file=sys.stderr)
    finally:
        shutdown()  # close the browsers while the interpreter is still whole
    try:
        atomic_write_bytes(out.resolve(), built.data)  # a reader never sees half a file
    except OSError as exc:
        raise UsageError(f"{out}: cannot write ({exc.strerror})") from None
    if not content.has_data:
        print(f"note: no activity or finance records for this selection; "
              f"the report says so", file=sys.stderr)
    print(f"wrote {out} ({len(built.data) / 1024:.0f} KB; {_timings(built.timings)})")
    return 0


def _funder_report(db, filters, args, out: Path, fmt: str) -> int:
    from impact.report import funder
    from impact.report.browser import shutdown
    from impact.storage.store import atomic_write_bytes

    funder.check_funder(db, filters, args.funder)
    try:
        data = funder.build(db, filters, args.funder, args.lang, fmt)
    finally:
        shutdown()
    try:
        atomic_write_bytes(out.resolve(), data)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write ({exc.strerror})") from None
    print(f"wrote {out} ({len(data) / 1024:.0f} KB; funder report for {args.funder})")
    return 0


def _timings(timings: dict) -> str:
    return ", ".join(f"{step} {seconds:.2f} s" for step, seconds in timings.items())
