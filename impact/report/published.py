"""The figures an organisation printed in its annual report, against its records.

A data directory may hold `published_figures.csv` (org, year, project, metric, value, unit,
precision, source, quote: one row per printed figure; the demo dataset ships the figures of
the four organisations' reports). For each organisation-year of a report, the printed
whole-organisation figures are compared with the same figure computed from the records, so
a report can say "your 2020 report printed 1,674,657.71; your records give 1,674,657.61".
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from impact.filters import Filters
from impact.domain.metrics import summarize

FILE = "published_figures.csv"
# The reports print income by source (珠海协作者 2020: 捐赠 from individuals, 政府补助,
# 公益基金会, 企业, 其他): income.<name> is compared with the income of that source type.
PUBLISHED_SOURCES = {"donation": "individual", "government": "government",
                     "foundation": "foundation", "enterprise": "enterprise", "other": "other"}
_DIRECT = ("services", "beneficiaries", "volunteers", "volunteer_minutes", "income_total",
           "expense_total")


def load(store) -> list[dict]:
    """The published figures of a data directory (empty when it has none)."""
    try:
        raw = store._read_bytes(FILE)
    except (FileNotFoundError, IsADirectoryError):
        return []
    try:
        return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error):
        return []


def _recorded(summary: dict, metric: str):
    name = "income_total" if metric == "income_total_as_printed" else metric
    if name in _DIRECT:
        return summary.get(name)
    if name.startswith("income."):
        source = PUBLISHED_SOURCES.get(name.split(".", 1)[1])
        return (summary.get("income_by_source") or {}).get(source) if source else None
    return None


def compare(db, orgs: tuple[str, ...], years: list[int]) -> list[dict]:
    """One row per printed whole-organisation figure of these organisation-years that the
    records can give: printed value, recorded value, difference, and whether they agree
    within the printed precision ("exact", or "lower_bound" for "more than …")."""
    wanted = [r for r in load(db.store) if r["org"] in orgs and not r.get("project")
              and r["year"].isdigit() and int(r["year"]) in years]
    out, sums = [], {}
    for r in wanted:
        key = (r["org"], int(r["year"]))
        if key not in sums:
            sums[key] = summarize(db, Filters(orgs=(key[0],), year_from=key[1], year_to=key[1]))
        recorded = _recorded(sums[key], r["metric"])
        if recorded is None:
            continue
        try:
            printed = Decimal(r["value"])
        except InvalidOperation:
            continue
        difference = Decimal(recorded) - printed
        agrees = difference >= 0 if r.get("precision") == "lower_bound" else difference == 0
        out.append({"org": r["org"], "year": int(r["year"]), "metric": r["metric"],
                    "published": printed, "recorded": recorded, "difference": difference,
                    "agrees": agrees, "source": r.get("source", "")})
    return out
