"""`undo`: commit a new version whose data is as it was before the last data change."""

from __future__ import annotations

import argparse

from impact.cli import add_data_dir
from impact.config import resolve_data_dir
from impact.storage import versions
from impact.storage.store import DataStore

NAME = "undo"
WRITES = True  # refused in public mode before it runs (impact.cli.main)
HELP = "Undo the last data change (as a new version; the undone one stays in the history)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir(parser)
    parser.add_argument("--reason", default="", metavar="TEXT", help="why (recorded)")
    parser.add_argument("--version", type=int, metavar="N",
                        help="the version to undo, as `impact history` lists it (default: the "
                             "last data change now); refused if another change came after it")


def run(args: argparse.Namespace) -> int:
    store = DataStore(resolve_data_dir(args.data_dir))
    # Named now, checked again under the write lock: a change committed in between is
    # refused rather than undone.
    target = args.version if args.version is not None else versions.last_change(store)
    manifest = versions.undo(store, args.reason, version=target)
    record = manifest["commit"]
    print(f"v{manifest['version']}: version {target} undone; data restored to version "
          f"{record['restored']}")
    return 0
