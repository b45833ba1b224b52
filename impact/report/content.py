"""Everything a report says, gathered once from the metrics and the named queries.

The renderers (HTML, PDF, Excel) only lay this out; none of them runs a query or computes
a figure, so the three formats can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from impact.storage.db import Database, load_query
from impact.errors import UsageError
from impact.filters import Filters
from impact.presentation.i18n import normalize_lang
from impact.report import published, stamp
from impact.domain.metrics import achievement, cagr, money, percent, summarize
from impact.domain.statement import Statement
from impact.views.finance import statement_for
from impact.views.growth import yearly_totals

# The multi-year growth chart looks back at most this many years from the period's end.
GROWTH_YEARS = 10


@dataclass(frozen=True)
class ReportContent:
    """The figures and tables of one report: a selection, in one language."""

    filters: Filters
    lang: str
    orgs: tuple[str, ...]
    generated: datetime
    data_changed: datetime | None
    data_version: str
    data_dir: str
    demo: bool
    summary: dict
    projects: list[dict]
    monthly: list[dict]
    finance: list[dict]
    funders: list[dict]
    years: list[dict]
    targets: list[dict]
    indicators: list[dict]
    growth: dict = field(default_factory=dict)
    stamp: dict = field(default_factory=dict)  # impact.report.stamp: version, hash, URL …
    published: list[dict] = field(default_factory=list)  # impact.report.published
    # Totals per organisation over the period (only organisations with records in it), and
    # which organisations had records in the comparison period (None when there is none).
    by_org: list[dict] = field(default_factory=list)
    previous_orgs: tuple[str, ...] | None = None
    draft: str = ""  # the director's own text to check against the figures (report.claims)

    @property
    def orgs_with_records(self) -> tuple[str, ...]:
        """The selected organisations with any record in the period, in selection order."""
        present = {r["org"] for r in self.by_org}
        return tuple(o for o in self.orgs if o in present)

    @property
    def orgs_without_records(self) -> tuple[str, ...]:
        present = {r["org"] for r in self.by_org}
        return tuple(o for o in self.orgs if o not in present)
    reach: list[dict] = field(default_factory=list)  # stated people / households (人 / 户)
    outcomes: list[dict] = field(default_factory=list)  # results framework
    sources: list[dict] = field(default_factory=list)  # income by source type, with shares
    statement: Statement | None = None  # the 业务活动表 of the last year (impact.domain.statement)
    # Income per organisation and funder (finance_by_org_funder): with several organisations,
    # dependence on one donor is judged per organisation (metrics.donor_dependence).
    org_funders: list[dict] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        """Whether the selection has any activity or finance record at all."""
        records = self.summary["records"]
        return bool(records["activities"] or records["transactions"])

    @property
    def one_year(self) -> bool:
        return self.filters.span == 1


def _rows(db: Database, name: str, filters: Filters) -> list[dict]:
    """Run a named query with the filter parameters it takes."""
    params = {k: v for k, v in filters.params().items() if k in load_query(name).parameters}
    return db.rows(name, **params)


def resolve_orgs(db: Database, orgs: tuple[str, ...]) -> tuple[str, ...]:
    """The organisations to report on; an unknown name is a usage error listing known ones."""
    known = [r["org"] for r in db.rows("filter_orgs")]
    if not orgs:
        return tuple(known)
    unknown = [o for o in orgs if o not in known]
    if unknown:
        listing = ", ".join(known) if known else "none: the data directory is empty"
        raise UsageError(f"no organisation named {', '.join(unknown)} in {db.data_dir} "
                         f"(known: {listing})")
    return tuple(dict.fromkeys(orgs))


def _data_changed(store) -> datetime | None:
    """When the data last changed: the time the manifest records for the last version that
    changed rows (not the manifest file's mtime, which a copy or a checkout resets)."""
    manifest = store.manifest() or {}
    when = manifest.get("changed_at") or (manifest.get("commit") or {}).get("when")
    if not when:
        return None
    try:
        return datetime.fromisoformat(when).astimezone()
    except ValueError:
        return None


def _with_shares(rows: list[dict]) -> list[dict]:
    """Finance rows with each line's share (%) of its flow's total (source rows: of income)."""
    totals: dict[str, Decimal] = {}
    for row in rows:
        flow = row.get("flow", "income")
        totals[flow] = totals.get(flow, Decimal(0)) + row["amount"]
    return [{**row, "amount": money(row["amount"]),
             "share": percent(row["amount"], totals[row.get("flow", "income")])}
            for row in rows]


def _with_achievement(rows: list[dict]) -> list[dict]:
    return [{**row, "achievement": achievement(row["actual"], row["target"])} for row in rows]


def _growth_filters(db: Database, filters: Filters, orgs: tuple[str, ...]) -> Filters | None:
    """The years the growth chart covers: from the first year with data (at most
    GROWTH_YEARS back) to the end of the period."""
    span = db.rows("year_span", orgs=list(orgs))[0]
    if span["first_year"] is None:
        return None
    last = filters.year_to if filters.year_to is not None else span["last_year"]
    first = max(span["first_year"], last - GROWTH_YEARS + 1)
    if filters.year_from is not None:
        first = min(first, filters.year_from)
    return filters.with_years(first, last)


def _per_year(rows: list[dict]) -> list[dict]:
    """org_by_year rows summed over the organisations, one row per year (as the Growth page
    sums them)."""
    return [{"year": year, **totals} for year, totals in yearly_totals(rows).items()]


def _growth(per_year: list[dict]) -> dict:
    """Compound annual growth of person-times and income over the years shown."""
    if len(per_year) < 2:
        return {}
    first, last = per_year[0], per_year[-1]
    years = last["year"] - first["year"]
    return {"first_year": first["year"], "last_year": last["year"],
            "beneficiaries": cagr(first["beneficiaries"], last["beneficiaries"], years),
            "income_total": cagr(first["income_total"], last["income_total"], years)}


def totals_by_org(rows: list[dict]) -> list[dict]:
    """org_by_year rows summed per organisation (exact), in first-seen order. An organisation
    appears only if it has an activity or a finance record in the years the rows cover."""
    out: dict[str, dict] = {}
    for r in rows:
        org = out.setdefault(r["org"], {"org": r["org"], "services": 0, "beneficiaries": 0,
                                        "volunteers": 0, "volunteer_minutes": 0,
                                        "income_total": money(0), "expense_total": money(0)})
        for key in org:
            if key != "org":
                org[key] += r[key]
    return list(out.values())


def gather(db: Database, filters: Filters, lang: str = "zh", draft: str = "") -> ReportContent:
    """All of a report's content for `filters` (organisations resolved, unknown ones refused);
    `draft` is prose of the director's to check against the figures (report.claims)."""
    db.refresh()
    orgs = resolve_orgs(db, filters.orgs)
    filters = Filters(orgs=orgs, year_from=filters.year_from, year_to=filters.year_to,
                      projects=filters.projects, areas=filters.areas)
    growth_filters = _growth_filters(db, filters, orgs)
    years = _rows(db, "org_by_year", growth_filters) if growth_filters else []
    manifest = db.store.manifest() or {}
    meta = manifest.get("meta", {})
    generated = datetime.now().astimezone()
    if filters.year_from is not None and filters.year_to is not None:
        span = list(range(filters.year_from, filters.year_to + 1))
    else:
        span = sorted({r["year"] for r in years})
    stamped = stamp.make(manifest, db.version, filters, orgs, normalize_lang(lang),
                         generated.isoformat(timespec="seconds"), span)
    return ReportContent(
        filters=filters,
        lang=normalize_lang(lang),
        orgs=orgs,
        generated=generated,
        data_changed=_data_changed(db.store),
        data_version=db.version,
        data_dir=db.data_dir,
        demo=meta.get("source") == "demo",
        summary=summarize(db, filters),
        projects=_rows(db, "activity_by_project", filters),
        monthly=_rows(db, "activity_by_month", filters),
        finance=_with_shares(_rows(db, "finance_by_line", filters)),
        funders=_rows(db, "finance_by_funder", filters),
        org_funders=_rows(db, "finance_by_org_funder", filters),
        years=years,
        targets=_with_achievement(_rows(db, "target_achievement", filters)),
        indicators=_rows(db, "indicators", filters),
        growth=_growth(_per_year(years)),
        stamp=stamped,
        published=published.compare(db, orgs, span),
        by_org=totals_by_org(_rows(db, "org_by_year", filters)),
        previous_orgs=_previous_orgs(db, filters),
        draft=draft or "",
        reach=_rows(db, "reach", filters),
        outcomes=_with_achievement([r for r in _rows(db, "outcomes", filters)]),
        sources=_with_shares(_rows(db, "finance_by_source", filters)),
        statement=statement_for(db, filters, filters.year_to or (
            max(r["year"] for r in years) if years else None)),
    )


def _previous_orgs(db: Database, filters: Filters) -> tuple[str, ...] | None:
    previous = filters.previous_period()
    if previous is None:
        return None
    return tuple(r["org"] for r in totals_by_org(_rows(db, "org_by_year", previous)))


def per_year(content: ReportContent) -> list[dict]:
    """The growth years summed over the report's organisations (for the growth chart)."""
    return _per_year(content.years)
