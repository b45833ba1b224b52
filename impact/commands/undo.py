"""`undo`: commit a new version whose data is as it was before the last data change."""

from __future__ import annotations

import argparse

from impact.cli import add_data_dir
from impact.config import resolve_data_dir
from impact.storage import versions
from impact.storage.store import DataStore

NAME = "undo"
HELP = "Undo the last data change (as a new version; the undone one stays in the history)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir(parser)
    parser.add_argument("--reason", default="", metavar="TEXT", help="why (recorded)")


def run(args: argparse.Namespace) -> int:
    manifest = versions.undo(DataStore(resolve_data_dir(args.data_dir)), args.reason)
    record = manifest["commit"]
    print(f"v{manifest['version']}: data restored to version {record['restored']}")
    return 0
