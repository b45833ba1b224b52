"""`reopen --org X --year Y --reason …`: unlock a closed organisation-year."""

from __future__ import annotations

import argparse

from impact.commands import close

NAME = "reopen"
WRITES = True  # refused in public mode before it runs (impact.cli.main)
HELP = "Reopen a closed organisation-year (with a reason, recorded as a version)."
add_arguments = close.add_arguments


def run(args: argparse.Namespace) -> int:
    return close.run(args, reopen=True)
