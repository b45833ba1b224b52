"""Who was served and what changed, in the demo: beneficiary groups, unique people and
outcomes, built from 珠海协作者's 2020 report (seed 000) with a few synthetic years around.

The published figures (docs/demo-data.md lists them) are stated counts of people, households
and results; tests/test_people_figures.py checks each one reproduces exactly.
"""

from __future__ import annotations

from decimal import Decimal as D

ZHUHAI = "珠海协作者"
RESCUE = "农民工抗疫救援行动"
REPORT_2020 = "2020年度报告"

# Stated unique counts: (org, project, year, group, people, households, source).
# Groups of one project-year and one dimension are disjoint: adults + children is everyone
# the rescue reached, while 766 households is stated on its own (it is not people).
REACH = (
    # "项目服务了 766 个困境农民工家庭，1705 名成人，5007 名儿童"
    (ZHUHAI, RESCUE, 2020, None, None, 766, REPORT_2020),
    (ZHUHAI, RESCUE, 2020, "adults", 1705, None, REPORT_2020),
    (ZHUHAI, RESCUE, 2020, "children", 5007, None, REPORT_2020),
    # "一共资助困难学生 161 名"
    (ZHUHAI, "千人助学计划", 2020, "students", 161, None, "助学金发放名册"),
    # 奶粉救援 during the epidemic (社区服务 section): "61 个家庭、65 个孩子受益"
    (ZHUHAI, "社区服务活动", 2020, None, None, 61, "奶粉发放登记"),
    (ZHUHAI, "社区服务活动", 2020, "children", 65, None, "奶粉发放登记"),
    # "共 215 个家庭参与"
    (ZHUHAI, "活力亲子园", 2020, None, None, 215, REPORT_2020),
    # 义工课程合作: "为 132 名大学生分享了协作者的服务理念"
    (ZHUHAI, None, 2020, "university_students", 132, None, "义工课程签到表"),
)

# Results framework: (org, project, year, indicator, unit, baseline, target, actual, source).
# 2020's actuals of the first two are published; the other values are synthetic (marked).
OUTCOMES = (
    # "其中从受助者成长为助人者 49 名" — 2019 and 2021 synthetic, targets synthetic
    (ZHUHAI, None, 2019, "beneficiaries_became_volunteers", "人", D(30), D(35), D(38),
     "志愿者名册"),
    (ZHUHAI, None, 2020, "beneficiaries_became_volunteers", "人", D(30), D(45), D(49),
     "志愿者名册"),
    (ZHUHAI, None, 2021, "beneficiaries_became_volunteers", "人", D(30), D(55), D(57),
     "志愿者名册"),
    # "其中为 32 名同学提供了义工服务实践机会" (of the 132 students reached)
    (ZHUHAI, None, 2020, "university_students_volunteered", "人", None, D(30), D(32),
     "义工课程签到表"),
    # synthetic: parenting survey of 活力亲子园 families
    (ZHUHAI, "活力亲子园", 2019, "families_improved_parenting", "%", D("41.0"), D("55.0"),
     D("52.3"), "家长问卷调查"),
    (ZHUHAI, "活力亲子园", 2020, "families_improved_parenting", "%", D("41.0"), D("60.0"),
     D("63.8"), "家长问卷调查"),
    (ZHUHAI, "活力亲子园", 2021, "families_improved_parenting", "%", D("41.0"), D("65.0"),
     D("66.1"), "家长问卷调查"),
    # synthetic: satisfaction of 阅读推广 participants
    (ZHUHAI, "阅读推广", 2020, "satisfaction", "%", D("85.0"), D("90.0"), D("92.4"),
     "满意度问卷"),
    (ZHUHAI, "阅读推广", 2021, "satisfaction", "%", D("85.0"), D("90.0"), D("89.7"),
     "满意度问卷"),
)

# How a project's person-times split into groups (parts per thousand), where its records
# carry a breakdown. The rest of each record is left unrecorded on purpose: real sheets are
# rarely complete, and the pages must show that share rather than hide it.
GROUP_SPLITS = {
    (ZHUHAI, RESCUE): {"children": 700, "adults": 240},  # ≈ 5007 : 1705, 6 % not recorded
    (ZHUHAI, "阅读推广"): {"children": 880},
    (ZHUHAI, "活力亲子园"): {"children": 520, "adults": 450},
}


def reach_rows() -> list[dict]:
    return [{"org": o, "project": p, "year": y, "beneficiary_group": g, "people": n,
             "households": h, "source": s} for o, p, y, g, n, h, s in REACH]


def outcome_rows() -> list[dict]:
    return [{"org": o, "project": p, "year": y, "indicator": i, "unit": u, "baseline": b,
             "target": t, "actual": a, "source": s} for o, p, y, i, u, b, t, a, s in OUTCOMES]


def activity_group_rows(activities: list[dict]) -> list[dict]:
    """The group breakdown of the activities whose project has a split (integer arithmetic,
    so the same records give the same rows on every run)."""
    rows = []
    for a in activities:
        split = GROUP_SPLITS.get((a["org"], a["project"]))
        if not split or a["date"].year < 2019:
            continue
        for group, per_mille in split.items():
            rows.append({"org": a["org"], "activity_id": a["activity_id"], "beneficiary_group": group,
                         "beneficiaries": a["beneficiaries"] * per_mille // 1000})
    return rows


# Participant-level records (synthetic) for 千人助学计划: the 161 students of 2020 (as
# published) and 150 in 2021, 120 of whom came back — so 191 different students in the two
# years, not 311. Each year's attendances add up to the project's person-times.
PARTICIPANT_YEARS = {2020: range(0, 161), 2021: range(41, 191)}
PARTICIPANT_PROJECT = "千人助学计划"
DEMO_SECRET = b"demo-installation-secret"  # the demo's keys only; a real install makes its own


def participant_rows(activities: list[dict]) -> list[dict]:
    from impact.ingest.personal import person_key

    rows = []
    for year, people in PARTICIPANT_YEARS.items():
        total = sum(a["beneficiaries"] for a in activities if a["org"] == ZHUHAI
                    and a["project"] == PARTICIPANT_PROJECT and a["date"].year == year)
        base, extra = divmod(total, len(people))
        for i, n in enumerate(people):
            rows.append({"org": ZHUHAI, "project": PARTICIPANT_PROJECT, "year": year,
                         "person_key": person_key(DEMO_SECRET, ZHUHAI, f"S{n:04d}"),
                         "beneficiary_group": "students", "attendances": base + (i < extra)})
    return rows
