"""Every metric the dashboard, the CLI and the reports show, defined once, in exact arithmetic.

Counts are Python ints; money is Decimal quantised to the fen (0.01 元); ratios are Decimal.
Nothing here is ever a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from impact.config import (VOLUNTEER_RATE_HIGH, VOLUNTEER_RATE_LOW, donor_concentration_share,
                           source_concentration_share)
from impact.storage.db import Database
from impact.filters import Filters
from impact.storage.schema import EXPENSE_LINES, INCOME_LINES, SOURCE_TYPES

CENT = Decimal("0.01")
RATIO = Decimal("0.0001")
ZERO = Decimal("0.00")

ACTIVITY_METRICS = ("services", "beneficiaries", "volunteers", "volunteer_minutes")
MONEY_METRICS = ("income_total", "expense_total")
YOY_METRICS = ACTIVITY_METRICS + MONEY_METRICS


def money(value) -> Decimal:
    """Quantise to the fen, half up (the way accountants round), from int, str or Decimal."""
    return Decimal(value if value is not None else 0).quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(numerator, denominator, places: Decimal = RATIO) -> Decimal | None:
    """numerator ÷ denominator quantised to `places`, or None when the denominator is zero
    (no meaningful ratio). For a figure that HAS fixed places (cost per person-time to the
    fen, hours to the hundredth); a share or a percentage is never rounded here (see
    `share` and `percent`): it is rounded once, where it is printed."""
    if not denominator:
        return None
    with localcontext() as ctx:
        ctx.prec = 34
        return (Decimal(numerator) / Decimal(denominator)).quantize(places, ROUND_HALF_UP)


def share(numerator, denominator) -> Decimal | None:
    """numerator ÷ denominator as a fraction of one, unrounded (34 significant digits), or
    None when the denominator is zero. Like `percent`, rounded once where it is shown
    (impact.presentation.fmt.share): a share kept at 4 places and shown at 1 rounded twice
    (0.12345 → 0.1235 → 12.4 % for 12.3 %; issue 26)."""
    if not denominator:
        return None
    with localcontext() as ctx:
        ctx.prec = 34
        return Decimal(numerator) / Decimal(denominator)


def volunteer_hours(volunteer_minutes: int) -> Decimal:
    """Volunteer time in hours, to two decimals."""
    return ratio(volunteer_minutes, 60, CENT) or ZERO


def cost_per_beneficiary(expense_total: Decimal, beneficiaries: int) -> Decimal | None:
    """Expense ÷ person-times: the cost per person-time (人次), not per person. None if no one."""
    return ratio(expense_total, beneficiaries, CENT)


def minutes_per_volunteer(volunteer_minutes: int, volunteers: int) -> Decimal | None:
    """Average minutes one volunteer person-time gave."""
    return ratio(volunteer_minutes, volunteers, Decimal("0.1"))


@dataclass(frozen=True)
class VolunteerValue:
    """What volunteer time would have cost at a low and a high hourly rate.

    A range, because there is no agreed wage for volunteer time; never added to income.
    Kept in minutes: valuing the hours already rounded to the hundredth would be off by up
    to 0.5 minute's pay per figure (¥59,851.75 for ¥59,851.67), so each value is computed
    from the exact minutes and quantised once, to the fen.
    """

    minutes: int
    rate_low: Decimal
    rate_high: Decimal

    @property
    def hours(self) -> Decimal:
        return volunteer_hours(self.minutes)

    @property
    def low(self) -> Decimal:
        return _minutes_value(self.minutes, self.rate_low)

    @property
    def high(self) -> Decimal:
        return _minutes_value(self.minutes, self.rate_high)


def _minutes_value(minutes: int, hourly_rate: Decimal) -> Decimal:
    """minutes × rate ÷ 60, rounded once, to the fen."""
    with localcontext() as ctx:
        ctx.prec = 34
        return money(Decimal(minutes) * Decimal(hourly_rate) / 60)


def volunteer_value(volunteer_minutes: int, rate_low=VOLUNTEER_RATE_LOW,
                    rate_high=VOLUNTEER_RATE_HIGH) -> VolunteerValue:
    low, high = sorted((Decimal(rate_low), Decimal(rate_high)))
    return VolunteerValue(volunteer_minutes or 0, low, high)


def funding_concentration(income_by_source: dict[str, Decimal],
                          threshold: Decimal | None = None) -> dict:
    """Largest source type, its share of income, the Herfindahl index (Σ share²) and whether
    the largest share is above `threshold`.

    HHI runs from 1/n (evenly spread over n source types) to 1 (one source only); income
    with no source type (key None) counts in the total only.
    `threshold` defaults to the configured one (impact.config).
    """
    threshold = source_concentration_share() if threshold is None else threshold
    # Shares are of ALL income: income with no source type (key None) is in the total
    # (government 495,000 of 545,000 is 90.8 %, not 100 %) but is no source of its own.
    total = sum(income_by_source.values(), ZERO)
    known = {c: v for c, v in income_by_source.items() if c is not None}
    if total <= 0 or not known:
        return {"largest_source": None, "largest_share": None, "hhi": None,
                "threshold": threshold, "flagged": False}
    largest = max(sorted(known), key=lambda c: known[c])
    with localcontext() as ctx:
        ctx.prec = 34
        hhi = sum((v / total) ** 2 for v in known.values())
    largest_share = share(income_by_source[largest], total)
    return {
        "largest_source": largest,
        "largest_share": largest_share,
        "hhi": hhi.quantize(RATIO, ROUND_HALF_UP),
        "threshold": threshold,
        "flagged": largest_share > threshold,
    }


# "Funders" that are no single donor: many small gifts pooled under one name, or income that
# is no gift at all. Such income counts in all income but, like income with no funder named,
# is no donor: many small gifts are the opposite of dependence on one (docs/metrics.md).
POOLED_FUNDERS = frozenset({"个人捐赠", "个人", "月捐", "99公益日", "利息收入", "培训收入",
                            "散捐", "小额捐赠", "匿名捐赠", "公众捐赠", "网络募捐",
                            "企业员工捐赠", "图书版税", "场地服务收费", "衣物银行义卖"})
# The rule beside the list: a name ending in 收入, 收费, 版税 or 义卖 is a kind of earned income
# (利息收入, 培训收入, 场地服务收费 …), and one naming a giving day, monthly giving or staff
# giving (…公益日, …月捐, …员工捐赠) pools many gifts.
_POOLED_SUFFIXES = ("收入", "收费", "版税", "义卖", "公益日", "月捐", "散捐", "员工捐赠")


def is_pooled_funder(name: str | None) -> bool:
    """Whether a funder name stands for pooled gifts or non-gift income, not one donor."""
    if not name:
        return False
    name = name.strip()
    return name in POOLED_FUNDERS or name.endswith(_POOLED_SUFFIXES)


def donor_concentration(income_by_funder: dict[str | None, Decimal], income_total: Decimal,
                        threshold: Decimal | None = None) -> dict:
    """The largest single donor (funder), its share of all income, the top three's share, and
    whether the largest share is above `threshold`.

    Income with no funder named, or under a pooled name (is_pooled_funder: 个人捐赠, 月捐,
    99公益日, 利息收入 …), counts in the total but is no donor: many small gifts are the
    opposite of dependence on one donor. `threshold` defaults to the configured
    one (impact.config).
    """
    threshold = donor_concentration_share() if threshold is None else threshold
    named = {f: money(v) for f, v in income_by_funder.items()
             if f and not is_pooled_funder(f)}
    if income_total <= 0 or not named:
        return {"largest_donor": None, "largest_share": None, "top3": [], "top3_share": None,
                "donors": len(named), "threshold": threshold, "flagged": False}
    ranked = sorted(named.items(), key=lambda kv: (-kv[1], kv[0]))
    top3 = ranked[:3]
    largest_share = share(ranked[0][1], income_total)
    return {
        "largest_donor": ranked[0][0],
        "largest_share": largest_share,
        "top3": [{"funder": f, "amount": a, "share": share(a, income_total)} for f, a in top3],
        "top3_share": share(sum((a for _, a in top3), ZERO), income_total),
        "donors": len(named),
        "threshold": threshold,
        "flagged": largest_share > threshold,
    }


def donor_dependence(rows: list[dict], threshold: Decimal | None = None) -> list[dict]:
    """The organisations that depend heavily on one donor, each with that donor and its
    share of the organisation's OWN income; `rows` are finance_by_org_funder's (org, funder,
    amount). With several organisations selected, a donor giving most of one organisation's
    income is a risk for that organisation, not for "the organisation" the selection is
    not (issue 26): a selection-wide share both hides it and misnames who depends on it."""
    by_org: dict[str, dict[str | None, Decimal]] = {}
    for r in rows:
        funders = by_org.setdefault(r["org"], {})
        funders[r["funder"]] = funders.get(r["funder"], ZERO) + money(r["amount"])
    out = []
    for org in sorted(by_org):
        conc = donor_concentration(by_org[org], money(sum(by_org[org].values(), ZERO)),
                                   threshold)
        if conc["flagged"]:
            out.append({"org": org, "donor": conc["largest_donor"],
                        "share": conc["largest_share"], "threshold": conc["threshold"]})
    return out


def orgs_with_income(rows: list[dict]) -> int:
    """How many organisations finance_by_org_funder's rows cover."""
    return len({r["org"] for r in rows})


def dependence_per_org(rows: list[dict] | None, threshold: Decimal | None = None
                       ) -> list[dict] | None:
    """Dependence on one donor as every view judges it (the finance page, the report's
    narrative, `impact summary`): with income from several organisations, per organisation
    (donor_dependence on finance_by_org_funder's `rows`); None when one organisation or
    none has income, whose own concentration is the selection's (donor_concentration)."""
    if rows is None or orgs_with_income(rows) <= 1:
        return None
    return donor_dependence(rows, threshold)


def percent(numerator, denominator) -> Decimal | None:
    """numerator ÷ denominator × 100, unrounded (34 significant digits), or None when the
    denominator is zero. A percentage is rounded once, where it is shown
    (impact.presentation.fmt.percent): rounding here too turned 117.347 % into 117.35 and
    then 117.4 (issue 26)."""
    if not denominator:
        return None
    with localcontext() as ctx:
        ctx.prec = 34
        return Decimal(numerator) * 100 / Decimal(denominator)


def change(current, previous, gaps: dict[str, list[int]] | None = None) -> dict | None:
    """Year-over-year change: previous value, absolute change, % change, and `gaps`: the
    organisations without records in some year of either period, with those years (see
    coverage_gaps). A change with gaps does not compare like with like, and every place
    that shows it flags it (fmt.delta, the report's narrative).

    The % change is None unless the base is above zero: a percentage of nothing is
    undefined, and one of a negative base (a deficit) has the opposite sign to the
    movement it describes (a deficit deepening from -150,761.52 to -463,744.11 read
    "+207.6%"); the absolute change still says what happened."""
    if previous is None:
        return None
    diff = current - previous
    pct = percent(diff, previous) if previous > 0 else None
    return {"previous": previous, "change": diff, "pct": pct, "gaps": dict(gaps or {})}


def coverage_gaps(rows: list[dict], years: range, count: str) -> dict[str, list[int]]:
    """The organisations with records (`count` > 0) in some year of `years` but not in all
    of them, each with its years without records.

    A change between two periods sums each period over the organisations with records in
    it: an organisation whose records end (北京协作者, 2008–2012 against 2003–2007: records
    only in 2008) or begin (every organisation 2015–2018: volunteers "+20,502.8 %") moves
    the total without anything having changed in the work. `rows` are data_quality_rows'
    (org, year, activity_rows, finance_rows) over both periods."""
    present: dict[str, set[int]] = {}
    for r in rows:
        if r[count] and r["year"] in years:
            present.setdefault(r["org"], set()).add(r["year"])
    return {org: [y for y in years if y not in have]
            for org, have in sorted(present.items()) if len(have) < len(years)}


def cagr(first, last, years: int) -> Decimal | None:
    """Compound annual growth rate between two yearly values `years` apart, in %, unrounded
    like `percent` (None if undefined: fewer than two years, or a start or end at zero)."""
    if years < 1 or not first or not last or first <= 0 or last <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 34
        growth = (Decimal(last) / Decimal(first)) ** (Decimal(1) / Decimal(years)) - 1
        return growth * 100


def achievement(actual, target) -> Decimal | None:
    """Actual as a % of target, unrounded like `percent` (None without a target)."""
    if actual is None:
        return None
    return percent(actual, target)


# -- The summary: what the CLI prints and the Overview page shows -------------------------

def activity_totals(db: Database, filters: Filters) -> dict:
    return db.rows("activity_totals", **filters.params())[0]


def line_totals(db: Database, filters: Filters) -> dict:
    """Income and expense by statutory line (every line present, zero where none) and the
    count of transactions: all the period before needs for its year-over-year change."""
    income = {c: ZERO for c in INCOME_LINES}
    expense = {c: ZERO for c in EXPENSE_LINES}
    transactions = 0
    for row in db.rows("finance_by_line", **filters.params()):
        bucket = income if row["flow"] == "income" else expense
        bucket[row["line"]] = money(row["amount"])
        transactions += row["transactions"]
    return {"income_by_line": income, "expense_by_line": expense, "transactions": transactions}


def finance_totals(db: Database, filters: Filters) -> dict:
    """Income by statutory line and by source type, expense by line (every line and source
    type present, zero where none; income with no source type under None), and counts."""
    lines = line_totals(db, filters)
    income, expense, transactions = (lines["income_by_line"], lines["expense_by_line"],
                                     lines["transactions"])
    sources: dict[str | None, Decimal] = {c: ZERO for c in SOURCE_TYPES}
    for row in db.rows("finance_by_source", **filters.params()):
        sources[row["source_type"]] = money(row["amount"])
    return {"income_by_line": income, "income_by_source": sources, "expense_by_line": expense,
            "transactions": transactions}


def income_by_funder(db: Database, filters: Filters) -> dict[str | None, Decimal]:
    """Income per funder (None: no funder named), summed over source types."""
    out: dict[str | None, Decimal] = {}
    for row in db.rows("finance_by_funder", **filters.params()):
        out[row["funder"]] = out.get(row["funder"], ZERO) + money(row["amount"])
    return out


def summarize(db: Database, filters: Filters, rate_low=VOLUNTEER_RATE_LOW,
              rate_high=VOLUNTEER_RATE_HIGH) -> dict:
    """All headline metrics for a selection, with year-over-year change against the period
    of equal length just before it."""
    acts = activity_totals(db, filters)
    fin = finance_totals(db, filters)
    income_total = money(sum(fin["income_by_line"].values(), ZERO))
    expense_total = money(sum(fin["expense_by_line"].values(), ZERO))
    value = volunteer_value(acts["volunteer_minutes"], rate_low, rate_high)
    summary = {
        "services": acts["services"],
        "beneficiaries": acts["beneficiaries"],
        "volunteers": acts["volunteers"],
        "volunteer_minutes": acts["volunteer_minutes"],
        "volunteer_hours": value.hours,
        "income_total": income_total,
        "income_by_line": fin["income_by_line"],
        "income_by_source": fin["income_by_source"],
        "expense_total": expense_total,
        "expense_by_line": fin["expense_by_line"],
        "surplus": money(income_total - expense_total),
        "cost_per_beneficiary": cost_per_beneficiary(expense_total, acts["beneficiaries"]),
        "funding_concentration": funding_concentration(fin["income_by_source"]),
        "donor_concentration": donor_concentration(income_by_funder(db, filters),
                                                   income_total),
        "volunteer_value": {"rate_low": value.rate_low, "rate_high": value.rate_high,
                            "low": value.low, "high": value.high},
        "records": {"activities": acts["records"], "transactions": fin["transactions"]},
    }
    summary["yoy"] = _yoy(db, filters, summary)
    return summary


def summary_queries(filters: Filters) -> list[tuple[str, dict]]:
    """Every query summarize() asks for a selection, as (name, params): a page starts them
    together with its own (CachedDatabase.prefetch) instead of one after another."""
    p = filters.params()
    calls = [(name, p) for name in ("activity_totals", "finance_by_line", "finance_by_source",
                                    "finance_by_funder")]
    previous = filters.previous_period()
    if previous is not None:
        q = previous.params()
        calls += [("activity_totals", q), ("finance_by_line", q),
                  ("data_quality_rows",
                   filters.with_years(previous.year_from, filters.year_to).params())]
    return calls


def _yoy(db: Database, filters: Filters, current: dict) -> dict:
    previous_filters = filters.previous_period()
    out = {m: None for m in YOY_METRICS}
    if previous_filters is None:
        return out
    acts = activity_totals(db, previous_filters)
    fin = line_totals(db, previous_filters)  # its sources are not compared: not asked
    previous = {m: (acts[m] if acts["records"] else None) for m in ACTIVITY_METRICS}
    has_money = fin["transactions"] > 0
    previous["income_total"] = (money(sum(fin["income_by_line"].values(), ZERO))
                                if has_money else None)
    previous["expense_total"] = (money(sum(fin["expense_by_line"].values(), ZERO))
                                 if has_money else None)
    # Like with like: which organisations lack records in some year of the two periods.
    both = filters.with_years(previous_filters.year_from, filters.year_to)
    rows = db.rows("data_quality_rows", **both.params())
    years = range(previous_filters.year_from, filters.year_to + 1)
    gaps = {"activity_rows": coverage_gaps(rows, years, "activity_rows"),
            "finance_rows": coverage_gaps(rows, years, "finance_rows")}
    for metric in YOY_METRICS:
        kind = "finance_rows" if metric in MONEY_METRICS else "activity_rows"
        out[metric] = change(current[metric], previous[metric], gaps[kind])
    return out
