"""All view state is in the URL (issue 11, point 13): filters, language and each page's
controls (volunteer wage rate, growth metric, drill-down project, report language). A URL
opens the view it records, and the view writes back the same URL."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impact.web import urlstate
from tests.test_pages import open_page

METRICS = ["services", "beneficiaries", "volunteers", "volunteer_hours", "income_total",
           "expense_total"]
DEFAULTS = {"volunteer_rates": (25, 60), "growth_metric": "beneficiaries", "report_lang": "zh"}


@settings(max_examples=200, deadline=None)
@given(rate=st.tuples(st.integers(0, 300), st.integers(0, 300)).map(lambda r: tuple(sorted(r))),
       metric=st.sampled_from(METRICS), rlang=st.sampled_from(["zh", "en"]),
       drill=st.text(min_size=1, max_size=60).filter(lambda s: s.strip() == s and s))
def test_page_controls_round_trip_through_the_url(rate, metric, rlang, drill):
    state = {"volunteer_rates": rate, "growth_metric": metric, "report_lang": rlang,
             "drill_project": drill}
    params = urlstate.page_params(state, DEFAULTS)
    back, notices = urlstate.page_state(params, METRICS)
    assert notices == []
    assert {k: v for k, v in state.items() if v != DEFAULTS.get(k)} == back


def test_bad_page_control_values_are_refused_with_a_notice():
    state, notices = urlstate.page_state({"rate": "10-999", "metric": "x", "rlang": "fr"},
                                         METRICS)
    assert state == {} and [n[1]["name"] for n in notices] == ["rate", "metric", "rlang"]


def test_growth_metric_is_in_the_url_both_ways():
    at = open_page("growth", {"from": "2016", "to": "2018", "metric": "income_total"}, "en")
    assert at.selectbox(key="growth_metric").value == "income_total"
    at.selectbox(key="growth_metric").set_value("services").run()
    assert at.query_params["metric"] == "services"
    at.selectbox(key="growth_metric").set_value("beneficiaries").run()
    assert "metric" not in at.query_params  # the default is left out


def test_volunteer_rate_is_in_the_url_both_ways():
    at = open_page("volunteers", {"org": "珠海协作者", "from": "2020", "to": "2020",
                                  "rate": "10-20"}, "en")
    assert at.slider(key="volunteer_rates").value == (10, 20)
    assert at.metric[4].value == "¥11,774.00 – ¥23,548.00"
    at.slider(key="volunteer_rates").set_range(30, 40).run()
    assert at.query_params["rate"] == "30-40"


def test_report_language_and_drill_down_are_in_the_url():
    at = open_page("report", {"org": "珠海协作者", "from": "2020", "to": "2020",
                              "rlang": "en"}, "zh")
    assert at.segmented_control(key="report_lang").value == "en"
    at = open_page("beneficiaries", {"org": "珠海协作者", "from": "2020", "to": "2020"}, "en")
    at.selectbox(key="drill_project").select_index(1).run()
    at.run()  # the URL is written at the end of the run that made the choice
    drill = at.query_params["drill"]
    again = open_page("beneficiaries", {"org": "珠海协作者", "from": "2020", "to": "2020",
                                        "drill": drill}, "en")
    assert again.selectbox(key="drill_project").value == drill


@pytest.mark.parametrize("params", [
    {"org": "珠海协作者", "from": "2019", "to": "2020", "lang": "en"},
    {"org": ["苏州清流", "中山联和"], "from": "2015", "to": "2016", "area": "社区融合",
     "lang": "zh"},
])
def test_a_url_reproduces_its_view_and_writes_itself_back(params):
    at = open_page("overview", params)
    for key, value in params.items():
        got = at.query_params[key]
        assert (list(got) if isinstance(value, list) else got) == value, key


def _shown(at) -> dict:
    """What the overview shows: every card's value and change, and the empty state if any."""
    cards = {m.label: (m.value, m.delta) for m in at.metric}
    return {"cards": cards, "info": [i.value for i in at.info]}


def test_a_view_reached_by_changing_choices_is_the_view_its_url_opens():
    """The class of issue 26 point 14: a choice kept in the session (a project the chosen
    organisations do not have) must come back from the URL too, not be dropped by it."""
    at = open_page("overview", {"org": "珠海协作者", "project": "阅读推广", "from": "2015",
                                "to": "2016"}, "zh")
    at.multiselect(key="flt_orgs").set_value(["珠海协作者", "苏州清流"]).run()
    at.multiselect(key="flt_orgs").set_value(["苏州清流"]).run()
    at.run()  # the URL is written at the end of the run that made the choice
    params = {k: at.query_params[k] for k in at.query_params}
    assert at.multiselect(key="flt_projects").value == ["阅读推广"]
    fresh = open_page("overview", params)
    assert fresh.multiselect(key="flt_projects").value == ["阅读推广"]
    assert _shown(fresh) == _shown(at)


def test_back_takes_the_view_from_the_url_the_browser_returns_to():
    """On Back, Streamlit reruns with the previous entry's query string (one entry per change,
    its own); the session must then show that URL's view, as a fresh visit to it would."""
    first = {"org": "珠海协作者", "from": "2019", "to": "2020", "lang": "zh"}
    at = open_page("overview", first)
    before = _shown(at)
    at.multiselect(key="flt_orgs").set_value(["苏州清流"]).run()
    at.slider(key="flt_years").set_value((2015, 2016)).run()
    assert _shown(at) != before
    at.query_params.clear()
    at.query_params.update(first)  # the browser's Back: the first entry's query string
    at.run()
    assert at.multiselect(key="flt_orgs").value == ["珠海协作者"]
    assert at.slider(key="flt_years").value == (2019, 2020)
    assert _shown(at) == before
    assert at.query_params["org"] == "珠海协作者" and at.query_params["from"] == "2019"
