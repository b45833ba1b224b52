"""Corrections: update rows by key, replace an organisation's years, delete rows.

Every correction is planned first (`plan`: which partitions change, the rows added, changed
and removed, how the totals move) without writing anything, so the dry run and the
confirmation show exactly what `apply` will commit. `apply` writes the changed partitions as
new content-addressed files and publishes one new version (compare-and-swap on the version
the plan was made from). Partitions a correction does not touch keep their files.

A table's companion (activity_groups of activities, grant_projects of grants) is part of the
same plan and the same version: a record removed takes its companion rows with it, and a record
whose breakdown a file gives has its stored breakdown replaced (issue 27).

Closed periods (`impact close`) are guarded here for every kind of commit: `refuse_closed`
names the rows of a closed organisation-year that a change would touch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc

from impact.errors import ClosedPeriod, DataError
from impact.storage import rollup
from impact.storage.changes import KEYS
from impact.storage.files import control_totals, partitions, sort_for_storage
from impact.storage.schema import TABLES, conform
from impact.storage.store import DataFile, DataStore

Mask = Callable[[pa.Table], pa.Array]


# table → (its companion table, the companion's columns that name the owning record).
COMPANIONS = {"activities": ("activity_groups", ("org", "activity_id")),
              "grants": ("grant_projects", ("org", "grant_id"))}


def owner_of(name: str, record: dict) -> tuple:
    """The key of the record a companion row (or the record itself) belongs to."""
    table = next((t for t, (c, _) in COMPANIONS.items() if c == name), name)
    return tuple(record[k] for k in COMPANIONS[table][1])


def owned_by(data: pa.Table, columns: tuple[str, ...], owners: set[tuple]) -> pa.Array:
    """Mask of the rows whose owner key is one of `owners`."""
    keys = zip(*(data[c].to_pylist() for c in columns))
    return pa.array([k in owners for k in keys], pa.bool_())


def key_of(name: str, record: dict) -> tuple:
    return tuple(record[k] for k in KEYS[name])


def year_of(name: str, record: dict) -> int:
    return record["date"].year if "date" in record else int(record["year"])


@dataclass
class Change:
    kind: str  # added | changed | removed
    key: tuple
    old: dict | None
    new: dict | None

    @property
    def fields(self) -> dict[str, tuple]:
        """{column: (old, new)} of the columns that differ."""
        o, n = self.old or {}, self.new or {}
        return {c: (o.get(c), n.get(c)) for c in (self.new or self.old) if o.get(c) != n.get(c)}


@dataclass
class Plan:
    """What a correction will do, before anything is written."""

    table: str
    base_version: int
    manifest: dict
    new_parts: dict[str, pa.Table] = field(default_factory=dict)  # partition dir → rows
    changes: list[Change] = field(default_factory=list)
    totals_before: dict = field(default_factory=dict)
    totals_after: dict = field(default_factory=dict)
    # The companion table's plan (committed in the same version), and the owning records
    # whose companion rows it changes (for the closed-period check).
    companions: list["Plan"] = field(default_factory=list)
    owners: list[dict] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    @property
    def empty(self) -> bool:
        return not self.changes and all(c.empty for c in self.companions)

    @property
    def all_changes(self) -> list[tuple[str, "Change"]]:
        """(table, change) of this plan and its companions', for previews."""
        return [(self.table, c) for c in self.changes] + \
               [pair for sub in self.companions for pair in sub.all_changes]


def _groups(store: DataStore, name: str, manifest: dict) -> dict[str, list[DataFile]]:
    out: dict[str, list[DataFile]] = {}
    for f in store.files(name, manifest):
        out.setdefault(f.path.rsplit("/", 1)[0] + "/" if "/" in f.path else "", []).append(f)
    return out


def plan(store: DataStore, name: str, *, upserts: pa.Table | None = None,
         remove: Mask | None = None, companion_rows: list[dict] | None = None,
         regroup: list[dict] | None = None) -> Plan:
    """Plan a correction of table `name`: `upserts` replace stored rows with the same key
    (or are added), `remove` marks stored rows to delete. Reads only the partitions that can
    change: those of the upserted rows, or all of them when rows are removed by a mask.

    The companion table (COMPANIONS) is planned with it: rows of removed records go, and the
    records in `regroup` have their stored companion rows replaced by `companion_rows`."""
    manifest = store.manifest() or {"version": 0, "tables": {}}
    result = _plan(store, name, manifest, upserts, remove)
    if name in COMPANIONS:
        companion, columns = COMPANIONS[name]
        owners = {owner_of(name, r): r for r in regroup or []}
        owners.update((owner_of(name, c.old), c.old) for c in result.changes if c.kind == "removed")
        if owners or companion_rows:
            keys = set(owners)
            sub = _plan(store, companion, manifest,
                        pa.Table.from_pylist(companion_rows or [],
                                             schema=TABLES[companion].arrow_schema),
                        lambda data: owned_by(data, columns, keys))
            touched = {owner_of(companion, c.old or c.new) for c in sub.changes}
            sub.owners = [r for k, r in owners.items() if k in touched]
            result.companions.append(sub)
    return result


def _plan(store: DataStore, name: str, manifest: dict, upserts: pa.Table | None,
          remove: Mask | None) -> Plan:
    table = TABLES[name]
    result = Plan(name, int(manifest.get("version", 0)), manifest)
    if upserts is not None:
        upserts = sort_for_storage(name, conform(table, upserts))
    incoming = dict(partitions(table, upserts)) if upserts is not None else {}
    incoming = {f"{name}/{prefix}": rows for prefix, rows in incoming.items()}
    new_keys = {key_of(name, r) for r in upserts.to_pylist()} if upserts is not None else set()
    groups = _groups(store, name, manifest)
    if not table.partitioned:
        groups = {f"{name}/": groups.get("", []) + groups.get(f"{name}/", [])}
    dropped: list[dict] = []
    added: list[dict] = []
    dirs = set(incoming) | (set(groups) if remove is not None or new_keys else set())
    for directory in sorted(dirs):
        old_rows = [store._read_file(name, f) for f in groups.get(directory, [])]
        old = pa.concat_tables(old_rows) if old_rows else table.arrow_schema.empty_table()
        if name == "activity_groups":
            old = store.legacy_group_orgs(old, manifest)
        drop = pa.array([key_of(name, r) in new_keys for r in old.select(list(KEYS[name])).to_pylist()],
                        pa.bool_()) if new_keys else pa.array([False] * old.num_rows, pa.bool_())
        if remove is not None and old.num_rows:
            drop = pc.or_(drop, pc.fill_null(remove(old), False))
        add = incoming.get(directory, table.arrow_schema.empty_table())
        if not pc.any(drop).as_py() and not add.num_rows:
            continue
        add = _keep_provenance(name, old.filter(drop), add)
        kept = old.filter(pc.invert(drop))
        result.new_parts[directory] = pa.concat_tables([kept, add])
        dropped += old.filter(drop).to_pylist()
        added += add.to_pylist()
    _diff(result, dropped, added)
    return result


def _keep_provenance(name: str, dropped: pa.Table, add: pa.Table) -> pa.Table:
    """A correction does not move a record to another file: a row that replaces a stored one
    keeps the journal it was first imported from (Column.provenance), so `--update` from a
    small fix file leaves the row in its journal and a later `--replace` of that journal still
    finds it. Only an empty stored value (rows from before the column existed) is filled."""
    columns = [c.name for c in TABLES[name].columns if c.provenance]
    if not columns or not dropped.num_rows or not add.num_rows:
        return add
    keys = list(KEYS[name])
    incoming = [key_of(name, r) for r in add.select(keys).to_pylist()]
    for column in columns:
        stored = {key_of(name, r): r[column] for r in dropped.select(keys + [column]).to_pylist()
                  if r[column] is not None}
        if not stored:
            continue
        values = [stored.get(k, v) for k, v in zip(incoming, add[column].to_pylist())]
        at = add.schema.get_field_index(column)
        add = add.set_column(at, add.schema.field(at), pa.array(values, add.schema.field(at).type))
    return add


def _diff(result: Plan, dropped: list[dict], added: list[dict]) -> None:
    name = result.table
    before = {key_of(name, r): r for r in dropped}
    after = {key_of(name, r): r for r in added}
    for key in sorted(set(before) | set(after), key=str):
        o, n = before.get(key), after.get(key)
        if o is None:
            result.changes.append(Change("added", key, None, n))
        elif n is None:
            result.changes.append(Change("removed", key, o, None))
        elif o != n:
            result.changes.append(Change("changed", key, o, n))
    schema = TABLES[name].arrow_schema
    old_t = pa.Table.from_pylist(dropped, schema=schema)
    new_t = pa.Table.from_pylist(added, schema=schema)
    result.totals_before = control_totals(name, old_t) or {"rows": old_t.num_rows}
    result.totals_after = control_totals(name, new_t) or {"rows": new_t.num_rows}


def totals_delta(p: Plan) -> dict[str, str]:
    """How each control total moves: {name: "+123"} for those that change."""
    out = {}
    for k in p.totals_after:
        a, b = Decimal(str(p.totals_after[k])), Decimal(str(p.totals_before.get(k, 0)))
        if a != b:
            out[k] = f"{a - b:+}"
    if p.count("added") != p.count("removed"):
        out["rows"] = f"{p.count('added') - p.count('removed'):+}"
    return out


def refuse_closed(manifest: dict, name: str, rows: list[dict]) -> None:
    """A DataError naming the rows that fall in a closed organisation-year, if any."""
    closed = manifest.get("closed") or {}
    if not closed:
        return
    hits, seen = [], set()
    for r in rows:  # a changed record comes as its old and its new row: name it once
        mark = (key_of(name, r), year_of(name, r))
        if f"{r['org']}|{year_of(name, r)}" in closed and mark not in seen:
            seen.add(mark)
            hits.append(r)
    if not hits:
        return
    periods = sorted({(r["org"], year_of(name, r)) for r in hits})
    shown = "; ".join(f"{r['org']} {year_of(name, r)} {'/'.join(str(v) for v in key_of(name, r)[1:])}"
                      for r in hits[:5])
    more = f" and {len(hits) - 5} more" if len(hits) > 5 else ""
    which = ", ".join(f"{o} {y}" for o, y in periods)
    raise ClosedPeriod(f"refused: {len(hits)} {name} row(s) fall in a closed period ({which}; "
                       f"已关账): {shown}{more}; nothing was written (impact reopen --org … "
                       f"--year … --reason … first)", [f"{o} {y}" for o, y in periods],
                       [s.strip() for s in shown.split(";")] + ([more.strip()] if more else []))


def apply(store: DataStore, p: Plan, *, record: dict) -> dict:
    """Commit a plan, with its companions', as one new version; refused if the data changed
    since it was made."""
    if p.empty:
        raise DataError("nothing to change: the stored rows already are as asked")
    new_tables = dict(p.manifest.get("tables", {}))
    rollups = dict(p.manifest.get("rollups", {}))
    for sub in (p, *p.companions):
        if sub.changes:
            _apply_table(store, sub, new_tables, rollups)
    return store._publish(p.manifest, p.manifest, new_tables, None, False, rollups,
                          record=record, expected=p.base_version)


def _apply_table(store: DataStore, p: Plan, new_tables: dict, rollups: dict) -> None:
    """Write one table's changed partitions into `new_tables` (and its rollup)."""
    name, table = p.table, TABLES[p.table]
    if p.owners:  # companion rows have no date: their owners' periods are the ones touched
        owner = next(t for t, (c, _) in COMPANIONS.items() if c == name)
        refuse_closed(p.manifest, owner, p.owners)
    else:
        touched = [c.old for c in p.changes if c.old] + [c.new for c in p.changes if c.new]
        refuse_closed(p.manifest, name, touched)
    groups = _groups(store, name, p.manifest)
    if not table.partitioned:
        groups = {f"{name}/": groups.get("", []) + groups.get(f"{name}/", [])}
    entries, derived, replaced = [], [], set()
    for directory, rows in p.new_parts.items():
        replaced |= {f.path for f in groups.get(directory, [])}
        if rows.num_rows:
            written, rolled = store._write_chunk(name, rows)
            entries += written
            derived += rolled
    for f in store.files(name, p.manifest):
        if f.path not in replaced:
            entries.append({"path": f.path, "sha256": f.sha256, "bytes": f.bytes,
                            "rows": f.rows, "totals": f.totals})
    new_tables[name] = {"files": sorted(entries, key=lambda e: e["path"])}
    if name == "activities":
        old = rollups.get(rollup.NAME, {}).get("files", [])
        kept = {e["path"] for e in entries}
        files = [e for e in old if e.get("source") in kept] + derived
        rollups[rollup.NAME] = {"files": sorted(files, key=lambda e: e["path"])}
