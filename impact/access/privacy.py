"""Small-cell suppression for public and funder views.

A person count below a threshold (default 5) in a breakdown could identify someone: three
children in one small community's child-protection project. In a public or funder view such
a cell is shown as "<5" and its share is hidden; the totals are still computed from all
records, and when one hidden cell could be recovered by subtracting the shown cells from a
shown total, a second cell (the next smallest) is hidden too (complementary suppression).

Every other person count such a view shows is rounded to a multiple of ROUND_BASE (5):
cards, their year-over-year changes, sentences, chart points and table cells alike. A count
the visitor can ask for by choosing a selection (an organisation minus its other project,
2020–21 minus 2021) is then known only to within ±4 from any difference of two shown
figures, so a hidden count below the threshold cannot be worked out by subtraction
(complementary suppression across selections; docs/privacy.md says why it is sound).
Figures computed from a person count (shares, per-person rates) are computed from the
rounded count or left out, so they cannot give the exact one back.

`suppressed(values, threshold)` decides which cells of one breakdown to hide. `table()`,
`chart()` and `kpis()` apply the policy to a page model's Table, Chart and cards (which
carry the CSV download and the plotly figure), so every page, card, chart point and CSV
cell goes through this one module.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from impact.presentation.i18n import t

DEFAULT_THRESHOLD = 5
# Every shown person count at or above the threshold is rounded to a multiple of this.
ROUND_BASE = 5
THRESHOLD_ENV = "IMPACT_SUPPRESS_BELOW"
# Columns (table keys) that count people: person-times served and volunteer person-times.
# person_times, people, households, attendances: the who-was-served tables (impact/views/people.py).
PERSON_KEYS = frozenset({"beneficiaries", "volunteers", "person_times", "people", "households",
                         "attendances"})
# Columns derived from a person count that would give it away: its share of the total,
# person-times per service, minutes per volunteer (with the hours shown beside it).
DERIVED_KEYS = {"beneficiaries": ("share", "per_service"), "person_times": ("share",),
                "volunteers": ("minutes_per_volunteer",)}
# Columns naming a grant: a public view names no grant (nor the amounts per grant).
GRANT_KEYS = ("grant_id",)


def threshold_setting() -> int:
    """The threshold from $IMPACT_SUPPRESS_BELOW (default 5); at least 1."""
    raw = os.environ.get(THRESHOLD_ENV, "")
    try:
        return max(1, int(raw)) if raw.strip() else DEFAULT_THRESHOLD
    except ValueError:
        return DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Suppressed:
    """A hidden person count: shows as "<5", sorts and exports as text, never as a number."""

    threshold: int

    def __str__(self) -> str:
        return f"<{self.threshold}"


def is_small(value, threshold: int) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) \
        and 0 < value < threshold


def suppressed(values: list, threshold: int, total_shown: bool = True) -> set[int]:
    """Indexes of the cells of one breakdown to hide.

    Primary: every count in (0, threshold). Zero is no person and is shown. Complementary:
    when exactly one cell is hidden and the breakdown's total is shown (or the others add up
    to it), the smallest other non-zero cell is hidden too, so the hidden one cannot be
    recovered by subtraction.
    """
    hidden = {i for i, v in enumerate(values) if is_small(v, threshold)}
    if len(hidden) == 1 and total_shown:
        others = sorted((v, i) for i, v in enumerate(values)
                        if i not in hidden and isinstance(v, (int, float)) and v)
        if others:
            hidden.add(others[0][1])
    return hidden


def rounded(value: int, base: int = ROUND_BASE) -> int:
    """`value` to the nearest multiple of `base`, halves up (12 → 10, 13 → 15)."""
    return int((Decimal(value) / base).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * base


@dataclass(frozen=True)
class Policy:
    """Whether to suppress, below what count, and whether the view is the public one (which
    also names no grant)."""

    active: bool = False
    threshold: int = DEFAULT_THRESHOLD
    public: bool = False

    def marker(self) -> Suppressed:
        return Suppressed(self.threshold)

    def count(self, value):
        """A person count as this view shows it: "<5" below the threshold; in the public
        view also rounded to a multiple of ROUND_BASE (complementary suppression: never below
        the threshold, so 5 stays 5). A funder's view keeps exact counts above the threshold:
        its grant reports must match what it was told, and it sees only its own projects.
        Unchanged when the policy is off; zero (no person) or a non-number as it is."""
        if not self.active or isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            return value
        if value == 0:
            return value
        if is_small(value, self.threshold):
            return self.marker()
        return rounded(int(value)) if self.public else value


OFF = Policy(False)


# ---------------------------------------------------------------------------- tables

def _person_names() -> set[str]:
    return {t(f"metric.{k}", lang) for k in PERSON_KEYS for lang in ("zh", "en")}


def _hide_row_values(row: dict, keys: list[str], policy: Policy) -> None:
    """One row of a growth table whose values all count people: hide the small ones, and
    the change and growth rate that would give them away."""
    if any(is_small(row.get(k), policy.threshold) for k in keys):
        for key in keys:
            if is_small(row.get(key), policy.threshold):
                row[key] = policy.marker()
        for derived in ("change", "pct", "cagr"):
            if derived in row:
                row[derived] = None


def _round_rows(rows: list[dict], keys, policy: Policy) -> None:
    """Every shown person count of `keys` rounded (the hidden ones are markers already)."""
    for row in rows:
        for key in keys:
            if key in row:
                row[key] = policy.count(row[key])


def _public_rows(model, rows: list[dict], policy: Policy):
    """A public view names no grant: the grant column and the rows of a grant (a grant's
    deliverables, e.g. the amount it paid out) are left out."""
    if not policy.public:
        return model, rows
    rows = [r for r in rows if not any(r.get(k) for k in GRANT_KEYS)]
    columns = [c for c in model.columns if c.key not in GRANT_KEYS]
    return replace(model, columns=columns), rows


def _targets(rows: list[dict], policy: Policy) -> None:
    """Targets of a person metric: the achieved count rounded and the achievement computed
    from it (the exact ratio to a shown target would give the exact count back)."""
    from impact.domain.metrics import achievement

    for row in rows:
        if row.get("metric") in PERSON_KEYS and "actual" in row:
            actual = policy.count(row["actual"])
            row["actual"] = actual
            target = row.get("target")
            row["achievement"] = (achievement(actual, target)  # exact, rounded where shown
                                  if isinstance(actual, int) and target else None)


def table(model, policy: Policy, people: bool = False):
    """A copy of a Table with small person counts hidden (and their shares) and the other
    person counts rounded, column by column; the original is left as the page model built
    it. `people` marks a table whose value columns all count people (growth per
    organisation of a person metric)."""
    if not policy.active or not model or not model.rows:
        return model
    model, rows = _public_rows(model, [dict(r) for r in model.rows], policy)
    if not rows:
        return replace(model, rows=rows)
    if "metric" in rows[0] and "actual" in rows[0]:
        _targets(rows, policy)
        return replace(model, rows=rows)
    values = [c.key for c in model.columns if c.kind != "text" and c.key not in
              ("year", "first_year", "last_year", "rank")]
    if people or "metric" in rows[0]:
        names = _person_names()
        for row in rows:
            if people or row.get("metric") in names:
                counts = [k for k in values if k not in ("change", "pct", "cagr")]
                _hide_row_values(row, counts, policy)
                _round_rows([row], counts, policy)
                # A change or growth rate of exact counts would give the rounded ones back.
                for derived in ("change", "pct", "cagr"):
                    if derived in row and policy.public:
                        row[derived] = None
        return replace(model, rows=rows)
    for key in [c.key for c in model.columns if c.key in PERSON_KEYS]:
        for i in suppressed([r.get(key) for r in rows], policy.threshold):
            rows[i][key] = policy.marker()
        _round_rows(rows, [key], policy)
        # Shares and per-person rates of an exact count would give it back: left out in
        # the public view (whose counts are rounded), and beside a hidden count everywhere.
        for row in rows:
            for derived in DERIVED_KEYS.get(key, ()):
                if derived in row and (policy.public or isinstance(row.get(key), Suppressed)):
                    row[derived] = None
    return replace(model, rows=rows)


# ---------------------------------------------------------------------------- charts

def _person_trace(trace, person_names: set[str], people_chart: bool) -> bool:
    return people_chart or (trace.name or "") in person_names


def _hide_points(values: list, hidden: set[int]) -> list:
    return [None if i in hidden else v for i, v in enumerate(values)]


def chart(model, policy: Policy, people: bool = False, lang: str = "zh"):
    """A copy of a Chart whose person-count points below the threshold are not drawn and
    read "<5" in the tooltip. `people` marks a chart whose every series counts people
    (e.g. one line per year of monthly person-times); otherwise a series counts people when
    its name is a person metric's label."""
    if not policy.active or model is None or model.figure is None:
        return model
    names = _person_names()
    fig = copy.deepcopy(model.figure)
    from impact.presentation.charts import safe_label

    marker = safe_label(str(policy.marker()))  # plotly would read "<5" as the start of a tag
    count = 0
    for trace in fig.data:
        if trace.type == "scatter" and trace.mode == "markers":  # services vs person-times
            ys = list(trace.y or ())
            hidden = suppressed(ys, policy.threshold)
            count += len(hidden)
            trace.y = _hide_points(ys, hidden)
            trace.x = _hide_points(list(trace.x or ()), hidden)
            if trace.text is not None:
                trace.text = [marker if i in hidden else v for i, v in enumerate(trace.text)]
            continue
        if not _person_trace(trace, names, people):
            continue
        horizontal = trace.orientation == "h"
        values = list((trace.x if horizontal else trace.y) or ())
        hidden = suppressed(values, policy.threshold)
        count += len(hidden)
        # The drawn points are rounded too: two bars (2020–21 and 2021, an organisation and
        # its other project) must not give a hidden count back by subtraction.
        shown = [policy.count(v) for v in _hide_points(values, hidden)]
        if horizontal:
            trace.x = shown
        else:
            trace.y = shown
        if trace.customdata is not None:  # the hover text of each point
            trace.customdata = [marker if i in hidden else
                                _hover(shown[i], v, lang) if i < len(shown) else v
                                for i, v in enumerate(trace.customdata)]
    out = replace(model, figure=fig, rows=table_rows(model.rows, policy))
    out.hidden = count  # points not drawn; the page says so under the chart
    return out


def _hover(shown, original, lang: str):
    """A point's hover text for its rounded value (the exact one would undo the rounding)."""
    from impact.presentation import fmt

    if shown is None or isinstance(original, (list, tuple)):
        return original
    return fmt.count(shown, lang) if isinstance(original, str) else shown


def table_rows(rows: list[dict], policy: Policy) -> list[dict]:
    """Query rows (a chart's data) with small person counts hidden and the others rounded,
    column by column."""
    if not policy.active or not rows:
        return rows
    out = [dict(r) for r in rows]
    for key in PERSON_KEYS:
        if key in out[0]:
            for i in suppressed([r.get(key) for r in out], policy.threshold):
                out[i][key] = policy.marker()
            _round_rows(out, [key], policy)
    return out


# ---------------------------------------------------------------------------- cards

# Cards computed from a person count: value = numerator ÷ persons, at these places.
RATE_CARDS = {"cost_per_beneficiary": ("money", Decimal("0.01")),
              "minutes_per_volunteer": ("decimal", Decimal("0.1"))}


def kpis(cards: list, policy: Policy, lang: str) -> list:
    """Copies of the headline cards as a public or funder view shows them: person counts
    and their changes from rounded counts ("<5" below the threshold, no change then), a
    per-person rate from the rounded count, and in the public view the largest donor's share
    only as above or below its limit (with the income total beside it, the exact share is
    that donor's amount). The cards the page model built are left as they are."""
    if not policy.active:
        return cards
    out = []
    for card in cards:
        if card.key in PERSON_KEYS:
            out.append(_count_card(card, policy, lang))
        elif card.key in RATE_CARDS and "persons" in card.basis:
            out.append(_rate_card(card, policy, lang))
        elif card.key == "largest_donor_share" and policy.public and "threshold" in card.basis:
            out.append(_donor_card(card, lang))
        else:
            out.append(card)
    return out


def _rounding_note(policy: Policy, lang: str) -> str:
    return t("access.rounded_note", lang, threshold=policy.threshold, base=ROUND_BASE)


def _count_card(card, policy: Policy, lang: str):
    from impact.presentation import fmt

    shown = policy.count(card.value)
    text = str(shown) if isinstance(shown, Suppressed) else fmt.value(shown, "count", lang)
    before = policy.count(card.previous) if card.previous is not None else None
    delta = delta_value = None
    help_text = t(f"metric.{card.key}.help", lang)
    if isinstance(shown, int) and isinstance(before, int):
        # The change between two rounded counts, never the exact one: with either side
        # shown, an exact change would give the other back.
        delta_value = shown - before
        pct = (Decimal(delta_value) * 100 / before) if before > 0 else None
        delta = fmt.delta({"change": delta_value, "pct": pct}, "count", lang)
    if before is not None and card.basis.get("period"):
        help_text += " " + t("kpi.compared_with", lang, period=card.basis["period"],
                             value=str(before) if isinstance(before, Suppressed)
                             else fmt.value(before, "count", lang))
    return replace(card, value=shown, display=text, exact=text, delta=delta,
                   delta_value=delta_value, previous=before,
                   help=help_text + " " + _rounding_note(policy, lang))


def _rate_card(card, policy: Policy, lang: str):
    from impact.presentation import fmt

    kind, places = RATE_CARDS[card.key]
    persons = policy.count(card.basis["persons"])
    value = None
    if isinstance(persons, int) and persons > 0:
        # From the rounded count: numerator ÷ this value then gives only the shown count.
        value = (Decimal(card.basis["numerator"]) / persons).quantize(places, ROUND_HALF_UP)
    text = fmt.value(value, kind, lang) if value is not None else fmt.DASH
    return replace(card, value=value, display=text, exact=text,
                   help=t(f"metric.{card.key}.help", lang) + " "
                   + _rounding_note(policy, lang))


def _donor_card(card, lang: str):
    from impact.presentation import fmt

    limit = fmt.share(card.basis["threshold"], lang, places=0)
    key = "access.donor_share_above" if card.basis.get("flagged") else "access.donor_share_below"
    text = t(key, lang, limit=limit)
    return replace(card, value=None, display=text, exact=text,
                   help=t("access.donor_share_help", lang, limit=limit))
