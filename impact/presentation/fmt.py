"""Numbers as a reader expects them, per language, via babel.

ONE rule per kind of metric, used by cards, chart tooltips, tables, CSVs and reports alike
(`value` on screen, `plain` in files):

    count    integers, grouped          99,037
    money    ¥ and two decimals         ¥1,674,657.61 (exact to the fen, never via float)
    percent  one decimal                9.4%
    decimal  the places the metric has  1,177.40
    hours    always to the hundredth    27.00 (never 27 on a card and 27.0 in a table)

Only axis ticks are shortened (`count`: 9.9万 / 1.2亿 in Chinese): a tick is a position
on a scale, not a figure anyone quotes. Inputs are int or Decimal; nothing here converts
money to float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel import Locale
from babel.numbers import format_compact_decimal, format_decimal

from impact.presentation.i18n import BABEL_LOCALES, t

DASH = "—"  # shown where a figure is undefined (no previous year, division by zero)
_WAN = 10_000


@cache
def _locale(lang: str) -> Locale:
    # Parsed once per language: given a name, babel re-parses it on every call (≈0.2 ms),
    # which made number formatting the largest cost of building a chart (issue 6).
    return Locale.parse(BABEL_LOCALES.get(lang, BABEL_LOCALES["zh"]))


def number(value, lang: str, places: int | None = None) -> str:
    """Every digit, grouped: 99,037 / 1,177.40 (with `places` decimals when given)."""
    if value is None:
        return DASH
    if places is None:
        return format_decimal(value, locale=_locale(lang))
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(_round(value, places), format=pattern, locale=_locale(lang),
                          decimal_quantization=True)


# Kinds of metric (the same names as impact.views.common's column kinds).
COUNT, MONEY, PERCENT, DECIMAL = "count", "money", "percent", "decimal"
HOURS = "hours"
PERCENT_PLACES = 1
MONEY_PLACES = 2
HOURS_PLACES = 2


def value(number_, kind: str, lang: str, signed: bool = False) -> str:
    """A figure as every card, tooltip and table shows it, by the kind of metric it is;
    `signed` puts + on a positive change. A value that is not a number (a suppressed
    small count, "<5") is shown as its own text."""
    if number_ is None:
        return DASH
    if not _is_number(number_):
        return str(number_)
    if kind == MONEY:
        text = money(number_, lang)
    elif kind == PERCENT:
        text = percent(number_, lang, places=PERCENT_PLACES)
    elif kind == DECIMAL:
        text = number(number_, lang, places=own_places(number_))
    elif kind == HOURS:
        text = hours(number_, lang)
    else:
        text = number(_round(number_, 0), lang, places=0)
    return "+" + text if signed and number_ > 0 else text


def plain(number_, kind: str) -> str:
    """A figure for a CSV or a spreadsheet cell: no grouping, no ¥ or %, at the metric's own
    precision (1674657.61, 99037, 9.4, 1177.40); '' where undefined; a value that is not a
    number (a suppressed small count) as its own text."""
    if number_ is None:
        return ""
    if not _is_number(number_):
        return str(number_)
    if kind == MONEY:
        return format(_round(number_, MONEY_PLACES), "f")
    if kind == PERCENT:
        return format(_round(number_, PERCENT_PLACES), "f")
    if kind == DECIMAL:
        return format(_round(number_, own_places(number_)), "f")
    if kind == HOURS:  # a file keeps the hours as exact as they are
        return format(Decimal(number_), "f")
    if kind == COUNT:
        return format(_round(number_, 0), "f")
    return str(number_)


def _is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def trim(number_):
    """A Decimal stored at a column's fixed scale (12.0000) at the places it needs (12,
    0.5); ints unchanged. For data values whose own precision the schema does not know."""
    if not isinstance(number_, Decimal):
        return number_
    if number_ == number_.to_integral_value():
        return number_.quantize(Decimal(1))
    return number_.normalize()


def own_places(number_) -> int:
    """The decimals a quantised Decimal carries (27.00 → 2); 0 for an int."""
    if not isinstance(number_, Decimal):
        return 0
    exponent = number_.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def hours(value, lang: str) -> str:
    """Hours, one rule everywhere on screen: to the hundredth (27.00, 1,177.40), whatever
    places the value arrives with (a target typed as 27, a figure stored as 27.0)."""
    if value is None:
        return DASH
    return number(value, lang, places=HOURS_PLACES)


def count(value, lang: str) -> str:
    """An axis tick: 9.9万 in Chinese from 10,000 on, 99,037 in English."""
    if value is None:
        return DASH
    if lang == "zh" and abs(value) >= _WAN:
        return format_compact_decimal(value, format_type="short", locale=_locale(lang),
                                      fraction_digits=1)
    return number(_round(value, 1) if _has_fraction(value) else value, lang)


def money(value, lang: str) -> str:
    """Exact money: ¥1,674,657.61 (finance tables, tooltips, help texts)."""
    if value is None:
        return DASH
    value = Decimal(value)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{number(abs(value), lang, places=2)}"


def money_short(value, lang: str) -> str:
    """Money rounded for reading at a glance: ¥167.5万 in Chinese, ¥1,674,658 in English."""
    if value is None:
        return DASH
    value = Decimal(value)
    sign = "-" if value < 0 else ""
    if lang == "zh" and abs(value) >= _WAN:
        return f"{sign}¥{count(abs(value), lang)}"
    return f"{sign}¥{number(abs(value), lang, places=0)}"


def kpi_money(value, lang: str) -> str:
    """A money card: exact to the fen, in both languages (the same rule as tables)."""
    return money(value, lang)


def percent(value, lang: str, signed: bool = False, places: int = 1) -> str:
    """A value already in percent (12.34 → 12.3%); `signed` adds + to increases."""
    if value is None:
        return DASH
    text = number(_round(value, places), lang, places=places) + "%"
    if signed and Decimal(value) > 0:
        text = "+" + text
    return text


def share(fraction, lang: str, places: int = 1) -> str:
    """A fraction of one as percent: 0.7719 → 77.2%."""
    if fraction is None:
        return DASH
    return percent(Decimal(fraction) * 100, lang, places=places)


def signed(text: str, value) -> str:
    """Prefix + for a positive change (babel writes the minus itself)."""
    return "+" + text if value is not None and value > 0 else text


def delta(change: dict | None, kind: str, lang: str) -> str | None:
    """A year-over-year change as '+1,234 (+5.6%)'; None when there is nothing to compare."""
    if not change:
        return None
    diff = change["change"]
    absolute = value(diff, MONEY if kind == MONEY else kind, lang, signed=True)
    text = f"{absolute} ({percent(change['pct'], lang, signed=True)})"
    # A change over years some organisation has no records for is not like with like
    # (impact.domain.metrics.coverage_gaps): flagged wherever it is shown.
    return text + " " + t("yoy.incomplete", lang) if change.get("gaps") else text


def years(years_: list[int]) -> str:
    """2009–2012, 2015 for a sorted list of years: consecutive years as one span."""
    spans: list[list[int]] = []
    for y in years_:
        if spans and y == spans[-1][1] + 1:
            spans[-1][1] = y
        else:
            spans.append([y, y])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def gaps(gaps_: dict[str, list[int]], lang: str) -> str:
    """'北京协作者 2009–2012、…': each organisation with the years it has no records for."""
    return t("filters.list_sep", lang).join(f"{org} {years(ys)}" for org, ys in gaps_.items())


def _round(value, places: int) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _has_fraction(value) -> bool:
    return isinstance(value, Decimal) and value != value.to_integral_value()


def as_printed(value, places: int):
    """An exact percentage (metrics.percent / share: unrounded) at the places it is printed,
    so a report is outdated when a printed figure changes, and the figure reads as printed."""
    if isinstance(value, Decimal) and value.is_finite():
        return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return value
