"""A sheet's own totals row (合计, 总计, 小计 …): skipped only when it adds up.

Staff end a sheet with a 合计 row, or a month with 本月合计. Read as data it would count every
figure twice; dropped unseen it could hide a sheet whose rows were edited after the total was
typed. So a totals row is checked: each of its figures must equal the sum of the rows above
it (since the previous totals row, or since the first row), to the fen or to the person-time;
then it is skipped, and named in the dry run. If a figure differs, the file is refused naming
the row, the column and both figures.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from impact.ingest.headers import EXPENSE_AMOUNT, INCOME_AMOUNT, VOLUNTEER_HOURS
from impact.ingest.problems import RowError
from impact.ingest.values import (CellError, clean_text, parse_amount, parse_count,
                                  parse_hours_as_minutes, parse_split_amount)

_LABEL = re.compile(r"^(本月|本年|本期|全年|年度|本页)?(合计|总计|小计|累计)[:：]?$|^(total|totals|sum)$")
# Figures a totals row may give: column → (parser, the record field it sums, flow or None).
_FIGURES = {
    "amount": (parse_amount, "amount", None),
    INCOME_AMOUNT: (parse_split_amount, "amount", "income"),
    EXPENSE_AMOUNT: (parse_split_amount, "amount", "expense"),
    "sessions": (parse_count, "sessions", None),
    "beneficiaries": (parse_count, "beneficiaries", None),
    "volunteers": (parse_count, "volunteers", None),
    "volunteer_minutes": (parse_count, "volunteer_minutes", None),
    VOLUNTEER_HOURS: (parse_hours_as_minutes, "volunteer_minutes", None),
}


def is_totals_row(cells: list) -> str | None:
    """The label of a totals row (合计 …) when one of its text cells is one, else None."""
    for cell in cells:
        if isinstance(cell, str):
            text = unicodedata.normalize("NFKC", cell).replace(" ", "").casefold()
            if _LABEL.match(text):
                return cell.strip()
    return None


def split_totals(rows: list[tuple[int, list]]) -> tuple[list, list]:
    """(data rows, totals rows) in file order."""
    data, totals = [], []
    for number, cells in rows:
        (totals if is_totals_row(cells) else data).append((number, cells))
    return data, totals


def check_totals(totals: list[tuple[int, list]], mapping: dict[int, str], labels: dict,
                 parsed: list, refused: set[int] = frozenset()) -> list[RowError]:
    """Each totals row against the sum of the valid rows above it (since the previous totals
    row, or since the first row: a 合计 after 本月合计 rows may total either way). Not
    compared while a row above it is `refused`: its own errors are the ones to fix first,
    and a sum without it would blame the total wrongly."""
    checker = TotalsChecker(mapping, labels)
    checker.feed(totals, parsed, refused)
    return checker.errors


class TotalsChecker:
    """`check_totals` over a file given a chunk at a time (in file order): running sums
    since the first row and since the previous totals row stand for the rows above."""

    def __init__(self, mapping: dict[int, str], labels: dict):
        self.mapping, self.labels = mapping, labels
        self.figures = {(f, flow) for c in mapping.values() if c in _FIGURES
                        for _, f, flow in [_FIGURES[c]]}
        self.since_start = dict.fromkeys(self.figures, 0)
        self.since_previous = dict.fromkeys(self.figures, 0)
        self.previous = 0
        self.refused_above = False
        self.errors: list[RowError] = []

    def _add(self, row) -> None:
        for field, flow in self.figures:
            if flow is None or row.record.get("flow") == flow:
                value = row.record.get(field) or 0
                self.since_start[(field, flow)] += value
                self.since_previous[(field, flow)] += value

    def feed(self, totals: list[tuple[int, list]], parsed: list,
             refused: set[int] = frozenset()) -> None:
        """The totals rows and the valid rows of the next part of the file (each in file
        order), and the rows of that part refused so far."""
        rows = iter(sorted(parsed, key=lambda r: r.row))
        refused = sorted(refused)
        pending = next(rows, None)
        for number, cells in totals:
            while pending is not None and pending.row < number:
                self._add(pending)
                pending = next(rows, None)
            if self.refused_above or (refused and refused[0] < number):
                self.refused_above = True
                self._next_block(number)
                continue
            self._check(number, cells)
            self._next_block(number)
        while pending is not None:
            self._add(pending)
            pending = next(rows, None)
        if refused:
            self.refused_above = True

    def _next_block(self, number: int) -> None:
        self.previous = number
        self.since_previous = dict.fromkeys(self.figures, 0)

    def _check(self, number: int, cells: list) -> None:
        labels = self.labels
        for pos, column in self.mapping.items():
            if column not in _FIGURES or clean_text(cells[pos]) == "":
                continue
            parse, field, flow = _FIGURES[column]
            try:
                given = parse(cells[pos])
            except CellError as exc:
                self.errors.append(RowError(number, labels.get(column, column), column,
                                            clean_text(cells[pos]), exc.code, exc.params))
                continue
            given = given or 0
            sums = ([self.since_previous[(field, flow)]] if self.previous else []) + \
                [self.since_start[(field, flow)]]
            if all(Decimal(given) != Decimal(s) for s in sums):
                self.errors.append(RowError(number, labels.get(column, column), column,
                                            clean_text(cells[pos]), "totals_mismatch",
                                            {"label": is_totals_row(cells),
                                             "sum": _show(sums[-1])}))


def _show(value) -> str:
    return f"{value:,}" if isinstance(value, (int, Decimal)) else str(value)
