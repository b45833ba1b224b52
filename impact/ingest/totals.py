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
    errors, previous = [], 0
    for number, cells in totals:
        if any(row < number for row in refused):
            previous = number
            continue
        sums_from = [previous, 0] if previous else [0]
        for pos, column in mapping.items():
            if column not in _FIGURES or clean_text(cells[pos]) == "":
                continue
            parse, field, flow = _FIGURES[column]
            try:
                given = parse(cells[pos])
            except CellError as exc:
                errors.append(RowError(number, labels.get(column, column), column,
                                       clean_text(cells[pos]), exc.code, exc.params))
                continue
            given = given or 0
            sums = [sum((r.record[field] or 0) for r in parsed if start < r.row < number
                        and (flow is None or r.record.get("flow") == flow))
                    for start in sums_from]
            if all(Decimal(given) != Decimal(s) for s in sums):
                errors.append(RowError(number, labels.get(column, column), column,
                                       clean_text(cells[pos]), "totals_mismatch",
                                       {"label": is_totals_row(cells), "sum": _show(sums[-1])}))
        previous = number
    return errors


def _show(value) -> str:
    return f"{value:,}" if isinstance(value, (int, Decimal)) else str(value)
