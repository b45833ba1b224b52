"""`history`: the versions of the data, oldest first: who, when, why, what changed."""

from __future__ import annotations

import argparse
import json

from impact.cli import add_data_dir
from impact.config import resolve_data_dir
from impact.storage import versions
from impact.storage.store import DataStore

NAME = "history"
HELP = "List the versions of the data: who, when, why, rows added/changed/removed."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir(parser)
    parser.add_argument("--json", action="store_true", help="print the records as JSON")


def describe_changes(record: dict) -> str:
    parts = []
    for table, c in sorted((record.get("changes") or {}).items()):
        parts.append(f"{table} +{c['added']} ~{c['changed']} -{c['removed']}")
    if record.get("period"):
        parts.append(f"{record['period']['org']} {record['period']['year']}")
    return ", ".join(parts) or "no rows changed"


def run(args: argparse.Namespace) -> int:
    records = versions.history(DataStore(resolve_data_dir(args.data_dir)))
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=1))
        return 0
    for r in records:
        source = f" [{r['input']['name']} {r['input']['sha256'][:12]}]" if r.get("input") else ""
        kept = "" if r["restorable"] else " (files removed by retention)"
        print(f"v{r['version']}  {r.get('when', '?')}  {r.get('who', '?')}  {r.get('kind')}: "
              f"{r.get('why', '')}{source}  ({describe_changes(r)}){kept}")
    return 0
