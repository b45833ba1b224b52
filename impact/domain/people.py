"""Unique people (人) next to person-times (人次): the rules that keep them apart.

Person-times count attendances and add up. Unique people are stated on roll-up records
(`reach`) and do not add up across projects or years (one child in two projects is one
child), so a selection spanning several records shows the largest stated figure and says so.
Groups of one dimension of one project-year are disjoint and may be added (adults + children);
groups of different dimensions overlap and never are.
"""

from __future__ import annotations

from dataclasses import dataclass

from impact.domain.metrics import percent
from impact.presentation import fmt
from impact.presentation.i18n import label, t
from impact.storage.schema import GROUP_DIMENSION, GROUPS

STATED, LARGEST = "stated", "largest"


@dataclass(frozen=True)
class PeopleFigure:
    """Unique people (or households) of one group across the selection, and how it was got."""

    group: str | None  # None = everyone
    unit: str  # people | households
    value: int
    basis: str  # stated: one record states it; largest: the largest of several records
    records: int  # how many records state a figure for this group
    org: str
    project: str | None
    year: int


def people_figures(reach_rows: list[dict]) -> list[PeopleFigure]:
    """Per group and unit, the stated figure, or the largest where several records would
    double count if added. Everyone (group None) first, then groups in schema order."""
    order = [None, *GROUP_DIMENSION]
    out = []
    for unit in ("people", "households"):
        for group in order:
            rows = [r for r in reach_rows if r["beneficiary_group"] == group
                    and r[unit] is not None]
            if not rows:
                continue
            top = max(rows, key=lambda r: (r[unit], r["year"]))
            out.append(PeopleFigure(group, unit, top[unit], STATED if len(rows) == 1 else LARGEST,
                                    len(rows), top["org"], top["project"], top["year"]))
    return out


@dataclass(frozen=True)
class GroupShare:
    dimension: str
    group: str | None  # None = not recorded
    person_times: int
    share: object  # Decimal percent of all person-times, or None when there are none


def group_shares(rows: list[dict]) -> list[GroupShare]:
    """Person-times per group, each dimension with its own "not recorded" remainder.

    `rows` are group_person_times.sql's: one per group plus the total (group None)."""
    total = next((r["beneficiaries"] for r in rows if r["beneficiary_group"] is None), 0)
    by_group = {r["beneficiary_group"]: r["beneficiaries"] for r in rows
                if r["beneficiary_group"] is not None}
    out = []
    for dimension, groups in GROUPS.items():
        present = [g for g in groups if g in by_group]
        if not present:
            continue
        for g in present:
            out.append(GroupShare(dimension, g, by_group[g], percent(by_group[g], total)))
        rest = max(total - sum(by_group[g] for g in present), 0)
        out.append(GroupShare(dimension, None, rest, percent(rest, total)))
    return out


def stated_reach(db, filters) -> list[dict]:
    """The stated people and households of the selection, each beside the person-times of
    the same project-year, for the CLI and the reports (the rows are never added up)."""
    return [{"org": r["org"], "project": r["project"], "year": r["year"],
             "group": r["beneficiary_group"], "people": r["people"],
             "households": r["households"], "person_times": r["person_times"],
             "source": r["source"]}
            for r in db.rows("reach", **filters.params())]


def format_reach(rows: list[dict], lang: str = "zh") -> list[str]:
    """Plain-text lines in `lang`: people (人) and households (户) labelled, person-times (人次)
    apart."""
    if not rows:
        return []
    sep = t("filters.list_sep", lang)
    lines = [t("cli.people.title", lang)]
    for r in rows:
        counts = sep.join(t(f"cli.people.{k}", lang, count=fmt.number(r[k], lang))
                          for k in ("people", "households") if r[k] is not None)
        scope = r["project"] or t("common.whole_org", lang)
        same = t("cli.people.same", lang, count=fmt.number(r["person_times"] or 0, lang))
        colon = "：" if lang == "zh" else ": "
        lines.append(f"  {r['year']} {scope} · {label('group', r['group'] or 'everyone', lang)}"
                     f"{colon}{counts}   [{same}]")
    return lines
