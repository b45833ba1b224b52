"""A short table as plain HTML: what /overview, /finance, /growth … show for a table that fits
on the screen (at most SCREEN_ROWS rows).

Why not st.dataframe for these: the data grid draws on a canvas and rebuilds its hidden
accessible copy about 200 ms after every change, so a filter change on a page with a table
settled 100–170 ms later than the same page without one (issue 29, measured end to end in
Chromium at 1M rows: /growth 220 → 55 ms of drawing after the run, /volunteers 238 → 102).
A table of twenty rows needs none of the grid's scrolling; as HTML it is drawn with the page,
read by a screen reader as a table, printed, and copied into a report as text.

Every cell is escaped here; names from data show as typed (safetext.display_text).
"""

from __future__ import annotations

from html import escape

from impact.presentation import fmt
from impact.presentation.safetext import display_text
from impact.views.common import Column, Table


def cell_text(model: Table, row: dict, col: Column) -> str:
    """A cell as the screen shows it: figures through fmt.value (counts whole with
    separators, ¥ to the fen, % to one decimal), as in every other table and card."""
    value = model.display_cell(row, col)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return fmt.value(value, model.kind_of(row, col), model.lang)


def key_column(model: Table) -> Column | None:
    """The column that names a row (the first text column): it heads each row, and stays at
    the left while a phone scrolls sideways through the figures (pinned in a grid too)."""
    return next((c for c in model.columns if not c.numeric), None)


def table_html(model: Table, html_lang: str) -> str:
    """`model`'s shown rows as a table inside a box that scrolls sideways on a narrow screen
    (focusable, so the keyboard can scroll it, and named by the table's title)."""
    key = key_column(model)

    def classes(col: Column) -> str:
        names = ["impact-num" if col.numeric else "impact-text"]
        if col is key:
            names.append("impact-key")
        return " ".join(names)

    head = "".join(f'<th scope="col" class="{classes(c)}">{escape(display_text(c.label))}</th>'
                   for c in model.columns)
    body = []
    for row in model.rows:
        cells = []
        for col in model.columns:
            text = escape(cell_text(model, row, col))
            cells.append(f'<th scope="row" class="{classes(col)}">{text}</th>' if col is key
                         else f'<td class="{classes(col)}">{text}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    title = display_text(model.title or "")
    label = f' role="region" aria-label="{escape(title)}"' if title else ""
    return (f'<div class="impact-scroll" tabindex="0"{label}>'
            f'<table class="impact-table" lang="{html_lang}">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")
