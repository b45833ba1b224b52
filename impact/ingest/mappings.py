"""Remembered column mappings: a sheet's own headers mapped once to the table's fields.

Staff map the columns of a file the importer does not know (a survey tool's export, a
sheet with its own column names) once; the mapping is saved in the data directory as
`mappings/<name>.json` and found again by its headers, so next month's file with the same
headers imports with no questions. A mapping only renames columns: every mapped cell still
goes through the same cell and row rules (impact.ingest.values, rows), and the mapping
itself is checked before it is saved or used (`validate`).

    {"name": "问卷星活动签到", "table": "activities",
     "headers": ["序号", "提交答卷时间", "1. 您参加的活动日期：", …],
     "columns": {"提交答卷时间": "ignore", "1. 您参加的活动日期：": "date", …}}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from impact.errors import ImpactError
from impact.ingest.headers import (EXPENSE_AMOUNT, GROUP_PREFIX, IGNORED_PREFIX, INCOME_AMOUNT,
                                   PERSONAL_PREFIX, VOLUNTEER_HOURS, aliases, is_personal,
                                   normalise)
from impact.storage.schema import MONEY_SQL, TABLES, importable_tables
from impact.storage.store import DataStore

FOLDER = "mappings"
IGNORE = "ignore"
MAPPED_IGNORED = IGNORED_PREFIX + "mapped"  # "ignored:mapped": the dry run says a mapping did it
MAX_NAME = 60
# A name is a file name in the data directory: letters (any script), digits, and a few
# separators; never a path, a hidden file or a control character.
_NAME = re.compile(r"^\w[\w .()（）·-]*$")
# Words of a header that holds money (a survey's "活动费用（元）", a sheet's "金额"): such a
# column is never read as a count, where ¥500 would become 500 person-times.
_MONEY_WORDS = ("金额", "元", "¥", "￥", "收入", "支出", "费", "款", "余额", "结余", "money",
                "amount", "income", "expense", "rmb", "yuan", "cost", "price", "fee")


class MappingProblem(ImpactError):
    """A mapping that cannot be saved or used; `code` names `data.mapping.<code>`."""

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        super().__init__(f"{code}: {params}")


@dataclass(frozen=True)
class Mapping:
    name: str
    table: str
    headers: tuple[str, ...]  # the source headers it applies to, as in the file
    columns: dict[str, str] = field(default_factory=dict)  # header → field or "ignore"

    def overrides(self) -> dict[str, str]:
        """normalised header → column, as impact.ingest.headers.map_headers reads them."""
        return {normalise(h): MAPPED_IGNORED if f == IGNORE else f
                for h, f in self.columns.items()}

    def matches(self, headers: list) -> bool:
        """The same headers (in any order, blank trailing cells aside) as the file's."""
        return _header_set(self.headers) == _header_set(headers)

    def to_json(self) -> bytes:
        return json.dumps({"name": self.name, "table": self.table, "headers": list(self.headers),
                           "columns": self.columns}, ensure_ascii=False, indent=1).encode()


def _header_set(headers) -> frozenset[str]:
    return frozenset(normalise(h) for h in headers if h is not None and str(h).strip())


def fields(table: str) -> list[str]:
    """What a column of `table` may be mapped to: each field the importer reads, then ignore."""
    known = [c for c in dict.fromkeys(aliases(TABLES[table]).values())
             if not c.startswith((IGNORED_PREFIX, PERSONAL_PREFIX))]
    return known + [IGNORE]


def is_count(table: str, column: str) -> bool:
    if column == VOLUNTEER_HOURS or column.startswith(GROUP_PREFIX):
        return True
    spec = TABLES[table]
    return column in spec.column_names and spec.column(column).sql_type == "INTEGER" \
        and column != "year"


def is_money(table: str, column: str) -> bool:
    if column in (INCOME_AMOUNT, EXPENSE_AMOUNT):
        return True
    spec = TABLES[table]
    return column in spec.column_names and spec.column(column).sql_type == MONEY_SQL


def looks_like_money(header: str) -> bool:
    text = normalise(header)
    return any(word in text for word in _MONEY_WORDS)


def validate(mapping: Mapping) -> None:
    """Refuse a mapping that would store something other than what the file says."""
    if not _NAME.match(mapping.name or "") or len(mapping.name) > MAX_NAME \
            or mapping.name.endswith((" ", ".")):
        raise MappingProblem("bad_name", name=mapping.name, limit=MAX_NAME)
    if mapping.table not in importable_tables():
        raise MappingProblem("unknown_table", table=mapping.table)
    allowed = set(fields(mapping.table))
    known = _header_set(mapping.headers)
    taken: dict[str, str] = {}
    for header, column in mapping.columns.items():
        if normalise(header) not in known:
            raise MappingProblem("not_a_header", header=header)
        if column not in allowed:
            raise MappingProblem("unknown_field", header=header, field=column)
        if column == IGNORE:
            continue
        if is_personal(header):  # a name or phone column never becomes a stored field
            raise MappingProblem("personal", header=header)
        if is_count(mapping.table, column) and looks_like_money(header):
            raise MappingProblem("money_to_count", header=header, field=column)
        if column in taken:
            raise MappingProblem("same_field", header=header, other=taken[column], field=column)
        taken[column] = header


def _path(name: str) -> str:
    return f"{FOLDER}/{name}.json"


def save(store: DataStore, mapping: Mapping) -> None:
    """Write the mapping atomically, under the directory's write lock (two staff saving the
    same name at once: one wins whole, never a mix). An existing name is replaced only when
    it is for the same table and headers, so a name never silently changes meaning."""
    validate(mapping)
    with store.lock():
        old = _load(store, mapping.name)
        if old is not None and (old.table != mapping.table or not old.matches(mapping.headers)):
            raise MappingProblem("name_taken", name=mapping.name, table=old.table)
        store._write_atomic(_path(mapping.name), mapping.to_json())


def load(store: DataStore, name: str) -> Mapping:
    """The mapping called `name`; MappingProblem when there is none (listing those there are)."""
    if not _NAME.match(name or "") or len(name) > MAX_NAME:
        raise MappingProblem("bad_name", name=name, limit=MAX_NAME)
    mapping = _load(store, name)
    if mapping is None:
        raise MappingProblem("no_such_mapping", name=name,
                             known=", ".join(m.name for m in list_mappings(store)) or "—")
    return mapping


def _load(store: DataStore, name: str) -> Mapping | None:
    try:
        raw = store._read_bytes(_path(name))
    except FileNotFoundError:
        return None
    try:
        data = json.loads(raw)
        mapping = Mapping(str(data["name"]), str(data["table"]),
                          tuple(str(h) for h in data["headers"]),
                          {str(k): str(v) for k, v in dict(data["columns"]).items()})
    except (ValueError, KeyError, TypeError, AttributeError):
        raise MappingProblem("damaged", name=name) from None
    validate(mapping)  # edited by hand into something unsafe: refused, never half-applied
    return mapping


def list_mappings(store: DataStore) -> list[Mapping]:
    """Every saved mapping, by name (a damaged one raises: it is named, never skipped)."""
    if store.url:
        names = [p.rsplit("/", 1)[-1] for p in store.fs.glob(f"{store._base}/{FOLDER}/*.json")]
    else:
        folder = store.root / FOLDER
        names = [p.name for p in folder.glob("*.json")] if folder.is_dir() else []
    out = [_load(store, n.removesuffix(".json")) for n in sorted(names)
           if not n.startswith(".")]
    return [m for m in out if m is not None]


def find(store: DataStore, table: str, headers: list) -> Mapping | None:
    """The saved mapping of `table` whose headers are the file's, if any."""
    return next((m for m in list_mappings(store) if m.table == table and m.matches(headers)),
                None)


def header_test(store: DataStore, table: str):
    """A header-row test that also knows the saved mappings' headers, so a survey export's
    long questions are found as the header below a title line."""
    from impact.ingest.headers import looks_like_header

    known = set().union(*[_header_set(m.headers) for m in list_mappings(store)
                          if m.table == table]) if store is not None else set()

    def test(cells: list) -> bool:
        mapped = sum(1 for c in cells if c is not None and normalise(c) in known)
        return looks_like_header(cells) or mapped >= 2
    return test
