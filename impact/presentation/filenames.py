"""Download names that say what a file holds: the table or report, the organisations and the
years (珠海协作者_2019-2020), so two downloads of different selections never look alike.

Names come from the data, so only letters, digits, '-' and '_' are kept: a name can carry no
path separator, no control character and no extension of its own."""

from __future__ import annotations

from collections.abc import Sequence

from impact.filters import Filters

MAX_ORGS = 3  # more organisations are written as "_etc"


def safe_part(text: str) -> str:
    """`text` with every character that is not a letter, digit, '-' or '_' made '_'."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)


def years_part(filters: Filters) -> str:
    """2020, 2019-2020, or 'all' when no year is chosen."""
    f = filters
    if f.year_from is None and f.year_to is None:
        return "all"
    return str(f.year_from) if f.year_from == f.year_to else f"{f.year_from}-{f.year_to}"


def selection_stem(orgs: Sequence[str], filters: Filters) -> str:
    """The organisations (at most three, then '_etc'; 'all' for none) and the years."""
    shown = "_".join(orgs[:MAX_ORGS]) + ("_etc" if len(orgs) > MAX_ORGS else "")
    return f"{safe_part(shown) if orgs else 'all'}_{years_part(filters)}"


def csv_name(key: str, filters: Filters | None) -> str:
    """A table's CSV name: funders_珠海协作者_2019-2020.csv (the key alone without a selection)."""
    if filters is None:
        return f"{safe_part(key)}.csv"
    return f"{safe_part(key)}_{selection_stem(list(filters.orgs), filters)}.csv"
