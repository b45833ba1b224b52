"""`init`: make an empty data directory for an organisation's own records."""

from __future__ import annotations

import argparse

NAME = "init"
HELP = "Make an empty data directory for your own records (imports go there, not into the demo)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", metavar="DIR", help="directory to make (new, or empty)")


def run(args: argparse.Namespace) -> int:
    from impact.storage.directory import init_data_dir

    path = init_data_dir(args.dir)
    # The secret behind participants' pseudonymous keys (docs/privacy.md); made once, here.
    from impact.ingest.personal import write_secret
    from impact.storage.store import DataStore
    write_secret(DataStore(path))
    print(f"made an empty data directory {path}\n"
          f"next: impact import FILE --table activities --data-dir {path}\n"
          f"      streamlit run dashboard.py -- --data-dir {path}")
    return 0
