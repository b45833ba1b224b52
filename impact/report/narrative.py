"""The drafted summary paragraph, in the style of the organisations' own annual reports.

Built from the figures by templates (`report.narrative.*` in the locale files), never by a
language model: every number in it is one the report's tables show (tests parse the numbers
back out and compare them with the queries). It names only the organisations with records in
the period, says which selected ones have none, and with several gives each one's share.
Example (zh):

    2020 年，珠海协作者共开展了 581 次专业服务，受益 99,037 人次；1,394 人次志愿者参与，
    累计志愿服务 70,644 分钟（约 1,177.40 小时）。全年收入 1,674,657.61 元，其中企业 …
"""

from __future__ import annotations

from decimal import Decimal

from impact.presentation import fmt
from impact.presentation.i18n import t
from impact.report import labels
from impact.report.content import ReportContent
from impact.domain.disclosure import volunteer_note
from impact.domain.metrics import dependence_per_org, volunteer_value
from impact.storage.schema import EXPENSE_LINES, SOURCE_TYPES

# The changes the last sentence mentions, in the order a director reads them.
YOY_ORDER = ("services", "beneficiaries", "volunteers", "income_total", "expense_total")


def narrative(content: ReportContent) -> str:
    """The summary paragraph for the report's selection, in its language."""
    lang = content.lang
    sep = "" if lang == "zh" else " "
    from impact.report.people import people_sentence

    return sep.join(s for s in (_activity(content), people_sentence(content), _missing(content),
                                _shares(content), _income(content), _expense(content),
                                _yoy(content), _coverage(content)) if s)


def disclosure(content: ReportContent) -> str:
    """The volunteer service note (impact.domain.disclosure), when volunteers gave any time."""
    s = content.summary
    if not s["volunteer_minutes"]:
        return ""
    v = s["volunteer_value"]
    # From the minutes, as the page does: the hours are already rounded to the hundredth.
    return volunteer_note(volunteer_value(s["volunteer_minutes"], v["rate_low"], v["rate_high"]),
                          content.filters.year_to, content.lang)


def _n(value, lang: str) -> str:
    return labels.number(value, labels.INT, lang)


def _m(value, lang: str) -> str:
    return labels.number(value, labels.MONEY, lang)


def _subject(content: ReportContent) -> dict:
    """The period and the organisations the figures belong to: those with records in it
    (all the selected ones when none has any, to say that none has)."""
    lang = content.lang
    named = content.orgs_with_records or content.orgs
    return {"period": labels.period(content.filters, lang),
            "orgs": labels.orgs(named, lang)}


def _missing(content: ReportContent) -> str:
    """'中山联和、北京协作者在 2021 年没有活动或收支记录。' for selected organisations without
    any record in the period (said only when some others have records)."""
    missing, lang = content.orgs_without_records, content.lang
    if not missing or not content.orgs_with_records:
        return ""
    return t("report.narrative.missing", lang, orgs=labels.orgs(missing, lang),
             period=labels.period(content.filters, lang))


def _shares(content: ReportContent) -> str:
    """Each organisation's part when several have records: services, person-times and income,
    with its share of the total person-times and income."""
    rows, lang = content.by_org, content.lang
    if len(rows) < 2:
        return ""
    people = sum(r["beneficiaries"] for r in rows)
    income = sum(r["income_total"] for r in rows)
    order = {o: i for i, o in enumerate(content.orgs)}
    parts = []
    for r in sorted(rows, key=lambda r: order.get(r["org"], len(order))):
        text = t("report.narrative.org_part", lang, org=r["org"],
                 services=_n(r["services"], lang), beneficiaries=_n(r["beneficiaries"], lang),
                 share=fmt.share(r["beneficiaries"] / people, lang) if people else fmt.DASH)
        if income > 0:
            text += t("report.narrative.org_income", lang, income=_m(r["income_total"], lang),
                      share=fmt.share(r["income_total"] / income, lang))
        parts.append(text)
    return t("report.narrative.by_org", lang,
             parts=t("report.narrative.org_sep", lang).join(parts))


def _coverage(content: ReportContent) -> str:
    """A warning when a change the last sentence gives covers years some organisation has no
    records for (impact.domain.metrics.coverage_gaps), naming them and the years; else when
    the comparison period's organisations with records differ from this period's: the change
    then mixes growth with organisations entering or leaving the data."""
    previous, lang = content.previous_orgs, content.lang
    if previous is None or not _yoy(content):
        return ""
    gaps: dict[str, set[int]] = {}
    for metric in YOY_ORDER:
        change = content.summary["yoy"].get(metric)
        if change and change["pct"] is not None:
            for org, years in (change.get("gaps") or {}).items():
                gaps.setdefault(org, set()).update(years)
    if gaps:
        return t("report.narrative.coverage_gaps", lang,
                 gaps=fmt.gaps({o: sorted(y) for o, y in gaps.items()}, lang))
    current = content.orgs_with_records
    if set(previous) == set(current):
        return ""
    prior = content.filters.previous_period()
    return t("report.narrative.coverage_changed", lang,
             previous_period=labels.period(prior, lang),
             previous=labels.orgs(previous, lang) if previous else fmt.DASH,
             period=labels.period(content.filters, lang),
             current=labels.orgs(current, lang) if current else fmt.DASH)


def _activity(content: ReportContent) -> str:
    s, lang = content.summary, content.lang
    if not s["records"]["activities"]:
        return t("report.narrative.no_activity", lang, **_subject(content))
    return t("report.narrative.activity", lang, **_subject(content),
             services=_n(s["services"], lang), beneficiaries=_n(s["beneficiaries"], lang),
             volunteers=_n(s["volunteers"], lang),
             volunteer_minutes=_n(s["volunteer_minutes"], lang),
             volunteer_hours=labels.number(s["volunteer_hours"], labels.HOURS, lang))


def _parts(amounts: dict, name, order: tuple, lang: str, total: Decimal,
           with_share: bool) -> str:
    """'企业 1,292,703.60 元，基金会 195,459.04 元 …', largest first, empty ones left out;
    `name(code)` is the code's label (a source type's or an expense line's)."""
    present = sorted((c for c in order if amounts.get(c)), key=lambda c: (-amounts[c],
                                                                          order.index(c)))
    key = "report.narrative.income_part_share" if with_share else "report.narrative.income_part"
    texts = [t(key, lang, label=_inline(name(c), lang),
               amount=_m(amounts[c], lang),
               share=fmt.share(amounts[c] / total, lang)) for c in present]
    return t("report.narrative.part_sep", lang).join(texts)


def _inline(label: str, lang: str) -> str:
    """A label as it reads mid-sentence: lower case in English ("of which enterprises …")."""
    return label[0].lower() + label[1:] if lang == "en" and label else label


def _income(content: ReportContent) -> str:
    s, lang = content.summary, content.lang
    if not s["records"]["transactions"]:
        return t("report.narrative.no_money", lang)
    if s["income_total"] <= 0:
        return ""
    key = "report.narrative.income_year" if content.one_year else "report.narrative.income_range"
    text = t(key, lang, income_total=_m(s["income_total"], lang),
             parts=_parts(s["income_by_source"], lambda c: labels.source(c, lang),
                          (*SOURCE_TYPES, None), lang, s["income_total"], with_share=False))
    space = " " if lang != "zh" else ""
    concentration = s["funding_concentration"]
    if concentration["flagged"]:
        text += space + t(
            "report.narrative.concentration", lang,
            label=_inline(labels.source(concentration["largest_source"], lang), lang),
            threshold=fmt.share(concentration["threshold"], lang, places=0))
    donors = s["donor_concentration"]
    per_org = dependence_per_org(content.org_funders, donors["threshold"])
    if per_org is not None:
        # Several organisations: a donor is a risk to the one it funds, named per organisation.
        for d in per_org:
            text += space + t("report.narrative.donor_concentration_org", lang,
                              org=d["org"], donor=d["donor"], share=fmt.share(d["share"], lang),
                              threshold=fmt.share(d["threshold"], lang, places=0))
    elif donors["flagged"]:
        text += space + t("report.narrative.donor_concentration", lang,
                          donor=donors["largest_donor"],
                          share=fmt.share(donors["largest_share"], lang),
                          threshold=fmt.share(donors["threshold"], lang, places=0))
    return text


def _expense(content: ReportContent) -> str:
    s, lang = content.summary, content.lang
    if not s["records"]["transactions"] or s["expense_total"] <= 0:
        return ""
    parts = _parts(s["expense_by_line"], lambda c: labels.line("expense", c, lang),
                   EXPENSE_LINES, lang, s["expense_total"], with_share=True)
    if s["surplus"] >= 0:
        return t("report.narrative.expense", lang, expense_total=_m(s["expense_total"], lang),
                 parts=parts, surplus=_m(s["surplus"], lang))
    return t("report.narrative.expense_deficit", lang, expense_total=_m(s["expense_total"], lang),
             parts=parts, deficit=_m(-s["surplus"], lang))


def _yoy(content: ReportContent) -> str:
    """'与 2019 年相比，受益人次增长 36.89%，…' for the metrics with a defined % change."""
    lang, yoy = content.lang, content.summary["yoy"]
    previous = content.filters.previous_period()
    changes = []
    for metric in YOY_ORDER:
        change = yoy.get(metric)
        if not change or change["pct"] is None:
            continue
        pct = change["pct"]
        label = labels.metric(metric, lang)
        if lang == "en":
            label = _inline(label, lang)
        key = ("report.narrative.up" if pct > 0 else
               "report.narrative.down" if pct < 0 else "report.narrative.flat")
        text = t(key, lang, label=label, pct=fmt.number(abs(pct), lang, places=2) + "%")
        if change.get("gaps"):
            text += t("report.narrative.incomplete_mark", lang)
        changes.append(text)
    if not changes or previous is None:
        return ""
    return t("report.narrative.yoy", lang,
             previous_period=labels.period(previous, lang),
             changes=t("report.narrative.change_sep", lang).join(changes))
