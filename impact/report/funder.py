"""The funder report: the funder view ("what your grant delivered", 资助成效) and its grants'
budget vs actual as a PDF, HTML page or Excel workbook (`impact report --funder 乐购`).

The same page models as /grants and /finance (impact.views.grants), so the report says what
the page says; every figure goes through impact.presentation.fmt (display_rows), the Excel sheets keep
exact Decimal numbers. The HTML uses the annual report's stylesheet.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal
from html import escape
from pathlib import Path

from impact.errors import SelectionError
from impact.filters import Filters
from impact.presentation.i18n import t
from impact.domain.selection import close_matches
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


def render_html(model: FunderModel, budget: BudgetSection, filters: Filters, lang: str) -> str:
    title = t("grants.report_title", lang, funder=model.funder)
    parts = [f"<p class='kicker'>{escape(t('grants.title', lang))}</p>",
             f"<h1>{escape(title)}</h1><p><b>{escape(model.selection)}</b></p>",
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
    css = CSS.read_text(encoding="utf-8")
    return (f"<!doctype html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head>"
            f"<meta charset='utf-8'><title>{escape(title)}</title><style>{css}</style></head>"
            f"<body>{''.join(parts)}</body></html>")


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{escape(c.label)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(
        f"<td class='{'num' if c.numeric else ''}'>{escape(str(row[c.label]))}</td>"
        for c in table.columns) + "</tr>" for row in table.display_rows())
    empty = "" if table.rows else f"<p>{escape(t('empty.table', table.lang))}</p>"
    caption = f"<p class='stamp'>{escape(table.caption)}</p>" if table.caption else ""
    return (f"<h2>{escape(table.title)}</h2>{empty}<table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>{caption}")


def render_excel(model: FunderModel, budget: BudgetSection) -> bytes:
    """One sheet per table; money and shares as exact numbers (never via float)."""
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
            sheet.append([_excel_value(row.get(c.key)) for c in table.columns])
            for cell, column in zip(sheet[sheet.max_row], table.columns):
                kind = table.kind_of(row, column)  # a deliverable in 元 is money
                if kind == MONEY:
                    cell.number_format = "#,##0.00"
                elif kind == PERCENT:
                    cell.number_format = "0.0"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _excel_value(value):
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, Decimal)) or value is None:
        return value
    return str(value)


def build(db, filters: Filters, funder: str, lang: str, fmt: str) -> bytes:
    """The report as bytes in `fmt` (pdf, html or xlsx)."""
    model, budget = gather(db, filters, funder, lang)
    if fmt == "xlsx":
        return render_excel(model, budget)
    html = render_html(model, budget, filters, lang)
    if fmt == "html":
        return html.encode("utf-8")
    from impact.report.pdf import html_to_pdf

    return html_to_pdf(html, t("grants.report_title", lang, funder=funder), lang)
