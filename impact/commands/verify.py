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
    parser.add_argument("--report", metavar="FILE",
                        help="check a report (.pdf/.html/.xlsx): are its figures still current?")


def run(args: argparse.Namespace) -> int:
    if args.report:
        return _run_report(args)
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


def _run_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from impact.report.check import check_report

    path = Path(args.report)
    result = check_report(path, resolve_data_dir(args.data_dir))
    made = f"v{result.stamp['version']} (manifest {result.stamp['manifest']})"
    if result.current:
        print(f"{path.name}: current: made from {made}; the data it shows has not changed since "
              f"(now version {result.current_version})")
        return 0
    if result.note:
        print(f"{path.name}: cannot confirm: {result.note}")
        return 1
    print(f"{path.name}: outdated: made from {made}; the data changed since:")
    for r in result.changes:
        print(f"  v{r['version']} {r.get('when', '?')} {r.get('who', '?')} {r['kind']}: "
              f"{r.get('why', '')}")
    if result.figures:
        print("  changed figures (report → now):")
        for name, then, now in result.figures:
            print(f"    {name}: {then} → {now}")
    else:
        print("  the figures of the report's view are the same (the changes were elsewhere)")
        return 0
    return 1
