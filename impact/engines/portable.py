"""The named queries as plain, engine-neutral SQL: the filter macros expanded, then
transpiled by sqlglot to another engine's dialect.

DuckDB runs `queries/*.sql` as written, with the four filter macros of `impact.db`. An engine
without table macros (Spark, Trino) gets each `activities_in(...)` call replaced by the macro's
SELECT with the call's arguments put in place of the macro's parameters. The arguments are
the query's own `$parameters` (still parameter markers, bound by the engine) or constants
written in the query file (`[]::VARCHAR[]`, `NULL`), never a user's value: no value is ever
spliced into the text. tests/test_sql_dialects.py and tests/test_spark.py hold this up.
"""

from __future__ import annotations

import re
from functools import cache

import sqlglot
from sqlglot import ErrorLevel, exp

from impact.storage import rollup
from impact.storage.db import _strip_comments, load_query, macros_sql

_MACRO = re.compile(r"CREATE OR REPLACE MACRO (\w+)\(([^)]*)\) AS TABLE\n(.*?);", re.S)

# The types the DuckDB runner gives its parameters (impact.db._typed), so an empty list and
# a NULL bound carry a type on every engine.
LIST_PARAMS = frozenset({"orgs", "projects", "areas"})
INT_PARAMS = frozenset({"year_from", "year_to", "year", "limit"})


@cache
def macros(project_areas: str = "activities") -> dict[str, tuple[list[str], str]]:
    """{macro name: (parameter names, SELECT body)} from the DuckDB macro DDL."""
    return {name: ([p.strip() for p in params.split(",")], body)
            for name, params, body in _MACRO.findall(macros_sql(project_areas))}


def expand_macros(sql: str, project_areas: str = "activities") -> exp.Expression:
    """The query with every `*_in(...)` table macro replaced by its SELECT, arguments bound:
    what an engine without DuckDB macros has to run."""
    defined = macros(project_areas)
    tree = sqlglot.parse_one(_strip_comments(sql), read="duckdb")
    for table in list(tree.find_all(exp.Table)):
        fn = table.this
        if not (isinstance(fn, exp.Anonymous) and fn.name in defined):
            continue
        params, body = defined[fn.name]
        if len(fn.expressions) != len(params):
            raise ValueError(f"{fn.name} called with {len(fn.expressions)} arguments, "
                             f"defined with {len(params)}")
        bound = dict(zip(params, fn.expressions))
        select = sqlglot.parse_one(body, read="duckdb").transform(
            lambda node: bound[node.name].copy()
            if isinstance(node, exp.Column) and not node.table and node.name in bound else node)
        alias = exp.TableAlias(this=exp.to_identifier(table.alias or fn.name))
        table.replace(exp.Subquery(this=select, alias=alias))
    return tree


def _typed_placeholder(node: exp.Expression) -> exp.Expression:
    """`$orgs` → CAST(:orgs AS ARRAY<STRING>), `$year_from` → CAST(:year_from AS INT): an
    empty list or a NULL then has a type, as in the DuckDB runner."""
    if not isinstance(node, exp.Placeholder) or isinstance(node.parent, exp.Cast):
        return node
    if node.name in LIST_PARAMS:
        return exp.cast(node.copy(), exp.DataType.build("ARRAY<VARCHAR>", dialect="duckdb"))
    if node.name in INT_PARAMS:
        return exp.cast(node.copy(), exp.DataType.build("INT"))
    return node


@cache
def spark_sql(name: str, *, rollups: bool, tables: tuple[tuple[str, str], ...] = ()) -> str:
    """The named query as Spark SQL with `:name` parameter markers.

    `rollups`: answer from the monthly rollup where `impact.rollup` proves it exact, as the
    DuckDB runner does. `tables` renames the base tables ((name, view name) pairs), so one
    Spark session can hold the views of several data directories at once."""
    sql = load_query(name).sql
    if rollups:
        sql = rollup.rollup_sql(sql) or sql
    tree = expand_macros(sql, rollup.NAME if rollups else "activities")
    tree = tree.transform(_typed_placeholder)
    renames = dict(tables)
    if renames:
        ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            if table.name in renames and table.name not in ctes and not table.db:
                if not table.alias:  # qualified references keep working
                    table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name)))
                table.set("this", exp.to_identifier(renames[table.name]))
    return tree.sql(dialect="spark", unsupported_level=ErrorLevel.RAISE)
