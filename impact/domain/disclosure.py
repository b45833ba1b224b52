"""The volunteer service disclosure note (志愿服务附注) the report and /volunteers print.

Under the 民间非营利组织会计制度 (财会〔2004〕7号), 第五十八条: “对于民间非营利组织接受的劳务
捐赠，不予确认，但应当在会计报表附注中作相关披露。” Volunteer service is such a 劳务捐赠: no
income is recognised, the notes disclose it. The note says so and gives the hours and the
value range. The system revised in December 2024, in force from 1 January 2026, adds rules
for service donations (服务捐赠) whose conditions were not verified (docs/metrics.md), so for a
selection reaching 2026 or later the note says the revised rules may apply.
"""

from __future__ import annotations

from impact.presentation import fmt
from impact.presentation.i18n import t
from impact.domain.metrics import VolunteerValue

REVISED_FROM = 2026  # the revised 民间非营利组织会计制度 is in force from 1 January 2026


def volunteer_note(value: VolunteerValue, last_year: int | None, lang: str) -> str:
    """The note for volunteer time worth `value` (hours and range) in a selection ending in
    `last_year` (None: all years, so possibly 2026 or later)."""
    text = t("disclosure.volunteer", lang, hours=fmt.number(value.hours, lang, places=2),
             low=fmt.money(value.low, lang), high=fmt.money(value.high, lang),
             rate_low=fmt.number(value.rate_low, lang), rate_high=fmt.number(value.rate_high, lang))
    if last_year is None or last_year >= REVISED_FROM:
        text += (" " if lang != "zh" else "") + t("disclosure.volunteer_revised", lang)
    return text
