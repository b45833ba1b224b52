"""`delete --table T (--id ID … [--org O] | --org O [--project P] [--from D] [--to D])
--reason TEXT`:
remove stored rows, as a new version (the rows stay in the history)."""

from __future__ import annotations

import argparse
import sys
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from impact.cli import add_data_dir
from impact.commands.importer import preview_lines
from impact.config import resolve_data_dir
from impact.errors import UsageError
from impact.storage import edits
from impact.storage.schema import TABLES
from impact.storage.store import DataStore

NAME = "delete"
WRITES = True  # refused in public mode before it runs (impact.cli.main)
HELP = "Delete rows (by id, or by organisation/project/dates) after a preview; undoable."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--table", required=True, choices=sorted(TABLES))
    parser.add_argument("--id", nargs="+", metavar="ID", help="record ids (activity_id / txn_id)")
    parser.add_argument("--org", help="organisation whose rows to delete")
    parser.add_argument("--project", help="only this project")
    parser.add_argument("--from", dest="date_from", type=date.fromisoformat, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", type=date.fromisoformat, metavar="YYYY-MM-DD")
    parser.add_argument("--reason", required=True, metavar="TEXT", help="why (recorded)")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument("--dry-run", action="store_true", help="show what would go, delete nothing")
    add_data_dir(parser)


def selection(args: argparse.Namespace):
    """The mask of rows to delete, from the flags."""
    table = TABLES[args.table]
    if not args.id and not args.org:
        raise UsageError("give --id ID … (with --org if the id is in several organisations) "
                         "or --org (with --project/--from/--to)")
    if args.id and (args.project or args.date_from or args.date_to):
        raise UsageError("--id selects rows by id: --project/--from/--to go with --org alone")
    if args.id and not table.key:
        raise UsageError(f"{args.table} has no id column: select rows with --org …")
    if not args.reason.strip():
        raise UsageError("--reason is required: say why the rows are deleted")

    def mask(data: pa.Table) -> pa.Array:
        if args.id:
            hit = pc.is_in(data[table.key], value_set=pa.array(args.id, pa.string()))
            return pc.and_(hit, pc.equal(data["org"], args.org)) if args.org else hit
        m = pc.equal(data["org"], args.org)
        if args.project:
            m = pc.and_(m, pc.equal(data["project"], args.project))
        when = data["date"] if "date" in data.column_names else None
        for bound, op in ((args.date_from, pc.greater_equal), (args.date_to, pc.less_equal)):
            if bound is not None:
                if when is None:
                    m = pc.and_(m, op(data["year"], bound.year))
                else:
                    m = pc.and_(m, op(when, pa.scalar(bound, pa.date32())))
        return m
    return mask


def refuse_shared_ids(plan, key: str) -> None:
    """Ids are unique within an organisation, not across them: an id two organisations use
    would otherwise be deleted in both (in any year's file), so it must be narrowed with
    --org. Checked on the whole plan, before anything is shown or written."""
    orgs: dict[str, set[str]] = {}
    for change in plan.changes:
        if change.kind == "removed":
            orgs.setdefault(change.old[key], set()).add(change.old["org"])
    shared = {i: sorted(o) for i, o in orgs.items() if len(o) > 1}
    if shared:
        row_id, names = sorted(shared.items())[0]
        raise UsageError(f"id {row_id} is in {len(names)} organisations ({', '.join(names)}): "
                         "add --org to say whose; nothing was deleted")


def run(args: argparse.Namespace) -> int:
    store = DataStore(resolve_data_dir(args.data_dir))
    plan = edits.plan(store, args.table, remove=selection(args))
    if args.id and not args.org:
        refuse_shared_ids(plan, TABLES[args.table].key)
    if plan.empty:
        print("delete: no stored row matches; nothing to do")
        return 0
    for line in preview_lines(plan):
        print(line)
    delta = edits.totals_delta(plan)
    print(f"delete: {plan.count('removed')} {args.table} rows"
          + (f"; totals {', '.join(f'{k} {v}' for k, v in delta.items())}" if delta else ""))
    if args.dry_run:
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError("confirm with --yes (no terminal to ask on)")
        if input("delete these rows? [y/N] ").strip().lower() not in ("y", "yes"):
            print("delete: cancelled, nothing written")
            return 1
    with store.lock():
        manifest = edits.apply(store, plan, record={"kind": "delete", "why": args.reason})
    print(f"committed as version {manifest['version']} (undo: impact undo)")
    return 0
