"""Metric definitions: exact decimal arithmetic, edge cases a user will meet."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from impact.presentation import fmt, jsonout
from impact.demo.synth import split_total
from impact.filters import Filters
from impact.domain.metrics import (achievement, cagr, change, cost_per_beneficiary,
                            funding_concentration, money, summarize, volunteer_hours,
                            volunteer_value)


def test_income_categories_sum_exactly_not_as_printed():
    parts = [D("129467.99"), D("11500"), D("195459.04"), D("1292703.6"), D("45526.98")]
    assert money(sum(parts)) == D("1674657.61")


def test_money_rounds_half_up_to_the_fen():
    assert money("0.005") == D("0.01")
    assert money("2.675") == D("2.68")  # a float would give 2.67
    assert money(None) == D("0.00")


def test_cost_per_beneficiary_is_per_person_time():
    assert cost_per_beneficiary(D("1053831.90"), 99037) == D("10.64")
    assert cost_per_beneficiary(D("100.00"), 0) is None


def test_volunteer_hours_and_value_range():
    assert volunteer_hours(70644) == D("1177.40")
    value = volunteer_value(70644, rate_low=60, rate_high=25)  # given in either order
    assert (value.rate_low, value.rate_high) == (D(25), D(60))
    assert (value.low, value.high) == (D("29435.00"), D("70644.00"))


def test_funding_concentration():
    conc = funding_concentration({"government": D("500000"), "foundation": D("25000"),
                                  "donation": D("20000")})
    assert conc["largest_source"] == "government"
    assert conc["flagged"]  # 91.74 % > 60 %
    assert conc["largest_share"].quantize(D("1e-20")) == D("0.91743119266055045872")
    assert fmt.share(conc["largest_share"], "zh") == "91.7%"
    assert conc["hhi"] == D("0.8451")
    even = funding_concentration({c: D("10") for c in "abcd"})
    assert even["hhi"] == D("0.2500")
    assert funding_concentration({"donation": D("0")})["hhi"] is None


def test_change_and_cagr():
    # Percentages are exact (unrounded) until shown: 147.7272…%, 89.5697…% (were 147.73 and
    # 89.57, already rounded once before the formatter rounded them again).
    moved = change(545000, 220000)
    assert (moved["previous"], moved["change"]) == (220000, 325000)
    assert moved["pct"].quantize(D("1e-20")) == (D(325000) * 100 / 220000).quantize(D("1e-20"))
    assert change(5, 0)["pct"] is None
    assert change(5, None) is None
    # 8万 → 54.5万 over three years: 89.5 % a year, not "doubling"
    assert fmt.percent(cagr(D("80000"), D("545000"), 3), "zh") == "89.6%"
    assert cagr(D("80000"), D("545000"), 3).quantize(D("0.0001")) == D("89.5697")
    assert cagr(0, 10, 3) is None


def test_percent_change_is_undefined_over_a_base_of_zero_or_below():
    """A deficit deepening (-150,761.52 → -463,744.11) is no "+207.6%": the % change of a
    negative base has the opposite sign to the movement; it is None (shown —), the
    absolute change remains."""
    deeper = change(D("-463744.11"), D("-150761.52"))
    assert deeper["change"] == D("-312982.59") and deeper["pct"] is None
    for current, previous in ((5, -5), (-5, -10), (D("10.00"), D("-0.01")), (3, 0)):
        assert change(current, previous)["pct"] is None
    assert fmt.delta(deeper, fmt.MONEY, "zh") == "-¥312,982.59 (—)"
    assert change(D("-1.00"), D("2.00"))["pct"] < 0  # a positive base keeps its sign rule


def test_percentages_are_rounded_once_from_the_exact_ratio():
    """The class of issue 26 item 2: a change rounded to two places, then to one, goes
    wrong whenever the second decimal is a 5 made by the first rounding (98 → 213 is
    +117.347 %, shown +117.4 %). Every change and growth rate, shown, is the exact ratio
    rounded once, half up."""
    one = D("0.1")
    for previous in range(1, 120):
        for current in range(0, 400, 7):
            exact = (D(current - previous) * 100 / previous).quantize(one, ROUND_HALF_UP)
            text = fmt.percent(change(current, previous)["pct"], "en", signed=True)
            assert text == ("+" if exact > 0 else "") + f"{exact:,}%", (previous, current)
    assert fmt.percent(change(213, 98)["pct"], "zh", signed=True) == "+117.3%"
    assert fmt.percent(cagr(D("12.80"), D("308.15"), 3), "zh") == "188.7%"


def test_shares_are_rounded_once_from_the_exact_ratio():
    """The class of issue 26 (shares): a share kept at 4 places (0.12345 → 0.1235) and shown
    at 1 (12.4 % for 12.345 %) went wrong whenever the fifth decimal was a 5. Every share
    and achievement is exact until shown, and shown rounded once, half up, from the exact
    ratio: here every numerator over denominators that make such ties."""
    from fractions import Fraction

    from impact.domain.metrics import percent, share

    def once(numerator, denominator, places=1):
        units = Fraction(numerator) * 100 * 10 ** places / Fraction(denominator)
        whole = units.numerator // units.denominator
        whole += (units - whole) >= Fraction(1, 2)
        return D(whole).scaleb(-places)

    for denominator in (8, 16, 80, 160, 800, 1600, 20000, 200000, 545000):
        for numerator in range(0, denominator + 1, max(1, denominator // 997)):
            exact = once(numerator, denominator)
            assert fmt.share(share(numerator, denominator), "en") == f"{exact:,}%"
            assert fmt.percent(percent(numerator, denominator), "en") == f"{exact:,}%"
            assert fmt.value(achievement(numerator, denominator), fmt.PERCENT, "en") == \
                f"{exact:,}%"
            assert fmt.plain(percent(numerator, denominator), fmt.PERCENT) == f"{exact}"
    # 0.12345 was 0.1235 → 12.4 %; 2469 of 20000 is 12.345 %, rounded once 12.3 %.
    assert fmt.share(share(2469, 20000), "zh") == "12.3%"
    assert share(5, 0) is None and percent(5, 0) is None


def test_achievement():
    assert fmt.percent(achievement(581, D("600")), "zh") == "96.8%"  # 96.8333…, exact
    assert achievement(581, D("600")).quantize(D("1e-20")) == D("96.83333333333333333333")
    assert achievement(None, D("600")) is None


def test_summary_has_no_floats_anywhere(demo_db):
    summary = summarize(demo_db, Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020))

    def walk(value):
        assert not isinstance(value, float), value
        if isinstance(value, dict):
            for v in value.values():
                walk(v)

    walk(summary)
    jsonout.dumps(summary)  # refuses floats


def test_area_filter_reaches_finance_through_projects(demo_db):
    everything = summarize(demo_db, Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020))
    family = summarize(demo_db, Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020,
                                        areas=("家庭支持",)))
    assert 0 < family["income_total"] < everything["income_total"]
    assert family["services"] == 127


@given(st.integers(0, 10**12), st.lists(st.floats(0, 1000), min_size=1, max_size=50))
def test_split_total_is_exact(total, weights):
    if sum(weights) == 0:
        weights = [1.0] * len(weights)
    parts = split_total(total, weights)
    assert sum(parts) == total and all(p >= 0 for p in parts)


def test_volunteer_value_is_from_exact_minutes_rounded_once():
    """The class of issue 26 item 1: valuing hours already rounded to the hundredth is off
    by up to half a minute's pay. Every value is minutes × rate ÷ 60, quantised once."""
    for rate in (D(25), D(60), D("37.5"), D("18.33")):
        for minutes in range(0, 1500):
            exact = (D(minutes) * rate / 60).quantize(D("0.01"), rounding=ROUND_HALF_UP)
            assert volunteer_value(minutes, rate, rate).low == exact, (minutes, rate)
    value = volunteer_value(143644)  # 珠海协作者 2019–2020
    assert (value.low, value.high) == (D("59851.67"), D("143644.00"))
    assert value.hours == D("2394.07")


def test_a_change_over_years_without_records_is_flagged_everywhere_it_is_shown(demo_db):
    """Issue 26 item 2: 北京协作者's records end in 2008, so 2008–2012 against 2003–2007
    "fell 71.5 %"; every organisation 2015–2018 had volunteers "+20,502.8 %" from
    organisations entering the data. Such a change does not compare like with like: the
    shared helper names the organisations and years, and the card and narrative flag it."""
    from impact.domain.metrics import coverage_gaps, summarize
    from impact.report import gather, narrative
    from impact.views.overview import kpi_cards

    rows = [{"org": "甲", "year": y, "activity_rows": 1, "finance_rows": 0}
            for y in (2003, 2004, 2008)]
    assert coverage_gaps(rows, range(2003, 2009), "activity_rows") == {
        "甲": [2005, 2006, 2007]}
    assert coverage_gaps(rows, range(2003, 2009), "finance_rows") == {}
    assert fmt.years([2005, 2006, 2007, 2010]) == "2005–2007, 2010"

    beijing = Filters(orgs=("北京协作者",), year_from=2008, year_to=2012)
    summary = summarize(demo_db, beijing)
    assert summary["yoy"]["services"]["gaps"] == {"北京协作者": [2009, 2010, 2011, 2012]}
    cards = {k.key: k for k in kpi_cards(summary, beijing, "zh")}
    assert cards["services"].delta.endswith("（记录不全）")
    assert "北京协作者 2009–2012 年没有记录" in cards["services"].help
    assert cards["surplus"].delta.endswith("（记录不全）")
    text = narrative(gather(demo_db, beijing, "zh"))
    assert "服务次数下降 71.50%（记录不全）" in text
    assert "北京协作者 2009–2012 年没有记录" in text
    en = narrative(gather(demo_db, Filters(year_from=2015, year_to=2018), "en"))
    assert "volunteer person-times rose 20,502.82% (incomplete records)" in en
    assert "中山联和 2011–2015" in en

    # Like with like: a year with records on both sides carries no flag.
    zhuhai = Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020)
    summary = summarize(demo_db, zhuhai)
    assert all(c["gaps"] == {} for c in summary["yoy"].values())
    assert "记录不全" not in narrative(gather(demo_db, zhuhai, "zh"))
    assert all("记录不全" not in k.delta for k in kpi_cards(summary, zhuhai, "zh"))
