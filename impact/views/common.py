"""Building blocks of the page models: KPI cards, charts and tables as plain data.

A page model holds everything a page shows, already translated and formatted, so the
Streamlit page only lays it out, and tests, the CLI or a report can use the same objects.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

import plotly.graph_objects as go

from impact import fmt
from impact.filters import Filters
from impact.i18n import t
from impact.safetext import display_text, spreadsheet_text

COUNT, MONEY, PERCENT, TEXT, DECIMAL = "count", "money", "percent", "text", "decimal"


@dataclass
class Kpi:
    """One headline card: the figure, its exact value (for the help), the change vs before."""

    key: str
    label: str
    value: object
    display: str
    exact: str
    delta: str | None = None
    delta_value: object = None  # signed change, decides the arrow colour
    help: str = ""
    delta_color: str = "normal"  # "off" where up is neither good nor bad (expense)


@dataclass
class Chart:
    """A figure with its title (which names the unit) and a caption listing the filters.

    `rows` are the query results it was built from (the chart's data, for tests and CSV).
    `figure` is None when there is nothing to draw; the page then shows `empty_text`.
    """

    key: str
    title: str
    caption: str
    figure: go.Figure | None
    rows: list[dict] = field(default_factory=list)
    empty_text: str = ""


@dataclass
class Column:
    """A table column: the key in the rows, its header, and how to show its values."""

    key: str
    label: str
    kind: str = TEXT


@dataclass
class Table:
    """A table with a CSV download; `rows` hold raw values (exact Decimal money)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    caption: str = ""
    lang: str = "zh"

    @property
    def filename(self) -> str:
        return f"{self.key}.csv"

    def display_rows(self) -> list[dict]:
        """Rows keyed by header for on-screen tables: money as exact ¥ text, ratios as %,
        decimals grouped; counts stay numbers (sortable). A row's `_kind` overrides the
        kind of its numeric cells (a table mixing money and counts, like the YoY table)."""
        return [{col.label: self._cell(row, col) for col in self.columns} for row in self.rows]

    def _cell(self, row: dict, col: Column):
        value = row.get(col.key)
        if value is not None and col.kind != TEXT and not isinstance(value, (int, Decimal)):
            return str(value)  # a suppressed small count ("<5"), see impact.privacy
        if col.kind == COUNT:
            return value
        kind = row.get("_kind", col.kind) if col.kind in (DECIMAL, MONEY) else col.kind
        if value is None:
            return fmt.DASH if kind != TEXT else ""
        if kind == MONEY:
            return fmt.money(value, self.lang)
        if kind == PERCENT:
            return fmt.percent(value, self.lang)
        if kind in (DECIMAL, COUNT):
            # Metrics quantise their Decimals (hours to 0.01, minutes to 0.1): show that
            # precision, so 27.00 and 1,451.42 line up instead of reading "27".
            exponent = value.as_tuple().exponent if isinstance(value, Decimal) else 0
            places = -exponent if isinstance(exponent, int) and exponent < 0 else None
            return fmt.number(value, self.lang, places=places)
        return display_text(value)  # names from data: no bidi override on screen

    def csv(self) -> bytes:
        """The table as CSV in UTF-8 with a BOM, so Excel shows Chinese; exact values."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([c.label for c in self.columns])
        for row in self.rows:
            writer.writerow([_csv_value(row.get(c.key)) for c in self.columns])
        return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value) -> str:
    """Exact values; text that a spreadsheet would run as a formula is neutralised."""
    return spreadsheet_text(value)


@dataclass
class PageModel:
    """What every page has: a title, one sentence on what is counted, and an empty state."""

    title: str
    intro: str
    caption: str
    empty: bool = False
    empty_text: str = ""
    notices: list[str] = field(default_factory=list)


def filters_caption(filters: Filters, lang: str) -> str:
    """The active filters in one line, for chart captions: what exactly a chart counts."""
    everything = t("filters.all", lang)
    sep = t("filters.list_sep", lang)
    if filters.year_from is None and filters.year_to is None:
        years = everything
    elif filters.year_from == filters.year_to:
        years = str(filters.year_from)
    else:
        years = f"{filters.year_from or ''}–{filters.year_to or ''}"
    return t("filters.caption", lang,
             orgs=sep.join(filters.orgs) or everything,
             years=years,
             projects=sep.join(filters.projects) or everything,
             areas=sep.join(filters.areas) or everything)


def indicator_params(filters: Filters) -> dict:
    """Parameters of the indicator and target queries (they have no programme area)."""
    return {k: v for k, v in filters.params().items() if k != "areas"}


def is_empty(db, filters: Filters) -> bool:
    """No activity record and no transaction in the selection: show the empty state."""
    acts = db.rows("activity_totals", **filters.params())[0]
    if acts["records"]:
        return False
    return not db.rows("finance_by_category", **filters.params())


def unit_title(key: str, lang: str, **values) -> str:
    """A chart title from the locale files; the locale text names the unit (人次, 元 …)."""
    return t(key, lang, **values)


def page_base(page: str, db, filters: Filters, lang: str) -> PageModel:
    """Title, intro and empty state of a page (`page` = overview, finance …)."""
    empty = is_empty(db, filters)
    no_data = empty and not db.rows("filter_orgs")
    return PageModel(title=t(f"{page}.title", lang), intro=t(f"{page}.intro", lang),
                     caption=filters_caption(filters, lang), empty=empty,
                     empty_text=t("empty.no_data" if no_data else "empty.text", lang))
