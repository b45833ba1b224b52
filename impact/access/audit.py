"""The audit log: every import, correction and sign-in failure, with who did it.

One JSON object per line in `$IMPACT_AUDIT_LOG`, else `<data dir>/audit.jsonl` for a local
data directory (an object store cannot append: set $IMPACT_AUDIT_LOG there). Import and
correction code calls `record(...)`; the web layer passes the signed-in identity, the CLI
the operating-system user. A log that cannot be written never stops the action it records:
the failure is reported through Python logging (and the caller may show it).
"""

from __future__ import annotations

import fcntl
import getpass
import json
import logging
import os
import socket
from datetime import datetime, timezone
from pathlib import Path

AUDIT_ENV = "IMPACT_AUDIT_LOG"
FILE_NAME = "audit.jsonl"
MAX_FIELD = 500  # a detail longer than this is cut (a pasted file, a hostile name)
EVENTS = ("import", "correction", "sign_in_failed", "link_refused", "link_made",
          # built-in accounts (impact.access.accounts)
          "sign_in", "sign_out", "account_invited", "password_set", "password_reset",
          "account_disabled", "account_enabled", "role_changed")

log = logging.getLogger("impact.access.audit")


def location(data_dir: str | None) -> Path | None:
    """Where entries go: $IMPACT_AUDIT_LOG, else beside a local data directory's files. Not
    into the bundled demo data (it is committed code; nothing is imported there anyway)."""
    explicit = os.environ.get(AUDIT_ENV)
    if explicit:
        return Path(explicit).expanduser()
    if not data_dir or "://" in str(data_dir):
        return None
    try:
        from impact.datadir import is_bundled_demo

        if is_bundled_demo(data_dir):
            return None
    except Exception:  # noqa: BLE001 — an odd name: no log beside it, never a crash
        return None
    return Path(data_dir) / FILE_NAME


def os_identity() -> str:
    try:
        return f"{getpass.getuser()}@{socket.gethostname()}"
    except (KeyError, OSError):
        return "unknown"


def _clip(value):
    if isinstance(value, str) and len(value) > MAX_FIELD:
        return value[:MAX_FIELD] + "…"
    return value


def record(event: str, identity: str, data_dir: str | None = None, **details) -> str | None:
    """Append one entry; returns None, or the reason it could not be written."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    entry = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "event": event,
             "identity": _clip(identity or "unknown")}
    entry.update({k: _clip(v) for k, v in details.items()})
    line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
    path = location(data_dir)
    if path is None:
        log.warning("audit (no log file configured): %s", line.strip())
        return "no audit log location"
    try:
        with open(path, "a", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # two processes append whole lines
            handle.write(line)
    except OSError as exc:
        log.error("audit log %s not written: %s; entry: %s", path, exc, line.strip())
        return str(exc)
    return None


def read(data_dir: str | None = None) -> list[dict]:
    path = location(data_dir)
    if path is None or not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
