"""Outcome indicators (results framework) for the CLI and reports: baseline, target and
actual per year, with the data source — what changed, apart from outputs like 人次."""

from __future__ import annotations

from impact.domain.metrics import achievement


def outcome_rows(db, filters) -> list[dict]:
    """The selection's outcomes, with the achievement (actual as % of target) beside them."""
    return [{**r, "achievement": achievement(r["actual"], r["target"]) if r["target"] else None}
            for r in db.rows("outcomes", **filters.params())]


def format_outcomes(rows: list[dict]) -> list[str]:
    if not rows:
        return []
    lines = ["outcomes (results against baseline and target):"]
    for r in rows:
        def show(v):
            return "-" if v is None else format(v.normalize(), "f")
        lines.append(f"  {r['year']} {r['project'] or '(whole organisation)'} · {r['indicator']}: "
                     f"actual {show(r['actual'])} {r['unit']}, target {show(r['target'])}, "
                     f"baseline {show(r['baseline'])}   [source: {r['source']}]")
    return lines
