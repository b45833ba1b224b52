"""The dashboard pages, driven through Streamlit's AppTest with filters set in the URL.

Each test opens dashboard.py as a user following a link would, then checks what the user
reads: KPI figures equal to `python -m impact summary`, chart data equal to the named
queries, the empty state, and harmless handling of bad URL values.
"""

from __future__ import annotations

import re

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from impact.config import DEFAULT_DATA_DIR
from impact.storage.db import Database
from impact.filters import Filters
from impact.presentation.i18n import t
from tests.page_tables import page_tables

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("overview", "beneficiaries", "volunteers", "finance", "growth")
ZHUHAI_2020 = {"org": "珠海协作者", "from": "2020", "to": "2020"}

pytestmark = pytest.mark.skipif(not (DEFAULT_DATA_DIR / "manifest.json").is_file(),
                                reason="needs the demo data in data/ (python -m impact demo)")



_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~$])")


def as_drawn(text: str) -> str:
    """An element's text as the reader sees it: data and notices reach Streamlit escaped as
    Markdown (impact.web.widgets.say), "98\\.9%" is drawn as "98.9%"."""
    return _ESCAPED.sub(r"\1", text)


def open_page(page: str, params: dict, lang: str | None = None) -> AppTest:
    """Open dashboard.py with the URL's query parameters, then switch to `page`."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params.update(params)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def db():
    return Database(str(DEFAULT_DATA_DIR))


@pytest.fixture(scope="module")
def cli_summary():
    """What `python -m impact summary` prints for 珠海协作者 2020, as JSON."""
    out = subprocess.run([sys.executable, "-m", "impact", "summary", "--org", "珠海协作者",
                          "--year", "2020", "--format", "json"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out, parse_float=Decimal)


def figure(at: AppTest, index: int) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {as_drawn(m.label): (m.value, m.delta) for m in at.metric}


# -- every page, both languages ---------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_banner_title_captions_and_csv(page, lang):
    at = open_page(page, {"org": "珠海协作者", "from": "2019", "to": "2020"}, lang)
    assert [x.value for x in at.title] == [t(f"{page}.title", lang)]
    assert t("banner.demo", lang) in [as_drawn(w.value) for w in at.warning]
    assert not at.error
    captions = [as_drawn(c.value) for c in at.caption]
    assert any("珠海协作者" in c and "2019–2020" in c for c in captions)
    # Every table has its CSV download (the 业务活动表 is an HTML table, with its own).
    tables = len(page_tables(at)) + sum('class="impact-statement"' in h.proto.body
                                        for h in at.get("html"))
    assert len(at.download_button) == tables >= 1
    assert dict(at.query_params) == {"org": "珠海协作者", "from": "2019", "to": "2020",
                                     "lang": lang}


# -- the overview figures equal the CLI's -------------------------------------------------

def test_overview_english_kpis_equal_cli_summary(cli_summary):
    at = open_page("overview", ZHUHAI_2020, "en")
    shown = metrics(at)
    assert cli_summary["services"] == 581
    assert shown["Services"][0] == f"{cli_summary['services']:,}" == "581"
    assert shown["Person-times"][0] == f"{cli_summary['beneficiaries']:,}" == "99,037"
    assert shown["Volunteer person-times"][0] == "1,394"
    assert shown["Income"][0] == f"¥{cli_summary['income_total']:,}" == "¥1,674,657.61"
    assert shown["Expense"][0] == "¥1,053,831.90"
    assert shown["Surplus"][0] == f"¥{cli_summary['surplus']:,}"
    # Year-over-year against 2019, absolute and %, as the CLI computes them.
    yoy = cli_summary["yoy"]["beneficiaries"]
    assert shown["Person-times"][1] == f"+{yoy['change']:,} (+{yoy['pct']:.1f}%)"
    assert shown["Services"][1] == "-13 (-2.2%)"


def test_overview_chinese_cards_are_exact_like_the_tables():
    """One precision rule for cards, charts and tables: no 9.9万 next to 99,037 (issue 11)."""
    at = open_page("overview", ZHUHAI_2020, "zh")
    shown = metrics(at)
    assert shown["受益人次"][0] == "99,037"
    assert shown["服务次数"][0] == "581"
    assert shown["收入"][0] == "¥1,674,657.61"
    assert shown["受益人次"][1] == "+26,687 (+36.9%)"
    helps = {as_drawn(m.label): m.help for m in at.metric}
    assert "99,037" in helps["受益人次"] and "¥1,674,657.61" in helps["收入"]
    assert "2019" in helps["受益人次"]


def test_overview_trend_chart_equals_query(db):
    at = open_page("overview", ZHUHAI_2020, "en")
    rows = db.rows("activity_by_year", **Filters(orgs=("珠海协作者",)).params())
    services, people, volunteers = (figure(at, i) for i in range(3))
    assert people["data"][0]["x"] == [r["year"] for r in rows]  # numeric years
    assert people["data"][0]["y"] == [r["beneficiaries"] for r in rows]
    assert services["data"][0]["y"] == [r["services"] for r in rows]
    assert volunteers["data"][0]["y"] == [r["volunteers"] for r in rows]
    assert people["layout"]["title"]["text"] == "Person-times by year (person-times)"


# -- chart data equals the named queries --------------------------------------------------

def test_beneficiaries_charts_equal_queries(db):
    at = open_page("beneficiaries", {"org": "珠海协作者", "from": "2018", "to": "2020"}, "en")
    params = Filters(orgs=("珠海协作者",), year_from=2018, year_to=2020).params()
    by_year = figure(at, 0)["data"][0]
    assert by_year["y"] == [r["beneficiaries"] for r in db.rows("activity_by_year", **params)]
    by_project = figure(at, 2)["data"][0]
    rows = db.rows("activity_by_project", **params)
    assert by_project["y"] == [r["project"] for r in rows]
    assert by_project["x"] == [r["beneficiaries"] for r in rows]


def test_finance_charts_equal_queries_and_warn_on_concentration(db):
    at = open_page("finance", {"org": "苏州清流", "from": "2015", "to": "2016"}, "zh")
    params = Filters(orgs=("苏州清流",), year_from=2015, year_to=2016).params()
    rows = db.rows("finance_by_year_line", **params)
    stacked = {tr["name"]: tr["y"] for tr in figure(at, 0)["data"]}
    government = [int(r["amount"].quantize(Decimal(1))) for r in rows
                  if r["flow"] == "income" and r["line"] == "government_grant"]
    by_source = db.rows("finance_by_year_source", **params)
    assert government == [int(r["amount"].quantize(Decimal(1))) for r in by_source
                          if r["source_type"] == "government"]
    # Money is plotted at the fen (charts.fen_position), where its hover puts it.
    assert stacked["政府"] == [float(r["amount"]) for r in by_source
                              if r["source_type"] == "government"]
    assert [round(v) for v in stacked["政府"]] == government
    warnings = [as_drawn(w.value) for w in at.warning]
    assert any("来自政府的收入" in w and "60%" in w for w in warnings)


def test_growth_yoy_table_and_org_comparison(db):
    at = open_page("growth", {"from": "2016", "to": "2018"}, "en")
    panels = {figure(at, i)["data"][0]["name"] for i in range(len(at.get("plotly_chart")))}
    assert panels == {"中山联和", "珠海协作者", "苏州清流", "北京协作者"}
    zhuhai = next(figure(at, i) for i in range(4) if figure(at, i)["data"][0]["name"] ==
                  "珠海协作者")
    rows = [r for r in db.rows("org_by_year", **Filters().params()) if r["org"] == "珠海协作者"]
    assert zhuhai["data"][0]["y"] == [r["beneficiaries"] for r in rows]
    assert zhuhai["data"][0]["y"][:4] == [72621, 74869, 72350, 99037]
    assert zhuhai["layout"]["title"]["text"] == "珠海协作者: Person-times (person-times)"
    yoy = page_tables(at)[-1]
    services_2018 = yoy[(yoy["Metric"] == "Services") & (yoy["Year"] == "2018")]
    assert services_2018.iloc[0]["Change %"] == "+20.0%"  # signed, as on the cards


# -- filters, links and language --------------------------------------------------------

def test_empty_selection_shows_empty_state_not_charts():
    at = open_page("beneficiaries", {"org": "珠海协作者", "project": "阅读推广",
                                     "area": "应急救援", "from": "2020", "to": "2020"}, "en")
    assert t("empty.text", "en") in [as_drawn(i.value) for i in at.info]
    assert not at.get("plotly_chart") and not at.metric


@pytest.mark.parametrize("page", ["overview", "finance"])
def test_injection_and_unknown_url_values_are_ignored_with_a_notice(page):
    params = {"org": ["珠海协作者", "x'); DROP TABLE activities; --"],
              "from": "2020 OR 1=1", "to": "2020", "project": "<img src=x onerror=alert(1)>",
              "area": "$areas", "lang": "<script>"}
    at = open_page(page, params)
    assert not at.error
    notices = " ".join(as_drawn(w.value) for w in at.warning)  # warnings at the top, not grey captions
    assert "DROP TABLE" in notices and "2020 OR 1=1" in notices  # quoted back, escaped
    assert at.query_params["org"] == "珠海协作者"
    assert "project" not in at.query_params and "area" not in at.query_params
    assert at.query_params["lang"] == "zh"


def test_out_of_range_years_are_clamped_and_reported():
    at = open_page("overview", {"org": "珠海协作者", "from": "1990", "to": "2020"}, "en")
    assert at.query_params["from"] == "2003"  # the first year of the data
    assert any("1990" in as_drawn(w.value) and "2003" in as_drawn(w.value) for w in at.warning)


def test_years_outside_an_organisations_records_are_kept_and_said():
    at = open_page("overview", {"org": "苏州清流", "from": "2019", "to": "2020"}, "en")
    assert (at.query_params["from"], at.query_params["to"]) == ("2019", "2020")
    assert any("2012–2016" in as_drawn(w.value) for w in at.warning)


def test_unknown_organisation_in_a_link_is_a_visible_warning_and_the_header_says_all():
    at = open_page("overview", {"org": "不存在的机构", "from": "2020", "to": "2020"}, "zh")
    assert any("不存在的机构" in as_drawn(w.value) for w in at.warning)
    header = [m.value for m in at.markdown if "impact-selection" in m.value]
    assert header and "全部机构" in header[0] and "2020 年" in header[0]


def test_page_switch_keeps_filters_and_language_switch_translates():
    at = open_page("finance", {"org": "苏州清流", "from": "2014", "to": "2016"}, "zh")
    at.switch_page("pages/volunteers.py").run()
    assert at.query_params["org"] == "苏州清流" and at.query_params["from"] == "2014"
    assert at.title[0].value == "志愿"
    at.segmented_control(key="flt_lang").set_value("en").run()
    assert at.title[0].value == "Volunteers"
    assert at.query_params["lang"] == "en"


def test_changing_the_organisation_filter_changes_figures_and_url():
    at = open_page("overview", ZHUHAI_2020, "en")
    at.multiselect(key="flt_orgs").set_value(["苏州清流"]).run()
    assert at.query_params["org"] == "苏州清流"
    # A choice never changes another: the years stay, and the page says 苏州清流 has none.
    assert (at.query_params["from"], at.query_params["to"]) == ("2020", "2020")
    assert any("2012–2016" in as_drawn(w.value) for w in at.warning)


def test_picking_an_organisation_keeps_the_year_range():
    """From ?from=2019&to=2020, picking 珠海协作者 used to widen the range to 2017–2021."""
    at = open_page("overview", {"from": "2019", "to": "2020"}, "zh")
    at.multiselect(key="flt_orgs").set_value(["珠海协作者"]).run()
    assert (at.query_params["from"], at.query_params["to"]) == ("2019", "2020")
    assert at.slider(key="flt_years").value == (2019, 2020)
    at.multiselect(key="flt_orgs").set_value(["珠海协作者", "苏州清流"]).run()
    assert at.slider(key="flt_years").value == (2019, 2020)


def test_projects_narrow_with_the_chosen_organisation():
    at = open_page("overview", ZHUHAI_2020, "en")
    options = at.multiselect(key="flt_projects").options
    assert "阅读推广" in options and "小红帽" not in options


def test_drill_down_shows_the_records_behind_a_project(db):
    at = open_page("beneficiaries", ZHUHAI_2020, "en")
    choice = at.selectbox(key="drill_project")
    at = choice.select_index(1).run()
    records = page_tables(at)[-1]
    project = records["Project"].iloc[0]
    expected = db.rows("activity_by_project", **Filters(
        orgs=("珠海协作者",), year_from=2020, year_to=2020, projects=(project,)).params())
    assert set(records["Project"]) == {project}
    assert records["Person-times"].sum() == expected[0]["beneficiaries"]


def test_volunteer_value_follows_the_rate_and_is_not_income():
    at = open_page("volunteers", ZHUHAI_2020, "en")
    value = metrics(at)["Value of volunteer time (range)"][0]
    assert value == "¥29,435.00 – ¥70,644.00"  # 1,177.40 hours × ¥25 and × ¥60
    at.slider(key="volunteer_rates").set_range(10, 20).run()
    assert metrics(at)["Value of volunteer time (range)"][0] == "¥11,774.00 – ¥23,548.00"
    assert any("never added to income" in as_drawn(c.value) for c in at.caption)


# -- data directories without data, or with broken data ----------------------------------

def test_an_empty_data_directory_shows_how_to_get_data(monkeypatch, tmp_path):
    monkeypatch.setenv("IMPACT_DATA_DIR", str(tmp_path))
    for page in PAGES:
        at = open_page(page, {"lang": "en"})
        assert t("empty.no_data", "en") in [as_drawn(i.value) for i in at.info], page
        assert not at.warning  # not the demo data: no banner
        assert not at.error


def test_a_corrupt_manifest_is_one_clear_line_not_a_traceback(monkeypatch, tmp_path):
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("IMPACT_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception
    assert [as_drawn(e.value) for e in at.error] == [t("error.data", "zh", detail=(
        f"{tmp_path / 'manifest.json'}: manifest is not valid JSON "
        "(Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"))]


# -- URL parsing and the result cache, without Streamlit ---------------------------------

def test_url_parsing_keeps_known_values_in_order_and_swaps_reversed_years():
    from impact.web import urlstate
    sel = urlstate.parse(
        {"org": ["苏州清流", "珠海协作者", "苏州清流"], "from": "2020", "to": "2018",
         "project": ["小红帽"]},
        "en", ["中山联和", "珠海协作者", "苏州清流"], lambda orgs: ["小红帽"], lambda orgs: [],
        lambda orgs: (2012, 2021))
    assert sel.orgs == ["苏州清流", "珠海协作者"]
    assert (sel.year_from, sel.year_to) == (2018, 2020)
    assert sel.projects == ["小红帽"]
    assert sel.notices == ["The link's years were reversed; showing 2018–2020."]
    assert urlstate.to_params(sel.orgs, 2018, 2020, [], [], "en") == {
        "org": ["苏州清流", "珠海协作者"], "from": ["2018"], "to": ["2020"], "lang": ["en"]}


def test_result_cache_answers_repeats_and_sees_an_import_at_once(tmp_path):
    from impact.storage.store import DataStore
    from impact.storage.cache import CachedDatabase
    source = DataStore(DEFAULT_DATA_DIR)
    store = DataStore(tmp_path)
    store.commit({"activities": source.read_table("activities")}, fresh=True)
    db = CachedDatabase(Database(str(tmp_path)))
    params = Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020).params()
    before = db.rows("activity_totals", **params)[0]["beneficiaries"]
    assert before == 99037
    assert db.rows("activity_totals", **params)[0]["beneficiaries"] == before
    assert (db.hits, db.misses) == (1, 1)
    # An import replaces the data: the next refresh shows it, no restart, no stale cache.
    acts = source.read_table("activities")
    store.commit({"activities": acts.slice(0, acts.num_rows // 2)})
    db.refresh()
    assert db.rows("activity_totals", **params)[0]["beneficiaries"] != before


def test_finance_cards_equal_the_summary(db):
    from impact.domain.metrics import summarize
    summary = summarize(db, Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020))
    shown = metrics(open_page("finance", ZHUHAI_2020, "en"))
    assert shown["Income"][0] == f"¥{summary['income_total']:,}" == "¥1,674,657.61"
    assert shown["Expense"][0] == "¥1,053,831.90"
    assert shown["Cost per person-time"][0] == f"¥{summary['cost_per_beneficiary']}" == "¥10.64"
    assert shown["Largest source type"][0] == "77.2%"  # companies: 0.7719 of income
    assert shown["Largest single donor"][0] == "24.9%"  # 乐购: 416,648.88 of 1,674,657.61
    # Exact until shown (0.24879…), rounded once where it is printed.
    assert summary["donor_concentration"]["largest_share"].quantize(Decimal("1e-20")) == (
        Decimal("416648.88") / Decimal("1674657.61")).quantize(Decimal("1e-20"))


def test_page_models_do_not_need_streamlit():
    """The CLI, the benchmark and the report build the same models without a web server."""
    code = ("import sys, impact.views.overview, impact.views.beneficiaries, "
            "impact.views.volunteers, impact.views.finance, impact.views.growth; "
            "sys.exit('streamlit' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
