"""Validate every data row of a sheet into schema records, collecting every error at once.

A row error names the row number as the user sees it, the column as the user wrote it, the
value and a reason code (rendered by `impact.ingest.messages`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from impact.ingest.problems import RESTRICTED_DEFAULTED, RowError  # noqa: F401
from impact.ingest.headers import (EXPENSE_AMOUNT, GRANT_PROJECTS, GROUP_PREFIX, IGNORED_PREFIX,
                                   INCOME_AMOUNT, LEGACY_CATEGORY, PERSON_ID, PERSONAL_PREFIX,
                                   VOLUNTEER_HOURS)
from impact.ingest.values import (SUB_ACCOUNT, CellError, Month, Uncalculated, clean_text,
                                  parse_amount, parse_bool, parse_count, parse_date,
                                  parse_decimal, parse_flow, parse_hours_as_minutes, parse_line,
                                  parse_source_type, parse_split_amount, parse_text,
                                  sub_account_of)
from impact.storage.schema import TABLES

MINUTES_PER_DAY = 24 * 60
# ParsedRow.extra key: the row is a monthly total (its date was a month without a day), stored
# on the month's first day as the data model's roll-up records are; named in the dry run.
MONTH_TOTAL = "month_total"
# Marks a finance row whose 限定性 was left empty, so its grant's flag can decide it.
FUTURE_TARGET_YEARS = 10  # targets are plans: a few years ahead is normal


@dataclass
class ParsedRow:
    """A valid row: its number in the file and its record in schema column names."""

    row: int
    record: dict
    # Values of columns that are not stored as such: group person-times (→ activity_groups),
    # the person id and hashed personal columns (→ person_key, then dropped).
    extra: dict = field(default_factory=dict)


def _year_parser(today: date, *, ahead: int) -> Callable:
    def parse(value):
        year = parse_count(value)
        if year < 1950:
            raise CellError("too_old", earliest=1950)
        if year > today.year + ahead:
            raise CellError("future_year", latest=today.year + ahead)
        return year
    return parse


def _parsers(table: str, today: date) -> dict[str, Callable]:
    """Column → parser for the columns whose parser needs no other column of the row."""
    text = parse_text
    if table == "activities":
        return {"activity_id": text, "date": lambda v: parse_date(v, today, months=True),
                "org": text,
                "project": text, "program_area": text, "activity_type": text,
                "sessions": lambda v: parse_count(v, minimum=1), "beneficiaries": parse_count,
                "volunteers": parse_count, "volunteer_minutes": parse_count,
                VOLUNTEER_HOURS: parse_hours_as_minutes}
    if table == "finance":
        return {"txn_id": text, "date": lambda v: parse_date(v, today), "org": text,
                "flow": parse_flow, "funder": text, "project": text,
                "restricted": parse_bool, "grant_id": text, "amount": parse_amount,
                "sub_account": text}
    if table == "indicators":
        return {"org": text, "project": text, "year": _year_parser(today, ahead=0),
                "indicator": text, "value": lambda v: parse_decimal(v, places=4), "unit": text}
    if table in ("reach", "outcomes", "participants"):
        from impact.ingest.groups import parse_group
        year = _year_parser(today, ahead=FUTURE_TARGET_YEARS if table == "outcomes" else 0)
        common = {"org": text, "project": text, "year": year, "source": text}
        if table == "reach":
            return {**common, "beneficiary_group": parse_group, "people": parse_count,
                    "households": parse_count}
        if table == "outcomes":
            return {**common, "indicator": text, "unit": text, "baseline": _any_value,
                    "target": _any_value, "actual": _any_value}
        return {**common, "beneficiary_group": parse_group,
                "attendances": lambda v: parse_count(v, minimum=1)}
    if table in ("grants", "budgets"):
        from impact.ingest import grants
        if table == "grants":
            return {"grant_id": text, "org": text, "funder": text, "title": text,
                    "amount": grants.parse_money, "restricted": parse_bool,
                    "start_date": lambda v: grants.parse_plan_date(v, today),
                    "end_date": lambda v: grants.parse_plan_date(v, today)}
        return {"org": text, "project": text, "grant_id": text,
                "year": _year_parser(today, ahead=grants.PLAN_YEARS),
                "line": grants.parse_expense_line, "amount": grants.parse_money}
    return {"org": text, "project": text, "year": _year_parser(today, ahead=FUTURE_TARGET_YEARS),
            "metric": _target_metric, "target": _non_negative_value,
            "grant_id": text}


# What a targets sheet may call the money metrics (the stored keys are income_total and
# expense_total, which the target query computes per organisation and per project).
_METRIC_ALIASES = {"income": "income_total", "收入": "income_total", "总收入": "income_total",
                   "expense": "expense_total", "expenses": "expense_total",
                   "支出": "expense_total", "总支出": "expense_total", "费用": "expense_total"}


def _target_metric(value) -> str:
    name = parse_text(value)
    return _METRIC_ALIASES.get(name.casefold(), name)


def _any_value(value):
    return parse_decimal(value, places=4)


def _pseudo_parsers(headers) -> dict[str, Callable]:
    """Parsers of the columns that are not stored as such (groups, person id)."""
    out: dict[str, Callable] = {}
    for name in headers:
        if name.startswith(GROUP_PREFIX):
            out[name] = parse_count
        elif name == PERSON_ID or name.startswith(PERSONAL_PREFIX):
            out[name] = parse_text
        elif name in (INCOME_AMOUNT, EXPENSE_AMOUNT):
            out[name] = parse_split_amount
        elif name == GRANT_PROJECTS:
            from impact.ingest.grants import parse_projects
            out[name] = parse_projects
    return out


def _non_negative_value(value):
    number = parse_decimal(value, places=4)
    if number < 0:
        raise CellError("negative")
    return number


def validate_rows(table_name: str, mapping: dict[int, str], labels: dict[str, str],
                  rows: list[tuple[int, list]], today: date,
                  progress: Callable[[int], None] | None = None, fixed: dict | None = None
                  ) -> tuple[list[ParsedRow], list[RowError]]:
    """Parse every row; return the valid ones and all errors (rows with an error are not valid).

    `mapping` is column position → schema column; `labels` is schema column → header as written;
    `fixed` gives columns the sheet does not have (the organisation named on the command line).
    """
    table = TABLES[table_name]
    headers = {name: pos for pos, name in mapping.items() if not name.startswith(IGNORED_PREFIX)}
    parsers = {**_parsers(table_name, today), **_pseudo_parsers(headers)}
    parsed, errors = [], []
    for index, (number, cells) in enumerate(rows):
        record, row_errors = _parse_row(parsers, headers, number, cells)
        record.update(fixed or {})
        if isinstance(record.get("date"), Month):  # a roll-up of the month, on its first day
            record["date"] = date(record["date"].year, record["date"].month, 1)
            record[MONTH_TOTAL] = True
        if table_name == "finance":
            _finance_defaults(record)
        _missing_values(table, record, headers, number, row_errors)
        if table_name == "activities":
            _check_volunteer_time(record, number, headers, row_errors)
            _check_groups(record, number, row_errors)
        if table_name == "grants":
            _check_period(record, number, row_errors)
        if row_errors:
            errors += [_labelled(e, labels) for e in row_errors]
        else:
            parsed.append(ParsedRow(number, {c: record.get(c) for c in table.column_names},
                                    {k: v for k, v in record.items()
                                     if k not in table.column_names}))
        if progress and index % 2000 == 0:
            progress(index)
    return parsed, errors


def _parse_row(parsers: dict, headers: dict[str, int], number: int, cells: list
               ) -> tuple[dict, list[RowError]]:
    """Each cell through its column's parser; the errors of every cell, not just the first."""
    record, errors = {}, []
    by_flow = "flow" in parsers  # finance; a budget's 科目 is always an expense line
    for name, pos in headers.items():
        raw = cells[pos]
        if by_flow and name in _NEEDS_FLOW:
            continue  # parsed below, once the flow is known
        target = "volunteer_minutes" if name == VOLUNTEER_HOURS else name
        if isinstance(raw, Uncalculated):
            errors.append(RowError(number, "", name, str(raw), "formula_not_calculated"))
            continue
        if clean_text(raw) == "":
            record[target] = None
            continue
        try:
            record[target] = parsers[name](raw)
        except CellError as exc:
            errors.append(RowError(number, "", name, clean_text(raw), exc.code, exc.params))
    if INCOME_AMOUNT in headers or EXPENSE_AMOUNT in headers:
        _split_amount(record, number, errors)
    if by_flow and any(name in headers for name in _NEEDS_FLOW):
        _line_and_source(record, headers, cells, number, errors)
    return record, errors


def _split_amount(record: dict, number: int, errors: list[RowError]) -> None:
    """A cash journal's 收入 / 支出 cells → 金额 and 收支: exactly one of them holds the amount
    (the other is empty, 0 or a dash); its column says which way the money went."""
    given = {flow: record.pop(column) for flow, column in (("income", INCOME_AMOUNT),
                                                            ("expense", EXPENSE_AMOUNT))
             if column in record}
    amounts = {flow: value for flow, value in given.items() if value is not None}
    failed = any(e.field in (INCOME_AMOUNT, EXPENSE_AMOUNT) for e in errors)
    if len(amounts) == 2:
        errors.append(RowError(number, "", EXPENSE_AMOUNT, str(amounts["expense"]),
                               "income_and_expense", {"income": amounts["income"]}))
    elif len(amounts) == 1:
        (record["flow"], record["amount"]), = amounts.items()
    elif not failed:
        errors.append(RowError(number, "", "amount", "", "no_amount"))
    record.setdefault("flow", None)
    record.setdefault("amount", None)


def _missing_values(table, record: dict, headers: dict[str, int], number: int,
                    errors: list[RowError]) -> None:
    """A required cell left empty (ids are generated when empty, so they may be)."""
    for column in table.columns:
        if column.nullable or column.name == table.key or record.get(column.name) is not None:
            continue
        if column.name == "person_key":  # made from the person id after validation
            continue
        if column.name in ("flow", "amount") and (INCOME_AMOUNT in headers
                                                  or EXPENSE_AMOUNT in headers):
            continue  # 收入 / 支出 columns: _split_amount said what is wrong
        source = VOLUNTEER_HOURS if (column.name == "volunteer_minutes"
                                     and VOLUNTEER_HOURS in headers) else column.name
        if not any(e.field == source for e in errors):  # an unreadable cell: already reported
            errors.append(RowError(number, "", source, "", "missing_value"))


def _labelled(error: RowError, labels: dict[str, str]) -> RowError:
    return RowError(error.row, labels.get(error.field, error.field), error.field, error.value,
                    error.code, error.params)


# Finance columns whose meaning depends on the row's flow (收入 or 支出).
_NEEDS_FLOW = ("line", "source_type", LEGACY_CATEGORY)


def _line_and_source(record: dict, headers: dict[str, int], cells: list, number: int,
                     errors: list[RowError]) -> None:
    """科目 and 来源类型 of a finance row. A name may imply the source (政府补助收入: government);
    an explicit 来源类型 cell wins. An old 类别 column fills what 科目/来源类型 leave empty."""
    raw = {name: cells[headers[name]] for name in _NEEDS_FLOW if name in headers}
    for name, value in raw.items():
        if isinstance(value, Uncalculated):
            errors.append(RowError(number, "", name, str(value), "formula_not_calculated"))
    raw = {k: v for k, v in raw.items() if not isinstance(v, Uncalculated) and clean_text(v)}
    record.setdefault("line", None)
    record.setdefault("source_type", None)
    flow = record.get("flow")
    if flow is None:
        # The flow's own error (or its missing value) is reported; the line waits on it.
        if "line" in raw or LEGACY_CATEGORY in raw:
            record["line"] = ""
        return
    implied = None
    for name, legacy in (("line", False), (LEGACY_CATEGORY, True)):
        if name in raw and record["line"] is None:
            try:
                record["line"], implied = parse_line(raw[name], flow, legacy=legacy)
                # kept as the row's detail, and named in the dry run; a 明细科目 column wins
                if sub_account_of(raw[name], flow, legacy=legacy) and not record.get(SUB_ACCOUNT):
                    record[SUB_ACCOUNT] = clean_text(raw[name])
            except CellError as exc:
                errors.append(RowError(number, "", name, clean_text(raw[name]), exc.code,
                                       exc.params))
                record["line"] = ""
    if "source_type" in raw:
        if flow != "income":
            errors.append(RowError(number, "", "source_type", clean_text(raw["source_type"]),
                                   "source_for_expense"))
            return
        try:
            record["source_type"] = parse_source_type(raw["source_type"])
        except CellError as exc:
            errors.append(RowError(number, "", "source_type", clean_text(raw["source_type"]),
                                   exc.code, exc.params))
    elif flow == "income":
        record["source_type"] = implied


def _finance_defaults(record: dict) -> None:
    """The documented default of 限定性 when the cell or the column is empty: unrestricted.
    (A restricted grant makes its rows restricted: docs/import.md.)"""
    if record.get("restricted") is None:
        record["restricted"] = False
        record[RESTRICTED_DEFAULTED] = True  # kept aside (not a column): a grant may set it


def _check_volunteer_time(record: dict, number: int, headers: dict, errors: list[RowError]):
    """Minutes above 24 h per volunteer person-time are a typo (hours typed as minutes, or an
    extra digit), never a real day of volunteering. Checked whenever both cells were read,
    whatever else is wrong in the row: every error of a row is reported in one round."""
    minutes, volunteers = record.get("volunteer_minutes"), record.get("volunteers")
    if minutes is None or volunteers is None:
        return
    if minutes > MINUTES_PER_DAY * volunteers:
        source = VOLUNTEER_HOURS if VOLUNTEER_HOURS in headers else "volunteer_minutes"
        errors.append(RowError(number, "", source, str(minutes), "minutes_per_volunteer",
                               {"volunteers": volunteers, "limit": MINUTES_PER_DAY * volunteers}))


def _check_period(record: dict, number: int, errors: list[RowError]) -> None:
    from impact.ingest.grants import period_error

    problem = period_error(record)
    if problem is not None:
        errors.append(RowError(number, "", "end_date", str(record["end_date"]), problem.code,
                               problem.params))


def _check_groups(record: dict, number: int, errors: list[RowError]) -> None:
    """Group person-times of one dimension cannot add up to more than the record's."""
    from impact.ingest.groups import group_counts, over_total

    counts = group_counts(record)
    if not isinstance(record.get("beneficiaries"), int):
        return  # the record's own person-times are refused already
    over = over_total(counts, record["beneficiaries"]) if counts else None
    if over:
        dimension, total = over
        errors.append(RowError(number, "", "beneficiaries", str(record["beneficiaries"]),
                               "groups_exceed", {"dimension": dimension, "total": total,
                                                 "beneficiaries": record["beneficiaries"]}))
