"""`restore V`: commit a new version whose data equals version V."""

from __future__ import annotations

import argparse

from impact.cli import add_data_dir
from impact.config import resolve_data_dir
from impact.storage import versions
from impact.storage.store import DataStore

NAME = "restore"
WRITES = True  # refused in public mode before it runs (impact.cli.main)
HELP = "Make the data equal to an older version again (as a new version)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("version", type=int, metavar="V")
    add_data_dir(parser)
    parser.add_argument("--reason", default="", metavar="TEXT", help="why (recorded)")


def run(args: argparse.Namespace) -> int:
    store = DataStore(resolve_data_dir(args.data_dir))
    manifest = versions.restore(store, args.version, args.reason or f"restore version {args.version}")
    print(f"v{manifest['version']}: data restored to version {args.version}")
    return 0
