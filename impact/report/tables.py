"""The report's tables, defined once: which rows, which columns, of what kind.

HTML, PDF and Excel lay out the same `ReportTable`s. Cells keep their exact values (int,
Decimal); codes (income categories, metric keys) are turned into words here, in the
report's language, so every format shows the same text.
"""

from __future__ import annotations

from dataclasses import dataclass

from impact.presentation import fmt
from impact.presentation.i18n import label, t
from impact.domain.metrics import percent, volunteer_hours
from impact.report.published import PUBLISHED_SOURCES
from impact.domain.statement import COLUMNS, PERIODS
from impact.report import labels
from impact.report.content import ReportContent
from impact.report.labels import HOURS, INT, MONEY, PCT, TEXT, VALUE

# The headline figures, in the order the report lists them, with the kind of each value.
KPI_ROWS = (("services", INT), ("beneficiaries", INT), ("volunteers", INT),
            ("volunteer_minutes", INT), ("income_total", MONEY), ("expense_total", MONEY))


@dataclass(frozen=True)
class Column:
    """One column: the field it shows and the kind of value it holds."""

    key: str
    kind: str = TEXT
    label: str | None = None  # the report.col.* key of its header, when not `key`


@dataclass(frozen=True)
class ReportTable:
    """One table: its name (section and sheet), its columns, and its rows of exact values.

    `query` names the query in queries/ the rows come from (None for derived tables).
    """

    name: str
    columns: tuple[Column, ...]
    rows: list[dict]
    query: str | None = None
    title: str | None = None  # instead of the section's fixed title (report.section.<name>)
    note: str = ""  # printed under the table
    none_text: str = ""  # what a spreadsheet cell with no value shows ("" = left empty)

    def headers(self, lang: str) -> list[str]:
        return [labels.column(c.label or c.key, lang) for c in self.columns]

    def cells(self, row: dict) -> list:
        return [row.get(c.key) for c in self.columns]


def _project(name: str | None, lang: str) -> str:
    return name if name is not None else t("report.project.whole_org", lang)


def kpi_table(content: ReportContent) -> ReportTable:
    """This period against the previous one, for the six headline metrics."""
    s, lang = content.summary, content.lang
    rows = []
    for metric, kind in KPI_ROWS:
        change = s["yoy"].get(metric) or {}
        rows.append({"metric": t(f"report.kpi.{metric}", lang), "value": s[metric], "kind": kind,
                     "previous": change.get("previous"), "change": change.get("change"),
                     "pct": change.get("pct")})
    columns = (Column("metric"), Column("value", "auto"), Column("previous", "auto"),
               Column("change", "auto"), Column("pct", PCT))
    return ReportTable("kpis", columns, rows)


def project_table(content: ReportContent) -> ReportTable:
    """Activity per project; volunteer time in minutes and in hours from those minutes, by
    the pages' one hours rule (metrics.volunteer_hours, shown by fmt's HOURS)."""
    columns = (Column("org"), Column("project"), Column("program_area"),
               Column("services", INT), Column("beneficiaries", INT),
               Column("volunteers", INT), Column("volunteer_minutes", INT),
               Column("volunteer_hours", HOURS))
    rows = [{**r, "program_area": label("area", r["program_area"], content.lang),
             "volunteer_hours": volunteer_hours(r["volunteer_minutes"])}
            for r in content.projects]
    return ReportTable("projects", columns, rows, "activity_by_project")


def monthly_table(content: ReportContent) -> ReportTable:
    columns = (Column("year", TEXT), Column("month", INT), Column("services", INT),
               Column("beneficiaries", INT), Column("volunteers", INT),
               Column("volunteer_minutes", INT))
    return ReportTable("monthly", columns, content.monthly, "activity_by_month")


def finance_table(content: ReportContent) -> ReportTable:
    lang = content.lang
    rows = [{**r, "flow": labels.flow(r["flow"], lang),
             "line": labels.line(r["flow"], r["line"], lang)}
            for r in content.finance]
    columns = (Column("flow"), Column("line"), Column("transactions", INT),
               Column("amount", MONEY), Column("share", PCT))
    return ReportTable("finance", columns, rows, "finance_by_line")


def source_table(content: ReportContent) -> ReportTable:
    """Income by source type (来源), with shares of all income."""
    lang = content.lang
    rows = [{**r, "source": labels.source(r["source_type"], lang)} for r in content.sources]
    columns = (Column("source", label="income_source"), Column("transactions", INT),
               Column("amount", MONEY),
               Column("share", PCT))
    return ReportTable("sources", columns, rows, "finance_by_source")


def funder_table(content: ReportContent) -> ReportTable:
    lang = content.lang
    income = content.summary["income_total"]
    rows = [{**r, "funder": r["funder"] or t("report.funder.unnamed", lang),
             "source": labels.source(r["source_type"], lang),
             "share": percent(r["amount"], income)}
            for r in content.funders]
    columns = (Column("funder"), Column("source", label="income_source"), Column("transactions", INT),
               Column("amount", MONEY), Column("share", PCT))
    return ReportTable("funders", columns, rows, "finance_by_funder")


def statement_table(content: ReportContent) -> ReportTable | None:
    """The 业务活动表 of the report's last year beside the year before (impact.domain.statement);
    None when that year has no transaction."""
    statement, lang = content.statement, content.lang
    if statement is None:
        return None
    rows = []
    for r in statement.rows:
        if "." in r.key:
            flow, code = r.key.split(".", 1)
            item = "\u3000" + labels.line(flow, code, lang)  # indented, as printed
        else:
            item = t(f"statement.{r.key}", lang)
        rows.append({"item": item, **{f"{p}_{c}": r.cells[(p, c)]
                                      for p in PERIODS for c in COLUMNS}})
    columns = (Column("item"),) + tuple(Column(f"{p}_{c}", MONEY, label=f"statement_{p}_{c}")
                                        for p in PERIODS for c in COLUMNS)
    combined = len(content.orgs) != 1
    title = t("statement.title_combined" if combined else "statement.title", lang,
              year=statement.year)
    note = (t("report.statement.years", lang, current=statement.year,
              previous=statement.year - 1) + " "
            + t("statement.caption_combined" if combined else "statement.caption", lang))
    return ReportTable("statement", columns, rows, "statement_of_activities", title=title,
                       note=note, none_text=fmt.DASH)


def year_table(content: ReportContent) -> ReportTable:
    columns = (Column("org"), Column("year", TEXT), Column("services", INT),
               Column("beneficiaries", INT), Column("volunteers", INT),
               Column("volunteer_minutes", INT), Column("income_total", MONEY),
               Column("expense_total", MONEY))
    return ReportTable("years", columns, content.years, "org_by_year")


def target_table(content: ReportContent) -> ReportTable:
    lang = content.lang
    rows = [{**r, "project": _project(r["project"], lang),
             "metric": labels.metric(r["metric"], lang),
             "value_kind": value_kind(r["metric"], r.get("unit"))} for r in content.targets]
    columns = (Column("org"), Column("year", TEXT), Column("project"), Column("metric"),
               Column("target", VALUE), Column("actual", VALUE), Column("achievement", PCT))
    return ReportTable("targets", columns, rows, "target_achievement")


def indicator_table(content: ReportContent) -> ReportTable:
    lang = content.lang
    rows = [{**r, "project": _project(r["project"], lang),
             "indicator": labels.metric(r["indicator"], lang),
             "unit": label("data_unit", r["unit"], lang),
             "value_kind": value_kind(r["indicator"], r["unit"])} for r in content.indicators]
    columns = (Column("org"), Column("year", TEXT), Column("project"), Column("indicator"),
               Column("value", VALUE, label="figure"), Column("unit"))
    return ReportTable("indicators", columns, rows, "indicators")


def published_table(content: ReportContent) -> ReportTable:
    """The printed annual report's figures against the records (impact.report.published)."""
    lang = content.lang
    def name(metric: str) -> str:
        if metric.startswith("income."):  # printed by source (impact.report.published)
            source = PUBLISHED_SOURCES.get(metric.split(".", 1)[1])
            return t("report.published.income_source", lang,
                     source=labels.source(source, lang))
        if metric == "income_total_as_printed":
            return t("report.kpi.income_total", lang)
        return labels.metric(metric, lang)
    rows = [{**r, "metric": name(r["metric"]),
             "kind": MONEY if r["metric"].startswith("income") or r["metric"] == "expense_total"
             else INT,
             "agrees": t("report.published.agrees" if r["agrees"] else "report.published.differs",
                         lang)} for r in content.published]
    columns = (Column("org"), Column("year", TEXT), Column("metric"),
               Column("published", "auto"), Column("recorded", "auto"),
               Column("difference", "auto"), Column("agrees"))
    return ReportTable("published", columns, rows)


def value_kind(metric: str, unit: str | None = None) -> str:
    """How a target's, indicator's or outcome's figures print: hours and money by the pages'
    rule for the metric (views.common.metric_kind: volunteer_hours, a unit of 小时 or 元),
    anything else at the places it has (VALUE)."""
    from impact.views.common import HOURS as PAGE_HOURS, MONEY as PAGE_MONEY, metric_kind

    kind = metric_kind(metric, unit)
    return HOURS if kind == PAGE_HOURS else MONEY if kind == PAGE_MONEY else VALUE


def cell_kind(column: Column, row: dict) -> str:
    """A cell's kind; 'auto' columns (the KPI table mixes counts and money) ask the row, and
    so does a VALUE column of a row whose metric says how it prints (`value_kind`)."""
    if column.kind == "auto":
        return row.get("kind", INT)
    if column.kind == VALUE and "value_kind" in row:
        return row["value_kind"]
    return column.kind


def cell_text(column: Column, row: dict, lang: str) -> str:
    """A cell as the HTML and PDF show it: exact, grouped digits; changes signed."""
    value = row.get(column.key)
    kind = cell_kind(column, row)
    if column.key in ("change", "pct"):
        return labels.signed_number(value, kind, lang)
    if column.key in ("year", "month") and value is not None:
        return str(value)
    return labels.number(value, kind, lang)


def display_rows(table: ReportTable, lang: str) -> list[dict]:
    """A table as {header: text} rows, for a page to show as it is."""
    headers = table.headers(lang)
    return [dict(zip(headers, (cell_text(c, row, lang) for c in table.columns)))
            for row in table.rows]
