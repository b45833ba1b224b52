"""Every named query runs on the demo data and on an empty dataset, with bound parameters only."""

from __future__ import annotations

import re

import pytest

from impact.storage.db import Database, load_query, query_names
from impact.filters import Filters

ALL_PARAMS = {**Filters(orgs=("珠海协作者",), year_from=2019, year_to=2020).params(),
              "limit": 50, "year": 2020, "funder": "乐购"}


def _params_for(name: str) -> dict:
    return {p: ALL_PARAMS[p] for p in load_query(name).parameters}


@pytest.mark.parametrize("name", query_names())
def test_query_runs_on_demo_data(demo_db, name):
    result = demo_db.run(name, **_params_for(name))
    assert result.num_columns > 0


@pytest.mark.parametrize("name", query_names())
def test_query_runs_on_empty_dataset(empty_dir, name):
    result = Database(str(empty_dir)).run(name, **_params_for(name))
    assert result.num_columns > 0


@pytest.mark.parametrize("name", query_names())
def test_query_is_documented_and_has_no_text_placeholders(name):
    query = load_query(name)
    assert query.description, f"{name}.sql needs a leading -- comment saying what it counts"
    # Values enter only as $parameters: no Python format fields, no string concatenation hooks.
    assert not re.search(r"\{[a-z_]*\}|%s|%\(", query.sql)


def test_missing_parameter_is_an_error(demo_db):
    with pytest.raises(TypeError, match="year_from"):
        demo_db.run("activity_totals", orgs=[], projects=[], areas=[], year_to=None)


def test_injection_looking_filter_value_is_just_a_value(demo_db):
    evil = "珠海协作者' OR 1=1 --"
    row = demo_db.rows("activity_totals", **Filters(orgs=(evil,)).params())[0]
    assert row["records"] == 0


def test_filters_narrow_by_org_project_area_and_year(demo_db):
    everything = demo_db.rows("activity_totals", **Filters().params())[0]
    one_org = demo_db.rows("activity_totals", **Filters(orgs=("珠海协作者",)).params())[0]
    one_year = demo_db.rows(
        "activity_totals", **Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020).params())[0]
    project = demo_db.rows("activity_totals", **Filters(
        orgs=("珠海协作者",), year_from=2020, year_to=2020, projects=("阅读推广",)).params())[0]
    area = demo_db.rows("activity_totals", **Filters(
        orgs=("珠海协作者",), year_from=2020, year_to=2020, areas=("家庭支持",)).params())[0]
    assert everything["services"] > one_org["services"] > one_year["services"] == 581
    assert project["services"] == 279
    assert area["services"] == 127  # 活力亲子园 is the only 家庭支持 project


def test_by_year_sums_to_total(demo_db):
    filters = Filters(orgs=("北京协作者",))
    per_year = demo_db.rows("activity_by_year", **filters.params())
    total = demo_db.rows("activity_totals", **filters.params())[0]
    for metric in ("services", "beneficiaries", "volunteers", "volunteer_minutes"):
        assert sum(r[metric] for r in per_year) == total[metric]


def test_money_comes_back_as_exact_decimal(demo_db):
    rows = demo_db.rows("finance_by_line",
                        **Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020).params())
    from decimal import Decimal
    assert all(isinstance(r["amount"], Decimal) for r in rows)
    assert sum(r["amount"] for r in rows if r["flow"] == "income") == Decimal("1674657.61")


def test_views_follow_new_commits(demo_copy):
    """A running dashboard sees newly committed data without a restart."""
    from impact.storage.store import DataStore
    db = Database(str(demo_copy))
    before = db.rows("activity_totals", **Filters().params())[0]["records"]
    store = DataStore(demo_copy)
    acts = store.read_table("activities")
    store.commit({"activities": acts.slice(0, 10)})
    db.refresh()
    assert db.rows("activity_totals", **Filters().params())[0]["records"] == 10 < before


def test_a_project_money_target_has_the_project_s_booked_actual(demo_db):
    """Per-project income and expense targets get the money booked to the project (issue 15:
    they showed "—"); the whole organisation's, all of its money."""
    from decimal import Decimal

    from impact.filters import Filters

    rows = demo_db.rows("target_achievement", orgs=["珠海协作者"], projects=[],
                        year_from=2020, year_to=2020)
    target = next(r for r in rows if r["project"] == "千人助学计划"
                  and r["metric"] == "expense_total")
    booked = demo_db.rows("finance_by_line", **Filters(
        orgs=("珠海协作者",), projects=("千人助学计划",), year_from=2020, year_to=2020).params())
    spent = sum((r["amount"] for r in booked if r["flow"] == "expense"), Decimal(0))
    assert spent > 0 and target["actual"] == spent
    whole = next(r for r in rows if r["project"] is None and r["metric"] == "income_total")
    assert whole["actual"] == Decimal("1674657.61")


def test_money_target_names_are_read_as_the_money_metrics():
    from datetime import date

    from impact.ingest.rows import validate_rows

    mapping = {0: "org", 1: "project", 2: "year", 3: "metric", 4: "target"}
    labels = {v: v for v in mapping.values()}
    rows = [(2, ["甲", "P", "2020", "支出", "100"]), (3, ["甲", "P", "2020", "expenses", "1"]),
            (4, ["甲", "", "2020", "收入", "5"]), (5, ["甲", "", "2020", "staff", "5"])]
    parsed, errors = validate_rows("targets", mapping, labels, rows, date(2026, 1, 1))
    assert not errors
    assert [p.record["metric"] for p in parsed] == ["expense_total", "expense_total",
                                                    "income_total", "staff"]
