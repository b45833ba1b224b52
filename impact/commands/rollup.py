"""`rollup`: build the monthly rollup (and optionally compact first), as one new commit."""

from __future__ import annotations

import argparse
import time

from impact.cli import add_data_dir
from impact.config import resolve_data_dir
from impact.datadir import is_bundled_demo
from impact.engines import add_engine_arguments
from impact.errors import UsageError
from impact.storage.store import DataStore

NAME = "rollup"
HELP = ("Build the monthly rollup the dashboard reads (impact.rollup) as a new commit; "
        "with --engine spark, as a Spark job.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir(parser)
    add_engine_arguments(parser)
    parser.add_argument("--rebuild", action="store_true",
                        help="recompute every rollup file, even where the committed one is "
                             "current (the bytes come out the same)")
    parser.add_argument("--compact", action="store_true",
                        help="first merge each year's files into one (after chunked imports)")


def run(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    if is_bundled_demo(data_dir):  # its files are byte-compared by the tests, and ship as is
        raise UsageError(f"{data_dir} is the bundled demo data, which ships with its rollup: "
                         "give --data-dir with a data directory of your own")
    store = DataStore(data_dir)
    if store.manifest() is None:
        raise UsageError(f"--data-dir {data_dir}: no committed data (manifest.json) to roll up")
    if args.spark_remote and args.engine != "spark":
        raise UsageError("--spark-remote needs --engine spark")
    started = time.perf_counter()
    if args.engine == "spark":
        from impact.engines import spark_jobs
        from impact.engines.spark import spark_session
        spark = spark_session(args.spark_remote)
        compact = lambda: spark_jobs.compact(store, spark)  # noqa: E731
        build = lambda: spark_jobs.build_rollups(store, spark, rebuild=args.rebuild)  # noqa: E731
    else:
        from impact.storage import compaction
        compact = lambda: compaction.compact(store)  # noqa: E731
        build = lambda: _build_embedded(store, args.rebuild)  # noqa: E731
    if args.compact:
        print("compacted: new commit" if compact() else "compaction: one file per partition already")
    manifest = build()
    seconds = time.perf_counter() - started
    if manifest is None:
        print(f"rollup: up to date ({args.engine}, {seconds:.1f} s)")
    else:
        files = manifest["rollups"]["activity_months"]["files"]
        rows = sum(f["rows"] for f in files)
        print(f"rollup: {len(files)} files, {rows:,} rows, commit version {manifest['version']} "
              f"({args.engine}, {seconds:.1f} s)")
    return 0


def _build_embedded(store: DataStore, rebuild: bool):
    """The embedded path (impact.compaction); --rebuild recomputes every file."""
    from impact.storage import compaction, rollup
    if not rebuild:
        return compaction.build_rollups(store)
    manifest = store.manifest()
    rollups = dict(manifest.get("rollups", {}))
    rollups[rollup.NAME] = {"files": compaction.rollups_for(
        store, {"rollups": {}}, manifest["tables"].get("activities", {}).get("files", []))}
    return store._publish(manifest, manifest, dict(manifest["tables"]), {}, False, rollups)
