"""`python -m impact …`: the command line (see impact/cli.py)."""

from impact.cli import run

run()
