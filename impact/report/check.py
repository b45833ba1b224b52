"""`impact verify --report FILE`: are a report's figures still current, or what changed?

The report's stamp names the data version it was made from and the view (filters) that
reproduces it: /report for the annual report, /grants with ?funder= for a funder report, whose
printed figures are impact.report.funder.printed_figures. Every figure the report prints (each cell of each of its tables, the statement
of activities included, and the summary totals) is recomputed at that version (the history
keeps its files while the version is kept) and now; any that differ are named, with the
versions that changed the data in between (who, when, why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from impact.filters import Filters
from impact.domain.metrics import summarize
from impact.report import stamp as stamps
from impact.report.content import gather
from impact.report.labels import PCT, PCT_PLACES, TEXT
from impact.report.sections import all_tables
from impact.report.tables import cell_kind
from impact.storage import versions
from impact.storage.db import Database
from impact.storage.store import DataStore
from impact.presentation.fmt import as_printed  # noqa: F401 (funder.py and tests read it here too)


@dataclass
class ReportCheck:
    stamp: dict
    current_version: int
    changes: list[dict] = field(default_factory=list)  # versions since that changed data
    figures: list[tuple[str, object, object]] = field(default_factory=list)  # name, then, now
    note: str = ""

    @property
    def current(self) -> bool:
        return not self.changes and not self.figures and not self.note


def _flat(summary: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, name + "."))
        elif not isinstance(value, list):
            # Shares (of one) and % changes are exact: compared at the report's places.
            out[name] = (as_printed(value, PCT_PLACES + 2) if key.endswith("share")
                         else as_printed(value, PCT_PLACES) if key == "pct" else value)
    return out


def printed_figures(content) -> dict[str, object]:
    """Every figure a report prints, by name: `table: row: column` for each cell of each of
    its tables (the row named by its text cells, e.g. the statement's line). What the
    narrative says is drawn from the same content, so a change there shows here too."""
    out: dict[str, object] = {}
    for table in all_tables(content):
        names = [c.key for c in table.columns if c.kind == TEXT]
        for number, row in enumerate(table.rows, 1):
            label = " / ".join(str(row[k]).strip() for k in names if row.get(k) is not None)
            for column in table.columns:
                if column.kind != TEXT:
                    value = row.get(column.key)
                    if cell_kind(column, row) == PCT:
                        value = as_printed(value, PCT_PLACES)
                    out[f"{table.name}: {label or number}: {column.key}"] = value
    return out


def _figures(db: Database, filters: Filters, lang: str, funder: str | None = None
             ) -> dict[str, object]:
    if funder is not None:
        from impact.report import funder as funder_report

        return funder_report.printed_figures(db, filters, funder, lang)
    return {**_flat(summarize(db, filters)), **printed_figures(gather(db, filters, lang))}


def _lang_of(url: str | None) -> str:
    from urllib.parse import parse_qs, urlsplit

    lang = parse_qs(urlsplit(url or "").query).get("lang", ["zh"])[-1]
    return lang if lang in ("zh", "en") else "zh"


def check_report(path: Path, data_dir: str) -> ReportCheck:
    stamped = stamps.read(path)
    store = DataStore(data_dir)
    manifest = versions.current(store)
    result = ReportCheck(stamped, manifest["version"])
    made_from = int(stamped["version"])
    if made_from > manifest["version"]:
        result.note = (f"the report names version {made_from}, but this data directory is at "
                       f"version {manifest['version']}: a different data directory?")
        return result
    records = [r for r in versions.history(store) if r["version"] > made_from]
    result.changes = [r for r in records if r.get("changes")]
    if made_from == manifest["version"]:
        current_hash = store.snapshot()[0][:12]
        if current_hash != stamped["manifest"]:
            result.note = (f"manifest {current_hash} is not the manifest {stamped['manifest']} "
                           "the report was made from (same version number: another directory?)")
        return result
    if not result.changes:
        return result
    filters = stamps.filters_of(stamped["url"]) if stamped.get("url") else Filters()
    then_db = Database(data_dir, pinned=made_from)
    now_db = Database(data_dir)
    try:
        lang = _lang_of(stamped.get("url"))
        funder = stamps.funder_of(stamped.get("url"))
        then = _figures(then_db, filters, lang, funder)
        now = _figures(now_db, filters, lang, funder)
    finally:
        then_db.close()
        now_db.close()
    result.figures = [(k, then.get(k), now.get(k)) for k in sorted(set(then) | set(now))
                      if then.get(k) != now.get(k)]
    return result
