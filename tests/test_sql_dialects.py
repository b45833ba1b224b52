"""The named queries stay portable: each one, with the filter macros expanded into plain
SELECTs, transpiles to Trino and Spark SQL without an unsupported construct, and the result
parses back in that dialect. If a query needs DuckDB-only syntax, this test says which."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import ErrorLevel, exp

from impact.storage.db import load_query, query_names
# The expansion itself lives where the Spark engine uses it (tests/test_spark.py runs it).
from impact.engines.portable import expand_macros, macros

DIALECTS = ("trino", "spark")
MACROS = macros()


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
