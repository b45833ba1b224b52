"""`diff V1 V2`: the records that differ between two versions, field by field."""

from __future__ import annotations

import argparse

from impact.cli import add_data_dir
from impact.config import resolve_data_dir
from impact.storage import versions
from impact.storage.store import DataStore

NAME = "diff"
HELP = "Show what changed between two versions (rows added, changed, removed; totals)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("v1", type=int, metavar="V1")
    parser.add_argument("v2", type=int, metavar="V2")
    add_data_dir(parser)
    parser.add_argument("--limit", type=int, default=50, help="rows shown per table (50)")


def _show(value) -> str:
    return "∅" if value is None else str(value)


def run(args: argparse.Namespace) -> int:
    store = DataStore(resolve_data_dir(args.data_dir))
    result = versions.diff(store, args.v1, args.v2, args.limit)
    if not result["counts"]:
        print(f"v{args.v1} → v{args.v2}: the data is the same")
    for table, c in result["counts"].items():
        print(f"{table}: {c['added']} added, {c['changed']} changed, {c['removed']} removed")
        for row in result["rows"].get(table, []):
            key = "/".join(_show(v) for v in row["key"].values())
            if row["change"] == "changed":
                fields = "; ".join(f"{k}: {_show(o)} → {_show(n)}" for k, (o, n) in row["fields"].items())
            else:
                fields = ""
            print(f"  {row['change']:8} {key}  {fields}".rstrip())
    before, after = result["totals"]
    moved = [f"{k} {before[k]} → {after[k]}" for k in before if before[k] != after[k]]
    if moved:
        print("totals: " + "; ".join(moved))
    return 0
