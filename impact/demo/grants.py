"""The demo's grants, their budgets and deliverables, and the finance rows linked to them.

Seeded from the 珠海协作者 2020 report: "珠海协作者与乐购公司合作开展了“千人助学计划”，截止
2021 年 2 月，一共资助困难学生 161 名，资助助学金金额合计 297850 元", and the 微软-协作者
职业之路 project of the same year. Amounts granted, budgets and deliverable targets are
illustrative (the reports print none); what was achieved is the report's (indicators).

Linking never changes an amount, a date, a line or a source, so every published figure still
reproduces: the funder's income rows in the grant period get the grant id, and so do the
expenses booked to the funded projects in it. The 助学金 paid (297,850 元) are programme
spending of 千人助学计划: organisation-level programme expenses of 2020 are booked to the
project until its programme spending covers them (their amounts untouched).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

ORG = "珠海协作者"
LEGOU = "ZHXZ-LG-2020"
MICROSOFT = "ZHXZ-MS-2020"

# (grant_id, org, funder, title, amount, start, end, restricted, projects)
GRANTS = (
    (LEGOU, ORG, "乐购", "乐购千人助学计划", D("700000.00"), date(2020, 1, 1),
     date(2021, 12, 31), True, ("千人助学计划",)),
    (MICROSOFT, ORG, "微软", "微软-协作者职业之路", D("130000.00"), date(2020, 1, 1),
     date(2020, 12, 31), True, ("职业之路",)),
)

# (org, project, grant_id, year, line, amount)
BUDGETS = (
    (ORG, "千人助学计划", LEGOU, 2020, "program", D("320000.00")),
    (ORG, "千人助学计划", LEGOU, 2020, "admin", D("30000.00")),
    (ORG, "千人助学计划", LEGOU, 2021, "program", D("300000.00")),
    (ORG, "千人助学计划", LEGOU, 2021, "admin", D("40000.00")),
    (ORG, "职业之路", MICROSOFT, 2020, "program", D("110000.00")),
    (ORG, "职业之路", MICROSOFT, 2020, "fundraising", D("5000.00")),
    (ORG, "阅读推广", None, 2020, "program", D("90000.00")),
    (ORG, "阅读推广", None, 2020, "admin", D("20000.00")),
    (ORG, "活力亲子园", None, 2020, "program", D("50000.00")),
    (ORG, "活力亲子园", None, 2020, "admin", D("10000.00")),
)

# Deliverables: (org, project, year, metric, target, grant_id)
DELIVERABLES = (
    (ORG, "千人助学计划", 2020, "students_funded", D("150"), LEGOU),
    (ORG, "千人助学计划", 2020, "grants_paid", D("300000"), LEGOU),
    (ORG, "职业之路", 2020, "services", D("10"), MICROSOFT),
)

# 助学金 paid in 2020 (the report): programme spending of 千人助学计划 covers at least this.
STUDENT_GRANTS_2020 = D("297850")


def grant_rows() -> list[dict]:
    return [{"grant_id": g, "org": o, "funder": f, "title": t, "amount": a, "start_date": s,
             "end_date": e, "restricted": r} for g, o, f, t, a, s, e, r, _ in GRANTS]


def grant_project_rows() -> list[dict]:
    return [{"org": o, "grant_id": g, "project": p}
            for g, o, *_, projects in GRANTS for p in projects]


def budget_rows() -> list[dict]:
    return [{"org": o, "project": p, "grant_id": g, "year": y, "line": line, "amount": a}
            for o, p, g, y, line, a in BUDGETS]


def deliverable_rows() -> list[dict]:
    return [{"org": o, "project": p, "year": y, "metric": m, "target": t, "grant_id": g}
            for o, p, y, m, t, g in DELIVERABLES]


def link_finance(finance: list[dict]) -> None:
    """Give the finance rows their grant ids (in place); amounts are never changed."""
    _book_student_grants(finance)
    for grant_id, org, funder, _, _, start, end, restricted, projects in GRANTS:
        for row in finance:
            if row["org"] != org or not start <= row["date"] <= end:
                continue
            income = row["flow"] == "income" and row["funder"] == funder
            spent = row["flow"] == "expense" and row["project"] in projects
            if income or spent:
                row["grant_id"] = grant_id
                row["restricted"] = restricted and (income or row["line"] == "program")


def _book_student_grants(finance: list[dict]) -> None:
    """Book organisation-level programme expenses of 2020 to 千人助学计划 (date order) until
    its programme spending covers the 助学金 the report says were paid."""
    rows = sorted((r for r in finance if r["org"] == ORG and r["date"].year == 2020
                   and r["flow"] == "expense" and r["line"] == "program"),
                  key=lambda r: r["txn_id"])
    spent = sum((r["amount"] for r in rows if r["project"] == "千人助学计划"), D(0))
    for row in rows:
        if spent >= STUDENT_GRANTS_2020:
            return
        if row["project"] is None:
            row["project"] = "千人助学计划"
            spent += row["amount"]
