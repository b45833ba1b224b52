"""`template`: write the blank template of a table, as the Data page's 模板 tab offers it.

A refused import points here, so a user whose own layout the importer cannot read always has
a sheet it can.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from impact.errors import UsageError
from impact.ingest.template import template_csv, template_file_name, template_xlsx
from impact.storage.schema import importable_tables

NAME = "template"
HELP = "Write the blank .xlsx (or .csv) template of a table, with its notes sheet."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("table", metavar="TABLE", choices=sorted(importable_tables()),
                        help="table: " + ", ".join(sorted(importable_tables())))
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="headers, examples and notes in Chinese (default) or English")
    parser.add_argument("--out", metavar="PATH",
                        help="file to write (default: the template's own name, e.g. "
                             "收支记录模板.xlsx, in the current directory); .csv writes a CSV")


def run(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else Path(template_file_name(args.table, args.lang, "xlsx"))
    if out.is_dir():
        out = out / template_file_name(args.table, args.lang, "xlsx")
    suffix = out.suffix.casefold()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(f"{out}: write the template as .xlsx or .csv")
    if out.exists():  # never overwrite a sheet someone may have filled in
        raise UsageError(f"{out}: already exists; choose another --out")
    payload = (template_xlsx if suffix == ".xlsx" else template_csv)(args.table, args.lang)
    try:
        out.write_bytes(payload)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write ({exc.strerror or exc})") from None
    print(f"{out}: template of {args.table} ({args.lang}); fill it in, delete the example row, "
          f"and import it with `impact import {out.name} --table {args.table}`", file=sys.stdout)
    return 0
