"""Versions: every commit is one, kept in history/ with who, when, why and what changed.

    history(store)            the versions, oldest first (their records)
    diff(store, v1, v2)       the rows that differ between two versions
    restore(store, v, why)    commit a new version whose data equals version v
    undo(store, why, version=N)  take back version N, if it is still the last data change
    close / reopen            lock or unlock an organisation-year (a version too)

Nothing is rewritten in place: a restore is a new version, and the version it undid stays in
the history. Data files of versions older than the retention (impact.storage.retention) may
be gone: such a version is listed but cannot be restored.
"""

from __future__ import annotations

from impact.errors import ClosedPeriod, DataError, UsageError
from impact.storage import changes, retention
from impact.storage.store import DataStore, VersionConflict

DATA_KINDS = {"import", "update", "replace", "delete", "undo", "restore", "demo", "commit",
              "compact", "rollups"}


def current(store: DataStore) -> dict:
    manifest = store.manifest()
    if manifest is None:
        raise UsageError(f"{store.root}: nothing committed yet")
    return manifest


def version(store: DataStore, number: int, manifest: dict | None = None) -> dict:
    manifest = manifest or current(store)
    if number == manifest["version"]:
        return manifest
    if not 1 <= number <= manifest["version"]:
        raise UsageError(f"no version {number}: versions are 1 to {manifest['version']}")
    found = retention.read_version(store, number)
    if found is None:
        raise UsageError(f"version {number}: its record is not in {store.full_path('history')}")
    return found


def history(store: DataStore, *, skip_damaged: bool = False) -> list[dict]:
    """Each version's record (kind, who, when, why, input, changes, totals), oldest first,
    with "restorable": whether all its data files are still on disk.

    A damaged history/ file raises a DataError naming it; with `skip_damaged` it is listed
    instead as {"version", "damaged": why, "restorable": False}, so `history` can still show
    the sound versions and say which one it could not read (one bad file must not hide the
    rest)."""
    manifest = current(store)
    out = []
    for number in retention.history_versions(store, manifest["version"]):
        try:
            m = manifest if number == manifest["version"] else \
                retention.read_version(store, number)
        except DataError as exc:
            if not skip_damaged:
                raise
            out.append({"version": number, "damaged": str(exc), "restorable": False})
            continue
        if m is None:  # removed since it was listed (a concurrent gc): nothing to show
            continue
        record = dict(m.get("commit") or {"version": number, "kind": "commit"})
        record["version"] = number
        record["restorable"] = all(store._size(p) is not None for p in _paths(m))
        out.append(record)
    return out


def _paths(manifest: dict) -> set[str]:
    from impact.storage.manifest import live_paths
    return live_paths(manifest)


def diff(store: DataStore, v1: int, v2: int, limit: int = 200) -> dict:
    manifest = current(store)
    a, b = version(store, v1, manifest), version(store, v2, manifest)
    for number, m in ((v1, a), (v2, b)):
        missing = [p for p in _paths(m) if store._size(p) is None]
        if missing:
            raise DataError(f"version {number}: its data files were removed by retention "
                            f"({len(missing)} missing, e.g. {missing[0]})")
    return {"counts": changes.counts(a, b, store.full_path, store.fs),
            "rows": changes.rows(a, b, store.full_path, limit, store.fs),
            "totals": (changes.totals(a), changes.totals(b))}


def restore(store: DataStore, number: int, why: str, *, kind: str = "restore") -> dict:
    """Commit a new version whose tables equal those of version `number`."""
    with store.lock():
        return _restore(store, number, why, kind=kind)


def _restore(store: DataStore, number: int, why: str, *, kind: str, **extra) -> dict:
    """restore(), the write lock held by the caller."""
    manifest = current(store)
    target = version(store, number, manifest)
    missing = [p for p in _paths(target) if store._size(p) is None]
    if missing:
        raise DataError(f"version {number} cannot be restored: its data files were removed "
                        f"by retention ({missing[0]} …)")
    touched = changes.periods(manifest, target, store.full_path, store.fs)
    refuse_periods(manifest, touched)
    return store._publish(manifest, manifest, dict(target.get("tables", {})), None, False,
                          dict(target.get("rollups", {})),
                          record={"kind": kind, "why": why, "restored": number, **extra},
                          expected=manifest["version"])


def last_change(store: DataStore) -> int:
    """The version an undo would take back now: the latest that changed data (an undo of an
    undo is a redo). Period closes and reopens are not undone: use `impact reopen`."""
    for record in reversed(history(store, skip_damaged=True)):
        if record.get("damaged"):
            # Whether this version changed data cannot be known: undoing an older one in
            # its place would take back the wrong change.
            raise DataError(f"{record['damaged']}; nothing was undone: cannot tell whether "
                            f"version {record['version']} is the last data change (name it "
                            "with --version N)")
        if record.get("changes"):
            if record["version"] <= 1:
                raise UsageError("nothing to undo: the last data change is the first version")
            return record["version"]
    raise UsageError("nothing to undo: no version changed any data")


def undo(store: DataStore, why: str, *, version: int) -> dict:
    """Take back `version` (restore the data as it was before it), which must still be the
    latest data change when the write lock is held: the caller names what it showed the user,
    so an import a colleague commits meanwhile is never undone in its place."""
    with store.lock():
        latest = last_change(store)
        if latest != version:
            raise VersionConflict(
                f"{store.root}: version {version} is no longer the last data change (version "
                f"{latest} is, committed since); nothing was undone: see `impact history` and "
                "undo again")
        return _restore(store, version - 1, why or f"undo version {version}", kind="undo",
                        undid=version)


def refuse_periods(manifest: dict, touched: set[tuple[str, int]]) -> None:
    closed = manifest.get("closed") or {}
    hit = sorted(p for p in touched if f"{p[0]}|{p[1]}" in closed)
    if hit:
        which = ", ".join(f"{org} {year}" for org, year in hit)
        raise ClosedPeriod(f"refused: the change touches closed period(s) {which} (已关账); "
                           "nothing was written (impact reopen --org … --year … --reason … "
                           "first)", [f"{org} {year}" for org, year in hit])


def close(store: DataStore, org: str, year: int, why: str, *, reopen: bool = False) -> dict:
    """Lock (or unlock) an organisation-year against changes; a version of its own."""
    if not why.strip():
        raise UsageError("--reason is required: say why the period is closed or reopened")
    with store.lock():
        manifest = current(store)
        closed = dict(manifest.get("closed") or {})
        key = f"{org}|{year}"
        if reopen:
            if key not in closed:
                raise UsageError(f"{org} {year} is not closed")
            del closed[key]
        else:
            if key in closed:
                raise UsageError(f"{org} {year} is already closed (since {closed[key]['when']})")
            known = _known_orgs(store, manifest)
            if org not in known:
                listing = ", ".join(sorted(known)) or "none"
                raise UsageError(f"no organisation named {org} (known: {listing})")
        record = {"kind": "reopen" if reopen else "close", "why": why,
                  "period": {"org": org, "year": year}}
        if not reopen:
            from impact.storage.identity import who
            from impact.storage.store import _utc_now
            closed[key] = {"org": org, "year": year, "why": why, "who": who(), "when": _utc_now()}
        return store._publish(manifest, manifest, dict(manifest.get("tables", {})), None, False,
                              dict(manifest.get("rollups", {})), record=record,
                              expected=manifest["version"], closed=closed)


def _known_orgs(store: DataStore, manifest: dict) -> set[str]:
    """Organisations with any activity or finance record (reads only the org column)."""
    import io

    import pyarrow.parquet as pq

    orgs: set[str] = set()
    for table in ("activities", "finance"):
        for f in store.files(table, manifest):
            column = pq.read_table(io.BytesIO(store.verified_bytes(f)), columns=["org"])["org"]
            orgs |= set(column.unique().to_pylist())
    return orgs


def closed_periods(manifest: dict | None) -> dict[str, dict]:
    return dict((manifest or {}).get("closed") or {})


def is_closed(manifest: dict | None, org: str, year: int) -> bool:
    return f"{org}|{year}" in closed_periods(manifest)


def closed_in(manifest: dict | None, orgs, year_from: int | None, year_to: int | None
              ) -> list[tuple[str, int]]:
    """The closed organisation-years inside a selection (all organisations when `orgs` is
    empty; open-ended year bounds), for the pages' 已关账 / 未关账 mark."""
    out = []
    for period in closed_periods(manifest).values():
        org, year = period["org"], int(period["year"])
        if orgs and org not in orgs:
            continue
        if (year_from is not None and year < year_from) or (year_to is not None and year > year_to):
            continue
        out.append((org, year))
    return sorted(out)
