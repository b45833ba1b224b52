"""Upgrade a data directory written before issue 15: the finance table's one `category`
column (income: donation, government, foundation, enterprise, service_fee, other) becomes
`line` and `source_type` (schema.LEGACY_CATEGORIES), `restricted` becomes not null (an empty
one is unrestricted, the documented default) and `grant_id` is added.

The upgrade is an ordinary commit (new version, manifest, history: `impact undo` takes it
back). Every amount is kept: the totals per organisation, year and flow are compared to the
fen before anything is published.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq

from impact.errors import DataError
from impact.storage.schema import LEGACY_CATEGORIES, TABLES
from impact.storage.store import DataFile, DataStore

RECORD = {"kind": "migrate", "why": "finance: category → line and source_type (issue 15)"}


@dataclass
class Mapped:
    """One old (flow, category) and what it became, with its rows and their sum."""

    flow: str
    category: str
    line: str
    source_type: str | None
    rows: int = 0
    amount: Decimal = Decimal("0.00")


@dataclass
class Migration:
    """What an upgrade did (or would do): the mapping used, and the version it made."""

    mapped: list[Mapped] = field(default_factory=list)
    version: int | None = None
    defaulted_restricted: int = 0  # old rows with an empty 限定性, now unrestricted

    @property
    def current(self) -> bool:
        """Nothing to upgrade: the directory already has the new columns."""
        return self.version is None


def _old_files(store: DataStore) -> list[tuple[DataFile, pa.Table]]:
    """The committed finance files that still have the old `category` column."""
    out = []
    for f in store.files("finance"):
        table = pq.read_table(io.BytesIO(store.verified_bytes(f)))
        if "category" in table.column_names:
            out.append((f, table))
    return out


def _totals(rows: list[dict]) -> dict[tuple, Decimal]:
    out: dict[tuple, Decimal] = {}
    for r in rows:
        key = (r["org"], r["date"].year, r["flow"])
        out[key] = out.get(key, Decimal(0)) + r["amount"]
    return out


def _convert(path: str, table: pa.Table, mapped: dict, migration: Migration) -> list[dict]:
    """The file's rows in the new columns; an unknown old value is refused by file, row and
    value (nothing is written then)."""
    rows = []
    for number, old in enumerate(table.to_pylist(), 1):
        key = (old.get("flow"), old.get("category"))
        if key not in LEGACY_CATEGORIES:
            raise DataError(
                f"{path}: row {number} (凭证号 {old.get('txn_id')}): flow "
                f"{old.get('flow')!r} with category {old.get('category')!r} is not one the old "
                "data model had, so it cannot be mapped to a line and source type; correct it "
                "and run `impact migrate` again (nothing was changed)")
        line, source_type = LEGACY_CATEGORIES[key]
        entry = mapped.setdefault(key, Mapped(key[0], key[1], line, source_type))
        entry.rows += 1
        entry.amount += old["amount"]
        if old.get("restricted") is None:
            migration.defaulted_restricted += 1
        new = {k: v for k, v in old.items() if k != "category"}
        new.update(line=line, source_type=source_type, grant_id=old.get("grant_id"),
                   restricted=bool(old.get("restricted")))
        rows.append(new)
    return rows


def migrate(store: DataStore) -> Migration:
    """Upgrade the finance table if it has the old columns; return what was mapped."""
    migration = Migration()
    with store.lock():
        manifest = store.manifest()
        if manifest is None:
            raise DataError(f"{store.full_path('')}: no committed data (manifest.json) to upgrade")
        old_files = _old_files(store)
        if not old_files:
            return migration
        old_paths = {f.path for f, _ in old_files}
        keep = [store._read_file("finance", f) for f in store.files("finance")
                if f.path not in old_paths]
        mapped: dict = {}
        before, after = [], []
        for f, table in old_files:
            before += table.to_pylist()
            after += _convert(store.full_path(f.path), table, mapped, migration)
        if _totals(before) != _totals(after):  # cannot happen: amounts are copied as they are
            raise DataError("the upgrade would change an amount; nothing was written")
        schema = TABLES["finance"].arrow_schema
        converted = pa.Table.from_pylist(after, schema=schema)
        new = pa.concat_tables([converted, *keep]) if keep else converted
        result = store.commit({"finance": new}, record=dict(RECORD),
                              expected=manifest["version"])
    migration.mapped = sorted(mapped.values(), key=lambda m: (m.flow, m.category))
    migration.version = result["version"]
    return migration
