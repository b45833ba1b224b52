"""Budget vs actual and the funder view ("what your grant delivered"): figures computed by
hand, the 乐购 千人助学计划 of 2020 as the report prints it, and a funder who sees nothing
outside its own grants — on the page, by link and through the URL."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal as D

import pytest

from impact.access import funderlink
from impact.access.policy import FUNDER, LOCAL, Access
from impact.filters import Filters
from impact.presentation import fmt
from impact.ingest import import_payload
from impact.storage.db import Database
from impact.storage.store import DataStore
from impact.views.grants import (as_of, budget_section, elapsed_share, funder_for, funder_view,
                                 pace)
from tests.test_access_pages import SECRET, page, signed_in
from tests.test_grants_import import csv_bytes
from tests.page_tables import page_tables

ZHUHAI_2020 = Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020)


def test_as_of_is_the_end_of_the_last_year_or_today_whichever_is_earlier():
    assert as_of(ZHUHAI_2020, date(2025, 3, 1)) == (date(2020, 12, 31), "year_end")
    assert as_of(Filters(year_from=2025, year_to=2025), date(2025, 3, 1)) == (
        date(2025, 3, 1), "today")
    assert as_of(Filters(), date(2025, 3, 1)) == (date(2025, 3, 1), "today")


def test_elapsed_share_counts_both_ends_and_stays_within_the_period():
    assert elapsed_share(date(2020, 1, 1), date(2020, 1, 10), date(2020, 1, 5)) == D("0.5")
    assert elapsed_share(date(2020, 1, 1), date(2020, 1, 10), date(2019, 12, 1)) == 0
    assert elapsed_share(date(2020, 1, 1), date(2020, 1, 10), date(2021, 1, 1)) == 1


def test_pace_variance_and_flag_by_hand():
    # 90 of 100 spent (90 %) with 50 % of the period gone: 40 points apart > 25: flagged.
    row = pace(D("100.00"), D("90.00"), D("0.5"))
    assert (row["variance"], row["variance_pct"], row["spent_share"], row["elapsed_share"],
            row["flag"]) == (D("-10.00"), D("-10.0"), D("90.0"), D("50.0"), True)
    assert not pace(D("100.00"), D("60.00"), D("0.5"))["flag"]  # 10 points: on track
    assert pace(D("0"), D("5.00"), D("0.5"))["spent_share"] is None  # no budget: no share


@pytest.fixture(scope="module")
def demo_db():
    from impact.config import DEFAULT_DATA_DIR
    return Database(str(DEFAULT_DATA_DIR))


def test_budget_vs_actual_of_the_demo_equals_the_ledger(demo_db):
    section = budget_section(demo_db, ZHUHAI_2020, "zh", today=date(2025, 1, 1))
    assert section.as_of == date(2020, 12, 31) and "2020-12-31" in section.as_of_note
    finance = DataStore(str(demo_db.store.root)).read_table("finance").to_pylist()
    spent = sum(r["amount"] for r in finance if r["grant_id"] == "ZHXZ-LG-2020"
                and r["flow"] == "expense" and r["date"].year <= 2020)
    [legou] = [r for r in section.grants.rows if r["grant_id"] == "ZHXZ-LG-2020"]
    # Budget: all the grant's years (2020 and 2021); actual: booked to it up to 2020.
    assert legou["budget"] == D("690000.00") and legou["actual"] == spent
    assert legou["variance"] == spent - D("690000.00")
    # 366 of 731 days: 50.068…%, exact until shown, shown once rounded.
    assert legou["elapsed_share"].quantize(D("1e-20")) == (D(36600) / D(731)).quantize(D("1e-20"))
    assert fmt.percent(legou["elapsed_share"], "zh") == "50.1%"
    projects = {r["project"]: r for r in section.projects.rows}
    booked = sum(r["amount"] for r in finance if r["project"] == "活力亲子园"
                 and r["flow"] == "expense" and r["date"].year == 2020)
    assert projects["活力亲子园"]["actual"] == booked
    assert projects["活力亲子园"]["flag"]  # far over its budget at the year's end
    assert any("活力亲子园" in text for text in section.flagged)


def test_funder_view_of_legou_2020_shows_the_report_figures(demo_db):
    model = funder_view(demo_db, Filters(year_from=2020, year_to=2020), "乐购", "zh")
    assert not model.empty and [g.grant_id for g in model.grants] == ["ZHXZ-LG-2020"]
    deliverables = {r["metric"]: r for r in model.deliverables.rows}
    assert deliverables["students_funded"]["actual"] == D("161")
    assert deliverables["grants_paid"]["actual"] == D("297850")
    shown = [row for row in model.deliverables.display_rows()]
    assert any(r["实际"] == "¥297,850.00" for r in shown) and any(r["实际"] == "161" for r in shown)
    finance = DataStore(str(demo_db.store.root)).read_table("finance").to_pylist()
    received = sum(r["amount"] for r in finance if r["funder"] == "乐购"
                   and r["date"].year == 2020)
    assert model.grants[0].received == received
    activities = DataStore(str(demo_db.store.root)).read_table("activities").to_pylist()
    people = sum(r["beneficiaries"] for r in activities if r["project"] == "千人助学计划"
                 and r["date"].year == 2020)
    assert {k.key: k.value for k in model.kpis}["beneficiaries"] == people


def test_funder_view_counts_activities_inside_the_grant_period_only(empty_dir):
    store = DataStore(empty_dir)
    today = date(2025, 6, 30)
    grants = csv_bytes("资助编号,资助方,机构,金额（元）,开始日期,结束日期,限定性,项目",
                       "G-1,某基金会,示例中心,10000,2024-03-01,2024-06-30,是,儿童之家")
    acts = csv_bytes("日期,机构,项目,服务次数,受益人次,志愿者人次,志愿服务时长（分钟）",
                     "2024-02-28,示例中心,儿童之家,1,100,0,0",
                     "2024-03-01,示例中心,儿童之家,1,20,2,120",
                     "2024-06-30,示例中心,儿童之家,1,30,1,60",
                     "2024-07-01,示例中心,儿童之家,1,400,0,0",
                     "2024-04-01,示例中心,别的项目,1,999,0,0")
    assert import_payload("g.csv", grants, "grants", store, today=today)[1]
    assert import_payload("a.csv", acts, "activities", store, today=today)[1]
    model = funder_view(Database(str(empty_dir)), Filters(), "某基金会", "en")
    kpis = {k.key: k.value for k in model.kpis}
    assert kpis["beneficiaries"] == 50 and kpis["volunteer_hours"] == D("3.0")
    assert funder_view(Database(str(empty_dir)), Filters(), "别人", "en").empty


def test_a_funder_always_gets_its_own_view_whatever_it_asks_for():
    funder = Access(FUNDER, "link:乐购", funder="乐购")
    assert funder_for(funder, "微软") == "乐购"
    assert funder_for(Access(LOCAL, "local"), "微软") == "微软"


# ---------------------------------------------------------------------------- the page

def _link(**changes) -> str:
    values = dict(funder="乐购", org="珠海协作者", projects=("千人助学计划",), year_from=2020,
                  year_to=2020, expires=int(time.time()) + 3600)
    values.update(changes)
    return funderlink.make_token(funderlink.FunderLink(**values), SECRET)


def _frames(at) -> list:
    return page_tables(at)


def test_funder_link_opens_the_funder_view_with_its_grant_only():
    at = page("grants", secrets={"link_secret": SECRET},
              params={"share": _link(), "funder": "微软"})  # asking for another: ignored
    assert not at.exception, [e.value for e in at.exception]
    assert not [s for s in at.selectbox if s.key == "grants_funder"]
    grants = [f for f in _frames(at) if "资助编号" in f.columns][0]
    assert list(grants["资助编号"]) == ["ZHXZ-LG-2020"]
    every_cell = " ".join(str(v) for f in _frames(at) for v in f.to_numpy().ravel())
    assert "微软" not in every_cell and "职业之路" not in every_cell
    assert "297,850" in every_cell and "161" in every_cell


def test_signed_in_funder_sees_only_its_grants_on_finance_budgets():
    at = page("finance", **signed_in("funder@lego.example"))
    assert not at.exception, [e.value for e in at.exception]
    by_grant = [f for f in _frames(at) if "资助" in f.columns and "预算执行率" in f.columns]
    assert by_grant and set(by_grant[0]["资助方"]) == {"乐购"}


def test_staff_choose_the_funder_and_the_choice_is_in_the_url():
    at = page("grants", params={"funder": "微软", "from": "2020", "to": "2020"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="grants_funder").value == "微软"
    assert at.query_params.get("funder") in ("微软", ["微软"])
    grants = [f for f in _frames(at) if "资助编号" in f.columns][0]
    assert list(grants["资助编号"]) == ["ZHXZ-MS-2020"]
    at.selectbox(key="grants_funder").set_value("乐购").run()
    assert at.query_params.get("funder") in ("乐购", ["乐购"])


def test_the_public_has_no_funder_view():
    from tests.test_access_pages import page as open_page
    import os
    os.environ["IMPACT_MODE"] = "public"
    try:
        at = open_page("finance")
        assert not [f for f in _frames(at) if "预算执行率" in f.columns]
    finally:
        del os.environ["IMPACT_MODE"]


def _small_ngo(empty_dir) -> Database:
    """Two funders sharing 儿童之家 (2024), one grant with no budget, a budget per area."""
    store, today = DataStore(empty_dir), date(2025, 6, 30)
    grants = csv_bytes("资助编号,资助方,机构,金额（元）,开始日期,结束日期,限定性,项目",
                       "G-1,某基金会,示例中心,10000,2024-01-01,2024-12-31,是,儿童之家",
                       "G-2,另一基金会,示例中心,5000,2024-03-01,2024-12-31,是,儿童之家",
                       "G-3,第三基金会,示例中心,8000,2024-01-01,2024-12-31,是,长者食堂")
    acts = csv_bytes("日期,机构,项目,领域,服务次数,受益人次,志愿者人次,志愿服务时长（分钟）",
                     "2024-04-01,示例中心,儿童之家,儿童服务,1,20,2,120",
                     "2024-05-01,示例中心,长者食堂,长者服务,1,30,1,60")
    money = csv_bytes("日期,机构,项目,收支,科目,金额,资助编号,资助方",
                      "2024-04-02,示例中心,儿童之家,支出,业务活动成本,6480,G-1,",
                      "2024-05-02,示例中心,长者食堂,支出,业务活动成本,1000,G-3,",
                      "2024-05-03,示例中心,长者食堂,支出,业务活动成本,900,,")
    budgets = csv_bytes("机构,项目,资助编号,年份,科目,预算金额",
                        "示例中心,长者食堂,G-3,2024,业务活动成本,8000",
                        "示例中心,长者食堂,,2024,业务活动成本,1000",
                        "示例中心,儿童之家,,2024,业务活动成本,500")
    for name, payload, table in (("g.csv", grants, "grants"), ("a.csv", acts, "activities"),
                                 ("f.csv", money, "finance"), ("b.csv", budgets, "budgets")):
        assert import_payload(name, payload, table, store, today=today)[1], name
    return Database(str(empty_dir))


def test_a_grant_without_a_budget_shows_no_budget_not_an_overspent_zero(empty_dir):
    """Issue 26 point 17: a grant spent on with no budget line is "—", never ¥0.00 with a
    variance of +¥6,480, on /finance and in the funder report alike."""
    section = budget_section(_small_ngo(empty_dir), Filters(year_from=2024, year_to=2024), "zh",
                             today=date(2025, 1, 1))
    rows = {r["grant_id"]: r for r in section.grants.rows}
    assert rows["G-1"]["actual"] == D("6480") and rows["G-1"]["budget"] is None
    assert rows["G-1"]["variance"] is None and not rows["G-1"]["flag"]
    shown = {r["资助"]: r for r in section.grants.display_rows()}
    assert "¥0.00" not in shown["G-1"].values() and "+¥6,480.00" not in shown["G-1"].values()
    assert rows["G-3"]["budget"] == D("8000") and rows["G-3"]["variance"] == D("-7000")


def test_the_budget_section_keeps_to_the_selected_programme_area(empty_dir):
    """Issue 26 point 9: with 长者服务 selected, neither 儿童之家's budget nor its grants show,
    and nothing warns about them."""
    db = _small_ngo(empty_dir)
    section = budget_section(db, Filters(year_from=2024, year_to=2024, areas=("长者服务",)),
                             "zh", today=date(2025, 1, 1))
    assert {r["project"] for r in section.projects.rows} == {"长者食堂"}
    assert {r["grant_id"] for r in section.grants.rows} == {"G-3"}
    assert not any("儿童之家" in text for text in section.flagged)


def test_co_funded_person_times_are_said_to_be_the_projects_without_naming_the_others(empty_dir):
    """Issue 26 point 17: both funders of 儿童之家 are credited its 20 person-times; each view
    says so, and names no other funder."""
    db = _small_ngo(empty_dir)
    for funder, other in (("某基金会", "另一基金会"), ("另一基金会", "某基金会")):
        model = funder_view(db, Filters(), funder, "zh")
        assert {k.key: k.value for k in model.kpis}["beneficiaries"] == 20
        [note] = [n for n in model.notices if "儿童之家" in n]
        assert "其他资助方" in note and other not in " ".join(model.notices)
    alone = funder_view(db, Filters(), "第三基金会", "en")
    assert not any("other funders" in n for n in alone.notices)
