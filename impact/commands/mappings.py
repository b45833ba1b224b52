"""`mappings`: the saved column mappings of a data directory (made on the Data page, used by
`import` automatically when a file's headers are a mapping's, or by `import --mapping NAME`)."""

from __future__ import annotations

import argparse
import json
import sys

from impact.cli import add_data_dir
from impact.config import resolve_data_dir
from impact.ingest.mappings import IGNORE, MappingProblem, list_mappings
from impact.ingest.messages import mapping_message, visible
from impact.storage.store import DataStore

NAME = "mappings"
HELP = "List the saved column mappings: name, table, and each source header → field."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir(parser)
    parser.add_argument("--json", action="store_true", help="print the mappings as JSON")


def run(args: argparse.Namespace) -> int:
    store = DataStore(resolve_data_dir(args.data_dir))
    try:
        found = list_mappings(store)
    except MappingProblem as problem:
        print(f"{store.url or store.root}: {mapping_message(problem)}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps([json.loads(m.to_json()) for m in found], ensure_ascii=False, indent=1))
        return 0
    if not found:
        print(f"no saved mappings in {store.url or store.root}")
        return 0
    for m in found:
        ignored = [h for h, f in m.columns.items() if f == IGNORE]
        print(f"{visible(m.name)}  ({m.table}, {len(m.headers)} columns"
              + (f", {len(ignored)} ignored" if ignored else "") + ")")
        for header, field in m.columns.items():
            print(f"  {visible(header)} → {field}")
    return 0
