"""What changed between two manifests: rows added, changed and removed per table (by record
key), the rows themselves for `impact diff`, and the control totals before and after.

Files are content-addressed, so only the files that differ between the two manifests are
read: an import into 2021 compares the two 2021 files and nothing else. The comparison runs
on a short-lived DuckDB connection (a full outer join on the key), closed before returning.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

import duckdb

from impact.storage.schema import TABLES

# The key that identifies one record (project may be empty, so keys compare NULL-safely).
KEYS = {"activities": ("org", "activity_id"), "finance": ("org", "txn_id"),
        "indicators": ("org", "project", "year", "indicator"),
        "targets": ("org", "project", "year", "metric", "grant_id"),
        "activity_groups": ("org", "activity_id", "beneficiary_group"),
        "reach": ("org", "project", "year", "beneficiary_group"),
        "outcomes": ("org", "project", "year", "indicator"),
        "participants": ("org", "project", "year", "person_key"),
        "grants": ("org", "grant_id"), "grant_projects": ("org", "grant_id", "project"),
        "budgets": ("org", "project", "grant_id", "year", "line")}
ACTIVITY_SUMS = ("sessions", "beneficiaries", "volunteers", "volunteer_minutes")


def totals(manifest: dict | None) -> dict:
    """Control totals of a whole manifest, from its entries (no file is read): Σ of the
    activity sums, Σ income and expense (exact strings), and rows per table."""
    out: dict = {f"{t}_rows": 0 for t in TABLES}
    out.update({c: 0 for c in ACTIVITY_SUMS})
    money = {"income": Decimal("0"), "expense": Decimal("0")}
    for name, body in ((manifest or {}).get("tables") or {}).items():
        for e in body.get("files", []):
            out[f"{name}_rows"] += e["rows"]
            for key, value in (e.get("totals") or {}).items():
                if key in money:
                    money[key] += Decimal(value)
                elif key in out:
                    out[key] += int(value)
    out.update({k: f"{v:.2f}" for k, v in money.items()})
    return out


def _files(manifest: dict | None, table: str) -> dict[str, dict]:
    files = ((manifest or {}).get("tables") or {}).get(table, {}).get("files", [])
    return {e["path"]: e for e in files}


def _literal_list(paths: list[str]) -> str:
    # Paths come from a checked manifest (content-addressed names only), quoted all the same.
    return ", ".join("'" + p.replace("'", "''") + "'" for p in paths)


def _relation(paths: list[str], table: str, con=None) -> str:
    """The files' rows in the current columns. A column the files do not have (a file written
    before a column was added, e.g. before `impact migrate`) reads as NULL, so the versions
    of an upgrade can be compared."""
    if not paths:
        types = ", ".join(f"CAST(NULL AS {c.sql_type}) AS {c.name}" for c in TABLES[table].columns)
        return f"(SELECT {types} WHERE false)"
    source = f"read_parquet([{_literal_list(paths)}], hive_partitioning = false, union_by_name = true)"
    have = None
    if con is not None:
        have = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    cols = ", ".join(c.name if have is None or c.name in have
                     else f"CAST(NULL AS {c.sql_type}) AS {c.name}"
                     for c in TABLES[table].columns)
    return f"(SELECT {cols} FROM {source})"


def _joined(old_paths, new_paths, table: str, con=None) -> str:
    on = " AND ".join(f"o.{k} IS NOT DISTINCT FROM n.{k}" for k in KEYS[table])
    return (f"{_relation(old_paths, table, con)} o FULL OUTER JOIN "
            f"{_relation(new_paths, table, con)} n ON {on}")


def _differs(table: str) -> str:
    return " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in TABLES[table].column_names)


def _changed_paths(old: dict | None, new: dict | None, table: str, full_path: Callable
                   ) -> tuple[list[str], list[str]] | None:
    before, after = _files(old, table), _files(new, table)
    if set(before) == set(after):
        return None
    return ([full_path(p) for p in before if p not in after],
            [full_path(p) for p in after if p not in before])


def _connect(filesystem):
    con = duckdb.connect(config={"threads": 1})
    if filesystem is not None:  # an s3:// data directory, read through fsspec
        con.register_filesystem(filesystem)
    return con


def _present(table: str) -> str:
    """A column never empty in a stored row, so NULL on one side of the join means the row
    is not there (activity_groups' org may be empty in rows written before issue 27)."""
    return "org" if TABLES[table].column("org").nullable is False else KEYS[table][-1]


def counts(old: dict | None, new: dict | None, full_path: Callable[[str], str],
           filesystem=None) -> dict:
    """{table: {"added": n, "changed": n, "removed": n}} for the tables that differ."""
    out = {}
    con = _connect(filesystem)
    try:
        for table in TABLES:
            paths = _changed_paths(old, new, table, full_path)
            if paths is None:
                continue
            if not paths[0] or not paths[1]:  # one side has no files: all added (or removed),
                # counted from the manifests' entries; no join of a million rows with nothing
                before, after = _files(old, table), _files(new, table)
                out[table] = {"added": sum(e["rows"] for p, e in after.items() if p not in before),
                              "removed": sum(e["rows"] for p, e in before.items()
                                             if p not in after), "changed": 0}
                continue
            first, org = KEYS[table][-1], _present(table)
            row = con.execute(
                f"SELECT count(*) FILTER (WHERE o.{first} IS NULL AND o.{org} IS NULL), "
                f"count(*) FILTER (WHERE n.{first} IS NULL AND n.{org} IS NULL), "
                f"count(*) FILTER (WHERE o.{org} IS NOT NULL AND n.{org} IS NOT NULL AND "
                f"({_differs(table)})) FROM {_joined(*paths, table, con)}").fetchone()
            out[table] = {"added": row[0], "removed": row[1], "changed": row[2]}
    finally:
        con.close()
    return out


def rows(old: dict | None, new: dict | None, full_path: Callable[[str], str],
         limit: int = 200, filesystem=None) -> dict[str, list[dict]]:
    """The differing records per table: {"change": added|removed|changed, "key": {...},
    "fields": {column: [old, new]}} (changed fields only), at most `limit` per table."""
    out = {}
    con = _connect(filesystem)
    try:
        for table in TABLES:
            paths = _changed_paths(old, new, table, full_path)
            if paths is None:
                continue
            names = TABLES[table].column_names
            select = ", ".join([f"o.{c} AS o_{c}" for c in names] + [f"n.{c} AS n_{c}" for c in names])
            order = ", ".join(f"coalesce(n.{k}, o.{k})" for k in KEYS[table])
            org = _present(table)
            cur = con.execute(f"SELECT {select} FROM {_joined(*paths, table, con)} "
                          f"WHERE o.{org} IS NULL OR n.{org} IS NULL OR ({_differs(table)}) "
                          f"ORDER BY {order} LIMIT {int(limit)}")
            listed = []
            for values in cur.fetchall():
                o, n = dict(zip(names, values[:len(names)])), dict(zip(names, values[len(names):]))
                kind = "added" if o[org] is None else "removed" if n[org] is None else "changed"
                base = n if kind != "removed" else o
                fields = {c: [o[c], n[c]] for c in names
                          if kind != "changed" or o[c] != n[c]}
                listed.append({"change": kind, "key": {k: base[k] for k in KEYS[table]},
                               "fields": fields})
            out[table] = listed
    finally:
        con.close()
    return out


def periods(old: dict | None, new: dict | None, full_path: Callable[[str], str],
            filesystem=None) -> set[tuple[str, int]]:
    """The (organisation, year) pairs whose rows differ between two manifests (both the old
    and the new year of a row whose date moved)."""
    out: set[tuple[str, int]] = set()
    con = _connect(filesystem)
    try:
        for table in TABLES:
            paths = _changed_paths(old, new, table, full_path)
            columns = TABLES[table].column_names
            if paths is None or ("date" not in columns and "year" not in columns):
                continue  # activity_groups: its changes come with its activities'
            year = "year({side}.date)" if "date" in TABLES[table].column_names else "{side}.year"
            for side in ("o", "n"):
                found = con.execute(
                    f"SELECT DISTINCT {side}.org, {year.format(side=side)} FROM "
                    f"{_joined(*paths, table, con)} WHERE {side}.org IS NOT NULL AND "
                    f"(o.org IS NULL OR n.org IS NULL OR ({_differs(table)}))").fetchall()
                out |= {(org, int(y)) for org, y in found}
    finally:
        con.close()
    return out
