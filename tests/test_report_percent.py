"""Every percentage the report prints is rounded once, from the exact ratio, to the report's
two places (issue 26): shares of income, of each flow and of funders, and achievements, in
the HTML/PDF text and in the workbook's cells alike."""

from __future__ import annotations

import io
from decimal import Decimal
from fractions import Fraction

import openpyxl

from impact.filters import Filters
from impact.presentation import fmt
from impact.report import build, gather
from impact.report.labels import PCT_PLACES
from impact.report.tables import (cell_text, finance_table, funder_table, source_table,
                                  target_table)


def _once(numerator, denominator, places: int = PCT_PLACES) -> Decimal:
    units = Fraction(Decimal(numerator)) * 100 * 10 ** places / Fraction(Decimal(denominator))
    whole = units.numerator // units.denominator
    whole += (units - whole) >= Fraction(1, 2)
    return Decimal(whole).scaleb(-places)


def test_report_percentages_are_rounded_once(demo_db):
    for f in (Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020),
              Filters(year_from=2015, year_to=2016), Filters(orgs=("苏州清流",))):
        content = gather(demo_db, f, "en")
        income = content.summary["income_total"]
        totals = {}
        for r in content.finance:
            totals[r["flow"]] = totals.get(r["flow"], 0) + r["amount"]
        checked = 0
        lines = finance_table(content)
        cases = [(lines, row, totals[raw["flow"]]) for row, raw in zip(lines.rows,
                                                                       content.finance)]
        cases += [(table, row, income) for table in (source_table(content),
                                                    funder_table(content))
                  for row in table.rows]
        for table, row, whole in cases:
            share = next(c for c in table.columns if c.key == "share")
            assert cell_text(share, row, "en") == fmt.percent(
                _once(row["amount"], whole), "en", places=PCT_PLACES), (table.name, row)
            checked += 1
        for row in target_table(content).rows:
            if row["target"]:
                column = next(c for c in target_table(content).columns
                              if c.key == "achievement")
                assert cell_text(column, row, "en") == fmt.percent(
                    _once(row["actual"], row["target"]), "en", places=PCT_PLACES)
                checked += 1
        assert checked, f
        book = openpyxl.load_workbook(io.BytesIO(build(content, "xlsx").data))
        for ws in book:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.number_format == "0.00" and isinstance(cell.value, float):
                        assert Decimal(repr(cell.value)) == Decimal(repr(cell.value)).quantize(
                            Decimal("0.01")), (ws.title, cell.value)
