"""Grants and budgets in an import: their cells, the checks across a row (a period that ends
before it starts), and the checks across tables (a deliverable, budget or transaction naming
a grant that does not exist).

A grants sheet lists a grant's projects in one 项目 cell (千人助学计划、阅读推广); they become
`grant_projects` rows, written with the grants (like activity_groups with activities).
"""

from __future__ import annotations

import re
from datetime import date

from impact.ingest.headers import GRANT_PROJECTS
from impact.ingest.problems import RESTRICTED_DEFAULTED, RowError
from impact.ingest.values import CellError, clean_text, parse_date, parse_line, parse_text

PLAN_YEARS = 10  # a grant may end, and a budget be planned, this many years ahead
_PROJECT_SEPARATORS = re.compile(r"[、;；,，\n]")


def parse_plan_date(value, today: date) -> date:
    """A date that may lie in the future (a grant's end), up to PLAN_YEARS ahead."""
    return parse_date(value, date(today.year + PLAN_YEARS, 12, 31))


def parse_expense_line(value) -> str:
    """A budget line: one of the expense lines (业务活动成本 …), never an income line."""
    return parse_line(value, "expense")[0]


def parse_projects(value) -> tuple[str, ...]:
    """The projects of a grant's 项目 cell, in the order written, each once."""
    names = [parse_text(part) for part in _PROJECT_SEPARATORS.split(clean_text(value))]
    return tuple(dict.fromkeys(n for n in names if n))


def period_error(record: dict) -> CellError | None:
    """A grant whose period ends before it starts."""
    start, end = record.get("start_date"), record.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        return CellError("end_before_start", start=start.isoformat())
    return None


def grant_projects_rows(record: dict, extra: dict) -> list[dict]:
    return [{"org": record["org"], "grant_id": record["grant_id"], "project": p}
            for p in extra.get(GRANT_PROJECTS) or ()]


def known_grants(store, file_rows: list[dict] = ()) -> dict[tuple[str, str], dict]:
    """(org, grant_id) → grant, for the grants stored (and those of the file being imported)."""
    stored = store.read_table("grants").to_pylist()
    return {(g["org"], g["grant_id"]): g for g in [*stored, *file_rows]}



def check_references(table: str, parsed: list, store, labels: dict[str, str]
                     ) -> tuple[list, list]:
    """Rows whose 资助编号 names no known grant of their organisation are refused; a finance
    row that names a restricted grant and leaves 限定性 empty is restricted (the default).

    Deliverables (targets) and budgets must always name a stored grant: import the grants
    first. A finance row is checked once the organisation keeps grants at all (a ledger from
    before grants were recorded may carry agreement numbers of its own)."""
    if table not in ("targets", "budgets", "finance"):
        return parsed, []
    wanted = [r for r in parsed if r.record.get("grant_id")]
    if not wanted:
        return parsed, []
    grants = known_grants(store)
    orgs_with_grants = {org for org, _ in grants}
    kept, errors = [], []
    for row in parsed:
        org, grant = row.record.get("org"), row.record.get("grant_id")
        checked = table != "finance" or org in orgs_with_grants
        if grant and checked and (org, grant) not in grants:
            known = sorted(g for o, g in grants if o == org)
            errors.append(RowError(row.row, labels.get("grant_id", "grant_id"), "grant_id",
                                   grant, "unknown_grant",
                                   {"known": "、".join(known[:10]) or "—"}))
            continue
        if grant and row.extra.get(RESTRICTED_DEFAULTED) and (org, grant) in grants:
            row.record["restricted"] = bool(grants[(org, grant)]["restricted"])
        kept.append(row)
    return kept, errors


def parse_money(value):
    """A grant's or budget's amount: as finance's (exact, ≤ 10亿) but the refusal of 0 or a
    negative number does not point at 收支, which these sheets do not have."""
    from impact.ingest.values import parse_amount

    try:
        return parse_amount(value)
    except CellError as exc:
        if exc.code == "amount_not_positive":
            raise CellError("money_not_positive") from None
        raise
