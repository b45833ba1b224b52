"""The volunteer service disclosure note: volunteer service is not income (民间非营利组织会计制度
第五十八条), with the hours and the value range, on /volunteers and in the report."""

from __future__ import annotations

from decimal import Decimal

from impact.filters import Filters


def test_volunteer_note_says_not_income_with_hours_and_range(demo_db):
    """The disclosure note (report and /volunteers): not recognised as income under the
    accounting system's 第五十八条, with the hours and the value range; from 2026 on it says
    the revised system may apply."""
    from impact.report import gather
    from impact.report.narrative import disclosure
    from impact.views.volunteers import volunteers

    content = gather(demo_db, Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020), "zh")
    note = disclosure(content)
    assert "1,177.40 小时" in note and "第五十八条" in note and "不予确认为收入" in note
    assert "¥29,435.00—¥70,644.00" in note  # 1,177.40 h at 25 and 60 元
    assert "2026" not in note
    page = volunteers(demo_db, Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020), "en")
    assert "not recognised as income" in page.disclosure and "1,177.40 hours" in page.disclosure
    from impact.domain.disclosure import volunteer_note
    from impact.domain.metrics import volunteer_value
    assert "revised system" in volunteer_note(volunteer_value(600), 2026, "en")
    assert "2026" in volunteer_note(volunteer_value(600), None, "zh")


def test_report_note_and_page_value_volunteer_time_from_minutes(demo_db):
    """The report rebuilt the value from the rounded hours (¥59,851.75—¥143,644.20); the
    page, the report and the summary now agree on the exact value from 143,644 minutes."""
    from impact.domain.metrics import summarize
    from impact.report import gather
    from impact.report.narrative import disclosure
    from impact.views.volunteers import volunteers

    selection = Filters(orgs=("珠海协作者",), year_from=2019, year_to=2020)
    assert "¥59,851.67—¥143,644.00" in disclosure(gather(demo_db, selection, "zh"))
    page = volunteers(demo_db, selection, "zh")
    assert "¥59,851.67—¥143,644.00" in page.disclosure
    card = next(k for k in page.kpis if k.key == "volunteer_value")
    assert card.display == "¥59,851.67 – ¥143,644.00"
    value = summarize(demo_db, selection)["volunteer_value"]
    assert (value["low"], value["high"]) == (Decimal("59851.67"), Decimal("143644.00"))
