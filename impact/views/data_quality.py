"""The Data page's quality panel: records per organisation and year, months with no records,
possible duplicates, outliers, the manifest check and the import log — as plain tables."""

from __future__ import annotations

from dataclasses import dataclass

from impact.filters import Filters
from impact.presentation.i18n import t
from impact.ingest import read_log_checked
from impact.ingest.write import IMPORT_LOG
from impact.storage import check_index
from impact.storage.integrity import describe, verify
from impact.views.common import COUNT, DECIMAL, TEXT, Column, Table


@dataclass
class QualityModel:
    """Everything the quality panel shows; each table has its own CSV download."""

    rows: Table
    gaps: Table
    duplicates: Table
    outliers: Table


@dataclass
class IntegrityModel:
    """The manifest check: a verdict line and one row per data file."""

    ok: bool
    summary: str
    files: Table
    problems: list[str]  # one line per file that does not match: "path: what is wrong"


def _cols(lang: str, *spec: tuple[str, str]) -> list[Column]:
    return [Column(key, t(f"data.col.{key}", lang), kind) for key, kind in spec]


def data_quality(db, filters: Filters, lang: str) -> QualityModel:
    """The panel's tables for the chosen organisations, projects and areas, over all years:
    a gap or a duplicate is a problem of the record, whichever year the dashboard shows."""
    params = filters.with_years(None, None).params()
    # The duplicates and outliers come from the check index of this data version (built
    # here, reading every record once, when there is none yet); the gaps and counts from
    # the monthly rollup.
    check_index.ensure(db)
    duplicates, outliers = (check_index.answer_name(db, name, params)
                            for name in ("data_quality_duplicates", "data_quality_outliers"))
    gaps: dict[str, list[str]] = {}
    for row in db.rows("data_quality_gaps", **params):
        gaps.setdefault(row["org"], []).append(row["month"])
    gap_rows = [{"org": org, "months": len(months), "month_list": t("data.list_sep", lang)
                 .join(months)} for org, months in gaps.items()]
    # Every row here is a problem to look at: all on screen (limit=None), as in the CSV.
    return QualityModel(
        rows=Table("data_rows", t("data.quality.rows", lang),
                   _cols(lang, ("org", TEXT), ("year", TEXT), ("activity_rows", COUNT),
                         ("finance_rows", COUNT)),
                   db.rows("data_quality_rows", **params), lang=lang, limit=None),
        gaps=Table("data_gaps", t("data.quality.gaps", lang),
                   _cols(lang, ("org", TEXT), ("months", COUNT), ("month_list", TEXT)),
                   gap_rows, caption=t("data.quality.gaps_caption", lang), lang=lang, limit=None),
        duplicates=Table("data_duplicates", t("data.quality.duplicates", lang),
                         _cols(lang, ("org", TEXT), ("date", TEXT), ("project", TEXT),
                               ("activity_type", TEXT), ("beneficiaries", COUNT),
                               ("copies", COUNT), ("ids", TEXT)),
                         db.rows(duplicates, **params),
                         caption=t("data.quality.duplicates_caption", lang), lang=lang,
                         limit=None),
        outliers=Table("data_outliers", t("data.quality.outliers", lang),
                       _cols(lang, ("activity_id", TEXT), ("date", TEXT), ("org", TEXT),
                             ("project", TEXT), ("beneficiaries", COUNT),
                             ("project_median", DECIMAL), ("times_median", DECIMAL)),
                       db.rows(outliers, **params),
                       caption=t("data.quality.outliers_caption", lang), lang=lang,
                       limit=None),
    )


def integrity(store, lang: str, result=None) -> IntegrityModel:
    """Recompute every file's checksum, rows and control totals against the manifest
    (`result`: a verification already made, e.g. by integrity.verify_elsewhere)."""
    result = verify(store) if result is None else result
    rows = [{"table": t(f"data.table.{f.table}", lang), "path": f.path, "rows": f.rows,
             "status": t("data.integrity.ok", lang) if f.ok else
             "; ".join(describe(p, lang) for p in f.problems)} for f in result.files]
    rows.sort(key=lambda r: (r["status"] == t("data.integrity.ok", lang), r["path"]))
    if result.ok and result.manifest_version is None:
        summary = t("data.integrity.nothing", lang)
    elif result.ok:
        summary = t("data.integrity.all_ok", lang, files=len(result.files),
                    rows=result.data_rows, version=result.manifest_version)
    else:
        problems = [describe(p, lang) for p in result.problems]
        summary = t("data.integrity.bad", lang, bad=len(result.bad_files),
                    files=len(result.files), detail=t("data.list_sep", lang).join(problems))
    problems = [f"{f.path}: " + t("data.list_sep", lang).join(describe(p, lang) for p in f.problems)
                for f in result.bad_files]
    return IntegrityModel(result.ok, summary, problems=problems, files=Table(
        "data_integrity", t("data.integrity.title", lang),
        _cols(lang, ("table", TEXT), ("path", TEXT), ("rows", COUNT), ("status", TEXT)),
        rows, lang=lang, limit=None))


def import_log(store, lang: str, limit: int = 50) -> Table:
    """The latest imports first: when, who, which file (and its hash), rows added."""
    found, damaged = read_log_checked(store)
    entries = list(reversed(found))[:limit]
    rows = [{**e, "sha256": str(e.get("sha256") or "")[:12],
             "table": t(f"data.table.{e.get('table')}", lang)} for e in entries]
    # A damaged line is skipped, never silently: the caption names it (the page shows a
    # non-empty caption as a warning).
    caption = t("data.log.damaged", lang, lines=t("data.list_sep", lang).join(
        str(n) for n in damaged), file=IMPORT_LOG) if damaged else ""
    columns = _cols(lang, ("time", TEXT), ("who", TEXT), ("file", TEXT), ("sha256", TEXT),
                    ("table", TEXT), ("rows_added", COUNT), ("duplicates_skipped", COUNT),
                    ("rows_rejected", COUNT))
    return Table("import_log", t("data.log.title", lang), columns, rows, caption=caption,
                 lang=lang, limit=None)
