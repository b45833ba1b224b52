"""`demo`: write the demo dataset (deterministic: the same bytes every run)."""

from __future__ import annotations

import argparse

from impact.config import resolve_data_dir
from impact.errors import UsageError

NAME = "demo"
HELP = "Write the demo dataset built from the organisations' published reports."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR", required=True,
                        help="directory to write: new, empty, or demo data (its tables are replaced)")


def run(args: argparse.Namespace) -> int:
    from impact.storage.directory import holds_user_data
    from impact.demo import write_demo

    target = resolve_data_dir(args.data_dir)
    reason = holds_user_data(target)
    if reason:
        raise UsageError(f"--data-dir {target}: {reason}; the demo replaces a directory's "
                         "tables, so it writes only into a new, empty or demo directory")
    counts = write_demo(target)
    parts = ", ".join(f"{n} {t}" for t, n in counts.items())
    print(f"demo data written to {target}: {parts}")
    return 0
