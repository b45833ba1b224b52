"""The demo dataset: event-level records for four organisations that reproduce the figures
their annual reports publish, with synthetic years around them (docs/demo-data.md).

`write_demo(dir)` writes the same bytes on every run: all randomness comes from
`random.Random` seeded with the organisation code and year.
"""

from __future__ import annotations

import random
from pathlib import Path
from decimal import Decimal

import pyarrow as pa

from impact.demo.people import (activity_group_rows, outcome_rows, participant_rows,
                                reach_rows)
from impact.demo import grants
from impact.demo.profiles import INDICATORS, PROFILES, TARGETS, Profile, Project
from impact.demo.synth import MoneyLine, ProjectYear, activity_rows, finance_rows, split_total
from impact.storage.schema import TABLES
from impact.storage.store import DataStore

METRICS = ("services", "beneficiaries", "volunteers", "volunteer_minutes")
DEMO_META = {"source": "demo",
             "notice": "Demo data built from published annual reports, with synthetic years."}

PUBLISHED = "published_figures.csv"

# Fixed, so the demo is the same bytes on every run (its manifest records who and when).
DEMO_RECORD = {"kind": "demo", "who": "impact demo", "when": "2026-01-01T00:00:00+00:00",
               "why": "demo dataset built from the organisations' published reports"}

# How many transactions a category has in a year (a spread, picked per year).
TRANSACTIONS = {"donation": (60, 140), "enterprise": (6, 14), "government": (2, 6),
                "foundation": (3, 8), "service_fee": (10, 30), "other": (3, 10),
                "program": (150, 320), "admin": (24, 48), "fundraising": (6, 18)}


def _active(profile: Profile, year: int) -> list[Project]:
    return [p for p in profile.projects if p.first <= year <= p.last]


def project_specs(profile: Profile, year: int, rng: random.Random) -> list[ProjectYear]:
    """Each active project's exact totals for the year: published figures where there are
    some, the remainder of published org totals split by typical size, else synthetic."""
    projects = _active(profile, year)
    growth = profile.growth[year]
    fixed = profile.fixed.get(year, {})
    totals = profile.totals.get(year, {})
    values: dict[str, dict[str, int]] = {p.name: dict(fixed.get(p.name, {})) for p in projects}
    for metric in METRICS:
        free = [p for p in projects if metric not in values[p.name]]
        typical = [getattr(p, metric) * growth * rng.uniform(0.85, 1.15) for p in free]
        if metric in totals:
            remaining = totals[metric] - sum(v.get(metric, 0) for v in values.values())
            parts = split_total(remaining, typical, minimum=1 if metric == "services" else 0)
        else:
            parts = [max(1 if metric == "services" else 0, round(t)) for t in typical]
        for p, part in zip(free, parts):
            values[p.name][metric] = part
    specs = []
    for p in projects:
        v = values[p.name]
        if v["volunteers"] == 0:
            v["volunteer_minutes"] = 0
        months = tuple(range(p.first_month if year == p.first else 1, 13))
        specs.append(ProjectYear(p.name, p.area, v["services"], v["beneficiaries"],
                                 v["volunteers"], v["volunteer_minutes"], p.types, months))
    return specs


def _split_money(total: Decimal, shares: dict[str, float]) -> dict[str, Decimal]:
    cents = split_total(int(total * 100), list(shares.values()))
    return {c: Decimal(n).scaleb(-2) for c, n in zip(shares, cents)}


def money_lines(profile: Profile, year: int, rng: random.Random) -> list[MoneyLine]:
    """The year's income and expense by category: exact where published, else synthetic."""
    growth = profile.growth[year]
    if year in profile.income:
        income = profile.income[year]
    else:
        total = profile.income_total.get(year) or (
            profile.income_base * Decimal(str(round(growth * rng.uniform(0.95, 1.05), 4)))
        ).quantize(Decimal("1"))
        income = _split_money(total, profile.finance.income_shares)
    income_total = sum(income.values(), Decimal(0))
    expense_total = profile.expense_total.get(year) or (
        income_total * Decimal(str(round(rng.uniform(0.86, 0.98), 3)))).quantize(Decimal("0.01"))
    expense = _split_money(expense_total, profile.finance.expense_shares)
    projects = tuple(p.name for p in _active(profile, year))
    lines = []
    for flow, amounts in (("income", income), ("expense", expense)):
        for category, amount in amounts.items():
            if amount <= 0:
                continue
            low, high = TRANSACTIONS[category]
            lines.append(MoneyLine(flow, category, amount, rng.randint(low, high),
                                   profile.finance.funders.get(category, ()) if flow == "income"
                                   else (), projects, profile.finance.funder_projects))
    return lines


def org_year_records(profile: Profile, year: int) -> tuple[list[dict], list[dict]]:
    """Activity and finance records of one organisation-year, with ids in date order."""
    rng = random.Random(f"{profile.code}-{year}")
    activities = [row for spec in project_specs(profile, year, rng)
                  for row in activity_rows(rng, profile.org, year, spec)]
    activities.sort(key=lambda r: (r["date"], r["project"]))
    for i, row in enumerate(activities, 1):
        row["activity_id"] = f"{profile.code}-{year}-A{i:05d}"
    finance = [row for line in money_lines(profile, year, rng)
               for row in finance_rows(rng, profile.org, year, line)]
    finance.sort(key=lambda r: (r["date"], r["flow"], r["line"], r["source_type"] or ""))
    for i, row in enumerate(finance, 1):
        row["txn_id"] = f"{profile.code}-{year}-F{i:05d}"
    return activities, finance


def build_tables() -> dict[str, pa.Table]:
    """All tables of the demo dataset."""
    activities, finance, indicators = [], [], []
    for profile in PROFILES:
        for year in profile.years:
            acts, fin = org_year_records(profile, year)
            activities += acts
            finance += fin
        indicators += [{"org": profile.org, "project": None, "year": y, "indicator": "staff",
                        "value": Decimal(n), "unit": "人"} for y, n in profile.staff.items()]
    indicators += [{"org": o, "project": p, "year": y, "indicator": k, "value": v, "unit": u}
                   for o, p, y, k, v, u in INDICATORS]
    targets = [{"org": o, "project": p, "year": y, "metric": m, "target": t, "grant_id": None}
               for o, p, y, m, t in TARGETS] + grants.deliverable_rows()
    grants.link_finance(finance)
    rows = {"activities": activities, "finance": finance, "indicators": indicators,
            "targets": targets, "activity_groups": activity_group_rows(activities),
            "reach": reach_rows(), "outcomes": outcome_rows(),
            "participants": participant_rows(activities), "grants": grants.grant_rows(),
            "grant_projects": grants.grant_project_rows(), "budgets": grants.budget_rows()}
    return {name: pa.Table.from_pylist(rows[name], schema=TABLES[name].arrow_schema)
            for name in TABLES}


def write_demo(data_dir: str) -> dict[str, int]:
    """Write the demo dataset into `data_dir` (replacing its tables); return rows per table."""
    tables = build_tables()
    store = DataStore(data_dir)
    store.commit(tables, fresh=True, meta=DEMO_META, record=DEMO_RECORD)
    # The figures the organisations printed, for the reports' "against the published
    # figures" table (impact.report.published).
    store._write_atomic(PUBLISHED, (Path(__file__).parent / PUBLISHED).read_bytes())
    return {name: t.num_rows for name, t in tables.items()}
