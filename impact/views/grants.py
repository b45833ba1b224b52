"""Grants as a funder and a finance officer see them: budget vs actual per project and per
grant, and the funder view "what your grant delivered" (资助成效).

Budget vs actual compares each budget with the expenses booked against it and the share of
the budget spent with the share of its period elapsed, as of the end of the last selected
year or today, whichever is earlier (the model says which). A budget is flagged when the two
shares are more than BUDGET_PACE_GAP apart (impact/config.py, docs/metrics.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from impact.presentation import fmt
from impact.config import BUDGET_PACE_GAP
from impact.filters import Filters
from impact.presentation.i18n import has, label, t
from impact.presentation.safetext import Markdown
from impact.domain.metrics import ZERO, achievement, percent, share, volunteer_hours
from impact.storage.cache import cached
from impact.views.common import (COUNT, DECIMAL, HOURS, MONEY, PERCENT, Column, Kpi, PageModel, Table,
                                 filters_caption, metric_kind, selection_line)

# ------------------------------------------------------------------ budget vs actual

def as_of(filters: Filters, today: date) -> tuple[date, str]:
    """The day budget vs actual is measured at, and why that day: the end of the last
    selected year, or today when that year has not ended (or no year is selected)."""
    if filters.year_to is not None and date(filters.year_to, 12, 31) < today:
        return date(filters.year_to, 12, 31), "year_end"
    return today, "today"


def elapsed_share(start: date, end: date, day: date) -> Decimal:
    """The share of the period start..end (both days included) that has passed by `day`."""
    total = (end - start).days + 1
    passed = min(max((day - start).days + 1, 0), total)
    return share(passed, total)


def pace(budget: Decimal | None, actual: Decimal, elapsed: Decimal) -> dict:
    """Variance (actual − budget, and as % of budget), the share spent, and the flag. With no
    budget at all (None) there is nothing to compare: no variance, no share, no flag, shown
    as "—", never as a budget of ¥0.00 overspent."""
    spent = actual / budget if budget else None
    return {"budget": budget, "actual": actual,
            "variance": None if budget is None else actual - budget,
            # Percentages exact: rounded once, where they are shown (fmt.percent).
            "variance_pct": None if budget is None else percent(actual - budget, budget),
            "spent_share": None if spent is None else percent(actual, budget),
            "elapsed_share": elapsed * 100,
            "flag": spent is not None and abs(spent - elapsed) > BUDGET_PACE_GAP}


def _summed(rows: list[dict], keys: tuple[str, ...]) -> dict[tuple, dict]:
    """Budget and actual summed over the expense lines, per holder; the budget stays None
    when no line of the holder has one."""
    out: dict[tuple, dict] = {}
    for r in rows:
        key = tuple(r[k] for k in keys)
        slot = out.setdefault(key, {**{k: r[k] for k in keys}, "budget": None, "actual": ZERO,
                                    "lines": {}, "row": r})
        if r["budget"] is not None:
            slot["budget"] = (slot["budget"] or ZERO) + r["budget"]
        slot["actual"] += r["actual"] or ZERO
        if r.get("line"):
            slot["lines"][r["line"]] = (r["budget"], r["actual"])
    return out


def project_budgets(rows: list[dict], day: date, lang: str) -> list[dict]:
    """One row per project (or organisation) and year, budget against actual."""
    out = []
    for (org, project, year), s in _summed(rows, ("org", "project", "year")).items():
        elapsed = elapsed_share(date(year, 1, 1), date(year, 12, 31), day)
        out.append({"org": org, "project": project or t("common.whole_org", lang),
                    "year": year, **pace(s["budget"], s["actual"], elapsed)})
    return out


def grant_budgets(rows: list[dict], day: date, lang: str) -> list[dict]:
    """One row per grant: its whole budget against what was booked to it so far."""
    out = []
    for (org, grant_id), s in _summed(rows, ("org", "grant_id")).items():
        g = s["row"]
        elapsed = elapsed_share(g["start_date"], g["end_date"], day)
        out.append({"org": org, "grant_id": grant_id, "grant": g["title"] or grant_id,
                    "funder": g["funder"], "granted": g["granted"],
                    "period": period_text(g["start_date"], g["end_date"], lang),
                    **pace(s["budget"], s["actual"], elapsed)})
    return out


def period_text(start: date, end: date, lang: str) -> str:
    return t("grants.period", lang, start=start.isoformat(), end=end.isoformat())


def _flag_text(row: dict, lang: str) -> str:
    if not row["flag"]:
        return ""
    ahead = row["spent_share"] > row["elapsed_share"]
    return t("grants.flag.ahead" if ahead else "grants.flag.behind", lang)


def _pace_columns(lang: str) -> list[Column]:
    return [Column("budget", t("grants.col.budget", lang), MONEY),
            Column("actual", t("grants.col.actual_spent", lang), MONEY),
            Column("variance", t("grants.col.variance", lang), MONEY, signed=True),
            Column("variance_pct", t("grants.col.variance_pct", lang), PERCENT, signed=True),
            Column("spent_share", t("grants.col.spent_share", lang), PERCENT),
            Column("elapsed_share", t("grants.col.elapsed_share", lang), PERCENT),
            Column("flag_text", t("grants.col.flag", lang))]


def project_budget_table(rows: list[dict], lang: str) -> Table:
    rows = [{**r, "flag_text": _flag_text(r, lang)} for r in rows]
    columns = [Column("project", t("col.project", lang)), Column("year", t("col.year", lang)),
               *_pace_columns(lang), Column("org", t("col.org", lang))]
    return Table("budget_vs_actual_projects", t("grants.table.projects", lang), columns, rows,
                 lang=lang)


def grant_budget_table(rows: list[dict], lang: str) -> Table:
    rows = [{**r, "flag_text": _flag_text(r, lang)} for r in rows]
    columns = [Column("grant", t("grants.col.grant", lang)),
               Column("funder", t("col.funder", lang)), *_pace_columns(lang),
               Column("granted", t("grants.col.granted", lang), MONEY),
               Column("period", t("grants.col.period", lang)),
               Column("org", t("col.org", lang))]
    return Table("budget_vs_actual_grants", t("grants.table.grants", lang), columns, rows,
                 lang=lang)


@dataclass
class BudgetSection:
    """Budget vs actual, for /finance and the report."""

    title: str
    as_of: date
    as_of_note: str
    projects: Table
    grants: Table
    flagged: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.projects.rows and not self.grants.rows


BUDGET_QUERIES = ("budget_vs_actual_projects", "budget_vs_actual_grants")


def budget_queries(filters: Filters) -> list[tuple[str, dict]]:
    """The budget section's queries, for a page that runs its queries at once (prefetch)."""
    return [(name, filters.params()) for name in BUDGET_QUERIES]


def budget_section(db, filters: Filters, lang: str, today: date | None = None
                   ) -> BudgetSection:
    db = cached(db)
    day, why = as_of(filters, today or date.today())
    project_rows, grant_rows = (db.rows(name, **filters.params()) for name in BUDGET_QUERIES)
    projects = project_budgets(project_rows, day, lang)
    grants = grant_budgets(grant_rows, day, lang)
    flagged = [t("grants.flagged", lang, name=r.get("grant") or r["project"],
                 spent=fmt.percent(r["spent_share"], lang),
                 elapsed=fmt.percent(r["elapsed_share"], lang))
               for r in [*grants, *projects] if r["flag"]]
    note = t(f"grants.as_of.{why}", lang, day=day.isoformat(),
             gap=fmt.share(BUDGET_PACE_GAP, lang, places=0))
    return BudgetSection(t("grants.budget_title", lang), day, note,
                         project_budget_table(projects, lang), grant_budget_table(grants, lang),
                         flagged)


# ------------------------------------------------------------------ the funder view

@dataclass
class GrantView:
    """One grant in the funder view."""

    org: str
    grant_id: str
    title: str
    granted: Decimal
    start: date
    end: date
    restricted: bool
    projects: list[str]
    received: Decimal = ZERO
    spent: Decimal = ZERO


@dataclass
class FunderModel(PageModel):
    """资助成效 — what a funder's grants delivered, for the selection."""

    funder: str = ""
    funders: list[str] = field(default_factory=list)  # funders with grants, to choose from
    grants: list[GrantView] = field(default_factory=list)
    kpis: list[Kpi] = field(default_factory=list)
    grant_table: Table | None = None
    activity_table: Table | None = None
    deliverables: Table | None = None
    outside_grants: Decimal = ZERO  # received from the funder outside any grant


FUNDER_KEY = "grants_funder"  # the page's funder choice (URL ?funder=, impact.web.urlstate)


def funder_for(access, requested: str | None) -> str | None:
    """The funder whose view is shown: a funder (signed in or by link) always sees its own,
    whatever the URL asks; anyone else the one requested."""
    if access is not None and access.funder:
        return access.funder
    return requested or None


def funder_names(db, filters: Filters) -> list[str]:
    """Funders that have a grant in the selected organisations (any period)."""
    return [r["funder"] for r in cached(db).rows("grant_funders", orgs=list(filters.orgs))]


def _params(filters: Filters, query: str) -> dict:
    from impact.storage.db import load_query

    p = filters.params()
    return {k: p[k] for k in load_query(query).parameters if k in p}


def funder_view(db, filters: Filters, funder: str | None, lang: str) -> FunderModel:
    """The funder view for `funder` (None: the first funder with a grant, if any)."""
    db = cached(db)
    funders = funder_names(db, filters)
    funder = funder if funder else (funders[0] if funders else "")
    model = FunderModel(title=t("grants.title", lang), intro=Markdown(t("grants.intro", lang)),
                        caption=filters_caption(filters, lang),
                        selection=selection_line(filters, lang), funder=funder,
                        funders=funders, empty_text=t("grants.empty", lang, funder=funder))
    q = {name: db.rows(name, funder=funder, **_params(filters, name))
         for name in ("funder_grants", "funder_grant_money", "funder_grant_activities",
                      "funder_deliverables", "funder_cofunders")}
    model.grants = _grants(q["funder_grants"], q["funder_grant_money"])
    model.empty = not model.grants
    if model.empty:
        return model
    wanted = {(g.org, g.grant_id) for g in model.grants}
    model.outside_grants = sum((r["amount"] for r in q["funder_grant_money"]
                                if r["flow"] == "income" and r["grant_id"] is None), ZERO)
    activities = [r for r in q["funder_grant_activities"] if (r["org"], r["grant_id"]) in wanted]
    model.kpis = _funder_kpis(model, activities, lang)
    model.grant_table = _grant_table(model.grants, lang)
    model.activity_table = _activity_table(activities, model.grants, lang)
    model.deliverables = deliverable_table(q["funder_deliverables"], model.grants, lang)
    if model.outside_grants:
        model.notices.append(t("grants.outside_grants", lang, funder=funder,
                               amount=fmt.money(model.outside_grants, lang)))
    shared = _cofunded_projects(q["funder_cofunders"], wanted)
    if shared:
        model.notices.append(t("grants.cofunded", lang, projects=t("filters.list_sep", lang)
                               .join(shared)))
    return model


def _cofunded_projects(rows: list[dict], wanted: set[tuple]) -> list[str]:
    """Projects of the funder's grants that other funders fund in the same period: their
    person-times are the project's, credited alike to every funder (never split by share).
    The view says so without naming the others (a funder sees nothing of other funders)."""
    orgs = {org for org, _ in wanted}
    return list(dict.fromkeys(r["project"] for r in rows if r["org"] in orgs))


def _grants(rows: list[dict], money: list[dict]) -> list[GrantView]:
    grants: dict[tuple, GrantView] = {}
    for r in rows:
        key = (r["org"], r["grant_id"])
        if key not in grants:
            grants[key] = GrantView(r["org"], r["grant_id"], r["title"] or r["grant_id"],
                                    r["granted"], r["start_date"], r["end_date"],
                                    bool(r["restricted"]), [])
        if r["project"]:
            grants[key].projects.append(r["project"])
    for r in money:
        g = grants.get((r["org"], r["grant_id"]))
        if g is not None:
            if r["flow"] == "income":
                g.received += r["amount"]
            else:
                g.spent += r["amount"]
    return list(grants.values())


def _int(value) -> int:
    return int(value or 0)


def _funder_kpis(model: FunderModel, activities: list[dict], lang: str) -> list[Kpi]:
    received = sum((g.received for g in model.grants), ZERO)
    spent = sum((g.spent for g in model.grants), ZERO)
    people = sum(_int(r["beneficiaries"]) for r in activities)
    minutes = sum(_int(r["volunteer_minutes"]) for r in activities)
    hours = volunteer_hours(minutes)  # the one hours rule: to the hundredth
    return [
        Kpi("received", t("grants.kpi.received", lang), received,
            fmt.kpi_money(received, lang), fmt.money(received, lang)),
        Kpi("spent", t("grants.kpi.spent", lang), spent, fmt.kpi_money(spent, lang),
            fmt.money(spent, lang)),
        Kpi("beneficiaries", t("metric.beneficiaries", lang), people, fmt.count(people, lang),
            fmt.count(people, lang)),
        Kpi("volunteer_hours", t("grants.kpi.volunteer_hours", lang), hours,
            fmt.value(hours, fmt.HOURS, lang), fmt.count(minutes, lang) + " " + t("grants.minutes", lang)),
    ]


def _grant_table(grants: list[GrantView], lang: str) -> Table:
    sep = t("filters.list_sep", lang)
    rows = [{"grant": g.title, "grant_id": g.grant_id, "org": g.org,
             "projects": sep.join(g.projects), "period": period_text(g.start, g.end, lang),
             "granted": g.granted, "received": g.received, "spent": g.spent,
             "restricted": t("grants.restricted" if g.restricted else "grants.unrestricted",
                             lang)} for g in grants]
    columns = [Column("grant", t("grants.col.grant", lang)),
               Column("received", t("grants.col.received", lang), MONEY),
               Column("spent", t("grants.col.spent", lang), MONEY),
               Column("granted", t("grants.col.granted", lang), MONEY),
               Column("period", t("grants.col.period", lang)),
               Column("projects", t("grants.col.projects", lang)),
               Column("restricted", t("grants.col.restricted", lang)),
               Column("grant_id", t("grants.col.grant_id", lang)),
               Column("org", t("col.org", lang))]
    return Table("funder_grants", t("grants.table.funder_grants", lang), columns, rows,
                 lang=lang)


def _activity_table(rows: list[dict], grants: list[GrantView], lang: str) -> Table:
    titles = {(g.org, g.grant_id): g.title for g in grants}
    out = [{"grant": titles[(r["org"], r["grant_id"])], "project": r["project"],
            "services": _int(r["services"]), "beneficiaries": _int(r["beneficiaries"]),
            "volunteers": _int(r["volunteers"]),
            "volunteer_hours": volunteer_hours(_int(r["volunteer_minutes"]))}
           for r in rows]
    columns = [Column("project", t("col.project", lang)),
               Column("services", t("metric.services", lang), COUNT),
               Column("beneficiaries", t("metric.beneficiaries", lang), COUNT),
               Column("volunteers", t("metric.volunteers", lang), COUNT),
               Column("volunteer_hours", t("grants.kpi.volunteer_hours", lang), HOURS),
               Column("grant", t("grants.col.grant", lang))]
    return Table("funder_activities", t("grants.table.activities", lang), columns, out,
                 caption=t("grants.activities_note", lang), lang=lang)


def deliverable_table(rows: list[dict], grants: list[GrantView], lang: str) -> Table:
    titles = {(g.org, g.grant_id): g.title for g in grants}
    out = []
    for r in rows:
        if (r["org"], r["grant_id"]) not in titles:
            continue
        metric = r["metric"]
        prefix = "metric" if has(f"metric.{metric}", lang) else "indicator"
        out.append({"metric": metric, "metric_label": label(prefix, metric, lang),
                    "target": fmt.trim(r["target"]), "actual": fmt.trim(r["actual"]),
                    "achievement": achievement(r["actual"], r["target"]),
                    "project": r["project"] or t("common.whole_org", lang), "year": r["year"],
                    "grant": titles[(r["org"], r["grant_id"])],
                    "_kind": metric_kind(metric, r.get("unit"))})
    columns = [Column("metric_label", t("col.metric", lang)),
               Column("actual", t("col.actual", lang), DECIMAL),
               Column("target", t("col.target", lang), DECIMAL),
               Column("achievement", t("col.achievement", lang), PERCENT),
               Column("project", t("col.project", lang)), Column("year", t("col.year", lang)),
               Column("grant", t("grants.col.grant", lang))]
    return Table("funder_deliverables", t("grants.table.deliverables", lang), columns, out,
                 lang=lang)
