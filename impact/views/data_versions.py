"""The Data page's corrections and history: what an update or replace upload would change
(field by field), the versions with who/when/why, and one version's diff."""

from __future__ import annotations

from dataclasses import dataclass, field

from impact.presentation.i18n import t
from impact.ingest import ImportCheck
from impact.ingest.messages import row_message
from impact.ingest.write import plan_correction
from impact.storage import changes, retention, versions
from impact.errors import ClosedPeriod, DataError, UsageError
from impact.storage.edits import Plan, refuse_closed, totals_delta
from impact.storage.store import DataStore

MODES = ("add", "update", "replace")
DIFF_ROWS = 500


@dataclass
class CorrectionPreview:
    summary: str
    plan: Plan | None
    errors: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # one per changed field / record

    @property
    def can_commit(self) -> bool:
        return self.plan is not None and not self.plan.empty and not self.errors


def _show(value) -> str:
    return "" if value is None else str(value)


def correction(check: ImportCheck, store: DataStore, mode: str, lang: str) -> CorrectionPreview:
    """The diff an update / replace upload would commit (nothing is written)."""
    errors = [row_message(e, lang) for e in check.errors if e.code != "conflicts_existing"]
    if check.header_problems or errors:
        return CorrectionPreview(t("data.correct.fix_first", lang), None, errors=errors)
    p = plan_correction(check, store, mode)
    touched = [c.old for c in p.changes if c.old] + [c.new for c in p.changes if c.new]
    try:  # a closed period is refused already here, before anyone is asked to confirm
        refuse_closed(p.manifest, p.table, touched)
    except ClosedPeriod as exc:
        return CorrectionPreview(closed_text(exc, lang), None)
    delta = totals_delta(p)
    moved = ", ".join(f"{t(f'data.total.{k}', lang)} {v}" for k, v in delta.items())
    summary = t("data.correct.summary", lang, added=p.count("added"),
                changed=p.count("changed"), removed=p.count("removed"),
                totals=moved or t("data.correct.totals_same", lang))
    cols = (t("data.diff.change", lang), t("data.diff.record", lang), t("data.diff.field", lang),
            t("data.diff.old", lang), t("data.diff.new", lang))
    rows = []
    for c in p.changes[:DIFF_ROWS]:
        key = " / ".join(_show(v) for v in c.key)
        kind = t(f"data.diff.{c.kind}", lang)
        if c.kind == "changed":
            rows += [dict(zip(cols, (kind, key, name, _show(o), _show(n))))
                     for name, (o, n) in c.fields.items()]
        else:
            rows.append(dict(zip(cols, (kind, key, "", "", ""))))
    return CorrectionPreview(summary, p, rows=rows)


def closed_text(exc: ClosedPeriod, lang: str) -> str:
    sep = t("report.orgs.sep", lang)
    return t("data.closed_refused", lang, periods=sep.join(exc.periods),
             rows=sep.join(exc.rows) or "—")


def history_rows(store: DataStore, lang: str) -> list[dict]:
    """The versions, newest first, as table rows (none before the first commit)."""
    return history_table(store, lang)[0]


def history_table(store: DataStore, lang: str) -> tuple[list[dict], list[str]]:
    """(the sound versions, newest first, as table rows; one line per damaged history/
    file, naming it). One unreadable file must not hide the others: the CLI's `impact
    history` lists the rest and names it, and so does the Data page."""
    if store.manifest() is None:
        return [], []
    out, damaged = [], []
    for r in reversed(versions.history(store, skip_damaged=True)):
        if r.get("damaged"):
            damaged.append(t("data.history.damaged", lang, version=r["version"],
                             file=retention.history_path(r["version"])))
            continue
        what = "; ".join(f"{t(f'data.table.{name}', lang)} +{c['added']} ~{c['changed']} "
                         f"-{c['removed']}" for name, c in (r.get("changes") or {}).items())
        if r.get("period"):
            what = f"{r['period']['org']} {r['period']['year']}"
        out.append({t("data.history.version", lang): r["version"],
                    t("data.history.when", lang): r.get("when", ""),
                    t("data.history.who", lang): r.get("who", ""),
                    t("data.history.kind", lang): t(f"data.kind.{r.get('kind', 'commit')}", lang),
                    t("data.history.why", lang): r.get("why", ""),
                    t("data.history.file", lang): (r.get("input") or {}).get("name", ""),
                    t("data.history.changes", lang): what})
    return out, damaged


def version_diff_rows(store: DataStore, number: int, lang: str) -> list[dict]:
    """What version `number` changed, record by record (against the version before it)."""
    if number <= 1:
        return []
    found = versions.diff(store, number - 1, number, limit=DIFF_ROWS)["rows"]
    cols = (t("data.diff.change", lang), t("data.diff.record", lang), t("data.diff.field", lang),
            t("data.diff.old", lang), t("data.diff.new", lang))
    rows = []
    for table, listed in found.items():
        for row in listed:
            key = " / ".join(_show(v) for v in row["key"].values())
            kind = t(f"data.diff.{row['change']}", lang)
            if row["change"] == "changed":
                rows += [dict(zip(cols, (kind, key, name, _show(o), _show(n))))
                         for name, (o, n) in row["fields"].items()]
            else:
                rows.append(dict(zip(cols, (kind, key, "", "", ""))))
    return rows


def can_undo(store: DataStore) -> bool:
    return undo_target(store) is not None


def undo_target(store: DataStore) -> int | None:
    """The version the undo button takes back (it names it, and the undo checks it is still
    the last data change), or None when there is nothing to undo."""
    if store.manifest() is None:
        return None
    try:
        return versions.last_change(store)
    except (UsageError, DataError):  # nothing to undo, or a damaged version in the way
        return None


__all__ = ["MODES", "correction", "history_rows", "history_table", "version_diff_rows", "can_undo", "undo_target", "changes"]
