"""What a reader needs to read the figures right: metric definitions and the report's scope."""

from __future__ import annotations

from impact.presentation import fmt
from impact.config import (VOLUNTEER_RATE_HIGH, VOLUNTEER_RATE_LOW, donor_concentration_share,
                           source_concentration_share)
from impact.presentation.i18n import t
from impact.report import labels, stamp
from impact.report.content import ReportContent

# The definitions, in reading order (report.def.* keys); each text reads "term: meaning".
_DEFINITIONS = ("beneficiaries", "services", "volunteers", "volunteer_minutes", "money",
                "cost_per_beneficiary", "concentration", "volunteer_value", "yoy", "achievement")


def definitions(content: ReportContent) -> list[tuple[str, str]]:
    """(term, meaning) pairs: person-times are not people, volunteer value is not income …"""
    lang = content.lang
    values = {"share": fmt.share(source_concentration_share(), lang, places=0),
              "donor_share": fmt.share(donor_concentration_share(), lang, places=0),
              "low": fmt.number(VOLUNTEER_RATE_LOW, lang),
              "high": fmt.number(VOLUNTEER_RATE_HIGH, lang)}
    out = []
    for key in _DEFINITIONS:
        text = t(f"report.def.{key}", lang, **values)
        term, _, meaning = text.partition("：" if lang == "zh" else ": ")
        out.append((term, meaning[:1].upper() + meaning[1:]))
    return out


def scope(content: ReportContent) -> list[tuple[str, str]]:
    """(setting, value) pairs saying exactly what the report counts and when it was made."""
    lang, f = content.lang, content.filters
    everything = t("report.filter.all", lang)
    previous = f.previous_period()
    sep = t("report.orgs.sep", lang)
    rows = [
        (t("report.filter.orgs", lang), labels.orgs(content.orgs, lang)),
        (t("report.filter.period", lang), labels.period(f, lang)),
        (t("report.filter.previous", lang),
         labels.period(previous, lang) if previous else t("report.filter.none", lang)),
        (t("report.filter.projects", lang), sep.join(f.projects) or everything),
        (t("report.filter.areas", lang), sep.join(f.areas) or everything),
        (t("report.filter.data_version", lang),
         stamp.version_text(content.stamp) if content.stamp else content.data_version),
        (t("report.filter.generated", lang), content.generated.strftime("%Y-%m-%d %H:%M")),
    ]
    if content.data_changed:
        rows.append((t("report.data_changed", lang, date="").rstrip(":： "),
                     content.data_changed.strftime("%Y-%m-%d %H:%M")))
    if content.stamp:
        rows.append((t("report.filter.closed", lang), period_state(content.stamp, lang)))
        rows.append((t("report.filter.view_url", lang), content.stamp["url"]))
    return rows


def period_state(stamped: dict, lang: str) -> str:
    """已关账 when every organisation-year of the report is closed; else 未关账, naming the
    closed ones when some are."""
    periods = stamped.get("periods") or []
    if stamped.get("closed"):
        return t("report.closed.yes", lang)
    shut = [f"{p['org']} {p['year']}" for p in periods if p["closed"]]
    text = t("report.closed.no", lang)
    if shut:
        text += " " + t("report.closed.some", lang, periods=t("report.orgs.sep", lang).join(shut))
    return text
