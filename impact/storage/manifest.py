"""The manifest guards itself: its shape, a checksum of its own content, confined paths.

A reader that trusted any JSON would turn a hand edit or a damaged byte into a wrong figure:
an entry listed twice doubles a year, `{}` makes every figure 0, an entry "/etc/passwd" is
read as data. So every manifest is checked before use (`parse`), and a commit stamps it with
the SHA-256 of its canonical content (`seal`). Manifests written before the checksum existed
(format 1) are accepted without one; every commit since writes format 2, which must carry it.
"""

from __future__ import annotations

import hashlib
import json
import re

from impact.errors import DataError
from impact.storage.schema import TABLES

NAME = "manifest.json"
FORMAT = 2
ROLLUP = "activity_months"  # impact.storage.rollup.NAME (not imported: no heavy deps here)
_SHA = re.compile(r"^[0-9a-f]{64}$")
# Content-addressed names only: <table>/[year=YYYY/]part-<16 hex>.parquet
_PATH = re.compile(r"^(?P<table>[a-z_]+)/(?:year=\d{4}/)?part-(?P<sha>[0-9a-f]{16})\.parquet$")


def canonical_bytes(manifest: dict) -> bytes:
    """The manifest as written: sorted keys, so the same content gives the same bytes."""
    return (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def content_checksum(manifest: dict) -> str:
    body = {k: v for k, v in manifest.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True,
                                     separators=(",", ":")).encode()).hexdigest()


def seal(manifest: dict) -> bytes:
    """Stamp the manifest with its checksum and return the bytes to write."""
    manifest["checksum"] = content_checksum(manifest)
    return canonical_bytes(manifest)


def parse(raw: bytes, where: str) -> dict:
    """The manifest in `raw`, checked; a DataError naming `where` and the fault otherwise."""
    try:
        manifest = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{where}: manifest is not valid JSON ({exc})") from None
    check(manifest, where)
    return manifest


def check(manifest, where: str) -> None:
    """Refuse a manifest of the wrong shape, with a wrong checksum, duplicate entries, or
    paths outside the data directory (one line, naming the fault)."""
    def bad(why: str) -> DataError:
        return DataError(f"{where}: damaged or hand-edited manifest: {why}")

    if not isinstance(manifest, dict):
        raise bad(f"expected a JSON object, found {type(manifest).__name__}")
    for key in ("format", "version", "tables"):
        if key not in manifest:
            raise bad(f'no "{key}"')
    fmt, version = manifest["format"], manifest["version"]
    if not isinstance(fmt, int) or fmt not in (1, FORMAT):
        raise bad(f"unknown format {fmt!r}")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise bad(f"version must be a whole number ≥ 0, not {version!r}")
    if fmt >= 2 or "checksum" in manifest:
        if manifest.get("checksum") != content_checksum(manifest):
            raise bad("its checksum does not match its content")
    if not isinstance(manifest["tables"], dict) or not isinstance(manifest.get("meta", {}), dict):
        raise bad('"tables" and "meta" must be objects')
    seen: set[str] = set()
    for group, allowed in (("tables", set(TABLES)), ("rollups", {ROLLUP})):
        tables = manifest.get(group, {})
        if not isinstance(tables, dict):
            raise bad(f'"{group}" must be an object')
        for name, body in tables.items():
            if name not in allowed:
                raise bad(f"unknown table {name!r} in {group}")
            files = body.get("files") if isinstance(body, dict) else None
            if not isinstance(files, list):
                raise bad(f'{group}.{name} has no list of "files"')
            for entry in files:
                _check_entry(entry, name, seen, bad)


def _check_entry(entry, table: str, seen: set[str], bad) -> None:
    if not isinstance(entry, dict):
        raise bad(f"an entry of {table} is not an object")
    for key, kind in (("path", str), ("sha256", str), ("bytes", int), ("rows", int)):
        if not isinstance(entry.get(key), kind) or isinstance(entry.get(key), bool):
            raise bad(f'entry {entry.get("path", "?")!r} of {table}: "{key}" missing or wrong type')
    path = entry["path"]
    match = _PATH.match(path)
    if match is None or match["table"] != table:
        raise bad(f"entry {path!r} of {table} is not a data file of this directory")
    if not _SHA.match(entry["sha256"]) or not entry["sha256"].startswith(match["sha"]):
        raise bad(f"entry {path!r}: sha256 does not fit its content-addressed name")
    if entry["bytes"] < 0 or entry["rows"] < 0:
        raise bad(f"entry {path!r}: negative size or row count")
    if not isinstance(entry.get("totals", {}), dict):
        raise bad(f'entry {path!r}: "totals" must be an object')
    if path in seen:
        raise bad(f"entry {path!r} is listed twice (its rows would count twice)")
    seen.add(path)


def live_paths(manifest: dict) -> set[str]:
    """Every data file the manifest references (tables and rollups)."""
    return {e["path"] for group in ("tables", "rollups")
            for t in manifest.get(group, {}).values() for e in t["files"]}
