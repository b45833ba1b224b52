"""Small-cell suppression for public and funder views.

A person count below a threshold (default 5) in a breakdown could identify someone: three
children in one small community's child-protection project. In a public or funder view such
a cell is shown as "<5" and its share is hidden; the totals are still computed from all
records, and when one hidden cell could be recovered by subtracting the shown cells from a
shown total, a second cell (the next smallest) is hidden too (complementary suppression).

`suppressed(values, threshold)` decides which cells of one breakdown to hide. `table()` and
`chart()` apply it to a page model's Table and Chart (which carries the CSV download and
the plotly figure), so every page, chart point and CSV cell goes through this one module.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, replace

from impact.presentation.i18n import t

DEFAULT_THRESHOLD = 5
THRESHOLD_ENV = "IMPACT_SUPPRESS_BELOW"
# Columns (table keys) that count people: person-times served and volunteer person-times.
# person_times, people, households, attendances: the who-was-served tables (impact/views/people.py).
PERSON_KEYS = frozenset({"beneficiaries", "volunteers", "person_times", "people", "households",
                         "attendances"})
# Columns derived from a person count that would give it away: its share of the total,
# person-times per service, minutes per volunteer (with the hours shown beside it).
DERIVED_KEYS = {"beneficiaries": ("share", "per_service"), "person_times": ("share",),
                "volunteers": ("minutes_per_volunteer",)}


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
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
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


@dataclass(frozen=True)
class Policy:
    """Whether to suppress, and below what count."""

    active: bool = False
    threshold: int = DEFAULT_THRESHOLD

    def marker(self) -> Suppressed:
        return Suppressed(self.threshold)


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


def table(model, policy: Policy, people: bool = False):
    """A copy of a Table with small person counts hidden (and their shares), column by
    column; the original is left as the page model built it. `people` marks a table whose
    value columns all count people (growth per organisation of a person metric)."""
    if not policy.active or not model or not model.rows:
        return model
    rows = [dict(r) for r in model.rows]
    values = [c.key for c in model.columns if c.kind != "text" and c.key not in
              ("year", "first_year", "last_year", "rank")]
    if people or "metric" in rows[0]:
        names = _person_names()
        for row in rows:
            if people or row.get("metric") in names:
                _hide_row_values(row, [k for k in values if k not in
                                       ("change", "pct", "cagr")], policy)
        return replace(model, rows=rows)
    for key in [c.key for c in model.columns if c.key in PERSON_KEYS]:
        for i in suppressed([r.get(key) for r in rows], policy.threshold):
            rows[i][key] = policy.marker()
            for derived in DERIVED_KEYS.get(key, ()):
                if derived in rows[i]:
                    rows[i][derived] = None
    return replace(model, rows=rows)


# ---------------------------------------------------------------------------- charts

def _person_trace(trace, person_names: set[str], people_chart: bool) -> bool:
    return people_chart or (trace.name or "") in person_names


def _hide_points(values: list, hidden: set[int]) -> list:
    return [None if i in hidden else v for i, v in enumerate(values)]


def chart(model, policy: Policy, people: bool = False):
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
        if not hidden:
            continue
        count += len(hidden)
        shown = _hide_points(values, hidden)
        if horizontal:
            trace.x = shown
        else:
            trace.y = shown
        if trace.customdata is not None:
            trace.customdata = [marker if i in hidden else v
                                for i, v in enumerate(trace.customdata)]
    out = replace(model, figure=fig, rows=table_rows(model.rows, policy))
    out.hidden = count  # points not drawn; the page says so under the chart
    return out


def table_rows(rows: list[dict], policy: Policy) -> list[dict]:
    """Query rows (a chart's data) with small person counts hidden, column by column."""
    if not policy.active or not rows:
        return rows
    out = [dict(r) for r in rows]
    for key in PERSON_KEYS:
        if key in out[0]:
            for i in suppressed([r.get(key) for r in out], policy.threshold):
                out[i][key] = policy.marker()
    return out
