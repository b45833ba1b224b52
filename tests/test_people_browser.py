"""/beneficiaries and /results in a real browser, both languages: the seed figures of who
was served (people 人 beside person-times 人次, not recorded shown) and the results
framework (outcomes against target, data source named). Screenshots go to
$IMPACT_SCREENSHOT_DIR (docs/screenshots) when set."""

from __future__ import annotations

import pytest

from tests.test_browser import (browser, expect_texts, full_screenshot, link,  # noqa: F401
                                open_view, pytestmark, server, shots)

ORG = "珠海协作者"


@pytest.mark.parametrize("lang,title,texts", [
    ("zh", "受益", ("5,007", "1,705", "766", "161", "132", "未记录", "人数（人）",
                    "受益人次（人次）", "不同的人（人）", "161 个不同的人")),
    ("en", "Beneficiaries", ("5,007", "1,705", "766", "161", "132", "not recorded",
                             "People", "Person-times", "Different people")),
])
def test_beneficiaries_shows_people_beside_person_times(server, browser, shots, lang,  # noqa: F811
                                                        title, texts):
    url = link(server, "beneficiaries", org=ORG, **{"from": 2020, "to": 2020}, lang=lang)
    page = open_view(browser, url, title)
    expect_texts(page, *texts)
    assert page.locator("[data-testid='stException']").count() == 0
    full_screenshot(page, shots / f"beneficiaries-people-{lang}-desktop.png")
    page.close()


@pytest.mark.parametrize("lang,title,texts", [
    ("zh", "成效", ("受益人转为志愿者", "49", "45", "志愿者名册", "参与义工实践的大学生", "32",
                    "家长问卷调查")),
    ("en", "Results", ("Beneficiaries who became volunteers", "49", "志愿者名册",
                       "University students who volunteered", "32", "Data source")),
])
def test_results_page_shows_outcomes_against_target(server, browser, shots, lang,  # noqa: F811
                                                     title, texts):
    url = link(server, "results", org=ORG, **{"from": 2019, "to": 2021}, lang=lang)
    page = open_view(browser, url, title)
    expect_texts(page, *texts)
    assert page.locator("[data-testid='stException']").count() == 0
    full_screenshot(page, shots / f"results-{lang}-desktop.png")
    page.close()
