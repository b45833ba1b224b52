"""Numbers as readers see them: 万/亿 in Chinese, thousands separators in English, ¥ with
two decimals for exact money — never through float."""

from __future__ import annotations

from decimal import Decimal

import pytest

from impact.presentation import fmt
@pytest.mark.parametrize("value, zh, en", [
    (581, "581", "581"),
    (9999, "9,999", "9,999"),
    (10000, "1万", "10,000"),
    (99037, "9.9万", "99,037"),
    (1394, "1,394", "1,394"),
    (123456789, "1.2亿", "123,456,789"),
    (-26687, "-2.7万", "-26,687"),
])
def test_counts(value, zh, en):
    assert fmt.count(value, "zh") == zh
    assert fmt.count(value, "en") == en


def test_exact_money_has_yen_and_two_decimals_in_both_languages():
    amount = Decimal("1674657.61")
    assert fmt.money(amount, "en") == "¥1,674,657.61"
    assert fmt.money(amount, "zh") == "¥1,674,657.61"
    assert fmt.money(Decimal("-620825.7"), "en") == "-¥620,825.70"
    assert fmt.money(Decimal("0.005"), "en") == "¥0.01"  # half up, like accountants


def test_money_cards_are_exact_to_the_fen_in_both_languages():
    assert fmt.kpi_money(Decimal("1674657.61"), "en") == "¥1,674,657.61"
    assert fmt.kpi_money(Decimal("1674657.61"), "zh") == "¥1,674,657.61"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind, value, shown, plain", [
    ("count", 99037, "99,037", "99037"),
    ("count", Decimal("90000.0000"), "90,000", "90000"),
    ("money", Decimal("1674657.61"), "¥1,674,657.61", "1674657.61"),
    ("money", Decimal("1674657.6100"), "¥1,674,657.61", "1674657.61"),
    ("money", Decimal("-620825.7"), "-¥620,825.70", "-620825.70"),
    ("money", 11500, "¥11,500.00", "11500.00"),
    ("percent", Decimal("9.38"), "9.4%", "9.4"),
    ("percent", Decimal("103.0"), "103.0%", "103.0"),
    ("decimal", Decimal("1177.40"), "1,177.40", "1177.40"),
    ("decimal", Decimal("0.5"), "0.5", "0.5"),
])
def test_one_rule_per_metric_kind_on_screen_and_in_files(lang, kind, value, shown, plain):
    assert fmt.value(value, kind, lang) == shown
    assert fmt.plain(value, kind) == plain


def test_changes_are_signed_and_missing_values_are_dashes():
    assert fmt.value(Decimal("12.5"), "percent", "zh", signed=True) == "+12.5%"
    assert fmt.value(-3, "count", "en", signed=True) == "-3"
    assert fmt.value(None, "money", "en") == "—" and fmt.plain(None, "money") == ""
    assert fmt.trim(Decimal("12.0000")) == Decimal("12") and str(fmt.trim(Decimal("0.5000"))) == "0.5"


def test_percent_and_change():
    assert fmt.percent(Decimal("36.89"), "en", signed=True) == "+36.9%"
    assert fmt.share(Decimal("0.7719"), "zh") == "77.2%"
    change = {"previous": 72350, "change": 26687, "pct": Decimal("36.89")}
    assert fmt.delta(change, "count", "en") == "+26,687 (+36.9%)"
    assert fmt.delta(change, "count", "zh") == "+26,687 (+36.9%)"
    money = {"previous": Decimal("1"), "change": Decimal("1392818.70"), "pct": Decimal("20.24")}
    assert fmt.delta(money, "money", "zh") == "+¥1,392,818.70 (+20.2%)"
    assert fmt.delta(None, "count", "en") is None


def test_missing_values_show_a_dash():
    assert fmt.count(None, "en") == fmt.money(None, "zh") == fmt.percent(None, "en") == "—"


def test_decimals_keep_their_places_when_asked():
    assert fmt.number(Decimal("1177.4"), "en", places=2) == "1,177.40"
    assert fmt.count(Decimal("1177.40"), "en") == "1,177.4"


@pytest.mark.parametrize("orgs,years,expected", [
    ((), (None, None), "funders_all_all.csv"),
    (("珠海协作者",), (2020, 2020), "funders_珠海协作者_2020.csv"),
    (("苏州清流", "中山联和"), (2015, 2016), "funders_苏州清流_中山联和_2015-2016.csv"),
    (("a", "b", "c", "d"), (2019, 2020), "funders_a_b_c_etc_2019-2020.csv"),
    (("../../etc/passwd", "x\x1b[2J"), (2020, 2021), "funders_______etc_passwd_x__2J_2020-2021.csv"),
])
def test_a_download_is_named_for_its_selection_and_nothing_else(orgs, years, expected):
    """Two downloads of different selections never share a name, and a name from the data
    can carry no path, control character or extension (issue 26, cosmetic list)."""
    from impact.filters import Filters
    from impact.presentation.filenames import csv_name

    assert csv_name("funders", Filters(orgs=orgs, year_from=years[0], year_to=years[1])) == expected


def test_hours_have_one_rule_whatever_places_they_arrive_with():
    # "27 / 27.0 / 27.00 h" on one screen: a target typed as 27, grants' hours at 0.1.
    from decimal import Decimal as D

    from impact.presentation import fmt
    from impact.views.common import HOURS, metric_kind

    for v in (27, D("27"), D("27.0"), D("27.00"), D("26.999")):
        assert fmt.value(v, fmt.HOURS, "en") == "27.00"
    assert fmt.value(D("1177.4"), fmt.HOURS, "zh") == "1,177.40"
    assert fmt.plain(D("27.0"), fmt.HOURS) == "27.0"  # a file keeps the value exact
    assert metric_kind("volunteer_hours") == HOURS and metric_kind("x", "小时") == HOURS
