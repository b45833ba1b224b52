"""The Volunteers page model: volunteer person-times and hours by year and project, minutes
per volunteer person-time, and the value of volunteer time as a low–high range."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from impact.presentation import charts, fmt
from impact.config import VOLUNTEER_RATE_HIGH, VOLUNTEER_RATE_LOW
from impact.filters import Filters
from impact.presentation.i18n import t
from impact.domain.disclosure import volunteer_note
from impact.domain.metrics import minutes_per_volunteer, volunteer_hours, volunteer_value
from impact.views.common import (by_year_caption, by_year_filters, CHART_PROJECTS, COUNT, DECIMAL, HOURS,
                                 MONEY, Chart, Column, Kpi, PageModel, Table, page_base,
                                 project_label, top_caption)
from impact.storage.cache import cached

DEFAULT_RATES = (VOLUNTEER_RATE_LOW, VOLUNTEER_RATE_HIGH)


@dataclass
class VolunteersModel(PageModel):
    """Everything the Volunteers page shows."""

    kpis: list[Kpi] = field(default_factory=list)
    by_year: Chart | None = None
    hours_by_year: Chart | None = None
    by_project: Chart | None = None
    projects: Table | None = None
    value_note: str = ""
    disclosure: str = ""  # the volunteer service note (impact.domain.disclosure)


def _kpis(totals: dict, rate_low, rate_high, lang: str) -> list[Kpi]:
    hours = volunteer_hours(totals["volunteer_minutes"])
    per = minutes_per_volunteer(totals["volunteer_minutes"], totals["volunteers"])
    value = volunteer_value(totals["volunteer_minutes"], rate_low, rate_high)
    range_text = f"{fmt.money(value.low, lang)} – {fmt.money(value.high, lang)}"
    return [
        Kpi("volunteers", t("metric.volunteers", lang), totals["volunteers"],
            fmt.value(totals["volunteers"], fmt.COUNT, lang),
            fmt.value(totals["volunteers"], fmt.COUNT, lang),
            help=t("metric.volunteers.help", lang)),
        Kpi("volunteer_minutes", t("metric.volunteer_minutes", lang),
            totals["volunteer_minutes"], fmt.value(totals["volunteer_minutes"], fmt.COUNT, lang),
            fmt.value(totals["volunteer_minutes"], fmt.COUNT, lang),
            help=t("metric.volunteer_minutes.help", lang)),
        Kpi("volunteer_hours", t("metric.volunteer_hours", lang), hours,
            fmt.value(hours, fmt.HOURS, lang), fmt.value(hours, fmt.HOURS, lang),
            help=t("metric.volunteer_hours.help", lang)),
        Kpi("minutes_per_volunteer", t("metric.minutes_per_volunteer", lang), per,
            fmt.value(per, fmt.DECIMAL, lang), fmt.value(per, fmt.DECIMAL, lang),
            help=t("metric.minutes_per_volunteer.help", lang),
            basis={"numerator": totals["volunteer_minutes"], "persons": totals["volunteers"]}),
        Kpi("volunteer_value", t("metric.volunteer_value", lang), (value.low, value.high),
            range_text, range_text,
            help=t("metric.volunteer_value.help", lang,
                   low=fmt.money(value.rate_low, lang), high=fmt.money(value.rate_high, lang))),
    ]


def project_table(rows: list[dict], rate_low, rate_high, lang: str) -> Table:
    """Volunteer effort per project, largest hours first, with the value range per project."""
    out = []
    for r in sorted(rows, key=lambda r: (-r["volunteer_minutes"], r["org"], r["project"])):
        value = volunteer_value(r["volunteer_minutes"], rate_low, rate_high)
        out.append({**r, "volunteer_hours": value.hours, "value_low": value.low,
                    "value_high": value.high,
                    "minutes_per_volunteer": minutes_per_volunteer(r["volunteer_minutes"],
                                                                   r["volunteers"])})
    # Key columns first: on a phone the project, its person-times and time stay on screen.
    columns = [Column("project", t("col.project", lang)),
               Column("volunteers", t("metric.volunteers", lang), COUNT),
               Column("volunteer_hours", t("metric.volunteer_hours", lang), HOURS),
               Column("volunteer_minutes", t("metric.volunteer_minutes", lang), COUNT),
               Column("minutes_per_volunteer", t("metric.minutes_per_volunteer", lang), DECIMAL),
               Column("value_low", t("col.value_low", lang), MONEY),
               Column("value_high", t("col.value_high", lang), MONEY),
               Column("org", t("col.org", lang))]
    return Table("volunteer_projects", t("volunteers.table.projects", lang), columns, out,
                 caption=t("volunteers.value_note", lang), lang=lang)


def volunteers(db, filters: Filters, lang: str, rate_low=VOLUNTEER_RATE_LOW,
               rate_high=VOLUNTEER_RATE_HIGH) -> VolunteersModel:
    """Build the Volunteers page; volunteer time is valued at rate_low…rate_high 元/hour."""
    rate_low, rate_high = sorted((Decimal(rate_low), Decimal(rate_high)))
    db = cached(db)
    p = filters.params()
    db.prefetch([(name, p) for name in ("activity_totals", "finance_by_line",
                                        "activity_by_project")]
                + [("activity_by_year", by_year_filters(filters).params())])
    base = page_base("volunteers", db, filters, lang)
    model = VolunteersModel(**vars(base))
    if model.empty:
        return model
    cap = base.caption
    totals = db.rows("activity_totals", **p)[0]
    model.kpis = _kpis(totals, rate_low, rate_high, lang)
    model.value_note = t("volunteers.value_note", lang)
    model.disclosure = volunteer_note(
        volunteer_value(totals["volunteer_minutes"], rate_low, rate_high),
        filters.year_to, lang)
    empty = t("empty.chart", lang)

    years = db.rows("activity_by_year", **by_year_filters(filters).params())
    selected = (filters.year_from, filters.year_to)
    year_cap = by_year_caption(cap, filters, lang)
    title = t("volunteers.chart.by_year", lang)
    model.by_year = Chart("by_year", title, year_cap, charts.bars(
        [r["year"] for r in years], {t("metric.volunteers", lang): [r["volunteers"]
                                                                    for r in years]},
        title=title, lang=lang, highlight=selected) if years else None, years, empty)
    title = t("volunteers.chart.hours_by_year", lang)
    model.hours_by_year = Chart("hours_by_year", title, year_cap, charts.bars(
        [r["year"] for r in years],
        {t("metric.volunteer_hours", lang): [volunteer_hours(r["volunteer_minutes"])
                                             for r in years]},
        title=title, lang=lang, highlight=selected) if years else None, years, empty)

    projects = [r for r in db.rows("activity_by_project", **p) if r["volunteers"]]
    model.projects = project_table(projects, rate_low, rate_high, lang)
    title = t("volunteers.chart.by_project", lang)
    shown = model.projects.rows[:CHART_PROJECTS]  # largest hours first
    model.by_project = Chart("by_project", title,
                             top_caption(cap, len(shown), len(projects), lang), charts.bars(
        [project_label(r, filters, lang) for r in shown],
        {t("metric.volunteer_hours", lang): [r["volunteer_hours"] for r in shown]},
        title=title, lang=lang, horizontal=True) if shown else None, projects, empty)
    return model
