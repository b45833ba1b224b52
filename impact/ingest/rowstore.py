"""Valid rows of a checked file held column-wise, so a million of them fit in little memory.

A `ParsedRow` is a dict per row: a million of them took over a GB. `RowStore` keeps each
chunk of rows as an Arrow table in the stored table's schema (exact: dates, integers,
Decimal money at the column's scale) plus the rows' numbers, their `extra` values (pickled
per chunk: a few keys repeated, so a few bytes a row) and whether their id was generated.
It reads like the list of ParsedRow it replaces (len, iteration, indexing), rebuilding the
rows of one chunk at a time, and hands the commit its Arrow table without a detour through
Python objects.
"""

from __future__ import annotations

import bisect
import pickle
from collections.abc import Iterable, Iterator, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from impact.ingest.keys import GENERATED
from impact.ingest.rows import ParsedRow
from impact.storage.schema import TABLES

NUMBER = "__row"  # the row's number in the file, beside the record's columns


class RowStore(Sequence):
    """Valid rows of one table, in file order (see the module's docstring)."""

    def __init__(self, table: str, rows: Iterable[ParsedRow] = ()):
        self.table = table
        self.schema = TABLES[table].arrow_schema
        self._chunks: list[tuple[pa.Table, bytes, pa.Array]] = []
        self._starts: list[int] = []
        self._count = 0
        self.extra_keys: set[str] = set()  # every key any row's `extra` has
        rows = list(rows)
        if rows:
            self.extend(rows)

    def extend(self, rows: list[ParsedRow]) -> None:
        """Add a chunk of rows (their records are converted now, then not kept)."""
        if not rows:
            return
        data = pa.Table.from_pylist([r.record for r in rows], schema=self.schema)
        data = data.append_column(NUMBER, pa.array([r.row for r in rows], pa.int64()))
        extras = [r.extra for r in rows]
        for e in extras:
            self.extra_keys.update(e)
        generated = pa.array([bool(e.get(GENERATED)) for e in extras], pa.bool_())
        self._add(data, pickle.dumps(extras, protocol=pickle.HIGHEST_PROTOCOL), generated)

    def _add(self, data: pa.Table, extras: bytes, generated: pa.Array) -> None:
        self._starts.append(self._count)
        self._count += data.num_rows
        self._chunks.append((data, extras, generated))

    def __len__(self) -> int:
        return self._count

    def _rows(self, chunk) -> list[ParsedRow]:
        data, extras, _ = chunk
        numbers = data.column(NUMBER).to_pylist()
        records = data.drop_columns([NUMBER]).to_pylist()
        return [ParsedRow(n, r, e) for n, r, e in zip(numbers, records, pickle.loads(extras))]

    def __iter__(self) -> Iterator[ParsedRow]:
        for chunk in self._chunks:
            yield from self._rows(chunk)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        k = bisect.bisect_right(self._starts, index) - 1
        return self._rows(self._chunks[k])[index - self._starts[k]]

    def __repr__(self) -> str:
        return f"RowStore({self.table}, {len(self)} rows)"

    def arrow(self, numbers: bool = False) -> pa.Table:
        """Every row's record as one table in the stored schema (with `__row` if asked)."""
        parts = [c[0] for c in self._chunks]
        if not parts:
            empty = self.schema.empty_table()
            return empty.append_column(NUMBER, pa.array([], pa.int64())) if numbers else empty
        data = pa.concat_tables(parts)
        return data if numbers else data.drop_columns([NUMBER])

    def generated(self) -> pa.Array:
        """Mask: the row's id was generated from its content by this file."""
        if not self._chunks:
            return pa.array([], pa.bool_())
        return pa.chunked_array([c[2] for c in self._chunks], pa.bool_()).combine_chunks()

    def numbers(self) -> pa.Array:
        """The rows' numbers in the file."""
        return pc.cast(self.arrow(numbers=True)[NUMBER], pa.int64())

    def take(self, keep: Sequence[bool]) -> "RowStore":
        """The rows where `keep` (one flag a row, in order) is true, as a new RowStore."""
        out = RowStore(self.table)
        out.extra_keys = set(self.extra_keys)
        offset = 0
        for data, extras, generated in self._chunks:
            mask = list(keep[offset:offset + data.num_rows])
            offset += data.num_rows
            if all(mask):
                out._add(data, extras, generated)
            elif any(mask):
                flags = pa.array(mask, pa.bool_())
                kept = [e for e, k in zip(pickle.loads(extras), mask) if k]
                out._add(data.filter(flags), pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL),
                         generated.filter(flags))
        return out


def new_rows_table(check) -> pa.Table:
    """An ImportCheck's new rows as an Arrow table in the stored schema (a RowStore has it
    already; a list of parsed rows is converted)."""
    if isinstance(check.new_rows, RowStore):
        return check.new_rows.arrow()
    return pa.Table.from_pylist([r.record for r in check.new_rows],
                                schema=TABLES[check.table].arrow_schema)
