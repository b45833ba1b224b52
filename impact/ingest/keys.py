"""Record identity: which imported row is the same record as a stored one.

- activities / finance: the `activity_id` / `txn_id` when the file gives one, scoped by
  organisation (two organisations may both number a voucher 001). Without one, the id is a
  hash of the row's content plus its occurrence among identical rows in the same file:
  two identical ¥100 donations on one day are two records (…#1, …#2), and importing the same
  file again produces the same two ids, so it adds nothing.
- indicators / targets: their natural key (org, project, year, indicator | metric): one
  figure per organisation, project and year; a second, different figure is a conflict.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

from impact.ingest.rows import ParsedRow, RowError
from impact.storage.schema import TABLES

AUTO_PREFIX = "auto-"
# ParsedRow.extra key: this file generated the row's id from its content. Only such an id
# vouches for the content; an auto-… id the file itself gives may come with other values.
GENERATED = "generated_id"
_NATURAL = {"indicators": ("org", "project", "year", "indicator"),
            "targets": ("org", "project", "year", "metric", "grant_id"),
            "reach": ("org", "project", "year", "beneficiary_group"),
            "outcomes": ("org", "project", "year", "indicator"),
            "participants": ("org", "project", "year", "person_key"),
            "budgets": ("org", "project", "grant_id", "year", "line")}


def canonical(table_name: str, record: dict) -> str:
    """The row's content as a stable string (the id column left out, and the columns added
    since ids were first generated: a stored row's id must not change with the schema)."""
    table = TABLES[table_name]
    values = [None if record[c] is None else str(record[c])
              for c in table.column_names if c != table.key and c not in table.added_columns]
    return json.dumps([table_name, *values], ensure_ascii=False)


def content_id(content: str, occurrence: int) -> str:
    """The id of the `occurrence`-th row with this canonical content in one file."""
    digest = hashlib.sha256(f"{content}#{occurrence}".encode()).hexdigest()
    return AUTO_PREFIX + digest[:20]


def record_key(table_name: str, record: dict) -> tuple:
    """What identifies a stored record of this table."""
    key = TABLES[table_name].key
    if key:
        return (record["org"], record[key])
    return tuple(record[c] for c in _NATURAL[table_name])


def assign_keys(table_name: str, parsed: list[ParsedRow], labels: dict[str, str]
                ) -> tuple[list[ParsedRow], list[RowError]]:
    """Fill generated ids; refuse a key that appears twice in the file (naming both rows)."""
    key_column = TABLES[table_name].key
    twins: Counter[str] = Counter()
    first_row: dict[tuple, int] = {}
    kept, errors = [], []
    for row in parsed:
        record = row.record
        if key_column and record[key_column] is None:
            text = canonical(table_name, record)
            twins[text] += 1
            record[key_column] = content_id(text, twins[text])
            row.extra[GENERATED] = True
            kept.append(row)
            continue
        key = record_key(table_name, record)
        if key in first_row:
            column = key_column or _NATURAL[table_name][-1]
            errors.append(RowError(row.row, labels.get(column, column), column,
                                   str(record[column]), "duplicate_in_file",
                                   {"first_row": first_row[key]}))
            continue
        first_row[key] = row.row
        kept.append(row)
    return kept, errors
