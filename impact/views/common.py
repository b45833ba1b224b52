"""Building blocks of the page models: KPI cards, charts and tables as plain data.

A page model holds everything a page shows, already translated and formatted, so the
Streamlit page only lays it out, and tests, the CLI or a report can use the same objects.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from decimal import Decimal

import plotly.graph_objects as go

from impact.presentation import fmt
from impact.filters import Filters
from impact.presentation.i18n import label, t
from impact.presentation.safetext import Markdown, display_text, spreadsheet_text

COUNT, MONEY, PERCENT, TEXT, DECIMAL = "count", "money", "percent", "text", "decimal"
HOURS = "hours"  # impact.presentation.fmt.HOURS: always to the hundredth
# Rows a table shows on screen by default; the CSV download always has every row. With all
# organisations selected (the default view) some tables run to thousands of rows: sending,
# formatting and drawing them cost up to 667 KB and hundreds of ms per rerun (issue 14),
# for rows nobody scrolls to.
SCREEN_ROWS = 20
# Projects a bar chart draws, the top ones by its own order (same reason).
CHART_PROJECTS = 20


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
    # The previous period's value and the figures a derived card is computed from, so a
    # public view can show the card from rounded counts (impact.access.privacy.kpis):
    # "period" (the previous period in words), "numerator" and "persons" (a per-person
    # rate), "threshold" and "flagged" (the largest donor's share).
    previous: object = None
    basis: dict = field(default_factory=dict)


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


# The kind of every metric a target can name; an indicator is money when its unit is 元,
# else a DECIMAL at its own places (one rule for /overview's targets, the funder view's
# deliverables and the funder report).
METRIC_KINDS = {"services": COUNT, "beneficiaries": COUNT, "volunteers": COUNT,
                "volunteer_minutes": COUNT, "volunteer_hours": HOURS,
                "income_total": MONEY, "expense_total": MONEY}
MONEY_UNITS = frozenset({"元", "yuan", "CNY", "RMB"})
HOUR_UNITS = frozenset({"小时", "h", "hour", "hours"})


def metric_kind(metric: str, unit: str | None = None) -> str:
    """How a target's metric is shown: counts whole, money ¥ to the fen, else a decimal."""
    if metric in METRIC_KINDS:
        return METRIC_KINDS[metric]
    unit = (unit or "").strip()
    return MONEY if unit in MONEY_UNITS else HOURS if unit in HOUR_UNITS else DECIMAL


@dataclass
class Column:
    """A table column: the key in the rows, its header, and how to show its values."""

    key: str
    label: str
    kind: str = TEXT
    signed: bool = False  # a change: "+" on increases, as on the cards
    width: int | None = None  # px for a text column whose values must not be clipped

    @property
    def numeric(self) -> bool:
        return self.kind in (COUNT, MONEY, PERCENT, DECIMAL, HOURS)


@dataclass
class Table:
    """A table with a CSV download; `rows` hold raw values (exact Decimal money), in the
    table's own order. The screen shows the first `limit` rows (None: all); the CSV has all."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    caption: str = ""
    lang: str = "zh"
    limit: int | None = SCREEN_ROWS

    @property
    def filename(self) -> str:
        return f"{self.key}.csv"

    @property
    def capped(self) -> bool:
        """Whether the screen shows fewer rows than the table (and the CSV) has."""
        return self.limit is not None and len(self.rows) > self.limit

    def head(self) -> "Table":
        """The rows the screen shows: the first `limit`, by the table's own order."""
        return replace(self, rows=self.rows[:self.limit]) if self.capped else self

    def shown_note(self) -> str:
        """'Showing 20 of 812 rows; the CSV download has them all', or "" when not capped."""
        if not self.capped:
            return ""
        return t("common.rows_shown", self.lang, shown=fmt.count(self.limit, self.lang),
                 total=fmt.count(len(self.rows), self.lang))

    def display_rows(self) -> list[dict]:
        """Rows keyed by header for on-screen tables, every figure through fmt.value (the
        rule cards and charts follow: counts whole, money ¥ to the fen, % to one decimal).
        Plain counts stay numbers (so they sort); a row's `_kind` overrides the kind of its
        numeric cells (a table mixing money and counts, like the YoY table)."""
        return [{col.label: self.display_cell(row, col) for col in self.columns}
                for row in self.rows]

    def kind_of(self, row: dict, col: Column) -> str:
        if col.kind in (DECIMAL, MONEY, COUNT, HOURS) and "_kind" in row:
            return row["_kind"]
        return col.kind

    def text_column(self, col: Column) -> bool:
        """Whether the column is shown as text (not a sortable number)."""
        return not (col.kind == COUNT and not col.signed
                    and all(r.get("_kind", COUNT) == COUNT for r in self.rows))

    def display_cell(self, row: dict, col: Column):
        value = row.get(col.key)
        if not col.numeric:
            return "" if value is None else display_text(value)  # no bidi override on screen
        if value is not None and not isinstance(value, (int, Decimal)):
            return str(value)  # a suppressed small count ("<5"), see impact.access.privacy
        if not self.text_column(col):
            return value
        return fmt.value(value, self.kind_of(row, col), self.lang, signed=col.signed)

    def csv(self) -> bytes:
        """The table as CSV in UTF-8 with a BOM, so Excel shows Chinese; plain numbers at
        each metric's own precision (1674657.61, 99037, 9.4)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([c.label for c in self.columns])
        for row in self.rows:
            writer.writerow([fmt.plain(row.get(c.key), self.kind_of(row, c))
                             if c.numeric and _is_number(row.get(c.key))
                             else _csv_value(row.get(c.key)) for c in self.columns])
        return buffer.getvalue().encode("utf-8-sig")


def top_caption(caption: str, shown: int, total: int, lang: str) -> str:
    """A chart's filter caption, and when it draws only its top projects, a sentence saying
    so (and where all of them are)."""
    if shown >= total:
        return caption
    return caption + "  \n" + t("common.top_projects", lang, shown=fmt.count(shown, lang),
                                 total=fmt.count(total, lang))


def _is_number(value) -> bool:
    """A figure (or no value), as opposed to a suppressed small count ("<5")."""
    return value is None or isinstance(value, (int, Decimal))


def _csv_value(value) -> str:
    """Exact values; text that a spreadsheet would run as a formula is neutralised."""
    return spreadsheet_text(value)


@dataclass
class PageModel:
    """What every page has: a title, one sentence on what is counted, and an empty state."""

    title: str
    intro: str
    caption: str
    selection: str = ""  # the selection in words, under the title
    empty: bool = False
    empty_text: str = ""
    notices: list[str] = field(default_factory=list)


def selection_line(filters: Filters, lang: str) -> str:
    """The active selection in words, for the page header (read from across a room):
    '珠海协作者 · 2019—2020 年 · 全部项目 · 全部领域'."""
    sep = t("filters.list_sep", lang)
    first, last = filters.year_from, filters.year_to
    if first is None and last is None:
        years = t("header.all_years", lang)
    elif first == last or first is None or last is None:
        years = t("header.year", lang, year=first if first is not None else last)
    else:
        years = t("header.years", lang, first=first, last=last)
    projects = (t("header.projects", lang, names=sep.join(filters.projects))
                if filters.projects else t("header.all_projects", lang))
    areas = (t("header.areas", lang, names=sep.join(label("area", a, lang)
                                                     for a in filters.areas))
             if filters.areas else t("header.all_areas", lang))
    return t("header.selection", lang,
             orgs=sep.join(filters.orgs) if filters.orgs else t("header.all_orgs", lang),
             years=years, projects=projects, areas=areas)


def by_year_filters(filters: Filters) -> Filters:
    """The years a by-year chart draws: one selected year comes with the year before, so the
    chart compares instead of showing a lone bar (the selected year is shaded)."""
    if filters.span == 1:
        return filters.with_years(filters.year_from - 1, filters.year_to)
    return filters


def by_year_caption(caption: str, filters: Filters, lang: str) -> str:
    if filters.span != 1:
        return caption
    return caption + "  \n" + t("common.previous_year_note", lang, year=filters.year_from - 1)


def coverage_note(rows: list[dict], lang: str) -> str:
    """When organisations' records cover different years, a sum over them mixes growth with
    organisations entering or leaving the data: say so, with each one's years. '' when all
    cover the same years (or there is only one). `rows` carry `org` and `year`."""
    years: dict[str, set[int]] = {}
    for r in rows:
        years.setdefault(r["org"], set()).add(r["year"])
    if len(years) < 2 or len({frozenset(v) for v in years.values()}) == 1:
        return ""
    spans = t("filters.list_sep", lang).join(
        f"{org} {min(v)}–{max(v)}" if max(v) - min(v) + 1 == len(v) else
        f"{org} {', '.join(str(y) for y in sorted(v))}" for org, v in years.items())
    return t("common.coverage_note", lang, spans=spans)


def project_label(row: dict, filters: Filters, lang: str) -> str:
    """A project's name on a chart, with its organisation when several organisations are
    shown ("阅读推广（珠海协作者）", "阅读推广 (珠海协作者)": each language its own brackets)."""
    if len(filters.orgs) == 1:
        return row["project"]
    return t("common.project_of_org", lang, project=row["project"], org=row["org"])


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
             areas=sep.join(label("area", a, lang) for a in filters.areas)
             or everything)


def indicator_params(filters: Filters) -> dict:
    """Parameters of the indicator and target queries (they have no programme area)."""
    return {k: v for k, v in filters.params().items() if k != "areas"}


def is_empty(db, filters: Filters) -> bool:
    """No activity record and no transaction in the selection: show the empty state."""
    acts = db.rows("activity_totals", **filters.params())[0]
    if acts["records"]:
        return False
    return not db.rows("finance_by_line", **filters.params())


def unit_title(key: str, lang: str, **values) -> str:
    """A chart title from the locale files; the locale text names the unit (人次, 元 …)."""
    return t(key, lang, **values)


def page_base(page: str, db, filters: Filters, lang: str) -> PageModel:
    """Title, intro and empty state of a page (`page` = overview, finance …)."""
    empty = is_empty(db, filters)
    no_data = empty and not db.rows("filter_orgs")
    return PageModel(title=t(f"{page}.title", lang), intro=Markdown(t(f"{page}.intro", lang)),
                     caption=filters_caption(filters, lang),
                     selection=selection_line(filters, lang), empty=empty,
                     empty_text=t("empty.no_data" if no_data else "empty.text", lang))
