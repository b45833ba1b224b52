"""Keeping the layout fast as imports accumulate: appends, compaction, the monthly rollup.

`append` adds an import's rows by rewriting only the years they fall in, each as one sorted
file: at 10M rows an import of one month touches one year's file, not ten, and the layout
never fragments.

A chunked commit (the benchmark generator, a large import) leaves several files in a year's
partition; `compact` merges them into one sorted file per partition, as one new commit with
the same rows and control totals. `build_rollups` adds the monthly rollup (impact.storage.rollup) to a
dataset committed before rollups existed. Both only ever add a commit: readers see the old
layout or the new one, and superseded files retire like any others.
"""

from __future__ import annotations

from typing import Iterable

import pyarrow as pa

from impact.storage import rollup
from impact.storage.schema import TABLES, conform
from impact.storage.store import DataFile, DataStore, partitions


def _entry(f: DataFile) -> dict:
    return {"path": f.path, "sha256": f.sha256, "bytes": f.bytes, "rows": f.rows,
            "totals": f.totals}


def compact(store: DataStore, tables: Iterable[str] | None = None) -> dict | None:
    """Merge each partition's files into one sorted file, as one new commit. Returns the new
    manifest, or None when every partition already has a single file."""
    manifest = store.manifest()
    if manifest is None:
        return None
    new_tables, changed = dict(manifest.get("tables", {})), False
    for name in (tables or list(new_tables)):
        groups: dict[str, list[DataFile]] = {}
        for f in store.files(name, manifest):
            groups.setdefault(f.path.rsplit("/", 1)[0], []).append(f)
        if all(len(g) == 1 for g in groups.values()):
            continue
        entries = []
        for directory in sorted(groups):
            group = groups[directory]
            if len(group) == 1:
                entries.append(_entry(group[0]))
                continue
            merged = pa.concat_tables(store._read_file(name, f) for f in group)
            entries += store._write_chunk(name, merged)[0]
        new_tables[name] = {"files": sorted(entries, key=lambda e: e["path"])}
        changed = True
    if not changed:
        return None
    rollups = dict(manifest.get("rollups", {}))
    if new_tables.get("activities") != manifest["tables"].get("activities"):
        rollups[rollup.NAME] = {"files": rollups_for(store, manifest,
                                                     new_tables["activities"]["files"])}
    return store._publish(manifest, manifest, new_tables, {}, False, rollups,
                          record={"kind": "compact", "why": "merge each year's files into one"})


def rollups_for(store: DataStore, manifest: dict, entries: list[dict]) -> list[dict]:
    """Rollup entries for these activities files: kept where they exist, made where not."""
    known = {e.get("source"): e for e in
             manifest.get("rollups", {}).get(rollup.NAME, {}).get("files", [])}
    out = []
    for e in entries:
        if e["path"] in known:
            out.append(known[e["path"]])
            continue
        part = store._read_file("activities", DataFile("activities", e["path"], e["sha256"],
                                                       e["bytes"], e["rows"], {}))
        directory = e["path"].replace("activities/", f"{rollup.NAME}/", 1).rsplit("/", 1)[0]
        summary = store._write_file(directory + "/", rollup.rollup_of(part))
        out.append({**summary, "source": e["path"]})
    return sorted(out, key=lambda x: x["path"])


def build_rollups(store: DataStore) -> dict | None:
    """Add the monthly rollup to a dataset committed without one (as a new commit); None
    when there is nothing to do."""
    manifest = store.manifest()
    if manifest is None or store.rollup_files(manifest=manifest) is not None:
        return None
    rollups = dict(manifest.get("rollups", {}))
    rollups[rollup.NAME] = {"files": rollups_for(
        store, manifest, manifest.get("tables", {}).get("activities", {}).get("files", []))}
    return store._publish(manifest, manifest, dict(manifest["tables"]), {}, False, rollups,
                          record={"kind": "rollups", "why": "add the monthly rollup"})


def append(store: DataStore, name: str, rows: pa.Table, *, meta: dict | None = None,
           record: dict | None = None, expected: int | None = None,
           also: dict[str, pa.Table] | None = None) -> dict:
    """Add `rows` to table `name` in one commit. Each partition the rows fall in is read,
    merged with them and written as one sorted file (with its rollup); every other file is
    kept as it is. Unpartitioned tables (small) are rewritten whole. `also` gives the whole
    new contents of other tables (an import's companion rows) for the same commit."""
    table = TABLES[name]
    rows = conform(table, rows)
    manifest = store.manifest()
    if manifest is None or not table.partitioned:
        return store.commit({name: pa.concat_tables([store.read_table(name), rows]),
                             **(also or {})}, meta=meta, record=record, expected=expected)
    by_dir: dict[str, list[DataFile]] = {}
    for f in store.files(name, manifest):
        by_dir.setdefault(f.path.rsplit("/", 1)[0], []).append(f)
    kept = {f.path for files in by_dir.values() for f in files}
    entries, derived = [], []
    # Not sorted here: _write_chunk sorts each merged partition (a second sorted copy of a
    # million rows was 80 MB more at the peak).
    for prefix, part in partitions(table, rows):
        old = by_dir.get(f"{name}/{prefix}".rstrip("/"), [])
        kept -= {f.path for f in old}
        merged = pa.concat_tables([*(store._read_file(name, f) for f in old), part])
        written, rolled = store._write_chunk(name, merged)
        entries += written
        derived += rolled
    entries += [_entry(f) for f in store.files(name, manifest) if f.path in kept]
    new_tables = dict(manifest.get("tables", {}))
    new_tables[name] = {"files": sorted(entries, key=lambda e: e["path"])}
    for other, data in (also or {}).items():
        new_tables[other] = {"files": sorted(store._write_chunk(other, data)[0],
                                             key=lambda e: e["path"])}
    rollups = dict(manifest.get("rollups", {}))
    if name == "activities":
        old_rollups = rollups.get(rollup.NAME, {}).get("files", [])
        if store.rollup_files(manifest=manifest) is None:
            # None yet: make them for the kept files; the written ones have theirs already
            # (reading a million new rows back to roll them up again was 56 MB of the peak).
            files = rollups_for(store, {"rollups": {rollup.NAME: {"files": derived}}},
                                new_tables[name]["files"])
        else:
            files = [e for e in old_rollups if e.get("source") in kept] + derived
        rollups[rollup.NAME] = {"files": sorted(files, key=lambda e: e["path"])}
    return store._publish(manifest, manifest, new_tables, meta, False, rollups, record=record,
                          expected=expected)
