"""Outcome indicators (results framework) for the CLI and reports: baseline, target and
actual per year, with the data source — what changed, apart from outputs like 人次."""

from __future__ import annotations

from impact.domain.metrics import achievement
from impact.presentation import fmt
from impact.presentation.i18n import label, t


def outcome_rows(db, filters) -> list[dict]:
    """The selection's outcomes, with the achievement (actual as % of target) beside them."""
    return [{**r, "achievement": achievement(r["actual"], r["target"]) if r["target"] else None}
            for r in db.rows("outcomes", **filters.params())]


def format_outcomes(rows: list[dict], lang: str = "zh") -> list[str]:
    """Plain-text lines in `lang`: each outcome's actual, target and baseline, and its source."""
    if not rows:
        return []
    lines = [t("cli.outcomes.title", lang)]
    colon = "：" if lang == "zh" else ": "
    for r in rows:
        def show(v):
            return fmt.DASH if v is None else fmt.number(fmt.trim(v), lang)
        scope = r["project"] or t("common.whole_org", lang)
        figures = t("cli.outcomes.row", lang, actual=show(r["actual"]), unit=label("outcome_unit", r["unit"], lang) if r["unit"] else "",
                    target=show(r["target"]), baseline=show(r["baseline"]))
        lines.append(f"  {r['year']} {scope} · {label('indicator', r['indicator'], lang)}"
                     f"{colon}{figures}   [{t('cli.outcomes.source', lang, source=r['source'])}]")
    return lines
