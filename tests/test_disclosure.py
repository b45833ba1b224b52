"""The volunteer service disclosure note: volunteer service is not income (民间非营利组织会计制度
第五十八条), with the hours and the value range, on /volunteers and in the report."""

from __future__ import annotations

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
