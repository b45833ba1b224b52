"""The Results page model: each project's outcome indicators against baseline and target,
year by year, with the data source named (a results framework, not outputs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from impact.presentation import charts
from impact.filters import Filters
from impact.presentation.i18n import label, t
from impact.domain.metrics import achievement
from impact.storage.cache import cached
from impact.views.common import DECIMAL, PERCENT, Chart, Column, PageModel, Table, page_base


@dataclass
class ProjectResults:
    """One project's (or the whole organisation's) outcomes: a table and one chart each."""

    org: str
    project: str | None
    heading: str
    table: Table
    charts: list[Chart] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    source_line: str = ""  # "数据来源：志愿者名册、义工课程签到表"


@dataclass
class ResultsModel(PageModel):
    projects: list[ProjectResults] = field(default_factory=list)
    no_outcomes: str = ""


def plain(value: Decimal | None) -> Decimal | None:
    """49.0000 → 49, 63.8000 → 63.8 (outcomes are stored to four places)."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def indicator_label(key: str, lang: str) -> str:
    """The locale's name for a known indicator key; an organisation's own wording as typed."""
    label = t(f"indicator.{key}", lang)
    return key if label == f"indicator.{key}" else label


def unit_label(unit: str | None, lang: str) -> str:
    """An outcome's unit in the page's language (人 → people); '%' and an organisation's own
    unit as typed."""
    return label("outcome_unit", unit, lang) if unit else ""


def _table(rows: list[dict], lang: str, key: str) -> Table:
    shown = [{"indicator": indicator_label(r["indicator"], lang),
              "unit": unit_label(r["unit"], lang),
              "year": r["year"], "baseline": plain(r["baseline"]), "target": plain(r["target"]),
              "actual": plain(r["actual"]),
              "achievement": achievement(r["actual"], r["target"]) if r["target"] else None,
              "source": r["source"]} for r in rows]
    columns = [Column("indicator", t("results.col.indicator", lang)),
               Column("unit", t("results.col.unit", lang)),
               Column("year", t("results.col.year", lang)),
               Column("baseline", t("results.col.baseline", lang), DECIMAL),
               Column("target", t("results.col.target", lang), DECIMAL),
               Column("actual", t("results.col.actual", lang), DECIMAL),
               Column("achievement", t("results.col.achievement", lang), PERCENT),
               Column("source", t("results.col.source", lang))]
    return Table(key, "", columns, shown, lang=lang)


def _chart(rows: list[dict], lang: str, caption: str, key: str) -> Chart:
    """Actual, target and baseline over the years; a series with a gap is left out rather
    than drawn as if zero."""
    first = rows[0]
    title = t("results.chart", lang, indicator=indicator_label(first["indicator"], lang),
              unit=unit_label(first["unit"], lang))
    years = [r["year"] for r in rows]
    series = {}
    for name in ("actual", "target", "baseline"):
        values = [plain(r[name]) for r in rows]
        if all(v is not None for v in values):
            series[t(f"results.series.{name}", lang)] = values
    figure = charts.lines(years, series, title=title, lang=lang,
                          kind="count" if first["unit"] != "%" else "decimal") if series else None
    return Chart(key, title, caption, figure, rows, t("empty.chart", lang))


def results(db, filters: Filters, lang: str) -> ResultsModel:
    """Build the Results page for a selection, in `lang`."""
    db = cached(db)
    # The empty-state check and the outcomes, together (the page's two queries).
    db.prefetch([("activity_totals", filters.params()), ("outcomes", filters.params())])
    base = page_base("results", db, filters, lang)
    model = ResultsModel(**vars(base))
    rows = db.rows("outcomes", **filters.params())
    model.no_outcomes = t("results.empty", lang)
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["org"], r["project"]), []).append(r)
    for n, ((org, project), items) in enumerate(groups.items()):
        heading = t("results.project_header", lang,
                    project=project or t("people.whole_org", lang), org=org)
        block = ProjectResults(org, project, heading, _table(items, lang, f"outcomes_{n}"),
                               sources=list(dict.fromkeys(r["source"] for r in items)))
        block.source_line = t("results.source_line", lang,
                              sources=t("filters.list_sep", lang).join(block.sources))
        by_indicator: dict[str, list[dict]] = {}
        for r in items:
            by_indicator.setdefault(r["indicator"], []).append(r)
        block.charts = [_chart(v, lang, base.caption, f"outcome_{n}_{i}")
                        for i, v in enumerate(by_indicator.values())]
        model.projects.append(block)
    return model
