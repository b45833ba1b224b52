"""The Beneficiaries page model: person-times by year, project, programme area and month,
services against person-times, a ranked project table and the records behind a project."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from impact.access.privacy import OFF, Policy
from impact.presentation import charts
from impact.filters import Filters
from impact.presentation.i18n import label, t
from impact.domain.metrics import percent, ratio
from impact.views import people
from impact.views.common import (by_year_caption, by_year_filters, CHART_PROJECTS, COUNT, DECIMAL,
                                 PERCENT, Chart, Column, PageModel, Table, page_base,
                                 project_label, top_caption)
from impact.storage.cache import cached

MONTHS = range(1, 13)
# Enough records to check a figure by eye; the CSV of the full set is the import file itself.
DRILLDOWN_LIMIT = 1000
# Projects drawn: with all organisations selected there are hundreds (800 at 10M bench rows,
# 440 KB per rerun with the table). Bars show the top CHART_PROJECTS by person-times; the
# scatter, which is for spotting outliers, shows more. The table's CSV has every project.
SCATTER_PROJECTS = 100


@dataclass
class BeneficiariesModel(PageModel):
    """Everything the Beneficiaries page shows."""

    by_year: Chart | None = None
    by_project: Chart | None = None
    by_area: Chart | None = None
    by_month: Chart | None = None
    services_vs_people: Chart | None = None
    projects: Table | None = None
    people_lines: list[str] | None = None  # unique people (人), stated or largest, with why
    groups: Table | None = None  # person-times (人次) by group, not recorded shown
    reach: Table | None = None  # stated people / households beside person-times
    participants: Table | None = None  # exact unique people from participant records


def _chart(key: str, lang: str, caption: str, rows: list[dict], build) -> Chart:
    title = t(f"beneficiaries.chart.{key}", lang)
    figure = build(title) if rows else None
    return Chart(key, title, caption, figure, rows, t("empty.chart", lang))


def project_table(rows: list[dict], lang: str) -> Table:
    """Projects ranked by person-times, with their share and person-times per service."""
    total = sum(r["beneficiaries"] for r in rows)
    ranked = [{**r, "rank": i, "share": percent(r["beneficiaries"], total),
               "program_area": label("area", r["program_area"], lang),
               "per_service": ratio(r["beneficiaries"], r["services"], Decimal("0.1"))}
              for i, r in enumerate(rows, start=1)]
    # Key columns first: on a phone the project, its person-times and share stay on screen.
    columns = [Column("rank", t("col.rank", lang), COUNT),
               Column("project", t("col.project", lang)),
               Column("beneficiaries", t("metric.beneficiaries", lang), COUNT),
               Column("share", t("col.share", lang), PERCENT),
               Column("services", t("metric.services", lang), COUNT),
               Column("per_service", t("col.per_service", lang), DECIMAL),
               Column("program_area", t("col.area", lang)),
               Column("volunteers", t("metric.volunteers", lang), COUNT),
               Column("records", t("col.records", lang), COUNT),
               Column("org", t("col.org", lang))]
    return Table("projects", t("beneficiaries.table.projects", lang), columns, ranked,
                 caption=t("beneficiaries.table.projects_note", lang), lang=lang)


def project_records(db, filters: Filters, org: str, project: str, lang: str) -> Table:
    """Drill-down: the activity records behind one project's figures (newest first)."""
    narrowed = Filters(orgs=(org,), year_from=filters.year_from, year_to=filters.year_to,
                       projects=(project,), areas=filters.areas)
    rows = db.rows("activity_records", limit=DRILLDOWN_LIMIT, **narrowed.params())
    columns = [Column(c, t(f"col.{c}", lang), COUNT if c in (
        "sessions", "beneficiaries", "volunteers", "volunteer_minutes") else "text")
               for c in ("activity_id", "date", "org", "project", "program_area",
                         "activity_type", "sessions", "beneficiaries", "volunteers",
                         "volunteer_minutes")]
    caption = t("beneficiaries.records_note", lang, limit=DRILLDOWN_LIMIT)
    return Table("records", t("beneficiaries.table.records", lang, project=project), columns,
                 rows, caption=caption if len(rows) >= DRILLDOWN_LIMIT else "", lang=lang,
                 limit=None)  # the query's own limit (DRILLDOWN_LIMIT) and note apply


def beneficiaries(db, filters: Filters, lang: str, hide_below: int = 0,
                  policy: Policy = OFF) -> BeneficiariesModel:
    """Build the Beneficiaries page for a selection, in `lang` (`hide_below`, `policy`: the
    small-cell threshold and rounding of a public or funder view, for the sentences no
    table or chart widget reaches)."""
    db = cached(db)
    p = filters.params()
    db.prefetch([(name, p) for name in ("activity_totals", "finance_by_line",
                                        "activity_by_project", "activity_by_area",
                                        "activity_by_month", *people.QUERIES)]
                + [("activity_by_year", by_year_filters(filters).params())])
    base = page_base("beneficiaries", db, filters, lang)
    model = BeneficiariesModel(**vars(base))
    if model.empty:
        return model
    cap = base.caption
    metric = t("metric.beneficiaries", lang)

    years = db.rows("activity_by_year", **by_year_filters(filters).params())
    model.by_year = _chart("by_year", lang, by_year_caption(cap, filters, lang), years,
                           lambda title: charts.bars(
        [r["year"] for r in years], {metric: [r["beneficiaries"] for r in years]},
        title=title, lang=lang, highlight=(filters.year_from, filters.year_to)))

    projects = db.rows("activity_by_project", **p)  # by person-times, largest first
    top = projects[:CHART_PROJECTS]
    model.by_project = _chart("by_project", lang, top_caption(cap, len(top), len(projects), lang), top,
                              lambda title: charts.bars(
        [project_label(r, filters, lang) for r in top],
        {metric: [r["beneficiaries"] for r in top]}, title=title, lang=lang,
        horizontal=True))

    areas = db.rows("activity_by_area", **p)
    model.by_area = _chart("by_area", lang, cap, areas, lambda title: charts.bars(
        [label("area", r["program_area"], lang) if r["program_area"] else
         t("common.no_area", lang) for r in areas],
        {metric: [r["beneficiaries"] for r in areas]}, title=title, lang=lang,
        horizontal=True))

    months = db.rows("activity_by_month", **p)
    model.by_month = _chart("by_month", lang, cap, months, lambda title: charts.lines(
        [t(f"month.{m}", lang) for m in MONTHS], _by_year_and_month(months),
        title=title, lang=lang))

    many = projects[:SCATTER_PROJECTS]
    model.services_vs_people = _chart(
        "services_vs_people", lang, top_caption(cap, len(many), len(projects), lang), many,
        lambda title: charts.scatter(
            [r["services"] for r in many], [r["beneficiaries"] for r in many],
            [project_label(r, filters, lang) for r in many], title=title, lang=lang,
            x_title=t("metric.services", lang), y_title=metric))
    model.projects = project_table(projects, lang)
    model.people_lines = (people.people_lines(db, filters, lang, hide_below, policy)
                          + people.participant_lines(db, filters, lang, hide_below, policy))
    model.groups = people.groups_table(db, filters, lang)
    model.reach = people.reach_table(db, filters, lang)
    model.participants = people.participants_table(db, filters, lang)
    return model


def _by_year_and_month(rows: list[dict]) -> dict[str, list]:
    """One line per year over the twelve months (0 where a month had no activity)."""
    series: dict[str, list] = {}
    for r in rows:
        series.setdefault(str(r["year"]), [0] * 12)[r["month"] - 1] = r["beneficiaries"]
    return series
