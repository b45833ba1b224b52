"""The report's "who we served" and "results" sections, and the narrative's sentence on
people: people (人) only where people were counted, person-times (人次) kept apart."""

from __future__ import annotations

from impact.presentation import fmt
from impact.presentation.i18n import t
from impact.report import labels
from impact.report.content import ReportContent
from impact.report.labels import INT, PCT, TEXT, VALUE
from impact.report.tables import Column, ReportTable, value_kind


def _group(group: str | None, lang: str) -> str:
    return t(f"group.{group}", lang) if group else t("group.everyone", lang)


def _project(name: str | None, lang: str) -> str:
    return name if name is not None else t("report.project.whole_org", lang)


def reach_table(content: ReportContent) -> ReportTable:
    """Stated people and households beside the same project-year's person-times."""
    lang = content.lang
    rows = [{**r, "project": _project(r["project"], lang),
             "beneficiary_group": _group(r["beneficiary_group"], lang)} for r in content.reach]
    columns = (Column("org"), Column("year", TEXT), Column("project"),
               Column("beneficiary_group", label="group"), Column("people", INT),
               Column("households", INT), Column("person_times", INT), Column("source"))
    return ReportTable("reach", columns, rows, "reach")


def outcome_table(content: ReportContent) -> ReportTable:
    lang = content.lang
    rows = [{**r, "project": _project(r["project"], lang),
             "indicator": labels.metric(r["indicator"], lang),
             "value_kind": value_kind(r["indicator"], r.get("unit"))} for r in content.outcomes]
    columns = (Column("org"), Column("year", TEXT), Column("project"), Column("indicator"),
               Column("unit"), Column("baseline", VALUE), Column("target", VALUE),
               Column("actual", VALUE), Column("achievement", PCT), Column("source"))
    return ReportTable("outcomes", columns, rows, "outcomes")


def people_sentence(content: ReportContent) -> str:
    """'其中，农民工抗疫救援行动服务了 1,705 名成人、5,007 名儿童（766 户）。' per project-year
    with stated counts; nothing when no people were counted (person-times stay person-times)."""
    lang = content.lang
    by_project: dict[tuple, list[dict]] = {}
    for r in content.reach:
        by_project.setdefault((r["org"], r["project"], r["year"]), []).append(r)
    parts = []
    for (org, project, year), rows in by_project.items():
        people = [t("report.people.part", lang, n=fmt.count(r["people"], lang),
                    group=_group(r["beneficiary_group"], lang).lower() if lang == "en"
                    else _group(r["beneficiary_group"], lang))
                  for r in rows if r["people"] is not None]
        homes = [t("report.people.households", lang, n=fmt.count(r["households"], lang))
                 for r in rows if r["households"] is not None and r["beneficiary_group"] is None]
        if not people and not homes:
            continue
        what = t("report.narrative.part_sep", lang).join(people + homes)
        # A count for the whole organisation names its organisation: "全机构 served 132
        # students" does not say whose students when several organisations are selected.
        parts.append(t("report.people.org", lang, org=org, year=year, what=what)
                     if project is None else
                     t("report.people.project", lang, project=project, year=year, what=what))
    if not parts:
        return ""
    return t("report.people.sentence", lang, parts=t("report.people.sep", lang).join(parts))
