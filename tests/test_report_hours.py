"""One hours rule in the report and on the pages (issue 26): hours from the exact minutes,
printed by fmt's HOURS formatter (to the hundredth: 27.00, never 27 or 27.0), in the report's
tables and narrative exactly as /volunteers and /overview print them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from impact.config import DEFAULT_DATA_DIR
from impact.filters import Filters
from impact.presentation import fmt
from impact.presentation.i18n import t
from impact.report import gather, narrative
from impact.report import labels
from impact.report.tables import Column, cell_text, display_rows, project_table, value_kind
from impact.storage.db import Database
from impact.views.volunteers import volunteers

SELECTIONS = (Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020),
              Filters(year_from=2019, year_to=2020),  # every organisation
              Filters(orgs=("苏州清流",), year_from=2012, year_to=2015))


@pytest.fixture(scope="module")
def db():
    return Database(str(DEFAULT_DATA_DIR))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("f", SELECTIONS, ids=str)
def test_the_report_prints_the_hours_the_page_prints(db, f, lang):
    page = volunteers(db, f, lang)
    content = gather(db, f, lang)
    hours, org, project = (t("metric.volunteer_hours", lang), t("col.org", lang),
                           t("col.project", lang))
    shown = {(r[org], r[project]): r[hours] for r in page.projects.display_rows()}
    table = project_table(content)
    printed = {(r[labels.column("org", lang)], r[labels.column("project", lang)]):
               r[labels.column("volunteer_hours", lang)] for r in display_rows(table, lang)}
    assert shown and {k: printed[k] for k in shown} == shown
    # Projects without volunteers print 0.00 h (the page lists only those with volunteers).
    assert all(v == fmt.value(Decimal(0), fmt.HOURS, lang) for k, v in printed.items()
               if k not in shown)
    card = next(k for k in page.kpis if k.key == "volunteer_hours")
    assert card.display in narrative(content)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_target_in_hours_prints_as_the_page_prints_it(lang):
    """A target of volunteer_hours, or an indicator in 小时, was printed at its own places in
    the report (27) and to the hundredth on the page (27.00)."""
    for metric, unit in (("volunteer_hours", None), ("辅导时长", "小时"), ("x", "hours")):
        for value in (Decimal("27"), Decimal("27.0"), Decimal("27.5000"), Decimal("1177.4")):
            row = {"target": value, "value_kind": value_kind(metric, unit)}
            assert cell_text(Column("target", labels.VALUE), row, lang) == \
                fmt.value(value, fmt.HOURS, lang)
    row = {"target": Decimal("27.5000"), "value_kind": value_kind("students", "人")}
    assert cell_text(Column("target", labels.VALUE), row, lang) == "27.5"
