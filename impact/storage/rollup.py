"""Monthly rollup of the activities: the same sums at one row per project and month.

At 10-50 million activity rows nearly every chart is a sum per year, month, organisation,
project or area. The rollup holds those sums at (org, project, program_area, month): about
a hundred times fewer rows, so those queries scan a hundred times less.

Exactness, not approximation:
- the store writes one rollup file for each activities file, in the same commit, from the
  same rows (`rollup_of`); the database uses the rollup only when its sources are exactly
  the committed activities files, and the detail otherwise;
- a named query is answered from the rollup only if every aggregate in it gives the same
  result over partial sums (`rollup_sql` checks the query's syntax tree: sums, count(*),
  DISTINCT, min/max of grouping columns or of a month, month(date)); everything else
  reads the detail.
tests/test_rollup.py compares every query both ways.
"""

from __future__ import annotations

import re
from functools import cache

import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from sqlglot import exp

NAME = "activity_months"
KEYS = ("org", "project", "program_area")  # plus year and the month (as its first day, `date`)
SUMS = ("sessions", "beneficiaries", "volunteers", "volunteer_minutes")
ARROW_SCHEMA = pa.schema(
    [pa.field("date", pa.date32(), nullable=False), pa.field("org", pa.string(), nullable=False),
     pa.field("project", pa.string(), nullable=False), pa.field("program_area", pa.string()),
     pa.field("records", pa.int64(), nullable=False)]
    + [pa.field(c, pa.int64(), nullable=False) for c in SUMS])
COLUMNS = frozenset(ARROW_SCHEMA.names) | {"year"}
_GROUP_COLUMNS = frozenset(KEYS) | {"year"}  # min/max of these is the same over the rollup


def rollup_of(activities: pa.Table) -> pa.Table:
    """The monthly rollup of some activity rows (sorted, so the same rows give the same file)."""
    month = pc.floor_temporal(activities["date"], unit="month")
    keyed = pa.table({"date": month, **{k: activities[k] for k in KEYS},
                      **{c: activities[c] for c in SUMS}})
    grouped = keyed.group_by(["date", *KEYS], use_threads=False).aggregate(
        [(c, "sum") for c in SUMS] + [([], "count_all")])
    out = pa.table({"date": grouped["date"], **{k: grouped[k] for k in KEYS},
                    "records": grouped["count_all"], **{c: grouped[f"{c}_sum"] for c in SUMS}})
    return canonical(out)


def canonical(table: pa.Table) -> pa.Table:
    """Rollup rows in the stored schema and order: the same rows always make the same bytes,
    whichever engine summed them (impact.engines.spark_jobs uses this too)."""
    return table.select(ARROW_SCHEMA.names).cast(ARROW_SCHEMA).sort_by(
        [("org", "ascending"), ("date", "ascending"), ("project", "ascending"),
         ("program_area", "ascending")])


_ACTIVITIES_IN = re.compile(r"\bactivities_in\s*\(")
_COUNT_STAR = re.compile(r"\bcount\s*\(\s*\*\s*\)", re.IGNORECASE)
_SAFE_AGGS = (exp.Sum, exp.GroupConcat, exp.ArrayAgg)


def _from_activities(select: exp.Select) -> bool:
    """True when a SELECT reads activities_in(...) directly (its count(*) counts records)."""
    source = select.args.get("from") or select.args.get("from_")
    if source is None:
        return False
    text = source.sql(dialect="duckdb").lower()
    return "activities_in(" in text.replace(" ", "") and not select.args.get("joins")


_OTHER_MACROS = frozenset({"finance_in", "indicators_in", "targets_in", "outcomes_in",
                           "participants_in", "reach_in"})


def _reads_other_table(select: exp.Select | None) -> bool:
    """True when a SELECT reads one of the other tables' macros (finance, indicators,
    targets) directly and nothing else: the rewrite to the rollup leaves it as it is, so its
    aggregates give the same result either way (target_achievement's min(unit) over the
    indicators, data_quality_rows' count over the finance rows)."""
    if select is None or select.args.get("joins"):
        return False
    source = select.args.get("from") or select.args.get("from_")
    table = source.this if source is not None else None
    call = table.this if isinstance(table, exp.Table) else None
    return isinstance(call, exp.Anonymous) and str(call.this).lower() in _OTHER_MACROS


def _month_or_coarser(node: exp.Expression) -> bool:
    """month(date), year(date), date_trunc('month' | 'quarter' | 'year', date): the same on
    the rollup's month-start dates as on the days."""
    if isinstance(node, (exp.Month, exp.Year, exp.Quarter)):
        return True
    if isinstance(node, (exp.TimestampTrunc, exp.DateTrunc)):
        unit = node.args.get("unit")
        return unit is not None and unit.name.upper() in ("MONTH", "QUARTER", "YEAR")
    return False


def _eligible(tree: exp.Expression) -> bool:
    for col in tree.find_all(exp.Column):
        if col.name == "date" and not _month_or_coarser(col.parent):
            return False  # a day-level date is not in the rollup
        if col.name in ("activity_id", "activity_type"):
            return False
    for agg in tree.find_all(exp.AggFunc):
        if not (isinstance(agg, exp.Count) and isinstance(agg.this, exp.Star)) \
                and _reads_other_table(agg.find_ancestor(exp.Select)):
            continue  # not over the activities: untouched by the rewrite (count(*) would be)
        if isinstance(agg, _SAFE_AGGS):
            if isinstance(agg, exp.GroupConcat) or isinstance(agg, exp.ArrayAgg):
                if not isinstance(agg.this, exp.Distinct) and not agg.find(exp.Distinct):
                    return False  # without DISTINCT, repeats depend on the row count
            continue
        if isinstance(agg, exp.Count) and isinstance(agg.this, exp.Star):
            select = agg.find_ancestor(exp.Select)
            if select is None or not _from_activities(select):
                return False
            continue
        if isinstance(agg, (exp.Min, exp.Max)) and isinstance(agg.this, exp.Column) \
                and agg.this.name in _GROUP_COLUMNS:
            continue
        if isinstance(agg, (exp.Min, exp.Max)) and _month_or_coarser(agg.this):
            continue  # the first or last month: the same over month-start dates
        return False  # avg, count(col), median … differ over partial sums
    if tree.find(exp.Window):
        return False
    return True


@cache
def rollup_sql(sql: str) -> str | None:
    """The query rewritten to read the monthly rollup, or None when it must read the detail."""
    if not _ACTIVITIES_IN.search(sql):
        return None
    body = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    try:
        tree = sqlglot.parse_one(body, read="duckdb")
    except sqlglot.errors.ParseError:
        return None
    if not _eligible(tree):
        return None
    # count(*) is only ever over activities here (checked above): it becomes Σ records.
    rewritten = _COUNT_STAR.sub("CAST(coalesce(sum(records), 0) AS BIGINT)", body)
    return _ACTIVITIES_IN.sub(f"{NAME}_in(", rewritten)
