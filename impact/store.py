"""The data directory on disk: Parquet files per table, a manifest, atomic commits.

Layout (see docs/data-model.md):

    DATA_DIR/manifest.json                          what is committed, with checksums and totals
    DATA_DIR/activities/year=2020/part-<sha>.parquet one file per year, by org then date
    DATA_DIR/finance/year=2020/part-<sha>.parquet
    DATA_DIR/indicators/part-<sha>.parquet
    DATA_DIR/targets/part-<sha>.parquet
    DATA_DIR/import_log.jsonl                       who imported what, when

A commit writes new files under content-hash names (never overwriting a live file), then
replaces manifest.json atomically. Readers list files from the manifest, so they see either
the old commit or the new one, never a mix.

The data directory may also be an fsspec URL (s3://bucket/prefix): the same layout, read and
written through fsspec. There, "atomic" rests on object stores replacing an object in one PUT;
the manifest is still written last. See docs/scaling.md.

Large tables can be committed as a stream of Arrow chunks (one year at a time, say), so memory
stays at one chunk; `compact()` later merges a year's files into one sorted file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from impact import rollup
from impact.errors import DataError
from impact.schema import TABLES
# Re-exported: other modules import these from here.
from impact.storefiles import (ROW_GROUP_SIZE, atomic_write_bytes, control_totals,  # noqa: F401
                               parquet_bytes, partitions, sort_for_storage)

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class DataFile:
    """One committed Parquet file and what the manifest says about it."""

    table: str
    path: str  # relative to the data directory, with forward slashes
    sha256: str
    bytes: int
    rows: int
    totals: dict


def _clip(path, limit: int = 160) -> str:
    """A path for a one-line message: a hostile 100,000-character one is cut in the middle."""
    text = str(path)
    return text if len(text) <= limit else f"{text[:100]}…{text[-50:]}"


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(location: str | os.PathLike) -> bool:
    """True for an fsspec URL such as s3://bucket/prefix (as opposed to a local path); a
    path that merely contains "://" somewhere (a hostile name) is a path."""
    return bool(_URL.match(str(location))) and not str(location).startswith("file://")


Chunks = Iterable[pa.Table]


class DataStore:
    """A data directory (local path or fsspec URL): read the manifest, commit table contents."""

    def __init__(self, root: str | os.PathLike, *, filesystem=None):
        self.url = str(root).rstrip("/") if is_url(root) else None
        if self.url:
            try:
                self.fs, self._base = (filesystem, self.url.split("://", 1)[1]) if filesystem \
                    else fsspec.core.url_to_fs(self.url)
            except (ValueError, ImportError) as exc:  # unknown protocol, driver not installed
                raise DataError(f"{self.url}: cannot open this storage location ({exc})") \
                    from None
            self.root = self.url  # a string: Path would collapse the "//" of the URL
        else:
            self.fs, self._base = None, None
            self.root = Path(root)

    # -- locations -----------------------------------------------------------------------
    def full_path(self, rel: str) -> str:
        """Where a data-directory-relative path lives, as DuckDB and fsspec name it."""
        return f"{self.url}/{rel}" if self.url else str(self.root / rel)

    def _read_bytes(self, rel: str) -> bytes:
        if self.url:
            try:
                return self.fs.cat_file(f"{self._base}/{rel}")
            except FileNotFoundError:
                raise
            except Exception as exc:  # noqa: BLE001 — no credentials, no network, denied …
                raise DataError(f"{_clip(self.url)}/{rel}: cannot read "
                                f"({type(exc).__name__}: {exc})") from None
        try:
            return (self.root / rel).read_bytes()
        except FileNotFoundError:
            raise
        except (OSError, ValueError) as exc:  # name too long, not a directory, NUL in path …
            raise DataError(f"{_clip(self.root / rel)}: cannot read "
                            f"({getattr(exc, 'strerror', None) or exc})") from None

    def _write_atomic(self, rel: str, payload: bytes) -> None:
        if self.url:
            self.fs.pipe_file(f"{self._base}/{rel}", payload)  # one PUT: all or nothing
        else:
            atomic_write_bytes(self.root / rel, payload)

    def _size(self, rel: str) -> int | None:
        try:
            if self.url:
                return self.fs.size(f"{self._base}/{rel}")
            return (self.root / rel).stat().st_size
        except FileNotFoundError:
            return None

    def _listing(self, table: str) -> list[str]:
        """Parquet files present under a table's directory (relative paths), sorted."""
        if self.url:
            self.fs.invalidate_cache()  # another replica may have committed since
            found = self.fs.glob(f"{self._base}/{table}/**/*.parquet")
            return sorted(p[len(self._base) + 1:] for p in found)
        base = self.root / table
        paths = sorted(base.rglob("*.parquet")) if base.is_dir() else []
        return [p.relative_to(self.root).as_posix() for p in paths]

    def open(self, rel: str):
        """A binary file object for a committed file (for pyarrow)."""
        return self.fs.open(f"{self._base}/{rel}", "rb") if self.url else open(self.root / rel, "rb")

    # -- reading -------------------------------------------------------------------------
    def manifest(self) -> dict | None:
        try:
            raw = self._read_bytes(MANIFEST)
        except FileNotFoundError:
            return None
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataError(f"{self.full_path(MANIFEST)}: manifest is not valid JSON ({exc})") from None

    def snapshot(self) -> tuple[str, dict | None]:
        """(version, manifest) from one read of manifest.json, so the two always agree."""
        try:
            raw = self._read_bytes(MANIFEST)
        except FileNotFoundError:
            return self.version(), None
        try:
            manifest = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataError(f"{self.full_path(MANIFEST)}: manifest is not valid JSON ({exc})") from None
        return hashlib.sha256(raw).hexdigest()[:16], manifest

    def files(self, table: str, manifest: dict | None = None) -> list[DataFile]:
        """The committed files of a table (from the manifest; without one, whatever is on disk).
        Pass `manifest` (from `snapshot()`) to list the files of that very commit."""
        manifest = manifest or self.manifest()
        if manifest is None:
            return [DataFile(table, rel, "", self._size(rel) or 0, -1, {})
                    for rel in self._listing(table)]
        entries = manifest.get("tables", {}).get(table, {}).get("files", [])
        return [DataFile(table, e["path"], e["sha256"], e["bytes"], e["rows"], e.get("totals", {}))
                for e in entries]

    def version(self) -> str:
        """Changes whenever committed data changes; caches key on it.

        Every commit rewrites manifest.json (its "version" counter goes up), so a hash of the
        manifest's bytes never repeats a stale version. Cheap: one small file read per call.
        """
        try:
            return hashlib.sha256(self._read_bytes(MANIFEST)).hexdigest()[:16]
        except FileNotFoundError:
            pass
        h = hashlib.sha256()
        for name in TABLES:
            for rel in self._listing(name):
                if self.url:
                    info = self.fs.info(f"{self._base}/{rel}")
                    h.update(f"{rel}:{info.get('size')}:{info.get('ETag', info.get('mtime'))};".encode())
                else:
                    st = (self.root / rel).stat()
                    h.update(f"{rel}:{st.st_size}:{st.st_mtime_ns};".encode())
        return "nomanifest-" + h.hexdigest()[:16]

    def read_table(self, table: str) -> pa.Table:
        """All committed rows of a table, in the canonical schema (empty if there are none)."""
        schema = TABLES[table].arrow_schema
        parts = []
        for f in self.files(table):
            try:
                with self.open(f.path) as fh:
                    parts.append(pq.read_table(fh, schema=schema))
            except (OSError, pa.ArrowException) as exc:
                raise DataError(f"{self.full_path(f.path)}: unreadable Parquet file ({exc})") from None
        return pa.concat_tables(parts) if parts else schema.empty_table()

    # -- writing -------------------------------------------------------------------------
    def commit(self, tables: dict[str, "pa.Table | Chunks"], *, fresh: bool = False,
               meta: dict | None = None) -> dict:
        """Replace the contents of the given tables in one atomic step; return the new manifest.

        A table's new contents are an Arrow table, or an iterable of Arrow tables (chunks) for
        data too large to hold at once: each chunk is sorted and written by itself, so a year
        spread over several chunks gets several files until `compact()` merges them.
        Tables not named keep their files (unless `fresh`: start a new dataset at version 1).
        Files are content-addressed, so an unchanged year keeps its name and is not rewritten.
        `meta` is merged into the manifest's "meta" (e.g. {"source": "demo"}).
        """
        previous = self.manifest() or _EMPTY_MANIFEST
        old = _EMPTY_MANIFEST if fresh else previous
        new_tables = dict(old.get("tables", {}))
        rollups = dict(old.get("rollups", {}))
        for name, data in tables.items():
            chunks = [data] if isinstance(data, pa.Table) else data
            entries, derived = [], []
            for chunk in chunks:
                written, rolled = self._write_chunk(name, chunk)
                entries += written
                derived += rolled
            new_tables[name] = {"files": _dedupe(sorted(entries, key=lambda e: e["path"]))}
            if name == "activities":
                rollups[rollup.NAME] = {"files": sorted(derived, key=lambda e: e["path"])}
        return self._publish(old, previous, new_tables, meta, fresh, rollups)

    def _write_chunk(self, name: str, data: pa.Table) -> tuple[list[dict], list[dict]]:
        """Write one chunk of a table, one file per partition, and for activities each file's
        monthly rollup. Returns the manifest entries (files, rollup files)."""
        table = TABLES[name]
        data = sort_for_storage(name, data.select(table.column_names).cast(table.arrow_schema))
        entries, derived = [], []
        for prefix, part in partitions(table, data):
            entry = self._write_file(f"{name}/{prefix}", part)
            entry["totals"] = control_totals(name, part)
            entries.append(entry)
            if name == "activities":
                summary = self._write_file(f"{rollup.NAME}/{prefix}", rollup.rollup_of(part))
                derived.append({**summary, "source": entry["path"]})
        return entries, derived

    def _write_file(self, directory: str, data: pa.Table) -> dict:
        """Write one content-addressed Parquet file (unless it is there already)."""
        payload = parquet_bytes(data)
        sha = hashlib.sha256(payload).hexdigest()
        rel = f"{directory}part-{sha[:16]}.parquet"
        if self._size(rel) != len(payload):
            self._write_atomic(rel, payload)
        return {"path": rel, "sha256": sha, "bytes": len(payload), "rows": data.num_rows}

    def rollup_files(self, name: str = rollup.NAME,
                     manifest: dict | None = None) -> list[DataFile] | None:
        """The rollup's files if they were made from exactly the committed activities files
        (else None: a manifest written by an older version, or by hand)."""
        manifest = manifest or self.manifest() or {}
        entries = manifest.get("rollups", {}).get(name, {}).get("files")
        sources = {f.path for f in self.files("activities", manifest or None)}
        if entries is None or {e.get("source") for e in entries} != sources \
                or len(entries) != len(sources):
            return None
        return [DataFile(name, e["path"], e["sha256"], e["bytes"], e["rows"], {}) for e in entries]

    def _publish(self, old: dict, previous: dict, new_tables: dict, meta: dict | None,
                 fresh: bool, rollups: dict | None = None) -> dict:
        manifest = {"format": MANIFEST_FORMAT, "version": int(old.get("version", 0)) + 1,
                    "meta": {**old.get("meta", {}), **(meta or {})},
                    "tables": {k: new_tables[k] for k in sorted(new_tables)}}
        if rollups:
            manifest["rollups"] = rollups
        if not fresh:
            manifest["retired"] = _retired(previous, manifest)
        payload = (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
        self._write_atomic(MANIFEST, payload)
        self._collect_garbage(keep=[manifest] if fresh else [previous, manifest])
        return manifest

    def append(self, name: str, rows: pa.Table, *, meta: dict | None = None) -> dict:
        """Add rows to a table in one commit, rewriting only the partitions (years) they fall
        in; see impact.compaction.append. Returns the new manifest."""
        from impact.compaction import append
        return append(self, name, rows, meta=meta)

    def compact(self, tables: Iterable[str] | None = None) -> dict | None:
        """Merge each partition's files into one sorted file (see impact.compaction)."""
        from impact.compaction import compact
        return compact(self, tables)

    def build_rollups(self) -> dict | None:
        """Add the monthly rollup to a dataset committed without one (see impact.compaction)."""
        from impact.compaction import build_rollups
        return build_rollups(self)

    def _read_file(self, name: str, f: DataFile) -> pa.Table:
        try:
            with self.open(f.path) as fh:
                return pq.read_table(fh, schema=TABLES[name].arrow_schema)
        except (OSError, pa.ArrowException) as exc:
            raise DataError(f"{self.full_path(f.path)}: unreadable Parquet file ({exc})") from None

    def _collect_garbage(self, keep: list[dict]) -> None:
        """Delete files no longer referenced. A superseded file is kept for RETIRE_GRACE_S
        (listed under "retired" in the manifest), so a query that started on an older
        commit, however many commits ago, can still finish reading it."""
        live = set(keep[-1].get("retired", {}))  # superseded less than RETIRE_GRACE_S ago
        live |= {e["path"] for m in keep for group in ("tables", "rollups")
                 for t in m.get(group, {}).values() for e in t["files"]}
        for name in (*TABLES, rollup.NAME):
            for rel in self._listing(name):
                if rel in live:
                    continue
                if self.url:
                    self.fs.rm_file(f"{self._base}/{rel}")
                else:
                    (self.root / rel).unlink(missing_ok=True)
            base = None if self.url else self.root / name  # object stores have no directories
            if base is not None and base.is_dir():
                for d in sorted(base.rglob("*"), reverse=True):
                    if d.is_dir() and not any(d.iterdir()):
                        d.rmdir()


RETIRE_GRACE_S = 600  # far longer than any dashboard query runs


def _live_paths(manifest: dict) -> set[str]:
    return {e["path"] for group in ("tables", "rollups")
            for t in manifest.get(group, {}).values() for e in t["files"]}


def _retired(previous: dict, manifest: dict) -> dict[str, float]:
    """{path: when it stopped being live} for files superseded within the grace period."""
    now = time.time()
    live = _live_paths(manifest)
    retired = {p: t for p, t in previous.get("retired", {}).items()
               if p not in live and now - t < RETIRE_GRACE_S}
    for path in _live_paths(previous) - live:
        retired.setdefault(path, now)
    return dict(sorted(retired.items()))


_EMPTY_MANIFEST = {"format": MANIFEST_FORMAT, "version": 0, "tables": {}, "meta": {}}


def _dedupe(entries: list[dict]) -> list[dict]:
    """Two identical chunks make the same content-addressed file; list it once per copy would
    double-count, so a repeated path is an error in the caller's data, not ours to hide."""
    seen = set()
    for e in entries:
        if e["path"] in seen:
            raise DataError(f"{e['path']}: the same rows were committed twice in one commit")
        seen.add(e["path"])
    return entries
