"""The 业务活动表 (statement of activities) laid out the way the audited statement of a
民间非营利组织 is: the seven income lines and the four expense lines in statutory order, each
split into 非限定性 (unrestricted), 限定性 (restricted) and 合计 (total), for the year and the
year before (本年数 / 上年数).

Pure Python over the rows of queries/statement_of_activities.sql (exact DECIMAL per year,
flow, line and restricted flag); the page, the Excel sheet and the PDF all show this layout.

Expenses are shown in the 非限定性 column, as the statement prescribes: spending restricted
money releases it, so the restricted expenses come back as 限定性净资产转为非限定性净资产
(+ unrestricted, − restricted). The 合计 column is income − expenses either way, and the
net-asset change per column equals its income less its own expenses.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from impact.storage.schema import EXPENSE_LINES, INCOME_LINES

ZERO = Decimal("0.00")
COLUMNS = ("unrestricted", "restricted", "total")
PERIODS = ("current", "previous")


@dataclass(frozen=True)
class StatementRow:
    """One row: its key (e.g. income.donation, income_total), its kind (section, line,
    total) and a cell per (period, column): Decimal, or None where the statement has no
    cell (a section heading; the 限定性 cell of an expense)."""

    key: str
    kind: str
    cells: dict[tuple[str, str], Decimal | None]


@dataclass(frozen=True)
class Statement:
    year: int
    rows: tuple[StatementRow, ...]
    # Whether the year before has any record: without, its cells are None (no data), not 0.
    has_previous: bool = True

    def row(self, key: str) -> StatementRow:
        return next(r for r in self.rows if r.key == key)

    def cell(self, key: str, period: str, column: str) -> Decimal | None:
        return self.row(key).cells[(period, column)]


def _sums(rows: list[dict], year: int) -> dict[tuple[str, str, bool], Decimal]:
    out: dict[tuple[str, str, bool], Decimal] = {}
    for r in rows:
        if r["year"] == year:
            key = (r["flow"], r["line"], bool(r["restricted"]))
            out[key] = out.get(key, ZERO) + Decimal(r["amount"])
    return out


def _cells(per_period, periods=PERIODS) -> dict[tuple[str, str], Decimal | None]:
    """`per_period(period)` → (unrestricted, restricted or None); the total is their sum.
    A period not in `periods` (a previous year without any record) has no cells: None,
    shown as "—", since ¥0.00 would say the year had nothing where it has no data."""
    cells: dict[tuple[str, str], Decimal | None] = {
        (p, c): None for p in PERIODS if p not in periods for c in COLUMNS}
    for period in periods:
        unrestricted, restricted = per_period(period)
        cells[(period, "unrestricted")] = unrestricted
        cells[(period, "restricted")] = restricted
        cells[(period, "total")] = unrestricted + (restricted or ZERO)
    return cells


def build(rows: list[dict], year: int) -> Statement:
    """The statement for `year` (本年数) beside `year - 1` (上年数)."""
    sums = {"current": _sums(rows, year), "previous": _sums(rows, year - 1)}
    periods = PERIODS if has_records(rows, year - 1) else ("current",)

    def amount(period: str, flow: str, line: str, restricted: bool) -> Decimal:
        return sums[period].get((flow, line, restricted), ZERO)

    def income(period: str, restricted: bool) -> Decimal:
        return sum((amount(period, "income", ln, restricted) for ln in INCOME_LINES), ZERO)

    def expense_line(period: str, line: str) -> Decimal:
        return amount(period, "expense", line, False) + amount(period, "expense", line, True)

    def expenses(period: str) -> Decimal:
        return sum((expense_line(period, ln) for ln in EXPENSE_LINES), ZERO)

    def released(period: str) -> Decimal:
        return sum((amount(period, "expense", ln, True) for ln in EXPENSE_LINES), ZERO)

    def cells(per_period):
        return _cells(per_period, periods)

    none = {(p, c): None for p in PERIODS for c in COLUMNS}
    out = [StatementRow("income", "section", none)]
    out += [StatementRow(f"income.{ln}", "line", cells(
        lambda p, ln=ln: (amount(p, "income", ln, False), amount(p, "income", ln, True))))
        for ln in INCOME_LINES]
    out.append(StatementRow("income_total", "total", cells(
        lambda p: (income(p, False), income(p, True)))))
    out.append(StatementRow("expense", "section", none))
    out += [StatementRow(f"expense.{ln}", "line", cells(
        lambda p, ln=ln: (expense_line(p, ln), None))) for ln in EXPENSE_LINES]
    out.append(StatementRow("expense_total", "total", cells(lambda p: (expenses(p), None))))
    out.append(StatementRow("released", "line", cells(
        lambda p: (released(p), -released(p)))))
    out.append(StatementRow("net_change", "total", cells(
        lambda p: (income(p, False) - expenses(p) + released(p),
                   income(p, True) - released(p)))))
    return Statement(year, tuple(out), has_previous="previous" in periods)


def has_records(rows: list[dict], year: int) -> bool:
    """Whether the selected year has any transaction (else there is no statement to show)."""
    return any(r["year"] == year for r in rows)
