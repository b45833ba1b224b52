"""The command line: `python -m impact <command>`. Each command lives in impact/commands/.

User errors print one line on stderr and exit non-zero, never a traceback:
exit 1 for bad data or a failed check, exit 2 for a bad flag or usage.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from impact.errors import ImpactError, UsageError

# Module names under impact.commands; each has NAME, HELP, add_arguments(parser), run(args).
COMMANDS = ("init", "summary", "demo", "importer", "verify", "bench", "report", "rollup",
            "history", "diff", "undo", "restore", "gc", "close", "reopen", "delete", "hashpw",
            "link", "migrate", "template", "mappings", "user")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as argparse does, but without the usage dump
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m impact",
                     description="Impact Dashboard: impact figures of social-work NGOs.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        module = importlib.import_module(f"impact.commands.{name}")
        cmd = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run, _writes=getattr(module, "WRITES", False))
    return parser


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    """`--data-dir DIR` for a command that reads or adds to an existing data directory: a
    directory that does not exist is refused before the command runs (never made silently)."""
    parser.add_argument("--data-dir", metavar="DIR",
                        help="data directory (default: $IMPACT_DATA_DIR, else the bundled "
                             "demo data beside dashboard.py, which imports never change: make "
                             "your own with `impact init DIR`)")
    parser.set_defaults(_existing_data_dir=True)


def run() -> None:
    """The console entry (`impact …`, `python -m impact …`): `main`, then a clean exit.

    The exit handlers run (every DuckDB connection closed, temp dirs removed, Chromium
    stopped), the output is flushed, and the interpreter's own teardown is skipped: there
    DuckDB's bindings have aborted the process now and then ("terminate called without an
    active exception", exit -6) after a command had finished and printed its result, which
    turned a finished (or correctly refused) command into a crash."""
    import atexit

    code = main()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a closed pipe (`impact … | head`)
            pass
    os._exit(code)


def refuse_public_write(args) -> None:
    """Every command that writes refuses in public mode, as `import` does: a public server's
    data is read-only for every process that serves it."""
    from impact.access.policy import public_mode
    from impact.access.readonly import ReadOnlyError

    if public_mode():
        raise ReadOnlyError(f"{args.data_dir}: the data is open read-only (public mode); "
                            f"`{args.command}` wrote nothing")


def error_line(exc: Exception) -> str:
    """The one line a refusal prints: an error may quote a stored name or a cell, so it
    passes the terminal rule (impact.presentation.safetext) and cannot act on the terminal."""
    from impact.presentation.safetext import terminal_text

    return terminal_text(f"error: {exc}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "_existing_data_dir", False):
            from impact.domain.selection import existing_data_dir
            args.data_dir = existing_data_dir(args.data_dir)
        if getattr(args, "_writes", False):
            refuse_public_write(args)
        return int(args._run(args) or 0)
    except UsageError as exc:
        print(error_line(exc), file=sys.stderr)
        return 2
    except ImpactError as exc:
        print(error_line(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
