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

from impact.ingest.headers import required_columns
from impact.presentation.i18n import t
from impact.storage.schema import (EXPENSE_LINES, GROUP_DIMENSION, INCOME_LINES, SOURCE_TYPES,
                                   TABLES)

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
                "flow": "收入", "line": "捐赠收入", "source_type": "基金会",
                "funder": "某公益基金会", "project": "社区儿童之家", "restricted": "是",
                "grant_id": "", "amount": "¥12,000.00", "sub_account": ""},
    "indicators": {"org": "示例社工中心", "project": "", "year": 2024, "indicator": "staff",
                   "value": 12, "unit": "人"},
    "targets": {"org": "示例社工中心", "project": "社区儿童之家", "year": 2024,
                "metric": "beneficiaries", "target": 5000, "grant_id": ""},
    "reach": {"org": "示例社工中心", "project": "社区儿童之家", "year": 2024,
              "beneficiary_group": "儿童", "people": 120, "households": 95, "source": "签到名册"},
    "outcomes": {"org": "示例社工中心", "project": "社区儿童之家", "year": 2024,
                 "indicator": "受助者成长为志愿者", "unit": "人", "baseline": 10, "target": 20,
                 "actual": 24, "source": "志愿者名册"},
    "grants": {"grant_id": "资助-2024-01", "org": "示例社工中心", "funder": "某公益基金会",
               "title": "社区儿童之家资助", "amount": "¥120,000.00", "start_date": date(2024, 1, 1),
               "end_date": date(2024, 12, 31), "restricted": "是",
               "grant_projects": "社区儿童之家"},
    "budgets": {"org": "示例社工中心", "project": "社区儿童之家", "grant_id": "",
                "year": 2024, "line": "业务活动成本", "amount": "¥100,000.00"},
    "participants": {"org": "示例社工中心", "project": "社区儿童之家", "year": 2024,
                     "person_key": "C-0001", "beneficiary_group": "儿童", "attendances": 12},
}
_EN_TEXT = {  # the zh example's words in English; numbers, dates and keys are shared
    "示例社工中心": "Example Social Work Centre", "社区儿童之家": "Community Children's Home",
    "儿童服务": "Children's services", "小组活动": "Group session", "记-2024-001": "TX-2024-001",
    "收入": "income", "捐赠收入": "donation", "某公益基金会": "A charitable foundation",
    "否": "no", "人": "people", "儿童": "children", "签到名册": "Sign-in sheets",
    "受助者成长为志愿者": "Beneficiaries who became volunteers", "志愿者名册": "Volunteer roster",
    "基金会": "foundation", "是": "yes", "社区儿童之家资助": "Community Children's Home grant",
    "业务活动成本": "program", "资助-2024-01": "GR-2024-01",
}
EXAMPLES = {"zh": _ZH_EXAMPLES,
            "en": {table: {k: _EN_TEXT.get(v, v) if isinstance(v, str) else v
                           for k, v in row.items()} for table, row in _ZH_EXAMPLES.items()}}


# Columns a sheet has that are not stored as such: a grant's projects (→ grant_projects rows),
# as (key, Chinese header, English header); the importer reads both (ingest/headers.py).
_EXTRA_COLUMNS = {"grants": (("grant_projects", "项目", "projects"),)}


def _extras(table: str) -> tuple[tuple[str, str, str], ...]:
    return _EXTRA_COLUMNS.get(table, ())


def _columns(table: str) -> list:
    """The columns a sheet fills (not where a row came from: the importer records that)."""
    return [c for c in TABLES[table].columns if not c.provenance]


def headers(table: str, lang: str = "zh") -> list[str]:
    names = [c.zh if lang == "zh" else c.name for c in _columns(table)]
    return names + [zh if lang == "zh" else en for _, zh, en in _extras(table)]


def _example(table: str, lang: str) -> list:
    names = [c.name for c in _columns(table)] + [key for key, _, _ in _extras(table)]
    return [EXAMPLES[lang][table][n] for n in names]


def template_csv(table: str, lang: str = "zh") -> bytes:
    """CSV in UTF-8 with BOM (Excel opens it with the Chinese intact)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers(table, lang))
    writer.writerow([v.isoformat() if isinstance(v, date) else v for v in _example(table, lang)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _words(keys, lang: str) -> str:
    return t("template.list_sep", lang).join(keys)


def _names(prefix: str, keys: tuple[str, ...], lang: str) -> str:
    """A line's or source's names as the importer reads them: the statutory Chinese names
    (捐赠收入 …) on a Chinese sheet, the schema's keys (donation …) on an English one."""
    return _words([t(f"{prefix}.{k}", "zh") if lang == "zh" else k for k in keys], lang)


def allowed_values(table: str, column: str, lang: str) -> str:
    """What a cell of `column` may hold, in words of `lang`."""
    if column == "grant_projects":
        return t("template.several_projects", lang)
    col = TABLES[table].column(column)
    if column == TABLES[table].key:
        return t("template.auto_id", lang)
    if column == "flow":
        return t("template.flows", lang)
    if column == "line" and table == "budgets":
        return t("template.expense", lang, values=_names("expense", EXPENSE_LINES, lang))
    if column == "line":
        return "\n".join([t("template.income", lang, values=_names("income", INCOME_LINES, lang)),
                          t("template.expense", lang,
                            values=_names("expense", EXPENSE_LINES, lang))])
    if column == "source_type":
        return t("template.income", lang, values=_names("source", SOURCE_TYPES, lang))
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
    for column, header in zip(_columns(table), headers(table, lang)):
        # What the importer requires, so the notes never contradict it (a finance sheet's
        # 限定性 has a documented default, so it is optional there though always stored).
        optional = column.name not in required_columns(spec)
        rows.append([header, t("template.no" if optional else "template.yes", lang),
                     t(f"template.{table}.{column.name}", lang),
                     allowed_values(table, column.name, lang)])
    for key, zh, en in _extras(table):
        rows.append([zh if lang == "zh" else en, t("template.no", lang),
                     t(f"template.{table}.{key}", lang), allowed_values(table, key, lang)])
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
    for column, cell in zip(TABLES[table].columns, sheet[2]):  # the extra columns are text
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
