"""The report's tables in reading order: the figures (impact.report.tables) and the people and
results sections (impact.report.people, which builds on the table primitives)."""

from __future__ import annotations

from impact.report.content import ReportContent
from impact.report.people import outcome_table, reach_table
from impact.report.tables import (ReportTable, finance_table, funder_table, indicator_table,
                                  kpi_table, monthly_table, project_table, published_table,
                                  source_table, statement_table, target_table, year_table)


def all_tables(content: ReportContent) -> list[ReportTable]:
    """Every table of the report, in reading order."""
    tables = [kpi_table(content), project_table(content), reach_table(content),
              monthly_table(content), finance_table(content), source_table(content),
              funder_table(content), year_table(content), target_table(content),
              outcome_table(content), indicator_table(content)]
    statement = statement_table(content)
    if statement is not None:
        tables.insert(4, statement)  # before the finance tables, as in a financial report
    if content.published:
        tables.append(published_table(content))
    return tables
