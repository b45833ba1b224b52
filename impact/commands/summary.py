"""`summary`: the headline metrics for a selection, as JSON or a table."""

from __future__ import annotations

import argparse
import unicodedata

from impact.presentation import fmt, jsonout
from impact.presentation.i18n import LANGS, label, t
from impact.presentation.safetext import terminal_text
from impact.cli import add_data_dir
from impact.engines import add_engine_arguments, open_database
from impact.errors import UsageError
from impact.filters import Filters
from impact.domain.metrics import dependence_per_org, summarize
from impact.domain.outcomes import format_outcomes, outcome_rows
from impact.domain.people import format_reach, stated_reach
from impact.domain.selection import check_names
from impact.views.overview import derived_changes, period_label

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
    parser.add_argument("--lang", choices=LANGS, default="zh",
                        help="language of the table format (default zh); JSON keys are English")
    add_engine_arguments(parser)


def run(args: argparse.Namespace) -> int:
    filters = filters_from_args(args)
    db = open_database(args.engine, args.data_dir, spark_remote=args.spark_remote)
    check_names(db, filters)
    summary = summarize(db, filters)
    summary = {k: v for k, v in summary.items() if k not in ("volunteer_value", "records")}
    with_dependence(summary, db.rows("finance_by_org_funder", **filters.params()))
    # Unique people where they were counted, apart from the person-times above.
    summary["people"] = stated_reach(db, filters)
    summary["outcomes"] = outcome_rows(db, filters)
    if args.format == "json":
        print(jsonout.dumps(json_ready(summary)))
    else:
        # Names come from imported files: the terminal rule keeps ESC and U+202E inert.
        print(terminal_text(format_table(summary, filters, args.lang)))
        extra = (format_reach(summary["people"], args.lang)
                 + format_outcomes(summary["outcomes"], args.lang))
        if extra:
            print(terminal_text("\n".join(extra)))
    return 0


def with_dependence(summary: dict, org_funders: list[dict]) -> dict:
    """Dependence on one donor judged as the pages judge it (metrics.dependence_per_org):
    with income from several organisations, per organisation (`donor_dependence`: each one
    that depends on one donor, with that donor and its share of the organisation's own
    income), and `donor_concentration.flagged` says whether any does; a selection is no
    organisation. `donor_dependence` is None for one organisation (its own figures)."""
    donors = dict(summary["donor_concentration"])
    per_org = dependence_per_org(org_funders, donors["threshold"])
    if per_org is not None:
        donors["flagged"] = bool(per_org)
    summary["donor_concentration"] = donors
    summary["donor_dependence"] = per_org
    return summary


# JSON keeps every figure exact; income with no source type is under this key (a JSON key
# cannot be null, and str(None) printed "None", which reads like a source named None).
NO_SOURCE_KEY = "not_recorded"


def json_ready(summary: dict) -> dict:
    out = dict(summary)
    out["income_by_source"] = {NO_SOURCE_KEY if k is None else k: v
                               for k, v in summary["income_by_source"].items()}
    return out


# (summary key, kind) of the headline rows, in the order the Overview cards show them.
ROWS = (("services", fmt.COUNT), ("beneficiaries", fmt.COUNT), ("volunteers", fmt.COUNT),
        ("volunteer_minutes", fmt.COUNT), ("volunteer_hours", fmt.DECIMAL),
        ("income_total", fmt.MONEY), ("expense_total", fmt.MONEY), ("surplus", fmt.MONEY),
        ("cost_per_beneficiary", fmt.MONEY))


def _width(text: str) -> int:
    """Columns a terminal gives `text`: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _row(label: str, value: str, extra: str = "", indent: int = 0) -> tuple:
    return (" " * indent + label, value, extra)


def _align(rows: list) -> list[str]:
    """Labels left, values right-aligned in one column, so figures line up digit under
    digit; a plain string (a section title) stands on its own line."""
    cells = [r for r in rows if isinstance(r, tuple)]
    label_cols = max((_width(r[0]) for r in cells), default=0) + 2
    value_cols = max((_width(r[1]) for r in cells), default=0)
    out = []
    for r in rows:
        if isinstance(r, str):
            out.append(r)
            continue
        label, value, extra = r
        line = (label + " " * (label_cols - _width(label))
                + " " * (value_cols - _width(value)) + value)
        out.append(line + "   " + extra if extra else line)
    return out


def format_table(summary: dict, filters: Filters, lang: str = "zh") -> str:
    """The summary as a person reads it: labelled in `lang`, aligned, every figure by its
    kind's one rule (impact.presentation.fmt: money to the fen, percentages rounded once,
    at one decimal), with the change against the period before beside each headline."""
    yoy = derived_changes(summary)
    previous = period_label(filters.previous_period(), lang)
    lines = []
    for key, kind in ROWS:
        change = yoy.get(key)
        extra = ""
        if change:
            extra = t("cli.summary.compared_with", lang, period=previous,
                      delta=fmt.delta(change, kind, lang))
        elif previous and key in yoy:
            extra = t("cli.summary.no_previous", lang, period=previous)
        lines.append(_row(t(f"metric.{key}", lang), fmt.value(summary[key], kind, lang), extra))
        if key == "income_total":
            lines += _breakdown(t("cli.summary.income_by_line", lang), summary["income_by_line"],
                                lambda c: label("income", c, lang), lang)
            lines += _breakdown(t("cli.summary.income_by_source", lang),
                                summary["income_by_source"],
                                lambda c: label("source", c, lang), lang)
        elif key == "expense_total":
            lines += _breakdown(t("cli.summary.expense_by_line", lang),
                                summary["expense_by_line"],
                                lambda c: label("expense", c, lang), lang)
    lines += _concentration(summary, lang)
    return "\n".join(_align(lines))


def _breakdown(title: str, amounts: dict, name, lang: str) -> list:
    return [title] + [_row(name(c), fmt.money(v, lang), indent=2) for c, v in amounts.items()]


def _concentration(summary: dict, lang: str) -> list:
    source, donor = summary["funding_concentration"], summary["donor_concentration"]
    none = t("cli.summary.none", lang)
    lines = [t("cli.summary.funding", lang)]
    if source["largest_source"] is None:
        lines.append(_row(t("cli.summary.largest_source", lang), none, indent=2))
    else:
        flag = (t("cli.summary.flagged", lang,
                  threshold=fmt.share(source["threshold"], lang, places=0))
                if source["flagged"] else "")
        lines.append(_row(t("cli.summary.largest_source", lang) + " · "
                          + label("source", source["largest_source"], lang),
                          fmt.share(source["largest_share"], lang), flag, indent=2))
        lines.append(_row(t("cli.summary.hhi", lang), fmt.number(source["hhi"], lang, places=4),
                          indent=2))
    lines.append(t("cli.summary.donors", lang))
    lines.append(_row(t("cli.summary.donor_count", lang), fmt.value(donor["donors"], fmt.COUNT,
                                                                     lang), indent=2))
    if donor["largest_donor"] is None:
        lines.append(_row(t("cli.summary.largest_donor", lang), none, indent=2))
        return lines
    per_org = summary.get("donor_dependence")
    limit = fmt.share(donor["threshold"], lang, places=0)
    # With several organisations the flag is judged per organisation (below), never on the
    # selection's largest donor, who may fund one of them only.
    flag = (t("cli.summary.donor_flagged", lang, threshold=limit)
            if donor["flagged"] and per_org is None else "")
    lines.append(_row(t("cli.summary.largest_donor", lang) + " · " + donor["largest_donor"],
                      fmt.share(donor["largest_share"], lang), flag, indent=2))
    lines.append(_row(t("cli.summary.top3_share", lang), fmt.share(donor["top3_share"], lang),
                      indent=2))
    lines.append("  " + t("cli.summary.top3", lang))
    lines += [_row(d["funder"], fmt.money(d["amount"], lang), fmt.share(d["share"], lang),
                   indent=4) for d in donor["top3"]]
    if per_org is not None:
        lines.append("  " + t("cli.summary.by_org", lang))
        lines += [_row(d["org"] + " · " + d["donor"], fmt.share(d["share"], lang),
                       t("cli.summary.donor_flagged", lang,
                         threshold=fmt.share(d["threshold"], lang, places=0)), indent=4)
                  for d in per_org]
        if not per_org:
            lines.append("    " + t("cli.summary.by_org_none", lang, threshold=limit))
    return lines
