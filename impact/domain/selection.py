"""Check what a user asked for before computing anything: the data directory exists, and every
organisation, project and programme area named is one the data holds.

A typo must never look like an answer: `--org 珠海协作` (one character short) used to print a
page of zeros. Now it is a one-line error that suggests the close matches.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from impact.config import resolve_data_dir
from impact.errors import SelectionError, UsageError
from impact.filters import Filters

# (Filters field, known_names kind, how a user names it, the command-line flag)
_KINDS = (("orgs", "org", "organisation", "--org"),
          ("projects", "project", "project", "--project"),
          ("areas", "area", "programme area", "--area"))


def existing_data_dir(data_dir: str | None) -> str:
    """The resolved data directory, refused in one line when it is not a directory.

    s3:// locations are left to the store, which names a missing bucket itself.
    """
    resolved = resolve_data_dir(data_dir)
    if "://" in resolved:
        return resolved
    path = Path(resolved)
    try:
        path.stat()
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:  # a name too long, a file in the way …
        raise SelectionError(f"data directory {resolved[:100]}{'…' if len(resolved) > 100 else ''}"
                             f": cannot use it ({getattr(exc, 'strerror', None) or exc})") from None
    if not path.exists():
        raise SelectionError(f"data directory {resolved} does not exist (make an empty one with "
                         f"`impact init {resolved}`, or give the right --data-dir)")
    if not path.is_dir():
        raise SelectionError(f"data directory {resolved} is a file, not a directory")
    return resolved


def close_matches(name: str, known: list[str], limit: int = 3) -> list[str]:
    """Known names a user probably meant: near spellings first, then names containing it."""
    near = difflib.get_close_matches(name, known, n=limit, cutoff=0.5)
    folded = name.casefold()
    containing = [k for k in known if folded and (folded in k.casefold() or k.casefold() in folded)]
    return list(dict.fromkeys(near + containing))[:limit]


def check_names(db, filters: Filters) -> None:
    """Refuse (UsageError) any organisation, project or area that the data does not hold."""
    wanted = {field: getattr(filters, field) for field, *_ in _KINDS}
    if not any(wanted.values()):
        return
    known: dict[str, list[str]] = {}
    for row in db.rows("known_names"):
        known.setdefault(row["kind"], []).append(row["name"])
    problems = []
    for field, kind, label, flag in _KINDS:
        names = known.get(kind, [])
        for name in wanted[field]:
            if name in names:
                continue
            problems.append(_unknown(name, label, flag, names))
    if problems:
        where = db.data_dir
        raise SelectionError("; ".join(problems) + f" (in {where})")


def _unknown(name: str, label: str, flag: str, known: list[str]) -> str:
    if not known:
        return f"no {label} named {name!r}: the data holds none yet"
    suggestions = close_matches(name, known)
    if suggestions:
        hint = "did you mean " + " or ".join(suggestions) + "?"
    else:
        shown = ", ".join(known[:8]) + (f", … ({len(known)} in all)" if len(known) > 8 else "")
        hint = f"known: {shown}"
    return f"no {label} named {name!r} ({flag}); {hint}"
