"""`verify`: check every data file against the manifest (checksum, size, rows, control totals).

Exit 0 when all match; exit 1 naming each file that does not.
"""

from __future__ import annotations

import argparse
import sys

from impact.cli import add_data_dir
from impact.config import resolve_data_dir
from impact.storage.integrity import describe, verify
from impact.storage.store import DataStore

NAME = "verify"
HELP = "Check the data files against the manifest's checksums, row counts and totals."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir(parser)


def run(args: argparse.Namespace) -> int:
    store = DataStore(resolve_data_dir(args.data_dir))
    result = verify(store)
    for problem in result.problems:
        print(f"{result.data_dir}: {describe(problem)}", file=sys.stderr)
    for bad in result.bad_files:
        reasons = "; ".join(describe(p) for p in bad.problems)
        print(f"{store.full_path(bad.path)}: {reasons}", file=sys.stderr)
    if result.bad_files:
        print(f"verify: {len(result.bad_files)} of {len(result.files)} files do not match the "
              f"manifest", file=sys.stderr)
        return 1
    if not result.ok:
        print(f"verify: {result.data_dir} does not match its manifest", file=sys.stderr)
        return 1
    if result.manifest_version is None:
        print(f"verify: nothing committed yet in {result.data_dir}")
        return 0
    print(f"verify: {len(result.files)} files, {result.data_rows} rows match the manifest "
          f"(version {result.manifest_version}) in {result.data_dir}")
    return 0
