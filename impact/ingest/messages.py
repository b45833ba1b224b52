"""Render import problems as text a user can act on, in Chinese or English.

The texts live in `impact/locales/<lang>/data.json` (keys `data.err.*`, `data.file.*`,
`data.header.*`), so the command line, the Data page and the rejects file say the same thing.
Values from the file are shown with their control characters escaped (ESC as \\x1b, U+202E as
\\u202e): a message must never move a terminal's cursor or reverse the text around it.
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow.compute as pc

from impact.presentation.i18n import t
from impact.ingest.headers import HeaderProblem
from impact.ingest.problems import FileProblem
from impact.ingest.rows import RowError
from impact.ingest.values import BIDI_CONTROLS


def visible(text) -> str:
    """The text with control, line-break and bidi characters written as escapes."""
    text = "" if text is None else str(text)
    if text.isprintable() and not any(c in BIDI_CONTROLS for c in text):
        return text
    out = []
    for char in text:
        code = ord(char)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif char in BIDI_CONTROLS or char in "\u2028\u2029":
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def row_reason(error: RowError, lang: str = "en") -> str:
    """Why the cell was refused, without the row/column (e.g. for a column in a table)."""
    return t(f"data.err.{error.code}", lang, **error.params)


def row_message(error: RowError, lang: str = "en") -> str:
    """'row 5, column 受益人次: "-3" — a count cannot be negative'."""
    return t("data.row_error", lang, row=error.row, column=visible(error.column),
             value=visible(error.value), reason=row_reason(error, lang))


def header_message(problem: HeaderProblem, lang: str = "en") -> str:
    text = t(f"data.header.{problem.code}", lang, header=visible(problem.header),
             other=visible(problem.other))
    if problem.suggestion:
        text += t("data.header.suggest", lang, suggestion=problem.suggestion)
    return text


def file_message(problem: FileProblem, lang: str = "en") -> str:
    params = {k: visible(v) if isinstance(v, str) else v for k, v in problem.params.items()}
    if "kind" in params:
        params["kind"] = t(f"data.kind.{params['kind']}", lang)
    return t(f"data.file.{problem.code}", lang, **params)


def field_words(table: str, column: str, lang: str = "en") -> str:
    """What a field holds, in words ("受益人次" / "person-times served"), for the dry run and
    the mapping step; a field without its own words is named by the schema."""
    from impact.ingest.headers import GROUP_PREFIX
    from impact.presentation.i18n import has
    from impact.storage.schema import TABLES

    if column.startswith(GROUP_PREFIX):
        key = column.removeprefix(GROUP_PREFIX)
        group = t(f"group.{key}", lang) if has(f"group.{key}", lang) else key
        return t("data.field.group", lang, group=group)
    if has(f"data.field.{column}", lang):
        return t(f"data.field.{column}", lang)
    spec = TABLES.get(table)
    if spec is not None and column in spec.column_names and lang == "zh":
        return spec.column(column).zh
    return column.replace("_", " ")


def notice_lines(check, lang: str = "en") -> list[str]:
    """What the importer understood beyond the plain columns (the header row and each
    column's meaning in words, the saved mapping used, ignored columns, sub-accounts and the
    given organisation), one line each, for the dry run and the Data page to say."""
    lines = []
    if check.mapping:
        lines.append(t("data.notice.mapping", lang, mapping=visible(check.mapping)))
    if check.sheet is not None and check.labels:
        headers = [str(h).strip() for h in check.sheet.headers]
        columns = t("data.list_sep", lang).join(
            f"{visible(header)} = {field_words(check.table, column, lang)}"
            for column, header in sorted(check.labels.items(),
                                         key=lambda item: _position(headers, item[1]))
            if header in headers)
        lines.append(t("data.notice.header", lang, row=check.sheet.header_row, columns=columns))
    lines += [t(f"data.notice.ignored.{why}", lang, header=visible(header),
                mapping=visible(check.mapping or ""))
              for header, why in check.ignored.items()]
    lines += [t("data.notice.totals", lang, row=row, label=visible(label))
              for row, label in check.totals_rows]
    if check.org:
        lines.append(t("data.notice.org", lang, org=visible(check.org)))
    if getattr(check, "month_rows", None):
        lines.append(t("data.notice.month_totals", lang, count=len(check.month_rows),
                       rows=_row_ranges(check.month_rows)))
    for (cell, flow, line), count in sorted(check.sub_accounts.items()):
        lines.append(t("data.notice.sub_account", lang, cell=visible(cell), count=count,
                       line=t(f"{flow}.{line}", "zh")))
    return lines


def _row_ranges(rows: list[int]) -> str:
    """3, 4, 5, 9 → "3–5, 9": the rows of a long sheet in a few words."""
    spans: list[list[int]] = []
    for row in sorted(rows):
        if spans and row == spans[-1][1] + 1:
            spans[-1][1] = row
        else:
            spans.append([row, row])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def overlap_message(org: str, overlap, lang: str = "en") -> str:
    """Why a corrected copy of an imported file is refused, and how to load it (--replace)."""
    first, last = (f"{y}-{m:02d}" for y, m in (overlap.first, overlap.last))
    return t("data.overlap", lang, org=visible(org), first=first, last=last,
             stored=overlap.stored, different=overlap.different,
             files=overlap_sources(overlap, lang))


def overlap_sources(overlap, lang: str = "en") -> str:
    """Which earlier files hold the overlapping records: each journal by its name, with the
    version and time it was imported (or last corrected); records that do not say their file
    (activities, finance rows imported before issue 25) by the latest imports of the table."""
    imports = getattr(overlap, "imports", ()) or tuple(() for _ in overlap.sources)
    parts = []
    for source, found in zip(overlap.sources, imports):
        shown = [t("data.overlap.import", lang, file=visible(name), version=version, when=when)
                 for name, version, when in found]
        if source is not None:
            parts.append(shown[0] if shown and found[0][0] == source else
                         t("data.overlap.source", lang, source=visible(source),
                           imports="; ".join(shown) or "—"))
        else:
            parts.append(t("data.overlap.unrecorded", lang, imports="; ".join(shown) or "—"))
    return t("data.overlap.and", lang).join(parts)


def _position(headers: list[str], header: str) -> int:
    return headers.index(header) if header in headers else len(headers)


def mapping_message(problem, lang: str = "en") -> str:
    """An impact.ingest.mappings.MappingProblem in words."""
    params = {k: visible(v) if isinstance(v, str) else v for k, v in problem.params.items()}
    return t(f"data.mapping.{problem.code}", lang, **params)


def template_hint(table: str, lang: str = "en") -> str:
    """Where the template of `table` is: by file name, on the Data page and from the CLI."""
    from impact.ingest.template import template_file_name

    return t("data.hint.template", lang, file=template_file_name(table, "zh", "xlsx"),
             file_en=template_file_name(table, "en", "xlsx"), table=table)


def totals_line(check, lang: str = "en") -> str:
    """The figures the new rows add, to tick against the sheet's own 合计 (to the fen)."""
    if check.table not in ("finance", "activities"):
        return ""
    from impact.ingest.rowstore import new_rows_table

    # Summed in Arrow, exactly: integers, and Decimal money at the column's scale.
    rows = new_rows_table(check)
    if check.table == "finance":
        money = {flow: Decimal(pc.sum(rows.filter(pc.equal(rows["flow"], flow))["amount"])
                               .as_py() or 0) for flow in ("income", "expense")}
        return t("data.notice.adds_money", lang, income=f"{money['income']:,.2f}",
                 expense=f"{money['expense']:,.2f}")
    if check.table == "activities":
        sums = {c: pc.sum(rows[c]).as_py() or 0
                for c in ("sessions", "beneficiaries", "volunteers", "volunteer_minutes")}
        return t("data.notice.adds_activities", lang, **{k: f"{v:,}" for k, v in sums.items()})
    return ""
