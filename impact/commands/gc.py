"""`gc`: remove files no kept version needs (and what crashed commits left behind)."""

from __future__ import annotations

import argparse

from impact.cli import add_data_dir
from impact.config import resolve_data_dir
from impact.storage import retention
from impact.storage.store import DataStore

NAME = "gc"
WRITES = True  # refused in public mode before it runs (impact.cli.main)
HELP = "Remove data files no kept version needs, and stale temporary files."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir(parser)
    parser.add_argument("--keep-versions", type=int, metavar="N",
                        help=f"keep the last N versions restorable "
                             f"(default $IMPACT_KEEP_VERSIONS or {retention.KEEP_VERSIONS})")
    parser.add_argument("--keep-days", type=float, metavar="D",
                        help=f"and every version younger than D days "
                             f"(default $IMPACT_KEEP_DAYS or {retention.KEEP_DAYS})")
    parser.add_argument("--grace", type=float, default=retention.GRACE_S, metavar="SECONDS",
                        help="leave files younger than this (a commit may be writing them)")
    parser.add_argument("--dry-run", action="store_true", help="list, remove nothing")


def run(args: argparse.Namespace) -> int:
    store = DataStore(resolve_data_dir(args.data_dir))
    report = retention.gc(store, grace_s=args.grace, versions=args.keep_versions,
                          days=args.keep_days, dry_run=args.dry_run)
    for rel in report.removed:
        print(f"{'would remove' if args.dry_run else 'removed'} {rel}")
    print(f"gc: {len(report.removed)} files, {report.bytes} bytes"
          f"{' would be' if args.dry_run else ''} freed")
    return 0
