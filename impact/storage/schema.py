"""The data model: every table's columns, types and Chinese names, defined once.

Everything else derives from here: the Parquet schema written to disk, the DuckDB views,
the importer's header aliases, the docs (`docs/data-model.md` is checked against this).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

MONEY_SQL = "DECIMAL(18,2)"
VALUE_SQL = "DECIMAL(18,4)"

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
    MONEY_SQL: pa.decimal128(18, 2),
    VALUE_SQL: pa.decimal128(18, 4),
}


@dataclass(frozen=True)
class Column:
    """One column: its name, DuckDB type, whether it may be empty, its Chinese name and meaning."""

    name: str
    sql_type: str
    nullable: bool
    zh: str
    doc: str
    # The issue that added the column to a table that already had files: older files lack
    # it (read as empty), and it is no part of a record's generated id (auto-…), so the
    # rows stored before it keep their ids.
    since: str | None = None
    # Where the row came from rather than what it says: never compared (the same record
    # imported from two files is one record, not a conflict).
    provenance: bool = False

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW_TYPES[self.sql_type]


@dataclass(frozen=True)
class Table:
    """One table of the data directory. `partitioned` tables are stored as one file per year."""

    name: str
    zh: str
    doc: str
    columns: tuple[Column, ...]
    key: str | None = None
    partitioned: bool = False
    import_via: str | None = None  # filled by another table's import, not imported alone

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in self.columns]
        )

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def added_columns(self) -> list[str]:
        """Columns added after files of the table were written (see Column.since)."""
        return [c.name for c in self.columns if c.since]


# The statutory lines of the 业务活动表 (民间非营利组织会计制度), in the statement's order.
# Income: 捐赠收入, 会费收入, 提供服务收入, 商品销售收入, 政府补助收入, 投资收益, 其他收入.
INCOME_LINES = ("donation", "membership", "service", "sales", "government_grant", "investment",
                "other")
# Expense: 业务活动成本, 管理费用, 筹资费用, 其他费用.
EXPENSE_LINES = ("program", "admin", "fundraising", "other")
LINES = {"income": INCOME_LINES, "expense": EXPENSE_LINES}
# Who the income came from: a second dimension, independent of the accounting line (a
# foundation's gift is 捐赠收入 by line and foundation by source).
SOURCE_TYPES = ("government", "foundation", "enterprise", "individual", "other")
FLOWS = ("income", "expense")

# The six home-made income categories and four expense categories of the data model before
# issue 15, and the (line, source_type) each becomes: used by `impact migrate`, by the
# importer (old files still import) and by the demo profiles, which keep the reports' figures
# by source.
LEGACY_CATEGORIES: dict[tuple[str, str], tuple[str, str | None]] = {
    ("income", "donation"): ("donation", "individual"),
    ("income", "government"): ("government_grant", "government"),
    ("income", "foundation"): ("donation", "foundation"),
    ("income", "enterprise"): ("donation", "enterprise"),
    ("income", "service_fee"): ("service", "other"),
    ("income", "other"): ("other", "other"),
    ("expense", "program"): ("program", None),
    ("expense", "admin"): ("admin", None),
    ("expense", "fundraising"): ("fundraising", None),
    ("expense", "other"): ("other", None),
}

ACTIVITIES = Table(
    name="activities",
    zh="活动记录",
    doc="One service event, or a roll-up of several sessions of one project (e.g. a month).",
    key="activity_id",
    partitioned=True,
    columns=(
        Column("activity_id", "VARCHAR", False, "活动编号", "Unique id of the record."),
        Column("date", "DATE", False, "日期", "Day of the event (or of the roll-up period's start)."),
        Column("org", "VARCHAR", False, "机构", "Organisation that delivered it."),
        Column("project", "VARCHAR", False, "项目", "Project it belongs to."),
        Column("program_area", "VARCHAR", True, "服务领域", "Programme area, e.g. 儿童服务."),
        Column("activity_type", "VARCHAR", True, "活动类型", "Kind of activity, e.g. 小组活动."),
        Column("sessions", "INTEGER", False, "服务次数",
               "Sessions delivered (≥ 1; 1 for a single event)."),
        Column("beneficiaries", "INTEGER", False, "受益人次",
               "Person-times served (人次): each attendance counts, people are not de-duplicated."),
        Column("volunteers", "INTEGER", False, "志愿者人次",
               "Volunteer person-times: each volunteer attendance counts."),
        Column("volunteer_minutes", "INTEGER", False, "志愿服务时长（分钟）",
               "Volunteer time in minutes, summed over the volunteers."),
    ),
)

FINANCE = Table(
    name="finance",
    zh="收支记录",
    doc="One income or expense transaction.",
    key="txn_id",
    partitioned=True,
    columns=(
        Column("txn_id", "VARCHAR", False, "凭证号", "Unique id of the transaction."),
        Column("date", "DATE", False, "日期", "Booking date."),
        Column("org", "VARCHAR", False, "机构", "Organisation whose books it is in."),
        Column("flow", "VARCHAR", False, "收支", "income (收入) or expense (支出)."),
        Column("line", "VARCHAR", False, "科目",
               "Statutory line of the 业务活动表 (民间非营利组织会计制度). income: "
               + ", ".join(INCOME_LINES) + "; expense: " + ", ".join(EXPENSE_LINES) + "."),
        Column("source_type", "VARCHAR", True, "来源类型",
               "Who the income came from (income only): " + ", ".join(SOURCE_TYPES)
               + ". Empty for expenses."),
        Column("funder", "VARCHAR", True, "资助方", "Who gave the money (income only)."),
        Column("project", "VARCHAR", True, "项目", "Project it is booked to, if any."),
        Column("restricted", "BOOLEAN", False, "限定性",
               "Restricted (限定性) to a purpose or period by the funder. Default when not "
               "given: unrestricted (非限定性), unless the row's grant is restricted."),
        Column("grant_id", "VARCHAR", True, "资助编号",
               "The grant the money came from or was spent on, if any."),
        Column("amount", MONEY_SQL, False, "金额（元）", "Amount in yuan, > 0, exact to the fen."),
        Column("sub_account", "VARCHAR", True, "明细科目",
               "The 科目 cell as the books wrote it when it named a sub-account below its "
               "statutory line (业务活动成本-儿童项目, 5101 业务活动成本-儿童项目, 管理费用/办公费); "
               "`line` is the line it is read as. Empty when the cell was the line itself, and "
               "in rows imported before issue 25.", since="25"),
        Column("source_file", "VARCHAR", True, "来源文件",
               "The journal the row was imported from: the file's name as imported, or the "
               "label given with `impact import --source`. `--replace` replaces only the rows "
               "of the journal it corrects. Empty in rows imported before issue 25.",
               since="25", provenance=True),
    ),
)

INDICATORS = Table(
    name="indicators",
    zh="机构指标",
    doc="The long tail of figures the reports print (staff, families, students funded …).",
    columns=(
        Column("org", "VARCHAR", False, "机构", "Organisation."),
        Column("project", "VARCHAR", True, "项目", "Project, empty for the whole organisation."),
        Column("year", "INTEGER", False, "年份", "Year the figure is for."),
        Column("indicator", "VARCHAR", False, "指标", "snake_case key, e.g. staff, families."),
        Column("value", VALUE_SQL, False, "数值", "The figure."),
        Column("unit", "VARCHAR", False, "单位", "Unit as printed, e.g. 人, 个家庭, 吨."),
    ),
)

TARGETS = Table(
    name="targets",
    zh="目标",
    doc="Planned values for a core metric or an indicator.",
    columns=(
        Column("org", "VARCHAR", False, "机构", "Organisation."),
        Column("project", "VARCHAR", True, "项目", "Project, empty for the whole organisation."),
        Column("year", "INTEGER", False, "年份", "Year the target is for."),
        Column("metric", "VARCHAR", False, "指标",
               "A core metric (services, beneficiaries …) or an indicator key."),
        Column("target", VALUE_SQL, False, "目标值", "Planned value."),
        Column("grant_id", "VARCHAR", True, "资助编号",
               "A grant's deliverable (资助交付目标): the grant (in `grants`) it was promised "
               "to. Empty for the organisation's own targets."),
    ),
)

# Beneficiary groups, by dimension. Groups of one dimension never overlap, so their counts may
# be added up; groups of different dimensions overlap (a girl is a child and female), so never.
GROUPS: dict[str, tuple[str, ...]] = {
    "age": ("children", "youth", "adults", "older"),
    "gender": ("female", "male"),
    "population": ("migrant_workers", "families_in_difficulty", "disabled", "students",
                   "university_students"),
}
GROUP_DIMENSION = {g: dim for dim, groups in GROUPS.items() for g in groups}

ACTIVITY_GROUPS = Table(
    name="activity_groups",
    zh="受益群体人次",
    doc="An activity's person-times broken down by beneficiary group, one row per activity and "
        "group. The breakdown may be partial: what no row covers is shown as not recorded. "
        "An activity is named by organisation and id (two organisations may both have A001).",
    columns=(
        Column("org", "VARCHAR", True, "机构",
               "Organisation of the activity. Empty only in a row written before issue 27 "
               "whose activity id several organisations use: such a row is not counted."),
        Column("activity_id", "VARCHAR", False, "活动编号", "The activity record it breaks down."),
        Column("beneficiary_group", "VARCHAR", False, "群体",
               "Group key: " + "; ".join(f"{d}: {', '.join(g)}" for d, g in GROUPS.items())
               + "."),
        Column("beneficiaries", "INTEGER", False, "受益人次",
               "Person-times (人次) of this group in the activity (≥ 0)."),
    ),
    import_via="activities",
)

REACH = Table(
    name="reach",
    zh="服务人数",
    doc="Unique people (人数) and households (户数) a project reached in a year, as stated by a "
        "roll-up record. Never summed across years or projects: the same person may be in both.",
    columns=(
        Column("org", "VARCHAR", False, "机构", "Organisation."),
        Column("project", "VARCHAR", True, "项目", "Project, empty for the whole organisation."),
        Column("year", "INTEGER", False, "年份", "Year the count is for."),
        Column("beneficiary_group", "VARCHAR", True, "群体", "Group key (as in activity_groups); empty = everyone."),
        Column("people", "INTEGER", True, "人数", "Different people reached (人), counted once each."),
        Column("households", "INTEGER", True, "户数", "Different households reached (户)."),
        Column("source", "VARCHAR", False, "数据来源",
               "Where the count comes from, e.g. 签到名册, 个案记录, 年度报告."),
    ),
)

OUTCOMES = Table(
    name="outcomes",
    zh="成效指标",
    doc="A project's results framework: an outcome indicator's baseline, target and actual "
        "value per year, and the data source it is measured from.",
    columns=(
        Column("org", "VARCHAR", False, "机构", "Organisation."),
        Column("project", "VARCHAR", True, "项目", "Project, empty for the whole organisation."),
        Column("year", "INTEGER", False, "年份", "Year the values are for."),
        Column("indicator", "VARCHAR", False, "成效指标",
               "What changed, as the organisation words it, e.g. 受助者成长为志愿者."),
        Column("unit", "VARCHAR", False, "单位", "Unit as printed, e.g. 人, %."),
        Column("baseline", VALUE_SQL, True, "基线值", "Value before the project (baseline)."),
        Column("target", VALUE_SQL, True, "目标值", "Planned value for the year."),
        Column("actual", VALUE_SQL, True, "实际值", "Measured value for the year."),
        Column("source", "VARCHAR", False, "数据来源",
               "How it is measured, e.g. 问卷调查, 个案记录, 志愿者名册."),
    ),
)

PARTICIPANTS = Table(
    name="participants",
    zh="参与者记录",
    doc="Optional participant-level attendance: which pseudonymous person took part in a "
        "project in a year, so unique people are counted exactly. Holds no name, ID-card or "
        "phone number: the key is an HMAC of the organisation's own person id (docs/privacy.md).",
    columns=(
        Column("org", "VARCHAR", False, "机构", "Organisation."),
        Column("project", "VARCHAR", False, "项目", "Project the person took part in."),
        Column("year", "INTEGER", False, "年份", "Year of the attendances."),
        Column("person_key", "VARCHAR", False, "个人代码",
               "Pseudonymous key: HMAC-SHA256 of the organisation and its own person id with "
               "the installation secret. The id itself is not stored."),
        Column("beneficiary_group", "VARCHAR", True, "群体", "Group key (as in activity_groups)."),
        Column("attendances", "INTEGER", False, "参与人次",
               "The person's attendances (person-times) in the project that year (≥ 1)."),
    ),
)

GRANTS = Table(
    name="grants",
    zh="资助",
    doc="One grant (资助协议): who funds what, how much, for which period. Its deliverables are "
        "the `targets` rows that name it; the money received and spent under it are the "
        "`finance` rows that name it.",
    key="grant_id",
    columns=(
        Column("grant_id", "VARCHAR", False, "资助编号",
               "Unique id of the grant within the organisation, e.g. the agreement number."),
        Column("org", "VARCHAR", False, "机构", "Organisation that receives the grant."),
        Column("funder", "VARCHAR", False, "资助方", "Who gives it (as in finance's 资助方)."),
        Column("title", "VARCHAR", True, "资助名称", "Name of the grant, if it has one."),
        Column("amount", MONEY_SQL, False, "金额（元）", "Amount granted in yuan, > 0."),
        Column("start_date", "DATE", False, "开始日期", "First day of the grant period."),
        Column("end_date", "DATE", False, "结束日期",
               "Last day of the grant period (not before the first)."),
        Column("restricted", "BOOLEAN", False, "限定性",
               "Restricted (限定性) to its purpose: the default of its finance rows' 限定性."),
    ),
)

GRANT_PROJECTS = Table(
    name="grant_projects",
    zh="资助项目",
    doc="The projects a grant funds, one row per grant and project (a grant may fund several). "
        "Imported with the grants sheet: its 项目 cell lists them, separated by 、 or ;.",
    columns=(
        Column("org", "VARCHAR", False, "机构", "Organisation (as in the grant)."),
        Column("grant_id", "VARCHAR", False, "资助编号", "The grant."),
        Column("project", "VARCHAR", False, "项目", "A project the grant funds."),
    ),
    import_via="grants",
)

BUDGETS = Table(
    name="budgets",
    zh="预算",
    doc="Planned expenses (预算) of a year by expense line, for a project, a grant, or the "
        "whole organisation. Compared with the expenses booked (budget vs actual).",
    columns=(
        Column("org", "VARCHAR", False, "机构", "Organisation."),
        Column("project", "VARCHAR", True, "项目", "Project, empty for a grant's or the "
               "organisation's budget."),
        Column("grant_id", "VARCHAR", True, "资助编号", "Grant (in `grants`), if it is a "
               "grant's budget."),
        Column("year", "INTEGER", False, "年份", "Year the budget is for."),
        Column("line", "VARCHAR", False, "科目",
               "Expense line: " + ", ".join(EXPENSE_LINES) + " (业务活动成本, 管理费用, "
               "筹资费用, 其他费用)."),
        Column("amount", MONEY_SQL, False, "预算金额（元）", "Budgeted amount in yuan, > 0."),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (ACTIVITIES, FINANCE, INDICATORS, TARGETS,
                                                ACTIVITY_GROUPS, REACH, OUTCOMES, PARTICIPANTS,
                                                GRANTS, GRANT_PROJECTS, BUDGETS)}


def importable_tables() -> list[str]:
    """The tables a file can be imported into (activity_groups comes with activities,
    grant_projects with grants)."""
    return [name for name, table in TABLES.items() if table.import_via is None]


def conform(table: Table, data: pa.Table) -> pa.Table:
    """`data` in the table's columns and types; a column added since (Column.since) that it
    lacks (rows made by code that predates it: the demo, the generator) is added empty."""
    for column in table.columns:
        if column.since and column.name not in data.column_names:
            data = data.append_column(pa.field(column.name, column.arrow_type, nullable=True),
                                      pa.nulls(data.num_rows, column.arrow_type))
    return data.select(table.column_names).cast(table.arrow_schema)


def empty_arrow_table(table: Table) -> pa.Table:
    """A zero-row table with the exact schema, for empty datasets."""
    return table.arrow_schema.empty_table()


def markdown_table(table: Table) -> str:
    """The table's columns as a Markdown table (docs/data-model.md embeds this; a test checks)."""
    lines = ["| column | 中文列名 | type | may be empty | meaning |", "|---|---|---|---|---|"]
    for c in table.columns:
        lines.append(f"| `{c.name}` | {c.zh} | {c.sql_type} | {'yes' if c.nullable else 'no'} "
                     f"| {c.doc} |")
    return "\n".join(lines)
