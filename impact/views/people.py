"""The who-was-served part of the Beneficiaries page: person-times by group with the share
not recorded, and unique people / households as stated, beside the person-times."""

from __future__ import annotations

from impact.access.privacy import OFF, Policy, Suppressed
from impact.presentation import fmt
from impact.filters import Filters
from impact.presentation.i18n import t
from impact.domain.people import LARGEST, group_shares, people_figures
from impact.views.common import COUNT, DECIMAL, PERCENT, Column, Table


# The queries the beneficiaries page's people sections read, all with the selection's
# parameters (for the page's prefetch: impact.views.beneficiaries).
QUERIES = ("reach", "participant_people", "group_person_times")


def group_label(group: str | None, lang: str) -> str:
    return t(f"group.{group}", lang) if group else t("group.everyone", lang)


def groups_table(db, filters: Filters, lang: str) -> Table:
    """Person-times (人次) by group, per dimension, with 未记录 / not recorded shown."""
    shares = group_shares(db.rows("group_person_times", **filters.params()))
    rows = [{"dimension": t(f"dimension.{s.dimension}", lang),
             "group": group_label(s.group, lang) if s.group else t("group.not_recorded", lang),
             "person_times": s.person_times, "share": s.share} for s in shares]
    columns = [Column("dimension", t("people.col.dimension", lang)),
               Column("group", t("people.col.group", lang)),
               Column("person_times", t("people.col.person_times", lang), COUNT),
               Column("share", t("people.col.share", lang), PERCENT)]
    return Table("groups", t("people.table.groups", lang), columns, rows,
                 caption=t("people.table.groups_note", lang), lang=lang)


def reach_table(db, filters: Filters, lang: str) -> Table:
    """Each stated count of people (人) and households (户) beside the person-times (人次)
    of the same project-year: side by side, never added to one another."""
    raw = db.rows("reach", **filters.params())
    rows = [{**r, "project": r["project"] or t("people.whole_org", lang),
             "beneficiary_group": group_label(r["beneficiary_group"], lang)} for r in raw]
    columns = [Column("org", t("col.org", lang)), Column("project", t("col.project", lang)),
               Column("year", t("people.col.year", lang)),
               Column("beneficiary_group", t("people.col.group", lang)),
               # DECIMAL, not COUNT: an empty cell shows as a dash, not "None"
               Column("people", t("people.col.people", lang), DECIMAL),
               Column("households", t("people.col.households", lang), DECIMAL),
               Column("person_times", t("people.col.person_times_same", lang), COUNT),
               Column("source", t("people.col.source", lang))]
    return Table("reach", t("people.table.reach", lang), columns, rows,
                 caption=t("people.table.reach_note", lang), lang=lang)


def _sentence_count(value, hide_below: int, policy: Policy):
    """A count as a sentence may say it: None (leave the sentence out) below `hide_below`
    or the policy's threshold, else rounded as the policy rounds every shown count."""
    if 0 < value < hide_below:
        return None
    shown = policy.count(value)
    return None if isinstance(shown, Suppressed) else shown


def people_lines(db, filters: Filters, lang: str, hide_below: int = 0,
                 policy: Policy = OFF) -> list[str]:
    """One sentence per headline figure of unique people or households, saying whether it is
    stated on one record or the largest of several (and why several are not added).
    Figures below `hide_below` or the `policy` threshold (small-cell suppression in public
    and funder views) are left out, and the others rounded as the policy says."""
    lines = []
    for f in people_figures(db.rows("reach", **filters.params())):
        value = _sentence_count(f.value, hide_below, policy)
        if value is None:
            continue
        where = f"{f.project or t('people.whole_org', lang)} · {f.year}"
        key = f"people.line.{f.unit}.{'largest' if f.basis == LARGEST else 'stated'}"
        lines.append(t(key, lang, group=group_label(f.group, lang),
                       value=fmt.count(value, lang),
                       where=where, records=f.records))
    return lines


def participants_table(db, filters: Filters, lang: str) -> Table | None:
    """Unique people counted exactly from participant records (distinct pseudonymous keys),
    per project and year, with their attendances (人次); None when there are none."""
    # The selection-wide row (project NULL) is a sentence (participant_lines), not a row:
    # the project column lists projects only.
    raw = [r for r in db.rows("participant_people", **filters.params()) if r["project"]]
    if not raw:
        return None
    rows = [{"org": r["org"], "project": r["project"], "year": str(r["year"]),
             "beneficiary_group": group_label(r["beneficiary_group"], lang),
             "people": r["people"], "attendances": r["attendances"]} for r in raw]
    columns = [Column("org", t("col.org", lang)), Column("project", t("col.project", lang)),
               Column("year", t("people.col.year", lang)),
               Column("beneficiary_group", t("people.col.group", lang)),
               Column("people", t("people.col.people_exact", lang), COUNT),
               Column("attendances", t("people.col.attendances", lang), COUNT)]
    return Table("participants", t("people.table.participants", lang), columns, rows,
                 caption=t("people.table.participants_note", lang), lang=lang)


def participant_lines(db, filters: Filters, lang: str, hide_below: int = 0,
                      policy: Policy = OFF) -> list[str]:
    """Per organisation, the different people of the whole selection, counted exactly from
    participant records (a person in several projects or years once); rounded, or left
    out when small, as `policy` and `hide_below` say."""
    rows = db.rows("participant_people", **filters.params())
    # The count covers only the projects with participant records, often one of many
    # selected: name them, or "161 different people" reads as the whole selection's reach.
    projects: dict[str, list[str]] = {}
    for r in rows:
        if r["project"] and r["project"] not in projects.setdefault(r["org"], []):
            projects[r["org"]].append(r["project"])
    sep = t("filters.list_sep", lang)
    out = []
    for r in rows:
        if r["project"] is not None:
            continue
        value = _sentence_count(r["people"], hide_below, policy)
        visits = _sentence_count(r["attendances"], hide_below, policy)
        if value is None or visits is None:
            continue
        out.append(t("people.line.participants", lang, org=r["org"],
                     projects=sep.join(projects.get(r["org"], [])) or t("common.whole_org", lang),
                     value=fmt.count(value, lang), attendances=fmt.count(visits, lang)))
    return out
