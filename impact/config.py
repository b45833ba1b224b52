"""Where the data lives and the few settings a deployment may change."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
QUERIES_DIR = PROJECT_ROOT / "queries"

# Volunteer time is valued at a range, never a single figure: there is no agreed wage for it.
# Low ≈ an hourly minimum wage in a Chinese city; high ≈ a social worker's hourly cost.
VOLUNTEER_RATE_LOW = Decimal("25")
VOLUNTEER_RATE_HIGH = Decimal("60")

# Dependence risk, two levels (docs/metrics.md): one source type (government, foundation …)
# above this share of income is flagged ...
SOURCE_CONCENTRATION_SHARE = Decimal("0.60")
# ... and so is one single donor (funder) above this share. $IMPACT_DONOR_SHARE and
# $IMPACT_SOURCE_SHARE override them (a share between 0 and 1, e.g. 0.4).
DONOR_CONCENTRATION_SHARE = Decimal("0.50")


def _share_setting(name: str, default: Decimal) -> Decimal:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = Decimal(raw)
    except ArithmeticError:
        value = Decimal(-1)
    if not Decimal(0) < value < Decimal(1):
        from impact.errors import UsageError

        raise UsageError(f"${name} must be a share between 0 and 1 (e.g. 0.5), not {raw!r}")
    return value


def source_concentration_share() -> Decimal:
    """The source-type threshold in force ($IMPACT_SOURCE_SHARE, else the default); read when
    used, so a bad value is a clear usage error, not a crash on import."""
    return _share_setting("IMPACT_SOURCE_SHARE", SOURCE_CONCENTRATION_SHARE)


def donor_concentration_share() -> Decimal:
    """The single-donor threshold in force ($IMPACT_DONOR_SHARE, else the default)."""
    return _share_setting("IMPACT_DONOR_SHARE", DONOR_CONCENTRATION_SHARE)


# Budget vs actual: a budget is flagged when the share of it spent and the share of its
# period elapsed are further apart than this (0.25 = 25 percentage points), either way:
# spending far ahead of time runs out early, far behind it is money the plan does not use.
BUDGET_PACE_GAP = _share_setting("IMPACT_BUDGET_PACE_GAP", Decimal("0.25"))


_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_FILE_URL = re.compile(r"^file:", re.IGNORECASE)
# Object stores a data directory may live on (read and written through fsspec, see
# docs/scaling.md). Anything else that looks like a URL is refused, not read as a path.
URL_SCHEMES = ("s3", "s3a", "gs", "gcs", "abfs", "az", "memory")


def is_url(location: str | os.PathLike) -> bool:
    """True for an fsspec URL such as s3://bucket/prefix (as opposed to a local path); a
    path that merely contains "://" somewhere (a hostile name) is a path."""
    return bool(_URL.match(str(location))) and not _FILE_URL.match(str(location))


def _usage(message: str):
    from impact.errors import UsageError

    return UsageError(message)


def _file_url_path(value: str) -> str:
    """The local path of a file: URL (file:///srv/data, file://localhost/srv/data,
    file:/srv/data), percent-escapes decoded; a file URL naming another host is refused."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(value)
    if parts.netloc not in ("", "localhost"):
        raise _usage(f"data directory {value[:160]}: a file:// URL must name this computer "
                     f"(file:///path), not the host {parts.netloc[:60]!r}")
    if parts.query or parts.fragment or not parts.path:
        raise _usage(f"data directory {value[:160]}: not a file URL of a directory "
                     "(expected file:///absolute/path)")
    path = unquote(parts.path)
    if "\x00" in path:  # %00 decodes to NUL, which no file system accepts in a name
        raise _usage(f"data directory {value[:160]}: its path contains a NUL character (%00)")
    return path


def resolve_data_dir(explicit: str | os.PathLike | None = None) -> str:
    """The data directory: an explicit value, else $IMPACT_DATA_DIR, else ./data beside dashboard.py.

    Returned as a string because it may be an fsspec URL (s3://bucket/prefix) as well as a path.
    A file:// URL is its path; a URL of any scheme not in URL_SCHEMES is a usage error, never
    a relative folder named "file:" or "htps:" that readers would find empty.
    """
    value = explicit or os.environ.get("IMPACT_DATA_DIR") or DEFAULT_DATA_DIR
    value = str(value)
    if "\x00" in value:
        raise _usage("the data directory's name contains a NUL character")
    if _FILE_URL.match(value):
        value = _file_url_path(value)
    elif (scheme := _URL.match(value)) is not None:
        if scheme.group(1).lower() not in URL_SCHEMES:
            raise _usage(f"data directory {value[:160]}: unsupported URL scheme "
                         f"{scheme.group(1)[:20]!r}:// (give a path, a file:// URL, or one of "
                         f"{', '.join(s + '://' for s in URL_SCHEMES)})")
        return value.rstrip("/")
    return str(Path(value).expanduser().resolve())
