"""Blank sheets to fill in: an .xlsx with Chinese headers and one example row, and a CSV.

Headers are the schema's Chinese names, so a filled-in template always imports; the example
row shows each value in the form the importer expects (and imports cleanly too).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from impact.storage.schema import TABLES

EXAMPLES = {
    "activities": {"activity_id": "", "date": date(2024, 3, 5), "org": "示例社工中心",
                   "project": "社区儿童之家", "program_area": "儿童服务",
                   "activity_type": "小组活动", "sessions": 1, "beneficiaries": 25,
                   "volunteers": 3, "volunteer_minutes": 360},
    "finance": {"txn_id": "记-2024-001", "date": date(2024, 3, 5), "org": "示例社工中心",
                "flow": "收入", "line": "捐赠收入", "source_type": "基金会",
                "funder": "某公益基金会", "project": "社区儿童之家", "restricted": "是",
                "grant_id": "", "amount": "¥12,000.00"},
    "indicators": {"org": "示例社工中心", "project": "", "year": 2024, "indicator": "staff",
                   "value": 12, "unit": "人"},
    "targets": {"org": "示例社工中心", "project": "社区儿童之家", "year": 2024,
                "metric": "beneficiaries", "target": 5000, "grant_id": ""},
    "reach": {"org": "示例社工中心", "project": "社区儿童之家", "year": 2024,
              "beneficiary_group": "儿童", "people": 120, "households": 95, "source": "签到名册"},
    "outcomes": {"org": "示例社工中心", "project": "社区儿童之家", "year": 2024,
                 "indicator": "受助者成长为志愿者", "unit": "人", "baseline": 10, "target": 20,
                 "actual": 24, "source": "志愿者名册"},
    "grants": {"grant_id": "ZZ-2024-01", "org": "示例社工中心", "funder": "某公益基金会",
               "title": "社区儿童之家资助", "amount": "¥120,000.00", "start_date": date(2024, 1, 1),
               "end_date": date(2024, 12, 31), "restricted": "是",
               "grant_projects": "社区儿童之家"},
    "budgets": {"org": "示例社工中心", "project": "社区儿童之家", "grant_id": "ZZ-2024-01",
                "year": 2024, "line": "业务活动成本", "amount": "¥100,000.00"},
    "participants": {"org": "示例社工中心", "project": "社区儿童之家", "year": 2024,
                     "person_key": "C-0001", "beneficiary_group": "儿童", "attendances": 12},
}


# Columns a sheet has that are not stored as such: a grant's projects (→ grant_projects).
_EXTRA_COLUMNS = {"grants": (("grant_projects", "项目", "项目 (several: 、)",
                              "Projects the grant funds; several separated by 、"),)}


def headers(table: str) -> list[str]:
    return [c.zh for c in TABLES[table].columns] + [e[1] for e in _EXTRA_COLUMNS.get(table, ())]


def _example(table: str) -> list:
    names = [c.name for c in TABLES[table].columns]
    names += [e[0] for e in _EXTRA_COLUMNS.get(table, ())]
    return [EXAMPLES[table][n] for n in names]


def template_csv(table: str) -> bytes:
    """CSV in UTF-8 with BOM (Excel opens it with the Chinese intact)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers(table))
    writer.writerow([v.isoformat() if isinstance(v, date) else v for v in _example(table)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(table: str) -> bytes:
    """A workbook: the sheet to fill in (date cells, ¥ amounts), and a sheet explaining columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = TABLES[table].zh
    sheet.append(headers(table))
    sheet.append(_example(table))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(12, 2 * len(str(cell.value)) + 2)
    for column, cell in zip(TABLES[table].columns, sheet[2]):  # the extra columns are text
        if column.sql_type == "DATE":
            cell.number_format = "yyyy-mm-dd"
    notes = book.create_sheet("说明 Notes")
    notes.append(["列名", "column", "必填 required", "说明 meaning"])
    for column in TABLES[table].columns:
        required = "否 no" if column.nullable or column.name == TABLES[table].key else "是 yes"
        notes.append([column.zh, column.name, required, column.doc])
    for _, zh, name, doc in _EXTRA_COLUMNS.get(table, ()):
        notes.append([zh, name, "否 no", doc])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
