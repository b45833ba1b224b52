"""Map the headers of a user's sheet to the schema's columns.

Aliases are derived from `impact/storage/schema.py` (the English name and the Chinese name of every
column) plus the names staff actually type in their sheets. Matching ignores case, surrounding
spaces and full-width vs half-width characters (（） vs (), ＡＢＣ vs ABC).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from impact.storage.schema import TABLES, Table

# A header that is not a schema column but converts into one (hours → minutes).
VOLUNTEER_HOURS = "volunteer_hours"

# The finance sheet's old 类别 column (impact.ingest.rows reads it into line, source_type).
LEGACY_CATEGORY = "category"
# Required by the schema but defaulted when the sheet has no such column (docs/import.md).
DEFAULTED = {"finance": ("restricted",)}

# A cash journal (现金日记账) gives money in two columns, 收入 and 支出, instead of 金额 + 收支:
# each cell is an amount whose column says its direction (impact.ingest.rows reads them).
INCOME_AMOUNT = "amount:income"
EXPENSE_AMOUNT = "amount:expense"
_SPLIT_AMOUNT_HEADERS = {INCOME_AMOUNT: ("收入", "收入金额", "收入(元)", "收入金额(元)", "借方",
                                         "income"),
                         EXPENSE_AMOUNT: ("支出", "支出金额", "支出(元)", "支出金额(元)", "贷方",
                                          "expense", "expenses")}
# Columns a sheet may carry that hold nothing to store, read as "ignored:<why>" and named in
# the dry run's notice. A running balance (余额) is never money to add: it is the sum of the
# rows above, so reading it as an amount would count every yuan many times over. A row
# number (序号) is never a record id: sorting or deleting a row renumbers every later one.
IGNORED_PREFIX = "ignored:"
_IGNORED_HEADERS = {
    "balance": ("余额", "结余", "账面余额", "期末余额", "累计余额", "余额(元)", "balance"),
    "row_number": ("序号", "行号", "no."),
    "note": ("备注", "摘要", "说明", "经手人", "经办人", "审核人", "制单人", "记账人", "附件",
             "附件张数", "附单据数", "单据张数", "用途", "note", "notes", "remark", "remarks",
             "memo", "description"),
}

# Names seen in real sheets, beyond the schema's own English and Chinese names.
_EXTRA_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "activities": {
        "activity_id": ("编号", "活动编号", "记录编号", "id"),
        "date": ("日期", "活动日期", "服务日期"),
        "org": ("机构", "机构名称", "organisation", "organization"),
        "project": ("项目", "项目名称"),
        "program_area": ("领域", "服务领域", "业务板块", "area", "programme_area"),
        "activity_type": ("活动类型", "服务类型", "type"),
        "sessions": ("服务次数", "次数", "场次"),
        "beneficiaries": ("受益人次", "服务人次"),
        "volunteers": ("志愿者人次", "义工人次"),
        "volunteer_minutes": ("志愿服务时长(分钟)", "志愿时长(分钟)"),
        VOLUNTEER_HOURS: ("志愿服务时长(小时)", "志愿时长(小时)", "volunteer_hours"),
    },
    "finance": {
        "txn_id": ("凭证号", "凭证编号", "编号", "id"),
        "date": ("日期", "记账日期", "凭证日期"),
        "org": ("机构", "机构名称", "organisation", "organization"),
        "flow": ("收支", "收入/支出", "收支类型"),
        "line": ("会计科目", "收支科目", "收入科目", "支出科目", "费用科目"),
        "source_type": ("资金来源", "收入来源", "来源", "来源类别"),
        # The one-column model before issue 15 (类别: donation, government …): read into
        # line and source_type (schema.LEGACY_CATEGORIES), so old files still import.
        LEGACY_CATEGORY: ("类别", "收支类别", "收入类别", "支出类别", "category"),
        "funder": ("资助方", "捐赠方", "资助方/捐赠方"),
        "project": ("项目", "项目名称"),
        "restricted": ("限定性", "是否限定", "是否限定性", "限定性/非限定性"),
        "grant_id": ("资助编号", "资助项目编号", "合同编号", "grant"),
        "amount": ("金额", "金额(元)"),
    },
    "indicators": {
        "org": ("机构", "机构名称"),
        "project": ("项目", "项目名称"),
        "year": ("年份", "年度"),
        "indicator": ("指标", "指标名称"),
        "value": ("数值", "值"),
        "unit": ("单位",),
    },
    "targets": {
        "org": ("机构", "机构名称"),
        "project": ("项目", "项目名称"),
        "year": ("年份", "年度"),
        "metric": ("指标", "指标名称"),
        "target": ("目标值", "目标"),
        "grant_id": ("资助编号", "协议编号"),
    },
    "reach": {
        "org": ("机构", "机构名称"),
        "project": ("项目", "项目名称"),
        "year": ("年份", "年度"),
        "beneficiary_group": ("群体", "服务对象类别", "group"),
        "people": ("人数", "服务人数", "受益人数", "people"),
        "households": ("户数", "家庭数", "服务户数", "households", "families"),
        "source": ("数据来源", "来源", "source"),
    },
    "outcomes": {
        "org": ("机构", "机构名称"),
        "project": ("项目", "项目名称"),
        "year": ("年份", "年度"),
        "indicator": ("成效指标", "指标", "结果指标", "outcome"),
        "unit": ("单位",),
        "baseline": ("基线值", "基线"),
        "target": ("目标值", "目标"),
        "actual": ("实际值", "实际", "完成值"),
        "source": ("数据来源", "来源", "source"),
    },
    "grants": {
        "grant_id": ("资助编号", "协议编号", "合同编号", "grant_id", "id"),
        "org": ("机构", "机构名称", "organisation", "organization"),
        "funder": ("资助方", "捐赠方", "资助机构"),
        "title": ("资助名称", "资助项目名称", "title", "name"),
        "amount": ("金额", "金额(元)", "资助金额", "资助金额(元)"),
        "start_date": ("开始日期", "起始日期", "资助开始日期", "start"),
        "end_date": ("结束日期", "截止日期", "资助结束日期", "end"),
        "restricted": ("限定性", "是否限定"),
    },
    "budgets": {
        "org": ("机构", "机构名称"),
        "project": ("项目", "项目名称"),
        "grant_id": ("资助编号", "协议编号"),
        "year": ("年份", "年度", "预算年度"),
        "line": ("科目", "费用科目", "支出科目", "预算科目"),
        "amount": ("预算金额", "预算", "预算金额(元)", "budget"),
    },
    "participants": {
        "org": ("机构", "机构名称"),
        "project": ("项目", "项目名称"),
        "year": ("年份", "年度"),
        "beneficiary_group": ("群体", "服务对象类别", "group"),
        "attendances": ("参与人次", "参与次数", "出勤次数", "attendances"),
    },
}

# Wide group columns of an activities sheet (儿童人次 …) → "group:<key>" (impact/ingest/groups.py).
GROUP_PREFIX = "group:"
_GROUP_HEADERS = {
    "children": ("儿童人次", "儿童受益人次", "children"), "youth": ("青少年人次", "youth"),
    "adults": ("成人人次", "成年人人次", "adults"), "older": ("老年人人次", "长者人次", "older"),
    "female": ("女性人次", "女人次", "female"), "male": ("男性人次", "男人次", "male"),
    "migrant_workers": ("农民工人次", "流动人口人次", "migrant_workers"),
    "families_in_difficulty": ("困境家庭人次", "families_in_difficulty"),
    "disabled": ("残障人次", "残障人士人次", "残疾人人次", "disabled"),
    "students": ("学生人次", "students"), "university_students": ("大学生人次",),
}
# A grants sheet's 项目 cell: the projects the grant funds (→ grant_projects rows).
GRANT_PROJECTS = "grant_projects"
_GRANT_PROJECT_HEADERS = ("项目", "项目名称", "资助项目", "project", "projects")
# The participants sheet's own person id (hashed into person_key, never stored).
PERSON_ID = "person_id"
_PERSON_ID_HEADERS = ("个人编号", "服务对象编号", "个案编号", "学员编号", "person_id",
                      "participant_id")
# With --hash-personal, a name / ID-card / phone column of a participants sheet: hashed only.
PERSONAL_PREFIX = "personal:"


def normalise(header: object) -> str:
    """The form headers are compared in: NFKC (full-width → half-width), case-folded,
    inner whitespace collapsed, spaces and hyphens in English names read as underscores."""
    text = unicodedata.normalize("NFKC", str(header if header is not None else ""))
    text = " ".join(text.split()).casefold()
    text = re.sub(r" ?([()]) ?", r"\1", text)  # "金额 (元)" = "金额（元）"
    return re.sub(r"[ -]", "_", text)  # "Activity ID", "activity-id" = activity_id


# Headers (normalised) that carry direct identifiers; matched as substrings.
_PERSONAL = ("身份证", "证件号", "护照", "手机", "电话", "联系方式", "姓名", "名字", "微信号",
             "id_card", "idcard", "identity_card", "passport", "phone", "mobile", "telephone",
             "full_name")
_EXACT = ("name", "名称name", "tel")


def is_personal(header: object) -> bool:
    """Does the header look like a name, ID-card or phone column?"""
    text = normalise(header)
    if text in _EXACT:
        return True
    return any(word in text for word in _PERSONAL)


def aliases(table: Table) -> dict[str, str]:
    """normalised header → column name, for one table (schema names first, then extras)."""
    out: dict[str, str] = {}
    for column in table.columns:
        if column.provenance:
            # Recorded by the importer, never read from a sheet. A file that carries it (a
            # stored row written back out and corrected) is not refused for it: the column is
            # ignored, and the import records where the rows came from itself.
            for name in (column.name, column.zh):
                out.setdefault(normalise(name), IGNORED_PREFIX + "provenance")
            continue
        out.setdefault(normalise(column.name), column.name)
        out.setdefault(normalise(column.zh), column.name)
    for column, names in _EXTRA_ALIASES.get(table.name, {}).items():
        for name in names:
            out.setdefault(normalise(name), column)
    if table.name == "activities":
        out.setdefault(normalise(VOLUNTEER_HOURS), VOLUNTEER_HOURS)
        for group, names in _GROUP_HEADERS.items():
            for name in names:
                out.setdefault(normalise(name), GROUP_PREFIX + group)
    if table.name == "finance":
        for column, names in _SPLIT_AMOUNT_HEADERS.items():
            for name in names:
                out.setdefault(normalise(name), column)
    for reason, names in _IGNORED_HEADERS.items():
        for name in names:
            out.setdefault(normalise(name), IGNORED_PREFIX + reason)
    if table.name == "grants":
        for name in _GRANT_PROJECT_HEADERS:
            out.setdefault(normalise(name), GRANT_PROJECTS)
    if table.name == "participants":
        # A sheet never supplies the key itself: whatever sits in that column is an id of
        # the organisation's and is hashed, so a key column cannot smuggle an id in.
        out = {k: (PERSON_ID if v == "person_key" else v) for k, v in out.items()}
        for name in _PERSON_ID_HEADERS:
            out.setdefault(normalise(name), PERSON_ID)
    return out


def display_names(table: Table) -> list[str]:
    """The header names we accept, for suggestions and docs: Chinese first, then English."""
    names = []
    for column in table.columns:
        if not column.provenance:
            names += [column.zh, column.name]
    for names_ in _EXTRA_ALIASES.get(table.name, {}).values():
        names += list(names_)
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class HeaderProblem:
    """A header-level error: which header, what is wrong, and the closest known name."""

    code: str  # unknown_column | missing_column | duplicate_column | ambiguous_hours | empty_header
    #            | split_amount_twice
    #            | personal_data | missing_person_id
    header: str
    suggestion: str = ""
    other: str = ""  # the other header, for duplicates


def required_columns(table: Table) -> list[str]:
    """Columns the sheet must have. Ids are generated when absent, so they are optional, and
    so are the columns with a documented default (DEFAULTED)."""
    defaulted = DEFAULTED.get(table.name, ())
    return [c.name for c in table.columns
            if not c.nullable and c.name != table.key and c.name not in defaulted]


def _bare(text: str) -> str:
    """Letters and digits only: what is left when punctuation, brackets and spaces differ."""
    return "".join(c for c in normalise(text) if c.isalnum())


def suggest(word: str, candidates: list[str]) -> str:
    """A candidate that means the same as `word`, or '' when none surely does.

    A suggestion is followed without thought, so it must never change the meaning: in
    Chinese one character is a different word (余额 is not 金额, 受益人数 is not 受益人次,
    序号 is not 编号), and a longer name is not the short one (收入 is not 收入类别). So
    Chinese names are suggested only when they differ in punctuation, brackets or spaces
    (金额 元 → 金额（元）); English names also for a typo of a letter or two."""
    bare = _bare(word)
    if not bare:
        return ""
    for candidate in candidates:
        if _bare(candidate) == bare:
            return candidate
    if not bare.isascii() or len(bare) < 5:
        return ""
    ascii_names = {_bare(c): c for c in candidates if _bare(c).isascii() and _bare(c)}
    match = difflib.get_close_matches(bare, list(ascii_names), n=1, cutoff=0.85)
    return ascii_names[match[0]] if match else ""


def map_headers(table_name: str, headers: list, hash_personal: bool = False,
                given: tuple[str, ...] = (), overrides: dict[str, str] | None = None
                ) -> tuple[dict[int, str], list[HeaderProblem]]:
    """Column position → column name, plus every problem found (all at once, not the first).

    A name, ID-card or phone column is refused (personal_data), whatever the table, unless
    `hash_personal` and the table is participants: it then only feeds the person key.
    `overrides` (normalised header → column, from a saved mapping, impact.ingest.mappings)
    win over the aliases; the checks below apply to them all the same."""
    table = TABLES[table_name]
    known = {**aliases(table), **(overrides or {})}
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    problems: list[HeaderProblem] = []
    unknown: list[str] = []
    for pos, raw in enumerate(headers):
        text = "" if raw is None else str(raw).strip()
        if not text:
            problems.append(HeaderProblem("empty_header", f"#{pos + 1}"))
            continue
        column = known.get(normalise(text))
        if column is None and is_personal(text):
            if hash_personal and table_name == "participants":
                mapping[pos] = PERSONAL_PREFIX + str(pos)
                seen[PERSONAL_PREFIX + str(pos)] = text
            else:
                problems.append(HeaderProblem("personal_data", text))
            continue
        if column is None:
            unknown.append(text)
            problems.append(HeaderProblem("unknown_column", text,
                                          suggest(text, display_names(table))))
            continue
        if column.startswith(IGNORED_PREFIX):  # two 备注 columns are two notes, not a clash
            mapping[pos] = column
            continue
        if column in seen:
            problems.append(HeaderProblem("duplicate_column", text, other=seen[column]))
            continue
        seen[column] = text
        mapping[pos] = column
    if "volunteer_minutes" in seen and VOLUNTEER_HOURS in seen:
        problems.append(HeaderProblem("ambiguous_hours", seen[VOLUNTEER_HOURS],
                                      other=seen["volunteer_minutes"]))
    split = [seen[c] for c in (INCOME_AMOUNT, EXPENSE_AMOUNT) if c in seen]
    for column in ("amount", "flow"):  # 金额 or 收支 beside 收入/支出: which one is meant?
        if split and column in seen:
            problems.append(HeaderProblem("split_amount_twice", seen[column],
                                          other="/".join(split)))
    have = set(seen) | set(given) | ({"volunteer_minutes"} if VOLUNTEER_HOURS in seen else set())
    if split:
        have |= {"amount", "flow"}
    if LEGACY_CATEGORY in seen:  # an old 类别 column gives the line
        have.add("line")
    if table_name == "participants":  # the key is made from the id, not read from the sheet
        have.add("person_key")
        if PERSON_ID not in seen and not any(c.startswith(PERSONAL_PREFIX) for c in seen):
            problems.append(HeaderProblem("missing_person_id", _PERSON_ID_HEADERS[0]))
    for name in required_columns(table):
        if name not in have:
            zh = table.column(name).zh
            problems.append(HeaderProblem("missing_column", f"{zh} ({name})",
                                          suggest(zh, unknown) or suggest(name, unknown)))
    return mapping, problems


def looks_like_header(cells: list) -> bool:
    """At least two cells are known column names (of any table): a header row, not a title."""
    known = {name for table in TABLES.values() for name in aliases(table)}
    return sum(1 for c in cells if c is not None and normalise(c) in known) >= 2
