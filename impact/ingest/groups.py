"""Beneficiary groups in an import: the wide group columns of an activities sheet (儿童人次,
成人人次 …) become long `activity_groups` rows, and a group cell (儿童 / children) its key."""

from __future__ import annotations

from impact.presentation.i18n import t
from impact.ingest.headers import GROUP_PREFIX, normalise
from impact.ingest.values import CellError, clean_text
from impact.storage.schema import GROUP_DIMENSION, GROUPS


def _group_names() -> dict[str, str]:
    """normalised name → group key: the key itself and its Chinese and English labels."""
    out = {}
    for group in GROUP_DIMENSION:
        for name in (group, t(f"group.{group}", "zh"), t(f"group.{group}", "en")):
            out.setdefault(normalise(name), group)
    out[normalise("农民工")] = out[normalise("流动人口")] = "migrant_workers"
    return out


def parse_group(value) -> str:
    """A group cell as its key (儿童 → children); an unknown group is refused, naming the known."""
    text = clean_text(value)
    group = _group_names().get(normalise(text))
    if group is None:
        raise CellError("unknown_group", groups=", ".join(GROUP_DIMENSION))
    return group


def group_counts(extra: dict) -> dict[str, int]:
    """The group person-times a parsed activities row carries (empty cells left out)."""
    return {k[len(GROUP_PREFIX):]: v for k, v in extra.items()
            if k.startswith(GROUP_PREFIX) and v is not None}


def over_total(counts: dict[str, int], beneficiaries: int) -> tuple[str, int] | None:
    """The first dimension whose groups add up to more than the record's person-times
    (groups of one dimension do not overlap, so they cannot exceed the whole)."""
    for dimension, groups in GROUPS.items():
        total = sum(counts.get(g, 0) for g in groups)
        if total > beneficiaries:
            return dimension, total
    return None


def group_rows(org: str, activity_id: str, counts: dict[str, int]) -> list[dict]:
    return [{"org": org, "activity_id": activity_id, "beneficiary_group": g, "beneficiaries": n}
            for g, n in sorted(counts.items())]
