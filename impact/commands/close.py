"""`close --org X --year Y --reason …`: lock an organisation-year against changes."""

from __future__ import annotations

import argparse

from impact.cli import add_data_dir
from impact.config import resolve_data_dir
from impact.storage import versions
from impact.storage.store import DataStore

NAME = "close"
WRITES = True  # refused in public mode before it runs (impact.cli.main)
HELP = "Close an organisation-year (已关账): imports, updates and deletes touching it are refused."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--org", required=True)
    parser.add_argument("--year", required=True, type=int)
    parser.add_argument("--reason", required=True, metavar="TEXT")
    add_data_dir(parser)


def run(args: argparse.Namespace, *, reopen: bool = False) -> int:
    store = DataStore(resolve_data_dir(args.data_dir))
    manifest = versions.close(store, args.org, args.year, args.reason, reopen=reopen)
    state = "reopened (未关账)" if reopen else "closed (已关账)"
    print(f"v{manifest['version']}: {args.org} {args.year} {state}")
    return 0
