"""The funder report: the funder view ("what your grant delivered", 资助成效) and its grants'
budget vs actual as a PDF, HTML page or Excel workbook (`impact report --funder 乐购`).

The same page models as /grants and /finance (impact.views.grants), so the report says what
the page says; every figure goes through impact.presentation.fmt (display_rows), the Excel sheets keep
exact Decimal numbers. The HTML uses the annual report's stylesheet.

It names the grantee organisations (--org's, else those holding the funder's grants) and
carries the annual report's stamp (impact.report.stamp: data version, manifest hash, the
/grants view that reproduces it), so `impact verify --report` checks every figure it prints
(printed_figures).
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from pathlib import Path

from impact.errors import SelectionError
from impact.filters import Filters
from impact.presentation import fmt as formats
from impact.presentation.i18n import normalize_lang, t
from impact.domain.selection import close_matches
from impact.report import stamp as stamps
from impact.views.common import MONEY, PERCENT, Table
from impact.views.grants import (BudgetSection, FunderModel, budget_section, funder_names,
                                 funder_view)

CSS = Path(__file__).parent / "templates" / "report.css"


def check_funder(db, filters: Filters, funder: str) -> None:
    """Refuse (exit 1) a funder that has no grant in the selected organisations, naming the
    funders that do (and the closest spelling)."""
    known = funder_names(db, filters)
    if funder in known:
        return
    if not known:
        raise SelectionError(f"no funder named {funder!r} (--funder): the data holds no "
                             f"grants yet (import a grants sheet)")
    near = close_matches(funder, known)
    hint = ("did you mean " + " or ".join(near) + "? ") if near else ""
    raise SelectionError(f"no funder named {funder!r} (--funder); {hint}known funders: "
                         + ", ".join(known))


def grantees(model: FunderModel, filters: Filters) -> tuple[str, ...]:
    """The organisations the report is about: those holding the funder's grants in the
    selection (the grants' data), in the grants' order; --org's when there is no grant."""
    held = tuple(dict.fromkeys(g.org for g in model.grants))
    return held or tuple(filters.orgs)


def make_stamp(db, filters: Filters, funder: str, lang: str, model: FunderModel) -> dict:
    """The annual report's stamp for this funder report: data version and manifest hash,
    when, the /grants view that reproduces it, and the grantees' organisation-years."""
    if filters.year_from is not None and filters.year_to is not None:
        years = list(range(filters.year_from, filters.year_to + 1))
    else:
        years = sorted({y for g in model.grants for y in range(g.start.year, g.end.year + 1)})
    return stamps.make(db.store.manifest() or {}, db.version, filters, grantees(model, filters),
                       normalize_lang(lang),
                       datetime.now().astimezone().isoformat(timespec="seconds"), years,
                       funder=funder)


def printed_figures(db, filters: Filters, funder: str, lang: str) -> dict[str, object]:
    """Every figure the funder report prints, by name (`verify --report`): the cards, the
    amount received outside any grant, and each figure cell of each printed table (`table:
    row: column`, the row named by its text cells)."""
    from impact.presentation.fmt import as_printed

    model, budget = gather(db, filters, funder, lang)
    out: dict[str, object] = {f"cards: {k.key}": k.value for k in model.kpis}
    out["outside_grants"] = model.outside_grants
    for table in _tables(model, budget):
        printed = _printed(table)
        # The row is named by what identifies it, not by a flag that the figures may turn.
        names = [c.key for c in printed.columns if not c.numeric and c.key != "flag_text"]
        for number, row in enumerate(printed.rows, 1):
            label = " / ".join(str(row[k]).strip() for k in names if row.get(k) not in (None, ""))
            for column in printed.columns:
                if column.numeric:
                    value = row.get(column.key)
                    if printed.kind_of(row, column) == PERCENT:  # exact until printed
                        value = as_printed(value, formats.PERCENT_PLACES)
                    out[f"{table.key}: {label or number}: {column.key}"] = value
    return out


def gather(db, filters: Filters, funder: str, lang: str, today: date | None = None
           ) -> tuple[FunderModel, BudgetSection]:
    """The funder view, and budget vs actual narrowed to the funder's grants."""
    model = funder_view(db, filters, funder, lang)
    budget = budget_section(db, filters, lang, today=today)
    grants = replace(budget.grants, rows=[r for r in budget.grants.rows
                                          if r["funder"] == funder])
    return model, replace(budget, grants=grants, projects=replace(budget.projects, rows=[]),
                          flagged=[])


# Columns a printed A4 page has no room for, or that repeat the report's title (the funder).
_LEFT_OUT = {"org", "funder", "granted", "period", "grant_id"}


def _tables(model: FunderModel, budget: BudgetSection) -> list[Table]:
    tables = [model.grant_table, model.deliverables, model.activity_table, budget.grants]
    return [tb for tb in tables if tb is not None]


def _printed(table: Table) -> Table:
    """The table as printed: the grant table keeps its period and amount, the others drop
    what the grant table already says."""
    keep = {"period", "granted", "grant_id"} if table is not None and table.key == \
        "funder_grants" else set()
    return replace(table, columns=[c for c in table.columns
                                   if c.key not in _LEFT_OUT - keep and c.key != "org"])


def render_html(model: FunderModel, budget: BudgetSection, filters: Filters, lang: str,
                stamp: dict | None = None) -> str:
    title = t("grants.report_title", lang, funder=model.funder)
    names = grantees(model, filters)
    grantee = (t("grants.report_grantees" if len(names) > 1 else "grants.report_grantee", lang,
                 orgs=t("report.orgs.sep", lang).join(names)) if names else "")
    parts = [f"<p class='kicker'>{escape(t('grants.title', lang))}</p>",
             f"<h1>{escape(title)}</h1>"
             + (f"<p class='grantee'><b>{escape(grantee)}</b></p>" if grantee else "")
             + f"<p><b>{escape(model.selection)}</b></p>",
             f"<p>{escape(model.intro)}</p>"]
    if model.empty:
        parts.append(f"<p class='notice'>{escape(model.empty_text)}</p>")
    else:
        parts.append("<div class='cards'>" + "".join(
            f"<div class='card'><div class='label'>{escape(k.label)}</div>"
            f"<div class='value'>{escape(k.display)}</div>"
            + (f"<div class='delta'>{escape(k.exact)}</div>" if k.exact != k.display else "")
            + "</div>" for k in model.kpis) + "</div>")
        parts += [f"<p class='notice'>{escape(n)}</p>" for n in model.notices]
        for table in _tables(model, budget):
            parts.append(_table_html(_printed(table)))
            if table is budget.grants:
                parts.append(f"<p class='stamp'>{escape(budget.as_of_note)}</p>")
    meta = ""
    if stamp:
        # Printed too, as the annual report prints it: a PDF's stamp is read from its text.
        colon = "：" if lang == "zh" else ": "
        lines = [(t("report.filter.data_version", lang), stamps.version_text(stamp)),
                 (t("report.filter.generated", lang), stamp["made"][:16].replace("T", " ")),
                 (t("report.filter.view_url", lang), stamp["url"])]
        parts.append("<p class='stamp'>" + "<br>".join(
            f"{escape(name)}{colon}{escape(value)}" for name, value in lines) + "</p>")
        meta = f'<meta name="impact-stamp" content="{escape(stamps.html_json(stamp))}">'
    css = CSS.read_text(encoding="utf-8")
    return (f"<!doctype html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head>"
            f"<meta charset='utf-8'>{meta}<title>{escape(title)}</title><style>{css}</style>"
            f"</head><body>{''.join(parts)}</body></html>")


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{escape(c.label)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(
        f"<td class='{'num' if c.numeric else ''}'>{escape(str(row[c.label]))}</td>"
        for c in table.columns) + "</tr>" for row in table.display_rows())
    empty = "" if table.rows else f"<p>{escape(t('empty.table', table.lang))}</p>"
    caption = f"<p class='stamp'>{escape(table.caption)}</p>" if table.caption else ""
    return (f"<h2>{escape(table.title)}</h2>{empty}<table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>{caption}")


def render_excel(model: FunderModel, budget: BudgetSection, stamp: dict | None = None) -> bytes:
    """One sheet per table; money as exact numbers (never via float), percentages at the
    places the page prints (rounded once); the stamp in the workbook's properties."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in _tables(model, budget):
        sheet = book.create_sheet(table.title[:31].replace("/", "·").replace(":", "·"))
        sheet.append([c.label for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_excel_value(row.get(c.key), table.kind_of(row, c))
                          for c in table.columns])
            for cell, column in zip(sheet[sheet.max_row], table.columns):
                kind = table.kind_of(row, column)  # a deliverable in 元 is money
                if kind == MONEY:
                    cell.number_format = "#,##0.00"
                elif kind == PERCENT:
                    cell.number_format = "0.0"
    if stamp:  # machine-readable, for `impact verify --report` (impact.report.stamp)
        book.properties.keywords = stamps.html_json(stamp)
    book.properties.creator = "Impact Dashboard"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _excel_value(value, kind: str = ""):
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal) and kind == PERCENT:
        # Exact until shown (metrics.percent): the cell holds the printed figure, rounded once.
        return value.quantize(Decimal(1).scaleb(-formats.PERCENT_PLACES), ROUND_HALF_UP)
    if isinstance(value, (int, Decimal)) or value is None:
        return value
    return str(value)


def build(db, filters: Filters, funder: str, lang: str, fmt: str) -> bytes:
    """The report as bytes in `fmt` (pdf, html or xlsx)."""
    model, budget = gather(db, filters, funder, lang)
    stamp = make_stamp(db, filters, funder, lang, model)
    if fmt == "xlsx":
        return render_excel(model, budget, stamp)
    html = render_html(model, budget, filters, lang, stamp)
    if fmt == "html":
        return html.encode("utf-8")
    from impact.report.pdf import html_to_pdf

    return html_to_pdf(html, t("grants.report_title", lang, funder=funder), lang)
