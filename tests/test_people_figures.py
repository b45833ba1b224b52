"""Who was served and what changed: the seeds' counts of people, households and results
reproduce exactly in the demo data, from the CLI and in the page models.

published_figures.csv (../shared) lacks most of these rows, so the table lives here, each with
the sentence of seed 000 (珠海协作者 2020 annual report) it comes from.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from impact.filters import Filters
from impact.presentation.i18n import t
from impact.domain.people import group_shares
from impact.views.beneficiaries import beneficiaries
from impact.views.results import results

ORG, YEAR = "珠海协作者", 2020

# (project or None, group or None, unit, value, quote)
REACH = [
    ("农民工抗疫救援行动", None, "households", 766, "服务了 766 个困境农民工家庭"),
    ("农民工抗疫救援行动", "adults", "people", 1705, "1705 名成人"),
    ("农民工抗疫救援行动", "children", "people", 5007, "5007 名儿童"),
    ("千人助学计划", "students", "people", 161, "一共资助困难学生 161 名"),
    ("社区服务活动", None, "households", 61, "61 个家庭、65 个孩子受益"),
    ("社区服务活动", "children", "people", 65, "61 个家庭、65 个孩子受益"),
    (None, "university_students", "people", 132, "为 132 名大学生分享了协作者的服务理念"),
]
# (project or None, indicator, actual, quote)
OUTCOMES = [
    (None, "beneficiaries_became_volunteers", 49, "其中从受助者成长为助人者 49 名"),
    (None, "university_students_volunteered", 32, "其中为 32 名同学提供了义工服务实践机会"),
]
SELECTION = Filters(orgs=(ORG,), year_from=YEAR, year_to=YEAR)


def _reach(rows, project, group, unit):
    found = [r[unit] for r in rows if r["project"] == project
             and r.get("beneficiary_group", r.get("group")) == group and r[unit] is not None]
    assert len(found) == 1, (project, group, unit, found)
    return found[0]


@pytest.mark.parametrize("project,group,unit,value,quote", REACH, ids=[r[4] for r in REACH])
def test_stated_people_reproduce_in_the_data(demo_db, project, group, unit, value, quote):
    assert _reach(demo_db.rows("reach", **SELECTION.params()), project, group, unit) == value


@pytest.mark.parametrize("project,indicator,actual,quote", OUTCOMES, ids=[r[3] for r in OUTCOMES])
def test_outcomes_reproduce_in_the_data(demo_db, project, indicator, actual, quote):
    rows = [r for r in demo_db.rows("outcomes", **SELECTION.params())
            if r["project"] == project and r["indicator"] == indicator]
    assert [r["actual"] for r in rows] == [Decimal(actual)]
    assert rows[0]["source"]  # every outcome names its data source


def test_cli_summary_shows_people_beside_person_times(cli):
    result = cli("summary", "--org", ORG, "--year", str(YEAR), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout, parse_float=Decimal)
    assert data["beneficiaries"] == 99037  # person-times unchanged by the people figures
    for project, group, unit, value, _ in REACH:
        assert _reach(data["people"], project, group, unit) == value
    actual = {r["indicator"]: r["actual"] for r in data["outcomes"] if r["project"] is None}
    assert actual["beneficiaries_became_volunteers"] == 49
    assert actual["university_students_volunteered"] == 32
    text = cli("summary", "--org", ORG, "--year", str(YEAR)).stdout
    assert "农民工抗疫救援行动 · 成人：1,705 人" in text
    assert "农民工抗疫救援行动 · 儿童：5,007 人" in text
    assert "766 户" in text
    assert "受益人转为志愿者：实际 49 人" in text
    # person-times are never called people: each people line labels the person-times apart
    for line in text.splitlines():
        if line.endswith("人次]"):
            assert "同项目同年：" in line
    en = cli("summary", "--org", ORG, "--year", str(YEAR), "--lang", "en").stdout
    assert "农民工抗疫救援行动 · Adults: 1,705 people   [same project and year: 6,811 " \
           "person-times]" in en
    assert "Beneficiaries who became volunteers: actual 49 people" in en


@pytest.mark.parametrize("lang,people,households", [("zh", "人", "户"),
                                                     ("en", "people", "households")])
def test_beneficiaries_page_shows_people_and_person_times_apart(demo_db, lang, people,
                                                                households):
    model = beneficiaries(demo_db, SELECTION, lang)
    reach = model.reach.display_rows()
    headers = list(reach[0])
    # The people and households columns are labelled apart from the person-times column.
    assert t("people.col.person_times_same", lang) in headers
    shown = {(r[headers[1]], r[headers[3]]): r for r in reach}
    people_col = t("people.col.people", lang)
    assert {"5,007", "1,705", "161", "132", "65"} <= {r[people_col] for r in reach}
    households_col = t("people.col.households", lang)
    assert {"766", "61", "215"} <= {r[households_col] for r in reach}
    assert len(shown) == len(reach)
    lines = " ".join(model.people_lines)
    assert "5,007" in lines and "766" in lines and households in lines
    groups = model.groups.display_rows()
    not_recorded = "未记录" if lang == "zh" else "not recorded"
    assert any(not_recorded in str(r.values()) for r in groups)


def test_group_shares_show_the_unrecorded_rest_per_dimension():
    rows = [{"beneficiary_group": None, "beneficiaries": 1000},
            {"beneficiary_group": "children", "beneficiaries": 600},
            {"beneficiary_group": "adults", "beneficiaries": 300},
            {"beneficiary_group": "female", "beneficiaries": 450}]
    shares = {(s.dimension, s.group): (s.person_times, s.share) for s in group_shares(rows)}
    assert shares[("age", None)] == (100, Decimal("10.0000"))
    assert shares[("gender", None)] == (550, Decimal("55.0000"))
    assert shares[("age", "children")][0] == 600


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_results_page_shows_outcomes_against_target_with_source(demo_db, lang):
    model = results(demo_db, Filters(orgs=(ORG,)), lang)
    whole = next(b for b in model.projects if b.project is None)
    rows = whole.table.display_rows()
    values = [list(r.values()) for r in rows]
    assert any("49" in v and "45" in v and "2020" in v and "志愿者名册" in v for v in values)
    assert any("32" in v and "2020" in v for v in values)
    assert "志愿者名册" in whole.sources
    assert all(c.figure is not None for c in whole.charts)
    assert {b.project for b in model.projects} >= {"活力亲子园", "阅读推广"}


def test_participant_records_count_a_returning_student_once(demo_db):
    """The demo's 千人助学计划 participants: 161 in 2020 (as published), 150 in 2021, 120
    of them returning — 191 different students, and attendances equal the person-times."""
    rows = {(r["project"], r["year"], r["beneficiary_group"]): r for r in demo_db.rows(
        "participant_people", **Filters(orgs=(ORG,)).params())}
    assert rows[("千人助学计划", 2020, None)]["people"] == 161
    assert rows[("千人助学计划", 2021, None)]["people"] == 150
    assert rows[(None, None, None)]["people"] == 191
    for year in (2020, 2021):
        projects = demo_db.rows("activity_by_project", **Filters(
            orgs=(ORG,), projects=("千人助学计划",), year_from=year, year_to=year).params())
        assert rows[("千人助学计划", year, None)]["attendances"] == projects[0]["beneficiaries"]
    model = beneficiaries(demo_db, Filters(orgs=(ORG,)), "en")
    assert {r["Different people"] for r in model.participants.display_rows()} == {161, 150}
    assert any("191 different people" in line for line in model.people_lines)


@pytest.mark.parametrize("lang,people,times", [("zh", "1,705 名成人", "99,037 人次"),
                                               ("en", "1,705 adults", "99,037 person-times")])
def test_report_says_people_only_where_people_were_counted(demo_db, lang, people, times):
    from impact.report.content import gather
    from impact.report.html import render_html
    from impact.report.narrative import narrative

    content = gather(demo_db, SELECTION, lang)
    text = narrative(content)
    assert people in text and times in text and "5,007" in text and "766" in text
    assert "99,037 人" not in text.replace("99,037 人次", "")  # person-times never called people
    page = render_html(content, with_charts=False)
    for figure in ("5,007", "1,705", "766", "161", "132", "志愿者名册"):
        assert figure in page


def test_small_people_counts_are_suppressed_in_public_and_funder_views(demo_db):
    from impact.access import privacy
    from impact.views import people

    policy = privacy.Policy(True, 100)  # a high threshold, so the demo's 61 and 65 are small
    reach = privacy.table(people.reach_table(demo_db, SELECTION, "en"), policy)
    shown = [list(r.values()) for r in reach.display_rows()]
    assert any("<100" in v for v in shown)
    assert not any("65" in v or "61" in v for v in shown)
    lines = " ".join(people.people_lines(demo_db, SELECTION, "en", hide_below=100))
    assert "5,007" in lines
    public = privacy.Policy(True, 5, public=True)
    groups = privacy.table(people.groups_table(demo_db, SELECTION, "en"), public)
    exact = people.groups_table(demo_db, SELECTION, "en").rows
    # None small: on a public page every count shown rounded to 5, and no share (with the
    # total it would give the exact count back; docs/privacy.md).
    assert [r["person_times"] for r in groups.rows] == [privacy.rounded(r["person_times"])
                                                        for r in exact]
    assert all(r["share"] is None for r in groups.rows)
    # A funder's view: exact from the threshold up, shares kept (it matches grant reports).
    funder = privacy.table(people.groups_table(demo_db, SELECTION, "en"), privacy.Policy(True, 5))
    assert [r["person_times"] for r in funder.rows] == [r["person_times"] for r in exact]
    assert [r["share"] for r in funder.rows] == [r["share"] for r in exact]


@pytest.mark.parametrize("lang, scope", [
    ("zh", "只有千人助学计划有参与者记录，这些项目在所选年份共 161 个不同的人"),
    ("en", "only 千人助学计划 have participant records; 161 different people")])
def test_unique_people_name_the_projects_they_cover(demo_db, lang, scope):
    """Issue 26 item 4: "所选项目和年份共 161 个不同的人" beside 99,037 person-times, when only
    one project has participant records: the count names the projects it covers."""
    from impact.views.people import participant_lines

    lines = participant_lines(demo_db, Filters(orgs=("珠海协作者",), year_from=2020,
                                               year_to=2020), lang)
    assert len(lines) == 1 and scope in lines[0], lines
