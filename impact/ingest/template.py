"""Blank sheets to fill in, in the page's language: an .xlsx with headers, one example row and a
notes sheet (what each column means, whether it is required, which values it takes), and a CSV.

Headers are names the importer knows (the schema's Chinese names in Chinese, its column names in
English), so a filled-in template always imports; the example row shows each value in the form
the importer expects, in that language, and imports cleanly too. Every word comes from
impact/locales/<lang>/template.json, except the machine keys the importer stores as they are
(indicator and target metric keys): those are English identifiers in both languages.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from impact.i18n import t
from impact.ingest.values import EXPENSE_ALIASES, INCOME_ALIASES
from impact.storage.schema import EXPENSE_CATEGORIES, GROUP_DIMENSION, INCOME_CATEGORIES, TABLES

# Keys the importer stores verbatim and the dashboard looks up: the same in every language.
CORE_METRICS = ("services", "beneficiaries", "volunteers", "volunteer_minutes", "income_total",
                "expense_total")
INDICATOR_EXAMPLES = ("staff", "families")
MACHINE_KEYS = frozenset(CORE_METRICS + INDICATOR_EXAMPLES)

_ZH_EXAMPLES = {
    "activities": {"activity_id": "", "date": date(2024, 3, 5), "org": "示例社工中心",
                   "project": "社区儿童之家", "program_area": "儿童服务",
                   "activity_type": "小组活动", "sessions": 1, "beneficiaries": 25,
                   "volunteers": 3, "volunteer_minutes": 360},
    "finance": {"txn_id": "记-2024-001", "date": date(2024, 3, 5), "org": "示例社工中心",
                "flow": "收入", "category": "捐赠收入", "funder": "某公益基金会",
                "project": "社区儿童之家", "restricted": "否", "amount": "¥12,000.00"},
    "indicators": {"org": "示例社工中心", "project": "", "year": 2024, "indicator": "staff",
                   "value": 12, "unit": "人"},
    "targets": {"org": "示例社工中心", "project": "社区儿童之家", "year": 2024,
                "metric": "beneficiaries", "target": 5000},
    "reach": {"org": "示例社工中心", "project": "社区儿童之家", "year": 2024,
              "beneficiary_group": "儿童", "people": 120, "households": 95, "source": "签到名册"},
    "outcomes": {"org": "示例社工中心", "project": "社区儿童之家", "year": 2024,
                 "indicator": "受助者成长为志愿者", "unit": "人", "baseline": 10, "target": 20,
                 "actual": 24, "source": "志愿者名册"},
    "participants": {"org": "示例社工中心", "project": "社区儿童之家", "year": 2024,
                     "person_key": "C-0001", "beneficiary_group": "儿童", "attendances": 12},
}
_EN_TEXT = {  # the zh example's words in English; numbers, dates and keys are shared
    "示例社工中心": "Example Social Work Centre", "社区儿童之家": "Community Children's Home",
    "儿童服务": "Children's services", "小组活动": "Group session", "记-2024-001": "TX-2024-001",
    "收入": "income", "捐赠收入": "donation", "某公益基金会": "A charitable foundation",
    "否": "no", "人": "people", "儿童": "children", "签到名册": "Sign-in sheets",
    "受助者成长为志愿者": "Beneficiaries who became volunteers", "志愿者名册": "Volunteer roster",
}
EXAMPLES = {"zh": _ZH_EXAMPLES,
            "en": {table: {k: _EN_TEXT.get(v, v) if isinstance(v, str) else v
                           for k, v in row.items()} for table, row in _ZH_EXAMPLES.items()}}


def headers(table: str, lang: str = "zh") -> list[str]:
    return [c.zh if lang == "zh" else c.name for c in TABLES[table].columns]


def _example(table: str, lang: str) -> list:
    return [EXAMPLES[lang][table][c.name] for c in TABLES[table].columns]


def template_csv(table: str, lang: str = "zh") -> bytes:
    """CSV in UTF-8 with BOM (Excel opens it with the Chinese intact)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers(table, lang))
    writer.writerow([v.isoformat() if isinstance(v, date) else v for v in _example(table, lang)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _words(keys, lang: str) -> str:
    return t("template.list_sep", lang).join(keys)


def _category_names(aliases: dict[str, str], keys: tuple[str, ...], lang: str) -> str:
    """The Chinese accounting names the importer knows (one per category), or the English keys."""
    if lang != "zh":
        return _words(keys, lang)
    names = {}
    for name, key in aliases.items():
        if not name.isascii():
            names.setdefault(key, name)  # the first name listed is the reports' own wording
    return _words([names[k] for k in keys], lang)


def allowed_values(table: str, column: str, lang: str) -> str:
    """What a cell of `column` may hold, in words of `lang`."""
    col = TABLES[table].column(column)
    if column == TABLES[table].key:
        return t("template.auto_id", lang)
    if column == "flow":
        return t("template.flows", lang)
    if column == "category":
        return "\n".join([
            t("template.income", lang,
              values=_category_names(INCOME_ALIASES, INCOME_CATEGORIES, lang)),
            t("template.expense", lang,
              values=_category_names(EXPENSE_ALIASES, EXPENSE_CATEGORIES, lang))])
    if column == "restricted":
        return _words([t("template.yes", lang), t("template.no", lang)], lang)
    if column == "beneficiary_group":
        return _words([t(f"group.{g}", lang) if lang == "zh" else g for g in GROUP_DIMENSION],
                      lang)
    if column == "metric":
        return t("template.metric_keys", lang, values=", ".join(CORE_METRICS))
    if table == "indicators" and column == "indicator":
        return t("template.indicator_keys", lang, values=", ".join(INDICATOR_EXAMPLES))
    if col.sql_type == "DATE":
        return t("template.date", lang)
    if column == "year":
        return t("template.year", lang)
    if column == "amount":
        return t("template.money", lang)
    if col.sql_type == "INTEGER":
        positive = column == "sessions" or (table == "participants" and column == "attendances")
        return t("template.count_positive" if positive else "template.count", lang)
    if col.sql_type.startswith("DECIMAL"):
        return t("template.number", lang)
    return t("template.any_text", lang)


def notes_rows(table: str, lang: str = "zh") -> list[list[str]]:
    """The notes sheet: a header row, then one row per column."""
    rows = [[t(f"template.head.{h}", lang) for h in ("column", "required", "meaning", "allowed")]]
    spec = TABLES[table]
    for column, header in zip(spec.columns, headers(table, lang)):
        optional = column.nullable or column.name == spec.key
        rows.append([header, t("template.no" if optional else "template.yes", lang),
                     t(f"template.{table}.{column.name}", lang),
                     allowed_values(table, column.name, lang)])
    return rows


def template_xlsx(table: str, lang: str = "zh") -> bytes:
    """A workbook: the sheet to fill in (date cells, ¥ amounts), and a sheet explaining columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = t(f"template.sheet.{table}", lang)
    sheet.append(headers(table, lang))
    sheet.append(_example(table, lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(12, 2 * len(str(cell.value)) + 2)
    for column, cell in zip(TABLES[table].columns, sheet[2]):
        if column.sql_type == "DATE":
            cell.number_format = "yyyy-mm-dd"
    notes = book.create_sheet(t("template.notes", lang))
    for row in notes_rows(table, lang):
        notes.append(row)
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (20, 8, 50, 50)):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_file_name(table: str, lang: str, suffix: str) -> str:
    """`活动记录模板.xlsx` / `activities_template.xlsx`: the download's name in the page's language."""
    return f"{TABLES[table].zh}模板.{suffix}" if lang == "zh" else f"{table}_template.{suffix}"
