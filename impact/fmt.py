"""Numbers as a reader expects them, per language, via babel.

Chinese: 10,000 and more as 万 (9.9万), 100,000,000 and more as 亿 (1.2亿).
English: thousands separators (99,037). Money: ¥ with two decimals where exactness
matters (`money`), shortened where it does not (`money_short`, for cards and charts).
Inputs are int or Decimal; nothing here converts money to float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel import Locale
from babel.numbers import format_compact_decimal, format_decimal

from impact.i18n import BABEL_LOCALES

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


def count(value, lang: str) -> str:
    """A count for a card or a chart: 9.9万 in Chinese from 10,000 on, 99,037 in English."""
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
    """A money card: compact in Chinese (exact value goes in the help), exact in English."""
    return money_short(value, lang) if lang == "zh" else money(value, lang)


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
    absolute = money_short(diff, lang) if kind == "money" else count(diff, lang)
    return f"{signed(absolute, diff)} ({percent(change['pct'], lang, signed=True)})"


def _round(value, places: int) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _has_fraction(value) -> bool:
    return isinstance(value, Decimal) and value != value.to_integral_value()
