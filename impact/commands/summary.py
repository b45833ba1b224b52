"""`summary`: the headline metrics for a selection, as JSON or a table."""

from __future__ import annotations

import argparse

from impact.presentation import jsonout
from impact.cli import add_data_dir
from impact.engines import add_engine_arguments, open_database
from impact.errors import UsageError
from impact.filters import Filters
from impact.domain.metrics import summarize
from impact.domain.outcomes import format_outcomes, outcome_rows
from impact.domain.people import format_reach, stated_reach
from impact.domain.selection import check_names

NAME = "summary"
HELP = "Print the headline metrics (services, person-times, volunteers, money, YoY)."


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """The selection flags shared by summary, report and others."""
    parser.add_argument("--org", action="append", default=[], metavar="ORG",
                        help="organisation (repeatable; default: all)")
    parser.add_argument("--year", type=int, metavar="Y", help="one year")
    parser.add_argument("--from", dest="year_from", type=int, metavar="Y1", help="first year")
    parser.add_argument("--to", dest="year_to", type=int, metavar="Y2", help="last year")
    parser.add_argument("--project", action="append", default=[], metavar="P",
                        help="project (repeatable)")
    parser.add_argument("--area", action="append", default=[], metavar="A",
                        help="programme area (repeatable)")


def filters_from_args(args: argparse.Namespace) -> Filters:
    if args.year is not None and (args.year_from is not None or args.year_to is not None):
        raise UsageError("give either --year or --from/--to, not both")
    year_from, year_to = (args.year, args.year) if args.year is not None else (
        args.year_from, args.year_to)
    if year_from is not None and year_to is not None and year_from > year_to:
        raise UsageError(f"--from {year_from} is after --to {year_to}")
    return Filters(orgs=tuple(args.org), year_from=year_from, year_to=year_to,
                   projects=tuple(args.project), areas=tuple(args.area))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_filter_arguments(parser)
    add_data_dir(parser)
    parser.add_argument("--format", choices=("json", "table"), default="table")
    add_engine_arguments(parser)


def run(args: argparse.Namespace) -> int:
    filters = filters_from_args(args)
    db = open_database(args.engine, args.data_dir, spark_remote=args.spark_remote)
    check_names(db, filters)
    summary = summarize(db, filters)
    summary = {k: v for k, v in summary.items() if k not in ("volunteer_value", "records")}
    # Unique people where they were counted, apart from the person-times above.
    summary["people"] = stated_reach(db, filters)
    summary["outcomes"] = outcome_rows(db, filters)
    if args.format == "json":
        print(jsonout.dumps(summary))
    else:
        print(format_table({k: v for k, v in summary.items()
                            if k not in ("people", "outcomes")}))
        extra = format_reach(summary["people"]) + format_outcomes(summary["outcomes"])
        if extra:
            print("\n".join(extra))
    return 0


def format_table(summary: dict) -> str:
    """A plain two-column table, with the YoY change beside each metric that has one."""
    lines = []
    for key, value in summary.items():
        if key == "yoy":
            continue
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k:<22} {'' if v is None else v}" for k, v in value.items()]
            continue
        yoy = summary["yoy"].get(key)
        extra = ""
        if yoy:
            pct = "n/a" if yoy["pct"] is None else f"{yoy['pct']:+}%"
            extra = f"   (prev {yoy['previous']}, {yoy['change']:+}, {pct})"
        lines.append(f"{key:<24} {'' if value is None else value}{extra}")
    return "\n".join(lines)
