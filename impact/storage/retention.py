"""What stays on disk: the files of every kept version, and nothing else for long.

A version is kept while it is one of the last KEEP_VERSIONS versions or younger than
KEEP_DAYS days ($IMPACT_KEEP_VERSIONS, $IMPACT_KEEP_DAYS; docs/data-model.md). A kept
version can be restored (`impact restore V`); an older one stays in the history (who, when,
why, what changed) but its data files may be gone. After every commit, data files that
neither the current version, a kept version, nor a recently superseded one (RETIRE_GRACE_S,
for queries still reading them) needs are deleted. `impact gc` also removes what crashed
or killed commits left behind: temporary files and unreferenced data files older than the
grace period.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from impact.errors import DataError
from impact.storage import manifest as manifests

KEEP_VERSIONS = 20
KEEP_DAYS = 30
GRACE_S = 600  # = store.RETIRE_GRACE_S: longer than any query or commit runs
HISTORY = "history"
DATA_DIRS = ("activities", "finance", "indicators", "targets", "activity_months")


def keep_versions() -> int:
    return max(1, int(os.environ.get("IMPACT_KEEP_VERSIONS", KEEP_VERSIONS)))


def keep_days() -> float:
    return max(0.0, float(os.environ.get("IMPACT_KEEP_DAYS", KEEP_DAYS)))


def history_path(version: int) -> str:
    return f"{HISTORY}/v{version:06d}.json"


def read_version(store, version: int) -> dict | None:
    """The manifest of one committed version (checked), or None if its record is gone."""
    try:
        raw = store._read_bytes(history_path(version))
    except FileNotFoundError:
        return None
    return manifests.parse(raw, store.full_path(history_path(version)))


def history_versions(store, current: int) -> list[int]:
    """Version numbers with a history record, up to the current version (an entry beyond it
    is a commit that never became current)."""
    if store.url:
        names = [p.rsplit("/", 1)[-1] for p in store.fs.glob(f"{store._base}/{HISTORY}/v*.json")]
    else:
        base = store.root / HISTORY
        names = [p.name for p in base.glob("v*.json")] if base.is_dir() else []
    out = []
    for name in names:
        try:
            number = int(name[1:-5])
        except ValueError:
            continue
        if number <= current:
            out.append(number)
    return sorted(out)


def _age_days(when: str | None) -> float:
    try:
        stamp = datetime.fromisoformat(when)
    except (TypeError, ValueError):
        return float("inf")
    return (datetime.now(timezone.utc) - stamp).total_seconds() / 86400


def kept(store, manifest: dict, versions: int | None = None, days: float | None = None
         ) -> list[dict]:
    """The manifests of the kept versions, newest first (the current one included)."""
    versions = keep_versions() if versions is None else versions
    days = keep_days() if days is None else days
    current = int(manifest.get("version", 0))
    out = [manifest]
    for number in reversed(history_versions(store, current - 1)):
        old = read_version(store, number)
        if old is None:
            continue
        recent = current - number < versions
        young = _age_days(old.get("commit", {}).get("when")) < days
        if not (recent or young):
            break  # older versions are older still
        out.append(old)
    return out


def needed(store, manifest: dict, versions: int | None = None, days: float | None = None) -> set[str]:
    """Data files some kept version (or a query on a just-superseded one) still needs."""
    paths = set(manifest.get("retired", {}))
    for m in kept(store, manifest, versions, days):
        paths |= manifests.live_paths(m)
    return paths


def collect_garbage(store, manifest: dict, previous: dict | None) -> None:
    """After a commit: delete data files no kept version needs (any age: no other writer
    can be mid-commit, we hold the lock)."""
    try:
        keep = needed(store, manifest)
    except DataError:
        # A kept version's history record is damaged, so the files it needs are unknown:
        # delete nothing (the commit itself is done; `impact gc` names the damaged file).
        return
    if previous:
        keep |= manifests.live_paths(previous)  # a query may still be reading it
    for rel, _ in _data_files(store):
        if rel not in keep:
            _remove(store, rel)
    _remove_empty_dirs(store)


@dataclass
class GcReport:
    removed: list[str] = field(default_factory=list)
    bytes: int = 0


def gc(store, *, grace_s: float = GRACE_S, versions: int | None = None,
       days: float | None = None, dry_run: bool = False) -> GcReport:
    """Remove what no kept version needs: unreferenced data files and temporary files older
    than the grace period, and history entries beyond the current version (crashed commits).
    The history records of versions themselves are kept (they are small)."""
    report = GcReport()
    with store.lock():
        manifest = store.manifest()
        if manifest is None:
            raise DataError(f"{store.root}: nothing committed yet: nothing to collect")
        keep = needed(store, manifest, versions, days)
        now = time.time()
        current = int(manifest["version"])
        candidates = [(rel, mtime) for rel, mtime in _data_files(store) if rel not in keep]
        candidates += _temp_files(store)
        candidates += [(history_path(n), mtime) for n, mtime in _future_history(store, current)]
        for rel, mtime in candidates:
            if now - mtime < grace_s:
                continue
            report.removed.append(rel)
            report.bytes += _size(store, rel)
            if not dry_run:
                _remove(store, rel)
        if not dry_run:
            _remove_empty_dirs(store)
    return report


def unreferenced(store, manifest: dict) -> list[str]:
    """Data files on disk that no kept version references (for `verify`)."""
    keep = needed(store, manifest)
    return sorted(rel for rel, _ in _data_files(store) if rel not in keep)


def _data_files(store) -> list[tuple[str, float]]:
    out = []
    for name in DATA_DIRS:
        for rel in store._listing(name):
            out.append((rel, _mtime(store, rel)))
    return out


def _temp_files(store) -> list[tuple[str, float]]:
    if store.url:
        return []  # object stores write in one PUT: no temporary files
    out = []
    for p in store.root.rglob(".*.tmp"):
        out.append((p.relative_to(store.root).as_posix(), p.stat().st_mtime))
    return out


def _future_history(store, current: int) -> list[tuple[int, float]]:
    if store.url:
        return []
    base = store.root / HISTORY
    out = []
    for p in base.glob("v*.json") if base.is_dir() else []:
        try:
            number = int(p.name[1:-5])
        except ValueError:
            continue
        if number > current:
            out.append((number, p.stat().st_mtime))
    return out


def _mtime(store, rel: str) -> float:
    try:
        if store.url:
            info = store.fs.info(f"{store._base}/{rel}")
            stamp = info.get("LastModified") or info.get("mtime") or info.get("created")
            return stamp.timestamp() if hasattr(stamp, "timestamp") else float(stamp or 0)
        return (store.root / rel).stat().st_mtime
    except (FileNotFoundError, TypeError, ValueError):
        return 0.0


def _size(store, rel: str) -> int:
    return store._size(rel) or 0


def _remove(store, rel: str) -> None:
    if store.url:
        try:
            store.fs.rm_file(f"{store._base}/{rel}")
        except FileNotFoundError:
            pass
    else:
        (store.root / rel).unlink(missing_ok=True)


def _remove_empty_dirs(store) -> None:
    if store.url:
        return  # object stores have no directories
    for name in DATA_DIRS:
        base = store.root / name
        if base.is_dir():
            for d in sorted(base.rglob("*"), reverse=True):
                if d.is_dir() and not any(d.iterdir()):
                    d.rmdir()


