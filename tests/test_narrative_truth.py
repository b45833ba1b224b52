"""Every number in the drafted summary is a query result, and it names only the organisations
with records in the period (issue 11, point 1), for many selections in both languages.

The expected figures are computed here from the named queries directly, not through the
report's own code, then every number in the text is parsed out and looked up.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from impact.presentation import fmt
from impact.filters import Filters
from impact.report import gather, narrative
from impact.report.claims import check

ORGS = ("中山联和", "北京协作者", "珠海协作者", "苏州清流")
PERIODS = ((2021, 2021), (2017, 2017), (2012, 2018), (2007, 2008), (2030, 2030), (None, None))
# All organisations, each alone, three pairs (every organisation in one, with and without
# overlapping years) and one triple: 9 subsets × 6 periods × 2 languages.
PAIRS = (("中山联和", "珠海协作者"), ("北京协作者", "苏州清流"), ("珠海协作者", "苏州清流"))
SUBSETS = ((),) + tuple((o,) for o in ORGS) + PAIRS + (ORGS[1:],)
NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
CONCENTRATION_THRESHOLD = "60"
DONOR_THRESHOLD = "50"  # impact.config.DONOR_CONCENTRATION_SHARE


def _params(filters: Filters) -> dict:
    return filters.params()


def _q(value, places: int) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _texts(value, lang: str) -> set[str]:
    """The ways the narrative may write one query value: exact int, money to the fen."""
    out = {fmt.number(value, lang)}
    if isinstance(value, Decimal):
        out.add(fmt.number(value, lang, places=2))
    return out


def _pct(numerator, denominator, places: int) -> str | None:
    if not denominator:
        return None
    return fmt.number(_q(Decimal(numerator) * 100 / Decimal(denominator), places), "en",
                      places=places)


def _period_figures(db, filters: Filters) -> dict:
    """Totals of a period straight from the queries."""
    acts = db.rows("activity_totals", **_params(filters))[0]
    finance = db.rows("finance_by_line", **_params(filters))
    # The narrative gives income by source type and expenses by line.
    income = {r["source_type"]: r["amount"] for r in db.rows("finance_by_source",
                                                               **_params(filters))}
    expense = {r["line"]: r["amount"] for r in finance if r["flow"] == "expense"}
    donors = [r["amount"] for r in db.rows("finance_by_funder", **_params(filters))
              if r["funder"]]
    by_org: dict[str, dict] = {}
    for r in db.rows("org_by_year", **_params(filters)):
        org = by_org.setdefault(r["org"], {"beneficiaries": 0, "services": 0,
                                           "income": Decimal(0)})
        org["beneficiaries"] += r["beneficiaries"]
        org["services"] += r["services"]
        org["income"] += r["income_total"]
    return {"acts": acts, "income": income, "expense": expense, "by_org": by_org,
            "donors": donors,
            "transactions": sum(r["transactions"] for r in finance)}


def expected_numbers(db, filters: Filters, lang: str) -> set[str]:
    cur = _period_figures(db, filters)
    acts = cur["acts"]
    out: set[str] = set()
    for year in (filters.year_from, filters.year_to):
        if year is not None:
            out.add(str(year))
            out.add(str(year - (filters.span or 0)))  # the comparison period's bounds
    if filters.span:  # an organisation's years without records, in either period
        out |= {str(y) for y in range(filters.year_from - filters.span, filters.year_to + 1)}
    for key in ("services", "beneficiaries", "volunteers", "volunteer_minutes"):
        out |= _texts(acts[key], lang)
    out.add(fmt.number(_q(Decimal(acts["volunteer_minutes"]) / 60, 2), lang, places=2))
    income_total = sum(cur["income"].values(), Decimal(0))
    expense_total = sum(cur["expense"].values(), Decimal(0))
    for value in (*cur["income"].values(), *cur["expense"].values(), income_total,
                  expense_total, abs(income_total - expense_total)):
        out |= _texts(value, lang)
    for value in cur["expense"].values():
        out.add(_pct(value, expense_total, 1))
    for value in cur["donors"]:  # the single-donor sentence: a donor's share of income
        out.add(_pct(value, income_total, 1))
    people = sum(o["beneficiaries"] for o in cur["by_org"].values())
    money = sum((o["income"] for o in cur["by_org"].values()), Decimal(0))
    for org in cur["by_org"].values():
        out |= _texts(org["beneficiaries"], lang) | _texts(org["services"], lang)
        out |= _texts(org["income"], lang)
        out.add(_pct(org["beneficiaries"], people, 1))
        out.add(_pct(org["income"], money, 1))
    out.add(CONCENTRATION_THRESHOLD)
    out.add(DONOR_THRESHOLD)
    previous = filters.previous_period()
    if previous is not None:
        before = _period_figures(db, previous)
        pairs = [(acts[k], before["acts"][k]) for k in ("services", "beneficiaries",
                                                        "volunteers")]
        pairs += [(income_total, sum(before["income"].values(), Decimal(0))),
                  (expense_total, sum(before["expense"].values(), Decimal(0)))]
        for now, then in pairs:
            out.add(_pct(abs(now - then), then, 2))
    # The sentence on people (人数 / 户数) states the figures of the `reach` query as they are.
    for row in db.rows("reach", **_params(filters)):
        for key in ("year", "people", "households"):
            if row.get(key) is not None:
                out |= _texts(row[key], lang) | {str(row[key])}
    return {n for n in out if n}


def _selections():
    for orgs in SUBSETS:
        for first, last in PERIODS:
            yield Filters(orgs=orgs, year_from=first, year_to=last)


def _with_records(db, filters: Filters) -> list[str]:
    present = {r["org"] for r in db.rows("org_by_year", **_params(filters))}
    return [o for o in (filters.orgs or ORGS) if o in present]


def _check_names(demo_db, filters, content, text, lang):
    """Only organisations with records are credited; the others are named as without."""
    present = _with_records(demo_db, filters)
    selected = list(content.orgs)
    first = re.split(r"[。]|\. ", text, maxsplit=1)[0]
    if not present:
        return  # "… recorded no service activities" names the selection
    for org in selected:
        assert (org in first) == (org in present), f"{filters}: {org} in {first!r}"
    missing = [o for o in selected if o not in present]
    if missing:
        marker = "没有活动或收支记录" if lang == "zh" else "had no activity or finance records"
        sentence = next(s for s in re.split(r"(?<=[。.])\s*", text) if marker in s)
        assert all(o in sentence for o in missing), sentence
    if len(present) > 1:
        marker = "按机构：" if lang == "zh" else "By organisation: "
        assert marker in text
        shares = text.split(marker, 1)[1]
        assert all(o in shares for o in present)


@pytest.mark.parametrize("lang", ("zh", "en"))
def test_every_number_in_the_narrative_is_a_query_result(demo_db, lang):
    checked = 0
    for filters in _selections():
        content = gather(demo_db, filters, lang)
        text = narrative(content)
        _check_names(demo_db, filters, content, text, lang)
        assert check(text, content) == [], text  # the draft never over-claims
        allowed = expected_numbers(demo_db, filters, lang)
        found = NUMBER.findall(text)
        stray = [n for n in found if n not in allowed]
        assert not stray, f"{filters}: {stray} not a query result in {text!r}"
        checked += len(found)
    assert checked > 500  # the selections do say numbers


def test_all_organisations_2021_credits_only_the_one_with_records(demo_db):
    text = narrative(gather(demo_db, Filters(year_from=2021, year_to=2021), "zh"))
    assert text.startswith("2021 年，珠海协作者共开展了 605 次专业服务")
    assert "中山联和、北京协作者、苏州清流在 2021 年没有活动或收支记录。" in text


def test_several_organisations_each_get_their_share(demo_db):
    text = narrative(gather(demo_db, Filters(orgs=("中山联和", "珠海协作者"), year_from=2017,
                                             year_to=2018), "zh"))
    people = {r["org"]: r["beneficiaries"] for r in gather(
        demo_db, Filters(orgs=("中山联和", "珠海协作者"), year_from=2017, year_to=2018),
        "zh").by_org}
    total = sum(people.values())
    for org, value in people.items():
        share = _pct(value, total, 1)
        assert f"{org} " in text and f"受益 {fmt.number(value, 'zh')} 人次（占 {share}%）" in text


def test_comparison_with_other_organisations_is_flagged(demo_db):
    text = narrative(gather(demo_db, Filters(year_from=2017, year_to=2017), "zh"))
    # Named with the years each has no records for (珠海协作者's begin in 2017, 苏州清流's
    # end in 2016), and each change it affects is marked.
    assert "珠海协作者 2016、苏州清流 2017 年没有记录" in text
    assert "收入增长 56.07%（记录不全）" in text
