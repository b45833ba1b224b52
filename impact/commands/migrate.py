"""`migrate`: upgrade a data directory written before issue 15 to the current finance columns."""

from __future__ import annotations

import argparse

from impact.presentation import fmt
from impact.cli import add_data_dir
from impact.config import resolve_data_dir
from impact.storage.migrate import migrate
from impact.storage.store import DataStore

NAME = "migrate"
HELP = ("Upgrade a data directory written before the statutory finance lines: finance's "
        "category becomes line (科目) and source_type (来源类型), as a new version (undo "
        "takes it back); every amount is kept, and what was mapped is printed.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir(parser)


def run(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    result = migrate(DataStore(data_dir))
    if result.current:
        print(f"{data_dir}: already current (finance has line and source_type); nothing to do")
        return 0
    print(f"v{result.version}: finance upgraded in {data_dir}; every amount kept "
          "(totals per organisation, year and flow equal to the fen)")
    for m in result.mapped:
        target = m.line + (f" / {m.source_type}" if m.source_type else "")
        print(f"  {m.flow} {m.category} → {target}: {m.rows:,} rows, "
              f"{fmt.number(m.amount, 'en', places=2)} 元")
    if result.defaulted_restricted:
        print(f"  {result.defaulted_restricted:,} rows had no 限定性: now unrestricted "
              "(the documented default)")
    print("  `impact undo` takes the upgrade back")
    return 0
