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

import numpy as np

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
    return KeyAssigner(table_name, labels).assign(parsed)


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class _Seen:
    """16-byte digests seen in earlier chunks of a file, each with a number (how often it
    occurred, or the row it first occurred in): sorted NumPy arrays, one per chunk, about
    20 bytes a row where a Python dict of bytes took about 120."""

    def __init__(self):
        self._parts: list[tuple[np.ndarray, np.ndarray]] = []

    def lookup(self, digests: list[bytes]) -> list[list[int]]:
        """For each digest, its numbers in the earlier chunks (oldest first)."""
        out: list[list[int]] = [[] for _ in digests]
        if not digests or not self._parts:
            return out
        wanted = np.array(digests, dtype="S16")
        for keys, values in self._parts:
            at = np.searchsorted(keys, wanted)
            at[at == len(keys)] = 0
            for i in np.flatnonzero(keys[at] == wanted).tolist():
                out[i].append(int(values[at[i]]))
        return out

    def add(self, numbers: dict[bytes, int]) -> None:
        """A chunk's digests and their numbers."""
        if numbers:
            keys = np.array(list(numbers), dtype="S16")
            order = np.argsort(keys, kind="stable")
            self._parts.append((keys[order],
                                np.array(list(numbers.values()), dtype=np.int64)[order]))


class KeyAssigner:
    """`assign_keys` a chunk of the file at a time, in file order: the occurrences of a
    content and the keys already seen carry over from one chunk to the next, as 16-byte
    digests (`_Seen`), not as the texts: a million rows' canonical texts would take
    hundreds of MB (two different texts sharing a 128-bit digest is not a real risk)."""

    def __init__(self, table_name: str, labels: dict[str, str]):
        self.table_name, self.labels = table_name, labels
        self.key_column = TABLES[table_name].key
        self.twins, self.first_row = _Seen(), _Seen()

    def assign(self, parsed: list[ParsedRow]) -> tuple[list[ParsedRow], list[RowError]]:
        table_name, key_column = self.table_name, self.key_column
        generated = [key_column and r.record[key_column] is None for r in parsed]
        texts = [canonical(table_name, r.record) if g else None
                 for r, g in zip(parsed, generated)]
        digests = [_digest(t) if g else _digest(repr(record_key(table_name, r.record)))
                   for r, g, t in zip(parsed, generated, texts)]
        earlier = iter(self.twins.lookup([d for d, g in zip(digests, generated) if g]))
        before = iter(self.first_row.lookup([d for d, g in zip(digests, generated) if not g]))
        twins: Counter[bytes] = Counter()
        first_row: dict[bytes, int] = {}
        kept, errors = [], []
        for row, gen, text, digest in zip(parsed, generated, texts, digests):
            record = row.record
            if gen:
                twins[digest] += 1
                record[key_column] = content_id(text, sum(next(earlier)) + twins[digest])
                row.extra[GENERATED] = True
                kept.append(row)
                continue
            seen = next(before)
            first = seen[0] if seen else first_row.get(digest)
            if first is not None:
                column = key_column or _NATURAL[table_name][-1]
                errors.append(RowError(row.row, self.labels.get(column, column), column,
                                       str(record[column]), "duplicate_in_file",
                                       {"first_row": first}))
                continue
            first_row[digest] = row.row
            kept.append(row)
        self.twins.add(twins)
        self.first_row.add(first_row)
        return kept, errors
