"""Checks a director's own prose against the report's numbers (issue 11, point 8).

Annual reports say things like "机构收入正以每年翻倍的速度持续增长" when income grew 88 %, 47 %
and 144 %, or "受益 99,037 人" when 99,037 is person-times (人次: one person coming ten times
counts ten). Each rule below finds one kind of claim in the text, works out what the
figures of the selection show, and returns a finding when the claim says more than that.
The drafted narrative passes every rule (tested); a pasted draft gets the findings listed on
the /report page and in the report files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from impact.presentation import fmt
from impact.presentation.i18n import t
from impact.domain.metrics import change
from impact.report import labels
from impact.report.content import ReportContent, per_year

# Words that say which metric a sentence is about, most specific first.
METRIC_WORDS = (
    ("volunteers", ("志愿者", "volunteer")),
    ("beneficiaries", ("人次", "受益", "服务对象", "person-time", "beneficiar", "people")),
    ("expense_total", ("支出", "expense", "spending")),
    ("income_total", ("收入", "经费", "资金", "income", "funding", "revenue")),
    ("services", ("服务", "活动", "service", "session")),
)
DOUBLING = re.compile(r"翻倍|翻一番|翻番|doubl\w*|two-?fold", re.IGNORECASE)
EVERY_YEAR = re.compile(r"每年|逐年|年年|every year|each year|annually|year after year|year on year",
                        re.IGNORECASE)
GROWTH_PCT = re.compile(
    r"(?:增长|增加|上升|提高|grew|rose|increased|up)(?:\s*(?:了|by))?\s*"
    r"(\d+(?:\.\d+)?)\s*%", re.IGNORECASE)
# A number of people: "99,037 人", "9.9 万人", "99,037 people" (not 人次 / person-times).
PEOPLE = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(万)?\s*(?:名|位)?\s*人(?!次)"
                    r"|(\d+(?:,\d{3})*(?:\.\d+)?)\s+(?:people|persons|individuals)",
                    re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])|(?<=\.)\s+")
CLAUSE_END = re.compile(r"[，,、：:（(]")
PCT_TOLERANCE = Decimal("0.5")  # percentage points a claim may be off (rounding in prose)
PEOPLE_TOLERANCE = Decimal("0.01")  # a "约 9.9 万人" within 1 % of a person-times figure


@dataclass(frozen=True)
class Finding:
    """One claim the numbers do not bear out: the words quoted, and what the figures show."""

    claim: str
    message: str


def _metric(sentence: str) -> str | None:
    lowered = sentence.lower()
    for metric, words in METRIC_WORDS:
        if any(w.lower() in lowered for w in words):
            return metric
    return None


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text or "") if s.strip()]


def _clause_metric(sentence: str, at: int) -> str | None:
    """The metric named in the clause that ends at `at` ('受益人次增长 91.56%' → person-times),
    else in the whole sentence."""
    starts = [m.end() for m in CLAUSE_END.finditer(sentence, 0, at)]
    return _metric(sentence[starts[-1] if starts else 0:at]) or _metric(sentence)


def _inline(text: str, lang: str) -> str:
    return text[0].lower() + text[1:] if lang == "en" and text else text


def yearly_growth(content: ReportContent, metric: str) -> list[tuple[int, Decimal | None]]:
    """(year, % change on the year before) over the report's growth years, consecutive only."""
    rows = per_year(content)
    out = []
    for before, after in zip(rows, rows[1:]):
        if after["year"] != before["year"] + 1:
            continue
        moved = change(after[metric], before[metric])
        out.append((after["year"], moved["pct"] if moved else None))
    return out


def _doubling(sentence: str, content: ReportContent) -> Finding | None:
    found = DOUBLING.search(sentence)
    if not found:
        return None
    lang = content.lang
    metric = _clause_metric(sentence, found.start()) or "income_total"
    growth = yearly_growth(content, metric)
    if not growth:
        return None
    every_year = bool(EVERY_YEAR.search(sentence))
    steps = [p for _, p in growth]
    doubled = [p is not None and p >= 100 for p in steps]
    if all(doubled) if every_year else any(doubled):
        return None
    shown = t("report.claims.sep", lang).join(
        t("report.claims.year_change", lang, year=year,
          pct=labels.signed_number(pct, labels.PCT, lang) if pct is not None else fmt.DASH)
        for year, pct in growth)
    key = "report.claims.not_doubling_every_year" if every_year else "report.claims.not_doubling"
    return Finding(found.group(0), t(key, lang, metric=labels.metric(metric, lang),
                                     changes=shown))


def _growth_pct(sentence: str, content: ReportContent) -> list[Finding]:
    """'受益人次增长 50%' against the selection's change on the period before."""
    lang, out = content.lang, []
    for found in GROWTH_PCT.finditer(sentence):
        metric = _clause_metric(sentence, found.start())
        moved = content.summary["yoy"].get(metric) if metric else None
        if not moved or moved["pct"] is None:
            continue
        claimed = Decimal(found.group(1))
        if abs(claimed - moved["pct"]) > PCT_TOLERANCE:
            out.append(Finding(found.group(0), t(
                "report.claims.wrong_growth", lang, metric=labels.metric(metric, lang),
                claimed=f"{claimed}%",
                actual=labels.signed_number(moved["pct"], labels.PCT, lang),
                previous=labels.period(content.filters.previous_period(), lang))))
    return out


def _people(sentence: str, content: ReportContent) -> list[Finding]:
    """A person-times figure written as a number of people."""
    lang, out = content.lang, []
    s = content.summary
    figures = {"beneficiaries": s["beneficiaries"], "volunteers": s["volunteers"]}
    for row in content.by_org:
        figures.setdefault(f"beneficiaries:{row['org']}", row["beneficiaries"])
    for found in PEOPLE.finditer(sentence):
        raw = found.group(1) or found.group(3)
        value = Decimal(raw.replace(",", "")) * (10_000 if found.group(2) else 1)
        for key, figure in figures.items():
            if figure and abs(value - figure) <= PEOPLE_TOLERANCE * figure:
                metric = key.split(":")[0]
                out.append(Finding(found.group(0).strip(), t(
                    "report.claims.person_times", lang, figure=fmt.number(figure, lang),
                    metric=_inline(labels.metric(metric, lang), lang))))
                break
    return out


def check(text: str, content: ReportContent) -> list[Finding]:
    """Every claim in `text` that says more than the selection's figures show."""
    findings: list[Finding] = []
    for sentence in _sentences(text):
        doubling = _doubling(sentence, content)
        if doubling:
            findings.append(doubling)
        findings += _growth_pct(sentence, content)
        findings += _people(sentence, content)
    return findings
