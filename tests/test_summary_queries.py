"""summary_queries() lists exactly what summarize() asks, so a page's prefetch starts every
one of them at once and nothing it never reads (issue 29: the period before's income by
source was asked and never used)."""

from __future__ import annotations

from pathlib import Path

import pytest

from impact.bench.pages import RecordingDatabase
from impact.domain.metrics import summarize, summary_queries
from impact.filters import Filters
from impact.storage.db import Database

DATA = str(Path(__file__).resolve().parent.parent / "data")


def _asked(calls) -> set:
    return {(c.name, tuple(sorted((k, tuple(v) if isinstance(v, (list, tuple)) else v)
                                  for k, v in c.params))) for c in calls}


@pytest.mark.parametrize("filters", [
    Filters(), Filters(year_from=2020, year_to=2020), Filters(year_from=2017, year_to=2019),
    Filters(orgs=("珠海协作者",), year_from=2021, year_to=2021),
    Filters(areas=("儿童服务",), year_from=2019, year_to=2020)])
def test_summary_queries_are_exactly_what_summarize_asks(filters):
    recorded = RecordingDatabase(Database(DATA))
    summarize(recorded, filters)
    listed = [(name, p) for name, p in summary_queries(filters)]
    expected = {(name, tuple(sorted((k, tuple(v) if isinstance(v, (list, tuple)) else v)
                                    for k, v in p.items()))) for name, p in listed}
    assert _asked(recorded.calls) == expected
