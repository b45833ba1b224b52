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
stays at one chunk; `compaction.compact()` later merges a year's files into one sorted file.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from impact.config import is_url  # noqa: F401  (the storage layer's callers import it here)
from impact.datadir import refuse_bundled_demo
from impact.errors import DataError
from impact.storage import changes, rollup
from impact.storage import manifest as manifests
from impact.storage.identity import who
from impact.storage.schema import TABLES
# Re-exported: other modules import these from here.
from impact.storage.files import (ROW_GROUP_SIZE, atomic_write_bytes, control_totals,  # noqa: F401
                               parquet_bytes, partitions, sort_for_storage,
                               storage_order)

MANIFEST = manifests.NAME
MANIFEST_FORMAT = manifests.FORMAT
HISTORY = "history"  # history/v000007.json: the manifest of version 7, with its record


class VersionConflict(DataError):
    """Another writer committed first: the preview this commit was based on is stale."""


_HELD: set[Path] = set()  # directories whose write lock this process holds (DataStore.lock)


class ManifestMissing(DataError):
    """Data files are on disk but manifest.json is gone (and no history/ to restore from)."""


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
            if self.root.exists() and not self.root.is_dir():
                raise DataError(f"{self.root}: the data directory is a file, not a directory")

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
        """The committed manifest, checked (shape, checksum, paths); None when there is none."""
        return self.snapshot()[1]

    def snapshot(self) -> tuple[str, dict | None]:
        """(version, manifest) from one read of manifest.json, so the two always agree."""
        try:
            raw = self._read_bytes(MANIFEST)
        except FileNotFoundError:
            if self._exists(HISTORY):
                raise DataError(f"{self.full_path(MANIFEST)}: missing, though {HISTORY}/ holds "
                                "committed versions (see `impact history`; `impact restore V` "
                                "makes one current again)") from None
            stray = sum(len(self._listing(table)) for table in TABLES)
            if stray and not self._committing():
                # Without a manifest nothing says which of these files are current (every
                # version's files may still be there): summing them all doubled figures.
                raise ManifestMissing(
                    f"{self.full_path(MANIFEST)}: missing, though {stray} data file"
                    f"{'s are' if stray != 1 else ' is'} on disk: nothing says which are "
                    "current, so no figure is read from them (put back manifest.json from a "
                    "backup; `impact verify` lists what is there)")
            return self.version(), None
        manifest = manifests.parse(raw, self.full_path(MANIFEST))
        return hashlib.sha256(raw).hexdigest()[:16], manifest

    def _committing(self) -> bool:
        """Whether another writer holds the write lock: a first commit writes its data files
        before its manifest, so files without a manifest are then a commit in progress (the
        directory is still empty to a reader), not a lost manifest."""
        if self.url or not self.root.is_dir() or self.root.resolve() in _HELD:
            return False  # this process is the writer: its own reads see what is there
        fd = os.open(self.root, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        finally:
            os.close(fd)

    def _exists(self, rel: str) -> bool:
        if self.url:
            return self.fs.exists(f"{self._base}/{rel}")
        return (self.root / rel).exists()

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

    def read_table(self, table: str, manifest: dict | None = None) -> pa.Table:
        """All committed rows of a table, in the canonical schema (empty if there are none);
        each file's sha256 is checked against the manifest before it is read."""
        parts = [self._read_file(table, f) for f in self.files(table, manifest)]
        data = pa.concat_tables(parts) if parts else TABLES[table].arrow_schema.empty_table()
        return self.legacy_group_orgs(data, manifest) if table == "activity_groups" else data

    def legacy_group_orgs(self, groups: pa.Table, manifest: dict | None = None) -> pa.Table:
        """activity_groups rows written before issue 27 have no org: each gets the org of the
        one activity with its id. An id several organisations use cannot be told apart, so
        such a row keeps an empty org and counts for no activity (never for the wrong one).
        The same rule as the `activity_groups` view (impact.storage.db)."""
        if not groups.num_rows or groups["org"].null_count == 0:
            return groups
        acts = self.read_table("activities", manifest).select(["org", "activity_id"])
        owners: dict[str, set] = {}
        for org, activity_id in zip(acts["org"].to_pylist(), acts["activity_id"].to_pylist()):
            owners.setdefault(activity_id, set()).add(org)
        filled = [org if org is not None else
                  (next(iter(owners[a])) if len(owners.get(a, ())) == 1 else None)
                  for org, a in zip(groups["org"].to_pylist(), groups["activity_id"].to_pylist())]
        return groups.set_column(groups.schema.get_field_index("org"), groups.schema.field("org"),
                                 pa.array(filled, pa.string()))

    def verified_bytes(self, f: DataFile) -> bytes:
        """A committed file's bytes, refused by name when they are not what the manifest says."""
        try:
            payload = self._read_bytes(f.path)
        except FileNotFoundError:
            raise DataError(f"{self.full_path(f.path)}: data file listed in the manifest is "
                            "missing") from None
        if f.sha256 and hashlib.sha256(payload).hexdigest() != f.sha256:
            raise DataError(f"{self.full_path(f.path)}: sha256 differs from the manifest (file "
                            "damaged or changed); refusing to read it")
        return payload

    @contextlib.contextmanager
    def lock(self):
        """Hold the directory's write lock (an exclusive flock on the directory itself, so no
        lock file is left behind). Object stores have none: there the version counter's
        compare-and-swap in `_publish` is the only guard."""
        if self.url:
            yield
            return
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            _HELD.add(self.root.resolve())
            yield
        finally:
            _HELD.discard(self.root.resolve())
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # -- writing -------------------------------------------------------------------------
    def commit(self, tables: dict[str, "pa.Table | Chunks"], *, fresh: bool = False,
               meta: dict | None = None, record: dict | None = None,
               expected: int | None = None) -> dict:
        """Replace the contents of the given tables in one atomic step; return the new manifest.

        A table's new contents are an Arrow table, or an iterable of Arrow tables (chunks) for
        data too large to hold at once: each chunk is sorted and written by itself, so a year
        spread over several chunks gets several files until `compaction.compact()` merges them.
        Tables not named keep their files (unless `fresh`: start a new dataset at version 1).
        Files are content-addressed, so an unchanged year keeps its name and is not rewritten.
        `meta` is merged into the manifest's "meta" (e.g. {"source": "demo"}); `record` says
        what the version is (see `_publish`); `expected` is the version the caller's preview
        was made from (compare-and-swap).
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
        return self._publish(old, previous, new_tables, meta, fresh, rollups, record=record,
                             expected=expected)

    def _write_chunk(self, name: str, data: pa.Table) -> tuple[list[dict], list[dict]]:
        """Write one chunk of a table, one file per partition, and for activities each file's
        monthly rollup. Returns the manifest entries (files, rollup files)."""
        table = TABLES[name]
        # Each partition is written in storage order without a sorted copy of it (the order
        # as indices); its rollup sorts itself, and its control totals ignore order.
        data = data.select(table.column_names).cast(table.arrow_schema)
        entries, derived = [], []
        for prefix, part in partitions(table, data):
            entry = self._write_file(f"{name}/{prefix}", part, storage_order(name, part))
            entry["totals"] = control_totals(name, part)
            entries.append(entry)
            if name == "activities":
                summary = self._write_file(f"{rollup.NAME}/{prefix}", rollup.rollup_of(part))
                derived.append({**summary, "source": entry["path"]})
        return entries, derived

    def _write_file(self, directory: str, data: pa.Table, order: pa.Array | None = None) -> dict:
        """Write one content-addressed Parquet file (unless it is there already), its rows
        in `order` when given (files.parquet_bytes)."""
        payload = parquet_bytes(data, order)
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
                 fresh: bool, rollups: dict | None = None, *, record: dict | None = None,
                 expected: int | None = None, closed: dict | None = None) -> dict:
        """Make `new_tables` the next version: record it in history/, swap manifest.json.

        `record` describes the version (kind, why, input file …); who, when, the rows added,
        changed and removed per table and the totals before and after are filled in here.
        The swap is a compare-and-swap on the version counter: if another writer committed
        since `expected` (default: the version `old` was read at), nothing is published.
        """
        base = int(old.get("version", 0))
        if not fresh:
            refuse_bundled_demo(self.url or str(self.root))
            self._check_current(base if expected is None else expected)
        now = _utc_now()
        manifest = {"format": MANIFEST_FORMAT, "version": base + 1,
                    "meta": {**old.get("meta", {}), **(meta or {})},
                    "tables": {k: new_tables[k] for k in sorted(new_tables)}}
        if rollups:
            manifest["rollups"] = rollups
        manifest["closed"] = dict(old.get("closed", {}) if closed is None else closed)
        record = dict(record or {"kind": "commit"})
        record.setdefault("when", now)
        record.setdefault("who", who())
        record["version"] = manifest["version"]
        record["changes"] = changes.counts(old, manifest, self.full_path, self.fs)
        record["totals_before"], record["totals_after"] = changes.totals(old), changes.totals(manifest)
        manifest["commit"] = record
        # The data's last-changed time: the time of the last version that changed rows.
        data_changed = bool(record["changes"]) or fresh
        manifest["changed_at"] = record["when"] if data_changed else old.get("changed_at", record["when"])
        if not fresh:
            manifest["retired"] = _retired(previous, manifest)
        else:
            self._clear_history()
        # History first: a crash before the swap leaves an entry beyond the current version,
        # which readers ignore and the next commit overwrites.
        self._write_atomic(f"{HISTORY}/v{manifest['version']:06d}.json",
                           manifests.seal({k: v for k, v in manifest.items() if k != "retired"}))
        payload = manifests.seal(manifest)
        if not fresh:
            self._check_current(base if expected is None else expected)
        self._write_atomic(MANIFEST, payload)
        from impact.storage.retention import collect_garbage  # retention reads history
        collect_garbage(self, manifest, previous if not fresh else None)
        return manifest

    def _check_current(self, expected: int) -> None:
        try:
            raw = self._read_bytes(MANIFEST)
        except FileNotFoundError:
            current = 0
        else:
            current = int(manifests.parse(raw, self.full_path(MANIFEST)).get("version", 0))
        if current != expected:
            raise VersionConflict(
                f"{self.root}: the data changed while you were working (version {expected} → "
                f"{current}, by another import or correction); nothing was written: try again")

    def _clear_history(self) -> None:
        """A fresh dataset starts its history anew."""
        if self.url:
            for p in self.fs.glob(f"{self._base}/{HISTORY}/*.json"):
                self.fs.rm_file(p)
        elif (self.root / HISTORY).is_dir():
            for p in (self.root / HISTORY).glob("*.json"):
                p.unlink(missing_ok=True)

    def _read_file(self, name: str, f: DataFile) -> pa.Table:
        payload = self.verified_bytes(f)
        try:
            return pq.read_table(io.BytesIO(payload), schema=TABLES[name].arrow_schema)
        except (OSError, pa.ArrowException) as exc:
            raise DataError(f"{self.full_path(f.path)}: unreadable Parquet file ({exc})") from None


RETIRE_GRACE_S = 600  # far longer than any dashboard query runs


_live_paths = manifests.live_paths


def _utc_now() -> str:
    from datetime import datetime, timezone
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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
