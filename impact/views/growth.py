"""The Growth page model: a year-over-year table for every metric, CAGR over the selected
range, and small multiples comparing member organisations."""

from __future__ import annotations

from dataclasses import dataclass, field

from impact.presentation import charts
from impact.filters import Filters
from impact.presentation.i18n import t
from impact.domain.metrics import cagr, change, money, volunteer_hours
from impact.views.common import (COUNT, DECIMAL, HOURS, MONEY, PERCENT, Chart, Column, PageModel,
                                 Table, coverage_note, page_base)
from impact.storage.cache import cached

# Metrics compared, with their kind; all come from the org_by_year query.
METRICS = (("services", COUNT), ("beneficiaries", COUNT), ("volunteers", COUNT),
           ("volunteer_hours", HOURS), ("income_total", MONEY), ("expense_total", MONEY))
KINDS = dict(METRICS)
MAX_PANELS = 12  # small multiples beyond a dozen stop being readable (and slow the page)


@dataclass
class GrowthModel(PageModel):
    """Everything the Growth page shows."""

    yoy: Table | None = None
    cagr: Table | None = None
    org_charts: list[Chart] = field(default_factory=list)
    orgs_omitted: int = 0  # organisations not drawn (more than MAX_PANELS)
    org_growth: Table | None = None
    metric: str = "beneficiaries"
    single_year: bool = False


def _with_hours(row: dict) -> dict:
    return {**row, "volunteer_hours": volunteer_hours(row["volunteer_minutes"])}


def yearly_totals(rows: list[dict]) -> dict[int, dict]:
    """Sum org_by_year rows into one row per year (exact: ints and Decimal)."""
    out: dict[int, dict] = {}
    for r in rows:
        year = out.setdefault(r["year"], {m: 0 for m in ("services", "beneficiaries",
                                                        "volunteers", "volunteer_minutes")}
                              | {"income_total": money(0), "expense_total": money(0)})
        for key in year:
            year[key] += r[key]
    return {y: _with_hours(v) for y, v in sorted(out.items())}


def yoy_table(totals: dict[int, dict], first: int, last: int, lang: str) -> Table:
    """Every metric, every year of the range, against the year before (absolute and %)."""
    rows = []
    for metric, kind in METRICS:
        for year in range(first, last + 1):
            current = totals.get(year, {}).get(metric)
            if current is None:
                continue
            previous = totals.get(year - 1, {}).get(metric)
            delta = change(current, previous)
            rows.append({"metric": t(f"metric.{metric}", lang), "year": year, "value": current,
                         "previous": previous, "change": delta["change"] if delta else None,
                         "pct": delta["pct"] if delta else None, "_kind": kind})
    return Table("yoy", t("growth.table.yoy", lang), _yoy_columns(lang), rows,
                 caption=t("growth.table.yoy_note", lang), lang=lang)


def _yoy_columns(lang: str) -> list[Column]:
    # Key columns first: on a phone the metric, year and % change stay on screen.
    return [Column("metric", t("col.metric", lang)), Column("year", t("col.year", lang)),
            Column("pct", t("col.change_pct", lang), PERCENT, signed=True),
            Column("change", t("col.change", lang), DECIMAL, signed=True),
            Column("value", t("col.value", lang), DECIMAL),
            Column("previous", t("col.previous", lang), DECIMAL)]


def cagr_table(totals: dict[int, dict], first: int, last: int, lang: str) -> Table:
    """Compound annual growth between the first and the last year of the range."""
    rows = []
    for metric, kind in METRICS:
        start = totals.get(first, {}).get(metric)
        end = totals.get(last, {}).get(metric)
        rows.append({"metric": t(f"metric.{metric}", lang), "first": start, "last": end,
                     "years": last - first, "cagr": cagr(start, end, last - first),
                     "_kind": kind})
    columns = [Column("metric", t("col.metric", lang)),
               Column("cagr", t("col.cagr", lang), PERCENT, signed=True),
               Column("first", t("col.first_value", lang, year=first), DECIMAL),
               Column("last", t("col.last_value", lang, year=last), DECIMAL)]
    return Table("cagr", t("growth.table.cagr", lang, first=first, last=last), columns, rows,
                 caption=t("growth.table.cagr_note", lang), lang=lang)


def org_growth_table(rows: list[dict], metric: str, lang: str) -> Table:
    """Per organisation: first and last year in range, the metric then and now, and CAGR."""
    by_org: dict[str, list[dict]] = {}
    for r in rows:
        by_org.setdefault(r["org"], []).append(_with_hours(r))
    out = []
    for org, years in by_org.items():
        first, last = years[0], years[-1]
        out.append({"org": org, "first_year": first["year"], "last_year": last["year"],
                    "first": first[metric], "last": last[metric],
                    "cagr": cagr(first[metric], last[metric], last["year"] - first["year"]),
                    "_kind": KINDS[metric]})
    out.sort(key=lambda r: (r["cagr"] is None, -(r["cagr"] or 0), r["org"]))
    columns = [Column("org", t("col.org", lang)),
               Column("cagr", t("col.cagr", lang), PERCENT, signed=True),
               Column("first", t("col.first", lang), DECIMAL),
               Column("last", t("col.last", lang), DECIMAL),
               Column("first_year", t("col.first_year", lang)),
               Column("last_year", t("col.last_year", lang))]
    return Table("org_growth", t("growth.table.orgs", lang, metric=t(f"metric.{metric}", lang)),
                 columns, out, lang=lang)


def all_years(filters: Filters) -> Filters:
    return filters.with_years(None, None)


def org_charts(db, filters: Filters, metric: str, lang: str, caption: str) -> list[Chart]:
    """Small multiples: one chart per member organisation over all its years, the selected
    years shaded, each on its own scale (the shape of growth is the point; a small member
    would be a flat line on a large one's scale). Separate figures, so a phone stacks them."""
    rows = db.rows("org_by_year", **all_years(filters).params())
    kind = "money" if KINDS[metric] == MONEY else "count"
    note = caption + "  \n" + t("overview.trend_note", lang)
    by_org: dict[str, list[dict]] = {}
    for r in rows:
        by_org.setdefault(r["org"], []).append(r)
    # A large network gets its largest members (by the latest value) drawn; the table below
    # the charts lists every one.
    largest = sorted(by_org, key=lambda o: -_with_hours(by_org[o][-1])[metric])[:MAX_PANELS]
    out = []
    for org in [o for o in by_org if o in largest]:
        mine = by_org[org]
        values = [_with_hours(r)[metric] for r in mine]
        title = t("growth.chart.org", lang, org=org, metric=t(f"metric.{metric}", lang),
                  unit=t(f"unit.{metric}", lang))
        figure = charts.lines([r["year"] for r in mine], {org: values}, title=title,
                              lang=lang, kind=kind, highlight=(filters.year_from, filters.year_to))
        out.append(Chart(f"org_{len(out)}", title, note, figure, mine))
    return out


def growth(db, filters: Filters, lang: str, metric: str = "beneficiaries") -> GrowthModel:
    """Build the Growth page; `metric` is the one compared across organisations."""
    if metric not in KINDS:
        metric = "beneficiaries"
    db = cached(db)
    p = filters.params()
    db.prefetch([("activity_totals", p), ("finance_by_line", p),
                 ("org_by_year", all_years(filters).params())])
    base = page_base("growth", db, filters, lang)
    model = GrowthModel(**vars(base), metric=metric)
    if model.empty:
        return model
    first, last = filters.year_from, filters.year_to
    # One query over every year serves the table, the CAGR and the charts; the year before
    # the range is kept so the first year has a change too.
    every = db.rows("org_by_year", **all_years(filters).params())
    rows = [r for r in every
            if (first is None or r["year"] >= first - 1) and (last is None or r["year"] <= last)]
    totals = yearly_totals(rows)
    in_range = [y for y in totals if (first is None or y >= first)]
    first = first if first is not None else (min(in_range) if in_range else None)
    last = last if last is not None else (max(in_range) if in_range else None)
    if first is None:
        return model
    model.single_year = first == last
    # The year-over-year sums add up organisations: flag it when they cover different years.
    coverage = coverage_note([r for r in rows if first - 1 <= r["year"] <= last], lang)
    if coverage:
        model.notices.append(coverage)
    model.yoy = yoy_table(totals, first, last, lang)
    model.cagr = cagr_table(totals, first, last, lang)

    model.org_charts = org_charts(db, filters, metric, lang, base.caption)
    drawn = {c.rows[0]["org"] for c in model.org_charts}
    model.orgs_omitted = len({r["org"] for r in every} - drawn)
    in_selection = [r for r in rows if first <= r["year"] <= last]
    model.org_growth = org_growth_table(in_selection, metric, lang)
    return model
