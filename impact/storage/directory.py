"""Whose data a directory holds: the bundled demo, a user's own, or nothing yet; and making
a new data directory of one's own (`impact init`).

The bundled demo data (`data/` beside dashboard.py) is shown under a "demo data, do not cite"
banner and is byte-compared by the tests, so nobody's real records may go into it; and the
`demo` command, which replaces a directory's tables, must never run over a user's records.
"""

from __future__ import annotations

from pathlib import Path

from impact.config import resolve_data_dir
from impact.datadir import IMPORT_LOG, OWN_SOURCE, is_bundled_demo
from impact.errors import UsageError
from impact.storage.store import MANIFEST, DataStore


def holds_user_data(data_dir: str) -> str | None:
    """Why `data_dir` holds something other than demo data (None: empty, or demo only)."""
    store = DataStore(data_dir)
    manifest = store.manifest()
    if manifest is None:
        if store.url:
            return None
        root = Path(data_dir)
        if root.is_dir() and any(root.iterdir()):
            return "it is not empty and is not a data directory"
        return None
    source = manifest.get("meta", {}).get("source")
    if source != "demo":
        return f"its data is not demo data (source {source!r})"
    if not store.url and (Path(data_dir) / IMPORT_LOG).exists():
        return f"records were imported into it (see {IMPORT_LOG})"
    return None


def init_data_dir(data_dir: str) -> str:
    """Make an empty data directory of the user's own; refuse one that already holds data."""
    resolved = resolve_data_dir(data_dir)
    if is_bundled_demo(resolved):
        raise UsageError(f"{resolved} is the bundled demo data; choose another directory")
    path = Path(resolved) if "://" not in resolved else None
    if path is not None:
        if path.exists() and not path.is_dir():
            raise UsageError(f"{resolved} is a file, not a directory")
        if path.is_dir() and any(path.iterdir()):
            raise UsageError(f"{resolved} is not empty: give a new or empty directory")
        path.mkdir(parents=True, exist_ok=True)
    store = DataStore(resolved)
    if store.manifest() is not None:
        raise UsageError(f"{resolved} already holds a data directory ({MANIFEST})")
    store.commit({}, fresh=True, meta={"source": OWN_SOURCE})
    return resolved
