"""The heavy jobs as Spark jobs: the monthly rollup, compaction, the data-quality checks.

Spark computes; the store commits. Each job reads the committed files through Spark (on a
cluster, executors read the object store in parallel), does the scan, shuffle and sort there,
and hands the finished rows of one output file at a time to `DataStore`, which writes them as
the same content-addressed Parquet and publishes the same kind of manifest commit as the
embedded path (`impact.compaction`). So:

- a rollup built by Spark is byte for byte the file the embedded path writes (same rows, same
  order, same schema: `impact.storage.rollup.canonical`), and the dashboard's DuckDB cannot tell them
  apart;
- there is still one writer: whoever runs the job commits, as one manifest write
  (docs/scaling.md, "the one-writer rule").

What reaches the driver is one output file's rows: a rollup partition (about a hundredth of a
year of detail) or, for compaction, one year of one table. See docs/scaling.md for sizes.
"""

from __future__ import annotations

from urllib.parse import unquote

import pyarrow as pa

from impact.storage import rollup
from impact.storage.compaction import _entry, rollups_for
from impact.engines.spark import SparkDatabase, spark_path, typed_frame
from impact.errors import DataError
from impact.filters import Filters
from impact.storage.schema import TABLES
from impact.storage.store import DataFile, DataStore

QUALITY_CHECKS = ("data_quality_duplicates", "data_quality_outliers", "data_quality_gaps",
                  "data_quality_rows")


def _source_of(file_path: str, wanted: list[str]) -> str:
    """Which manifest path Spark's `_metadata.file_path` (a URI) is."""
    path = unquote(file_path)
    for rel in wanted:
        if path.endswith("/" + rel):
            return rel
    raise DataError(f"{path}: Spark read a file that is not in the manifest")


def rollup_tables(spark, store: DataStore, sources: list[str]) -> dict[str, pa.Table]:
    """{activities file: its monthly rollup}, summed by Spark in one job over all the files.
    Grouping by the file each row came from keeps one rollup per activities file, as the
    store keeps them (a file and its rollup are committed and retired together)."""
    if not sources:
        return {}
    paths = [spark_path(store.full_path(p)) for p in sources]
    from pyspark.sql import functions as F

    rows = typed_frame(spark, store, TABLES["activities"], paths, source=True)
    grouped = rows.groupBy("source", F.trunc("date", "MM").cast("date").alias("date"),
                           *rollup.KEYS).agg(
        F.count(F.lit(1)).alias("records"),
        *(F.sum(c).cast("bigint").alias(c) for c in rollup.SUMS)).toArrow()
    out: dict[str, list[int]] = {}
    for i, uri in enumerate(grouped["source"].to_pylist()):
        out.setdefault(_source_of(uri, sources), []).append(i)
    tables = {}
    for rel in sources:
        rows = grouped.take(pa.array(out.get(rel, []), type=pa.int64()))
        tables[rel] = rollup.canonical(rows)
    return tables


def build_rollups(store: DataStore, spark, *, rebuild: bool = False) -> dict | None:
    """Add (or with `rebuild`, recompute) the monthly rollup as a new commit, summed by Spark.
    None when the committed rollup already matches the activities files."""
    manifest = store.manifest()
    if manifest is None:
        return None
    if not rebuild and store.rollup_files(manifest=manifest) is not None:
        return None
    activities = manifest.get("tables", {}).get("activities", {}).get("files", [])
    known = {} if rebuild else {
        e.get("source"): e for e in manifest.get("rollups", {}).get(rollup.NAME, {})
        .get("files", [])}
    todo = [e["path"] for e in activities if e["path"] not in known]
    made = rollup_tables(spark, store, todo)
    files = []
    for e in activities:
        if e["path"] in known:
            files.append(known[e["path"]])
            continue
        directory = e["path"].replace("activities/", f"{rollup.NAME}/", 1).rsplit("/", 1)[0]
        files.append({**store._write_file(directory + "/", made[e["path"]]), "source": e["path"]})
    rollups = dict(manifest.get("rollups", {}))
    rollups[rollup.NAME] = {"files": sorted(files, key=lambda x: x["path"])}
    return store._publish(manifest, manifest, dict(manifest["tables"]), {}, False, rollups,
                          record={"kind": "rollups", "why": "add the monthly rollup (Spark)"})


def compact(store: DataStore, spark, tables=None) -> dict | None:
    """Merge each partition's files into one sorted file, merged and sorted by Spark, as one
    new commit (the same files and commit as impact.storage.compaction.compact). None when every
    partition already has one file."""
    manifest = store.manifest()
    if manifest is None:
        return None
    new_tables, changed, derived = dict(manifest.get("tables", {})), False, []
    for name in (tables or list(new_tables)):
        groups: dict[str, list[DataFile]] = {}
        for f in store.files(name, manifest):
            groups.setdefault(f.path.rsplit("/", 1)[0], []).append(f)
        if all(len(g) == 1 for g in groups.values()):
            continue
        table, entries = TABLES[name], []
        for directory in sorted(groups):
            group = groups[directory]
            if len(group) == 1:
                entries.append(_entry(group[0]))
                continue
            # Spark reads and merges the files; the store sorts and writes the one file
            # (sort_for_storage), so the bytes are those of the embedded compaction.
            rows = typed_frame(spark, store, table, [spark_path(store.full_path(f.path))
                                                     for f in group]).toArrow()
            written, rolled = store._write_chunk(name, rows)
            entries += written
            derived += rolled
        new_tables[name] = {"files": sorted(entries, key=lambda e: e["path"])}
        changed = True
    if not changed:
        return None
    rollups = dict(manifest.get("rollups", {}))
    if new_tables.get("activities") != manifest["tables"].get("activities"):
        # Rollups of the merged files came with them; the others are kept (or made).
        known = rollups.get(rollup.NAME, {}).get("files", []) + derived
        rollups[rollup.NAME] = {"files": rollups_for(
            store, {"rollups": {rollup.NAME: {"files": known}}},
            new_tables["activities"]["files"])}
    return store._publish(manifest, manifest, new_tables, {}, False, rollups,
                          record={"kind": "compact",
                                  "why": "merge each year's files into one (Spark)"})


def quality_checks(db: SparkDatabase, filters: Filters = Filters()) -> dict[str, list[dict]]:
    """The data-quality checks (duplicates, outliers, gaps, rows per year) over the detail,
    each one Spark job: the named queries the /data page runs on DuckDB."""
    params = filters.params()
    return {name: db.rows(name, **params) for name in QUALITY_CHECKS}
