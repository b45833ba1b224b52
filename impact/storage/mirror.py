"""Local copies of a URL data directory's files, so DuckDB reads them at disk speed.

Used by impact.storage.db.Database when the data directory is an object store (s3://…). See
docs/scaling.md.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from impact.errors import DataError
from impact.storage.store import DataStore, atomic_write_bytes


def cache_root() -> Path:
    """The server's cache directory: $IMPACT_CACHE_DIR, else impact-cache in the system's
    temporary directory (mirrored files here, the check index in checks/)."""
    return Path(os.environ.get("IMPACT_CACHE_DIR") or Path(tempfile.gettempdir())
                / "impact-cache")


def default_cache_dir(url: str) -> Path:
    """Where the files of a URL data directory are mirrored when no cache_dir is given."""
    return cache_root() / hashlib.sha256(url.encode()).hexdigest()[:16]


class FileMirror:
    """Local copies of an object store's data files, for DuckDB to read at disk speed.

    Data files are content-addressed and never change once written, so a copy can never be
    stale: only manifest.json is read from the store on every refresh. Each download is
    checked against the manifest's sha256 before it is used.
    """

    def __init__(self, store: DataStore, root: str | os.PathLike):
        self.store = store
        self.root = Path(root)
        self._previous: set[str] = set()

    def local(self, f) -> str:
        target = self.root / f.path
        if target.exists() and target.stat().st_size == f.bytes:
            return str(target)
        try:
            payload = self.store._read_bytes(f.path)
        except FileNotFoundError:
            raise DataError(f"{self.store.full_path(f.path)}: data file listed in the manifest "
                            "is missing") from None
        if f.sha256 and hashlib.sha256(payload).hexdigest() != f.sha256:
            raise DataError(f"{self.store.full_path(f.path)}: checksum differs from the manifest "
                            "(corrupt or overwritten object)")
        atomic_write_bytes(target, payload)
        return str(target)

    def prune(self, keep: set[str]) -> None:
        """Delete local copies of files in neither this commit nor the one before it (a query
        started on the previous views may still be reading those)."""
        keep_all, self._previous = keep | self._previous, keep
        if not self.root.is_dir():
            return
        for p in self.root.rglob("*.parquet"):
            if p.relative_to(self.root).as_posix() not in keep_all:
                p.unlink(missing_ok=True)
