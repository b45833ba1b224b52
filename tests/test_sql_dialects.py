"""The named queries stay portable: each one, with the filter macros expanded into plain
SELECTs, transpiles to Trino and Spark SQL without an unsupported construct, and the result
parses back in that dialect. If a query needs DuckDB-only syntax, this test says which."""

from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot import ErrorLevel, exp

from impact.storage.db import _strip_comments, load_query, macros_sql, query_names

DIALECTS = ("trino", "spark")
_MACRO = re.compile(r"CREATE OR REPLACE MACRO (\w+)\(([^)]*)\) AS TABLE\n(.*?);", re.S)
MACROS = {name: ([p.strip() for p in params.split(",")], body)
          for name, params, body in _MACRO.findall(macros_sql())}


def expand_macros(sql: str) -> exp.Expression:
    """The query with every `*_in(...)` table macro replaced by its SELECT, arguments bound:
    what an engine without DuckDB macros would have to run."""
    tree = sqlglot.parse_one(_strip_comments(sql), read="duckdb")
    for table in list(tree.find_all(exp.Table)):
        fn = table.this
        if not (isinstance(fn, exp.Anonymous) and fn.name in MACROS):
            continue
        params, body = MACROS[fn.name]
        assert len(fn.expressions) == len(params), f"{fn.name} called with the wrong arity"
        bound = dict(zip(params, fn.expressions))
        select = sqlglot.parse_one(body, read="duckdb").transform(
            lambda node: bound[node.name].copy()
            if isinstance(node, exp.Column) and not node.table and node.name in bound else node)
        alias = exp.TableAlias(this=exp.to_identifier(table.alias or fn.name))
        table.replace(exp.Subquery(this=select, alias=alias))
    return tree


def test_the_macros_are_all_found():
    assert {"activities_in", "finance_in", "indicators_in", "targets_in"} <= set(MACROS)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", query_names())
def test_query_transpiles(name, dialect):
    tree = expand_macros(load_query(name).sql)
    assert not any(isinstance(t.this, exp.Anonymous) and t.this.name.endswith("_in")
                   for t in tree.find_all(exp.Table)), "a table macro was left unexpanded"
    out = tree.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)
    sqlglot.parse_one(out, read=dialect)  # and the target dialect reads it back


def test_filters_become_array_functions_of_the_target_engine():
    sql = expand_macros(load_query("activity_by_year").sql)
    trino = sql.sql(dialect="trino")
    spark = sql.sql(dialect="spark")
    assert "CARDINALITY(:orgs) = 0 OR CONTAINS(:orgs, org)" in trino
    assert "SIZE(:orgs) = 0 OR ARRAY_CONTAINS(:orgs, org)" in spark
    assert "activities_in" not in trino.replace("AS activities_in", "")
