"""The words around the figures: period and organisation names, column and code labels.

Exact figures are written digit for digit (99,037; 1,674,657.61): a report is a document
people quote, so it never shortens a number to 万 the way a dashboard card may.
"""

from __future__ import annotations

from decimal import Decimal

from impact.presentation import fmt
from impact.filters import Filters
from impact.presentation.i18n import has, label, t

# Kinds of a table cell; they decide the text format here and the number format in Excel.
TEXT, INT, MONEY, PCT, VALUE = "text", "int", "money", "pct", "value"
HOURS = fmt.HOURS  # hours: the pages' one rule (fmt.hours, to the hundredth: 27.00)
PCT_PLACES = 2  # a report's percentages: 20.24%


def period(filters: Filters, lang: str) -> str:
    """'2020 年' / '2017—2021 年' / 'all years' for the selection's year range."""
    first, last = filters.year_from, filters.year_to
    if first is None and last is None:
        return t("report.period.all", lang)
    if first is None:
        return t("report.period.to", lang, year_to=last)
    if last is None:
        return t("report.period.from", lang, year_from=first)
    if first == last:
        return t("report.period.year", lang, year=first)
    return t("report.period.range", lang, year_from=first, year_to=last)


def orgs(names: tuple[str, ...], lang: str) -> str:
    """The organisations as a reader lists them: 珠海协作者、苏州清流."""
    if not names:
        return t("report.orgs.all", lang)
    return t("report.orgs.sep", lang).join(names)


def title(filters: Filters, names: tuple[str, ...], lang: str) -> str:
    """'珠海协作者 2020 年度数据报告' / '珠海协作者: Impact Report 2017–2021'."""
    first, last = filters.year_from, filters.year_to
    if first is None or last is None:
        return t("report.title_all", lang, orgs=orgs(names, lang), period=period(filters, lang))
    dash = "—" if lang == "zh" else "–"
    years = str(first) if first == last else f"{first}{dash}{last}"
    return t("report.title", lang, orgs=orgs(names, lang), years=years)


def line(flow: str, code: str | None, lang: str) -> str:
    """An income or expense line's statutory name (the dashboard's labels, locales/*/core)."""
    return label(flow, code, lang)


def source(code: str | None, lang: str) -> str:
    """An income source type's name (政府, 基金会 …; 未填来源 for None)."""
    return label("source", code, lang)


def flow(code: str, lang: str) -> str:
    """'收入' / 'Expense' for a finance flow code."""
    return label("flow", code, lang)


def metric(code: str, lang: str) -> str:
    """A core metric's or an indicator's name (the snake_case key when it has none)."""
    prefix = "metric" if has(f"metric.{code}", lang) else "indicator"
    return label(prefix, code, lang)


def column(key: str, lang: str) -> str:
    return t(f"report.col.{key}", lang)


def number(value, kind: str, lang: str) -> str:
    """A cell's value as text, exactly, per kind (— where undefined)."""
    if value is None:
        return fmt.DASH
    if kind == MONEY:
        return fmt.number(value, lang, places=2)
    if kind == PCT:
        # Every percentage (change, growth, share, achievement) is exact until here
        # (impact.domain.metrics.percent / share): rounded once, to the report's two places.
        return fmt.percent(value, lang, places=PCT_PLACES)
    if kind == HOURS:  # the same formatter as every page's hours
        return fmt.value(value, fmt.HOURS, lang)
    if kind == VALUE:
        return fmt.number(value, lang, places=_places(value, 0))
    if kind == INT:
        return fmt.number(value, lang)
    return str(value)


def signed_number(value, kind: str, lang: str) -> str:
    """A change with its sign: +26,687 / -13 / +20.24%."""
    text = number(value, kind, lang)
    return "+" + text if value is not None and value > 0 else text


def _places(value, least: int) -> int:
    """Decimals to show: as many as the value needs (indicator 161, 0.5 吨), at least `least`."""
    if not isinstance(value, Decimal):
        return least
    normal = value.normalize()
    return max(least, -normal.as_tuple().exponent if normal.as_tuple().exponent < 0 else 0)
