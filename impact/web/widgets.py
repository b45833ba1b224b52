"""Streamlit renderers for the page models of impact.views: banner, header, KPI cards,
charts, tables with CSV download, empty state. Pages call these and nothing else to draw."""

from __future__ import annotations

from html import escape

import streamlit as st

from impact.access import privacy
from impact.presentation.filenames import csv_name
from impact.presentation.i18n import t
from impact.presentation.safetext import Markdown, as_markdown, display_text, markdown_text
from impact.views.common import SCREEN_ROWS, Chart, Kpi, PageModel, Table
from impact.web.html_tables import key_column, table_html

PLOTLY_CONFIG = {"displayModeBar": False, "responsive": True}

# The table's font (Source Sans, 14 px), as Chromium measures it: digits, ¥, + and − are
# tabular 7 px, "," and "." 3.5 px, "%" 11.6 px, a CJK character 14 px; Latin letters
# average under 7.5 px. A column is sized from these so a figure is never cut mid-digit
# ("90,0" for 90,000 on a phone, where auto width gave every column the same share).
_GLYPH_PX = {**{c: 7.0 for c in "0123456789¥+−-<>$"}, ",": 3.5, ".": 3.5, "%": 11.6,
             " ": 2.8, "–": 6.8, ":": 3.5, "/": 5.0, "(": 4.5, ")": 4.5}
_CELL_PADDING = 16 + 4  # glide's 8 px either side, and room for rounding
KEY_MAX_WIDTH = 200  # px: the pinned name column leaves a phone room for one figure beside it
TEXT_MAX_WIDTH = 320
HEADER_MAX_WIDTH = 112  # px: a long header may wrap into "…"; the figures under it may not


def text_px(text: str) -> float:
    """The width of `text` in the table's font, a little generously (see _GLYPH_PX)."""
    return sum(_GLYPH_PX.get(c, 14.0 if ord(c) >= 0x2E80 else 7.6) for c in text)


def _shown_text(value) -> str:
    """A cell as the table draws it (a plain count in the "localized" format: 99,037)."""
    if isinstance(value, bool) or value is None:
        return ""
    return f"{value:,}" if isinstance(value, int) else str(value)


def column_widths(model: Table) -> dict[str, int]:
    """Pixels per column label: a figure column as wide as its widest shown value (and its
    header, up to HEADER_MAX_WIDTH), a text column as its widest value up to TEXT_MAX_WIDTH
    (the first, pinned one up to KEY_MAX_WIDTH), unless the column sets its own width."""
    rows = model.display_rows()
    widths = {}
    for i, col in enumerate(model.columns):
        if col.width and not col.numeric:
            widths[col.label] = col.width
            continue
        values = max((text_px(_shown_text(r[col.label])) for r in rows), default=0)
        header = text_px(col.label)  # (the sort arrow is drawn over it only on hover)
        if col.numeric:
            widths[col.label] = round(max(values, min(header, HEADER_MAX_WIDTH)) + _CELL_PADDING)
        else:
            cap = KEY_MAX_WIDTH if col is key_column(model) else TEXT_MAX_WIDTH
            widths[col.label] = round(min(max(values, header) + _CELL_PADDING, cap))
    return widths


def md(text: str) -> str:
    """Escape Markdown in data-derived text (org and project names), so it shows as typed;
    bidi and C0 controls show as � (impact.presentation.safetext)."""
    return markdown_text(text)


def say(kind: str, text, **options) -> None:
    """The one way text reaches a Markdown-rendering element (st.warning, info, error,
    success, caption, markdown, title, header): plain text is escaped here, so a name in a
    notice shows as typed wherever it comes from; only a `Markdown` (the app's own markup,
    data already escaped) keeps its markup."""
    getattr(st, kind)(as_markdown(text), **options)


def bold(text) -> Markdown:
    """Text as a bold line, its content escaped."""
    return Markdown(f"**{markdown_text(text)}**")


def demo_banner(ctx) -> None:
    """The notice that the data is the demo set (shown on every page while it is loaded)."""
    if ctx.is_demo:
        say("warning", Markdown(ctx.demo_notice), icon=":material/science:")  # locale text


def url_notices(ctx) -> None:
    """Warnings at the top of the page: link values that were ignored (unknown organisation,
    bad year …) and choices that do not meet (years outside an organisation's records); and
    which periods of the selection are closed (已关账) once any period is."""
    for notice in [*ctx.notices, *ctx.warnings]:
        say("warning", notice, icon=":material/warning:")
    period_mark(ctx)


def selection(text: str) -> None:
    """The active selection in words, large enough for a projector."""
    st.markdown(f'<p class="impact-selection">{escape(text)}</p>', unsafe_allow_html=True)


def period_mark(ctx) -> None:
    from impact.storage.versions import closed_in

    manifest = ctx.db.store.manifest() or {}
    if not manifest.get("closed"):
        return  # no period was ever closed: every figure is open, nothing to tell apart
    f = ctx.filters
    shut = closed_in(manifest, f.orgs, f.year_from, f.year_to)
    listing = ctx.t("report.orgs.sep").join(f"{org} {year}" for org, year in shut)
    text = ctx.t("period.closed", periods=listing) if shut else ctx.t("period.open")
    icon = ":material/lock:" if shut else ":material/lock_open:"
    say("caption", Markdown(f"{icon} {md(text)}"))


def access_notice(ctx) -> None:
    """A refused funder link says why; a funder or public view says what it leaves out."""
    if ctx.link_refusal:
        say("error", ctx.t(ctx.link_refusal), icon=":material/link_off:")
    access = ctx.access
    if access.role == "funder":
        say("info", ctx.t("access.funder_view", funder=access.funder,
                          threshold=ctx.privacy.threshold), icon=":material/handshake:")
    elif access.role == "public":
        say("caption", ctx.t("access.public_view", threshold=ctx.privacy.threshold,
                             base=privacy.ROUND_BASE))


def sign_out_link(access, lang: str) -> None:
    """A built-in account's name and its sign-out: a link to the form that posts it (the
    cookie is HttpOnly, so only the server can clear it). Relative: right behind a prefix."""
    if not access.accounts or access.identity in ("anonymous", "local") \
            or access.identity.startswith("link:"):
        return
    st.caption(t("access.signed_in", lang, identity=md(access.identity),
                 role=t(f"access.role.{access.role}", lang)))
    st.link_button(t("access.sign_out", lang), f"auth/sign-out?lang={lang}",
                   icon=":material/logout:")


def _privacy():
    """This run's suppression policy (off outside a dashboard run, e.g. a page model test)."""
    ctx = st.session_state.get("_impact_ctx")
    return ctx.privacy if ctx is not None else privacy.OFF


# A page's outline: one h1 (its title), h2 for its sections, h3 for a section's parts.
# Table and chart titles are bold labels, not headings (they name what is under them).
HEADING_KINDS = {1: "title", 2: "header", 3: "subheader"}


def heading(level: int, text) -> None:
    """The one way a heading is drawn: level 1 is the page's title (one per page), 2 a
    section, 3 a part of a section; a level is never skipped (tests/test_page_language.py).
    No anchor link icon beside it: a heading here is read, not linked to."""
    say(HEADING_KINDS[level], text, anchor=False)


def header(model: PageModel) -> None:
    """Page title, the selection in words, and the one sentence that says what is counted."""
    heading(1, model.title)
    selection(model.selection)
    say("markdown", model.intro)


def empty_state(text: str) -> None:
    """A friendly message instead of empty charts."""
    say("info", text, icon=":material/filter_alt_off:")


def kpis(cards: list[Kpi], per_row: int = 4) -> None:
    """KPI cards, `per_row` to a row (Streamlit stacks them on a phone). In a public or
    funder view their person counts, changes and per-person rates are rounded or hidden
    (impact.access.privacy.kpis)."""
    cards = privacy.kpis(cards, _privacy(), _lang())
    for start in range(0, len(cards), per_row):
        columns = st.columns(per_row)
        for column, card in zip(columns, cards[start:start + per_row]):
            with column:
                help_text = card.exact if not card.help else f"{card.exact}  \n{card.help}"
                st.metric(md(card.label), card.display, delta=card.delta, help=help_text,
                          delta_color=card.delta_color if card.delta else "off", border=True)


def chart(model: Chart, people: bool = False) -> None:
    """A chart with its filter caption; the chart's empty text when there is nothing to draw.
    In a public or funder view small person counts are not drawn (impact.access.privacy); `people`
    marks a chart whose every series counts people."""
    model = privacy.chart(model, _privacy(), people=people, lang=_lang())
    if model.figure is None:
        say("markdown", bold(model.title))
        say("info", model.empty_text, icon=":material/bar_chart_off:")
    else:
        st.plotly_chart(model.figure, key=f"chart_{model.key}", theme=None,
                        config=PLOTLY_CONFIG)
    say("caption", model.caption)
    if getattr(model, "hidden", 0):
        policy = _privacy()
        say("caption", t("access.hidden_points", _lang(), count=model.hidden,
                     threshold=policy.threshold))


def legend(items: list[tuple[str, str]], label: str) -> None:
    """One legend for several charts that stack the same series in the same colours (the
    overview's three trends): a list of colour swatches and names, named by `label`."""
    if not items:
        return
    entries = "".join(
        f'<li><span class="impact-swatch" style="background:{escape(color)}" aria-hidden="true">'
        f"</span>{escape(display_text(name))}</li>" for name, color in items)
    st.html(f'<ul class="impact-legend" aria-label="{escape(label)}">{entries}</ul>')


def _lang() -> str:
    ctx = st.session_state.get("_impact_ctx")
    return ctx.lang if ctx is not None else "zh"


def _selection():
    """The run's selection (for download names); None when no page context is set up."""
    ctx = st.session_state.get("_impact_ctx")
    return ctx.filters if ctx is not None else None


def download_csv(table: Table, lang: str) -> None:
    """A CSV download of `table` (UTF-8 with BOM: Excel opens Chinese correctly).

    The CSV is built when the button is clicked (a callable `data`), not on every rerun:
    building every table's CSV cost up to 355 ms per rerun on /overview (issue 14)."""
    st.download_button(t("common.download_csv", lang), data=table.csv,
                       file_name=csv_name(table.key, _selection()), mime="text/csv",
                       key=f"csv_{table.key}", on_click="ignore", icon=":material/download:")


def table(model: Table, lang: str, height: int | str = "auto", people: bool = False) -> None:
    """A table with its title, caption and CSV download. A long table shows its first
    `model.limit` rows and says so; the CSV has every row. A table that fits on the screen
    (at most SCREEN_ROWS rows) is plain HTML, a longer one a grid. In a public or funder
    view small person counts read "<5" on screen and in the CSV (impact.access.privacy)."""
    model = privacy.table(model, _privacy(), people=people)
    if model.title:
        say("markdown", bold(model.title))
    if not model.rows:
        say("info", t("empty.table", lang), icon=":material/table:")
        return
    shown = model.head()  # only these rows are formatted and sent; the CSV has them all
    if len(shown.rows) <= SCREEN_ROWS:
        # A table that fits on the screen is plain HTML (impact.web.html_tables: why).
        from impact.web.browser import HTML_LANG

        st.html(table_html(shown, HTML_LANG[lang]))
        _notes(model)
        download_csv(model, lang)
        return
    # Every figure is right-aligned; plain counts stay numbers (so a column sorts
    # numerically), the rest are fmt.value text (¥ to the fen, % to one decimal). Every
    # column gets its own width (column_widths): auto width cut "¥1,674,657.61" on a phone
    # and clipped the last columns on a desktop; the name column is pinned first.
    widths, key = column_widths(shown), key_column(shown)
    config = {c.label: (st.column_config.TextColumn(alignment="right", width=widths[c.label])
                        if shown.text_column(c) else
                        st.column_config.NumberColumn(format="localized", alignment="right",
                                                      width=widths[c.label]))
              for c in shown.columns if c.numeric}
    config.update({c.label: st.column_config.TextColumn(width=widths[c.label],
                                                        pinned=c is key or None)
                   for c in shown.columns if not c.numeric})
    st.dataframe(shown.display_rows(), hide_index=True, height=height, key=f"tbl_{model.key}",
                 column_config=config)
    _notes(model)
    download_csv(model, lang)


def _notes(model: Table) -> None:
    """A table's caption, and how many of its rows are shown when not all are."""
    for note in (model.caption, model.shown_note()):
        if note:
            say("caption", note)


def report_table_config(table, lang: str) -> dict:
    """Column settings for a report table (impact.report.tables.ReportTable) shown on a page
    as the report prints it: every figure right-aligned, as in every other table (与已发布年报
    对照 had its numbers left-aligned), each column as wide as its widest value."""
    from impact.report.labels import TEXT
    from impact.report.tables import display_rows

    rows = display_rows(table, lang)
    config = {}
    for header, column in zip(table.headers(lang), table.columns):
        widest = max((text_px(r[header]) for r in rows), default=0)
        if column.kind == TEXT:
            width = min(max(widest, text_px(header)) + _CELL_PADDING, TEXT_MAX_WIDTH)
            config[header] = st.column_config.TextColumn(width=round(width))
        else:
            width = max(widest, min(text_px(header), HEADER_MAX_WIDTH)) + _CELL_PADDING
            config[header] = st.column_config.TextColumn(alignment="right", width=round(width))
    return config


def report_table(table, lang: str) -> None:
    """A report table on a page (/report's 与已发布年报对照): the printed text of every cell,
    figures right-aligned (report_table_config)."""
    from impact.report.tables import display_rows

    st.dataframe(display_rows(table, lang), hide_index=True,
                 column_config=report_table_config(table, lang))


def statement(model: Table, lang: str) -> None:
    """The 业务活动表 laid out as the audited statement prints it: section headings as
    headings (no empty cells), totals in bold, every amount to the fen. On a phone
    (impact.web.browser.STYLE) only the 合计 columns stay, so the totals are read without
    scrolling sideways; the split is in the CSV, the Excel sheet and the PDF."""
    st.html(statement_html(model, lang))
    say("caption", model.caption)
    download_csv(model, lang)


def statement_html(model: Table, lang: str) -> str:
    """The statement as an HTML table; every text is escaped (labels come from the locale
    files, but the rule is that nothing reaches HTML unescaped)."""
    from impact.presentation import fmt
    from impact.web.browser import HTML_LANG

    def cls(col) -> str:
        return "impact-total" if col.key.endswith("_total") else "impact-split"

    head = "".join(f'<th scope="col" class="{cls(c)}">{escape(c.label)}</th>'
                   for c in model.columns[1:])
    body = []
    for row in model.rows:
        role = row.get("_role", "line")
        name = escape(display_text(row["item"]))
        if role == "section":
            body.append(f'<tr class="impact-section"><th scope="rowgroup" '
                        f'colspan="{len(model.columns)}">{name}</th></tr>')
            continue
        cells = "".join(
            f'<td class="{cls(c)}">'
            f'{"" if row.get(c.key) is None else escape(fmt.value(row[c.key], c.kind, lang))}'
            f"</td>" for c in model.columns[1:])
        body.append(f'<tr class="impact-{role}"><th scope="row">{name}</th>{cells}</tr>')
    return (f'<table class="impact-statement" lang="{HTML_LANG[lang]}">'
            f"<caption>{escape(model.title)}</caption>"
            f'<thead><tr><th scope="col">{escape(model.columns[0].label)}</th>{head}</tr>'
            f'</thead><tbody>{"".join(body)}</tbody></table>'
            f'<p class="impact-phone-only">{escape(t("statement.phone_note", lang))}</p>')


def notices(model: PageModel) -> None:
    """Warnings the page model raises (e.g. dependence on one funding source)."""
    for text in model.notices:
        say("warning", text, icon=":material/warning:")


def warning(text: str) -> None:
    """One warning, styled as the page model's notices."""
    say("warning", text, icon=":material/warning:")


def budget_section(section, access, lang: str) -> None:
    """Budget vs actual (impact.views.grants.BudgetSection): the as-of note, what is flagged,
    the tables by grant and by project. A funder sees its own grants' rows only."""
    from impact.access.policy import visible_funders

    heading(2, section.title)
    if section.empty:
        say("info", t("grants.no_budgets", lang), icon=":material/table:")
        return
    say("caption", section.as_of_note)
    for text in section.flagged:
        say("warning", text, icon=":material/warning:")
    if section.grants.rows:
        table(visible_funders(section.grants, access), lang)
    if section.projects.rows:
        table(section.projects, lang)
