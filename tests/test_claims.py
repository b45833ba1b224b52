"""The claims checker flags prose that says more than the figures (issue 11, point 8)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from impact.filters import Filters
from impact.report import build, gather
from impact.report.claims import check, yearly_growth

QINGLIU_2015 = Filters(orgs=("苏州清流",), year_from=2015, year_to=2015)
# The sentence of 苏州清流's 2015 report (the seed), word for word.
SEED = ("2012年机构总收入8万余元,2013年机构总收入15万余元,2014年机构总收入22万余元,"
        "2015年机构收入54.5万元,机构收入正以每年以翻倍的速度持续增长。")


@pytest.fixture(scope="module")
def zh(demo_db):
    return gather(demo_db, QINGLIU_2015, "zh")


def test_every_year_doubling_is_checked_against_each_years_growth(zh):
    growth = yearly_growth(zh, "income_total")
    # The growth is exact (issue 26): rounded once, to the report's two places, when shown.
    assert [(y, str(p.quantize(Decimal("0.01")))) for y, p in growth] == [
        (2013, "87.45"), (2014, "46.79"), (2015, "143.72")]
    (finding,) = check(SEED, zh)
    assert finding.message == ("收入并非每年翻倍：逐年变化为 2013 年 +87.45%，2014 年 +46.79%，"
                               "2015 年 +143.72%。")


def test_person_times_called_people_is_flagged(zh):
    (finding,) = check("全年受益 5,036 人。", zh)
    assert finding.claim == "5,036 人" and "受益人次" in finding.message
    (finding,) = check("服务约 0.5 万人。", zh)  # rounded, in 万
    assert "5,036" in finding.message
    assert check("全年受益 5,036 人次。", zh) == []
    assert check("全年有 12 人参加培训。", zh) == []  # not a person-times figure


def test_a_growth_percentage_is_compared_with_the_period_before(zh):
    (finding,) = check("与上年相比，受益人次增长 50%。", zh)
    assert "+91.56%" in finding.message and "50%" in finding.message
    assert check("与上年相比，受益人次增长 91.6%，收入增长 143.72%。", zh) == []


def test_english_claims(demo_db):
    en = gather(demo_db, QINGLIU_2015, "en")
    findings = check("Income doubled every year. We served 5,036 people.", en)
    assert [f.claim for f in findings] == ["doubled", "5,036 people"]
    assert "did not double every year" in findings[0].message


def test_a_claim_that_holds_is_not_flagged(demo_db):
    # 苏州清流's person-times rose 202 % and 297 % in 2013 and 2014.
    content = gather(demo_db, Filters(orgs=("苏州清流",), year_from=2014, year_to=2014), "zh")
    assert check("受益人次每年翻倍。", content) == []


@pytest.mark.requires("chromium")  # the HTML report draws its charts with Chromium
def test_the_report_files_say_what_the_check_found(demo_db):
    content = gather(demo_db, QINGLIU_2015, "zh", draft=SEED)
    html = build(content, "html").data.decode()
    assert "文字核对" in html and "并非每年翻倍" in html
    from io import BytesIO

    from openpyxl import load_workbook
    sheet = load_workbook(BytesIO(build(content, "xlsx").data)).worksheets[0]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert any("并非每年翻倍" in str(v) for v in values)
