"""Turn yearly totals into event-level records whose sums are exactly those totals.

Every function takes an explicit `random.Random`, so the demo data is the same on every run.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from impact.storage.schema import LEGACY_CATEGORIES

# Relative activity per month: Spring Festival (Feb) is quiet, summer holidays are busy.
SEASONALITY = (0.8, 0.45, 1.0, 1.05, 1.1, 1.0, 1.3, 1.25, 1.0, 0.85, 1.1, 1.0)


def split_total(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Integers that sum exactly to `total`, proportional to `weights` (largest remainder).

    Each part is at least `minimum`; a part with zero weight gets exactly `minimum`.
    """
    n = len(weights)
    if n == 0:
        if total:
            raise ValueError("cannot split a non-zero total into no parts")
        return []
    rest = total - minimum * n
    if rest < 0:
        raise ValueError(f"cannot split {total} into {n} parts of at least {minimum}")
    weight_sum = sum(weights)
    if weight_sum <= 0:
        if rest:
            raise ValueError("cannot split a total over zero weights")
        return [minimum] * n
    raw = [rest * w / weight_sum for w in weights]
    parts = [int(r) for r in raw]
    short = rest - sum(parts)
    by_remainder = sorted(range(n), key=lambda i: (-(raw[i] - parts[i]), i))
    for i in [i for i in by_remainder if weights[i] > 0][:short]:
        parts[i] += 1
    return [p + minimum for p in parts]


def noisy_weights(rng: random.Random, n: int, spread: float = 0.6) -> list[float]:
    """Log-normal weights: most events are typical, a few are large."""
    return [rng.lognormvariate(0, spread) for _ in range(n)]


def random_dates(rng: random.Random, year: int, n: int, months: tuple[int, ...]) -> list[date]:
    """n dates in the given months of a year, following the seasonality."""
    weights = [SEASONALITY[m - 1] for m in months]
    picked = rng.choices(months, weights=weights, k=n)
    return sorted(date(year, m, rng.randint(1, calendar.monthrange(year, m)[1])) for m in picked)


@dataclass(frozen=True)
class ProjectYear:
    """One project's activity in one year, as exact totals."""

    project: str
    area: str
    services: int
    beneficiaries: int
    volunteers: int
    volunteer_minutes: int
    types: tuple[str, ...] = ("社区活动",)
    months: tuple[int, ...] = tuple(range(1, 13))
    max_rows: int = 900  # beyond this, sessions are rolled up into multi-session records


def activity_rows(rng: random.Random, org: str, year: int, spec: ProjectYear) -> list[dict]:
    """Records of one project-year whose column sums equal the spec exactly."""
    n = max(1, min(spec.services, spec.max_rows))
    sessions = split_total(spec.services, [1.0] * n, minimum=1) if spec.services else [1]
    if not spec.services:
        raise ValueError(f"{org} {year} {spec.project}: a project-year needs at least 1 service")
    rng.shuffle(sessions)
    size = [s * w for s, w in zip(sessions, noisy_weights(rng, n, 0.5))]
    beneficiaries = split_total(spec.beneficiaries, size)
    # Volunteers take part in about two events in three; minutes follow the volunteers, so no
    # record claims more than 24 h per volunteer person-time.
    helped = [w if rng.random() < 0.65 else 0.0 for w in noisy_weights(rng, n, 0.4)]
    if spec.volunteers and not any(helped):
        helped[0] = 1.0
    volunteers = split_total(spec.volunteers, helped)
    minutes = split_total(spec.volunteer_minutes,
                          [v * rng.uniform(0.7, 1.3) for v in volunteers])
    dates = random_dates(rng, year, n, spec.months)
    return [
        {"date": d, "org": org, "project": spec.project, "program_area": spec.area,
         "activity_type": rng.choice(spec.types), "sessions": s, "beneficiaries": b,
         "volunteers": v, "volunteer_minutes": m}
        for d, s, b, v, m in zip(dates, sessions, beneficiaries, volunteers, minutes)
    ]


@dataclass(frozen=True)
class MoneyLine:
    """One income or expense category in one year: an exact amount in 元 and who paid it.

    `category` is the profile's category (the reports' by-source figures: donation,
    government, foundation, enterprise, service_fee, other; program, admin, fundraising,
    other); the rows carry the (line, source_type) it maps to (schema.LEGACY_CATEGORIES)."""

    flow: str
    category: str
    amount: Decimal
    transactions: int
    funders: tuple[str, ...] = ()
    projects: tuple[str, ...] = field(default=())
    funder_projects: dict[str, str] = field(default_factory=dict)  # funder → its one project


def finance_rows(rng: random.Random, org: str, year: int, line: MoneyLine) -> list[dict]:
    """Transactions of one category-year whose amounts sum exactly to the line's amount."""
    cents = int((line.amount * 100).to_integral_value())
    n = max(1, min(line.transactions, cents // 10_000 or 1))
    parts = split_total(cents, noisy_weights(rng, n, 0.9), minimum=min(5_000, cents // n))
    dates = random_dates(rng, year, n, tuple(range(1, 13)))
    line_key, source_type = LEGACY_CATEGORIES[(line.flow, line.category)]
    rows = []
    for d, c in zip(dates, parts):
        project = rng.choice(line.projects) if line.projects and rng.random() < 0.7 else None
        funder = rng.choice(line.funders) if line.funders else None
        if funder in line.funder_projects:  # a dedicated funder: its project, or the org
            target = line.funder_projects[funder]
            project = target if target in line.projects else None
        rows.append({
            "date": d, "org": org, "flow": line.flow, "line": line_key,
            "source_type": source_type, "funder": funder, "project": project,
            # Income given for a project is restricted to it; programme spending on a project
            # spends such money (the 业务活动表 releases it to unrestricted net assets).
            "restricted": project is not None and (line.flow == "income"
                                                   or line.category == "program"),
            "grant_id": None,
            "amount": Decimal(c).scaleb(-2),
        })
    return rows
