"""`history`: the versions of the data, oldest first: who, when, why, what changed."""

from __future__ import annotations

import argparse
import json
import sys

from impact.cli import add_data_dir
from impact.config import resolve_data_dir
from impact.presentation.safetext import terminal_text
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
    records = versions.history(DataStore(resolve_data_dir(args.data_dir)), skip_damaged=True)
    damaged = [r for r in records if r.get("damaged")]
    for r in damaged:  # the sound versions are still listed; each unreadable one is named
        print(terminal_text(f"warning: version {r['version']} not listed: {r['damaged']}"),
              file=sys.stderr)
    records = [r for r in records if not r.get("damaged")]
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=1))
        return 1 if damaged else 0
    for r in records:
        source = f" [{r['input']['name']} {r['input']['sha256'][:12]}]" if r.get("input") else ""
        kept = "" if r["restorable"] else " (files removed by retention)"
        # who, why, the file name and period names are stored text: the terminal rule
        # keeps an ESC sequence or U+202E in them from acting on the reader's terminal.
        print(terminal_text(
            f"v{r['version']}  {r.get('when', '?')}  {r.get('who', '?')}  {r.get('kind')}: "
            f"{r.get('why', '')}{source}  ({describe_changes(r)}){kept}"))
    return 1 if damaged else 0
