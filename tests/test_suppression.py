"""Issue 27 item 4: in public mode no figure a page shows gives a small person count away,
neither by itself nor as the difference of two shown figures (docs/privacy.md, "Small
counts in public and funder views"). One test per way a count leaked: a card, a card's
change, the difference of two projects, the difference of two periods, chart data, a
warning, and grant ids with their amounts."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from impact.access import privacy
from impact.storage import compaction
from impact.storage.schema import TABLES
from impact.storage.store import DataStore
from tests.page_tables import page_tables

ROOT = Path(__file__).resolve().parent.parent
ORG, SMALL, OTHER = "小社区", "儿童保护个案", "社区活动"
# 儿童保护个案: 3 person-times and 2 volunteer person-times in 2021, 41 and 20 in 2020;
# 社区活动: 103 and 50 in 2021, 60 and 30 in 2020.
RECORDS = [(SMALL, 2021, 3, 2), (SMALL, 2020, 41, 20), (OTHER, 2021, 103, 50),
           (OTHER, 2020, 60, 30)]


@pytest.fixture(scope="module")
def small_org(tmp_path_factory) -> Path:
    """The demo data and one small organisation: a project with 3 person-times in 2021,
    beside a larger one, and all its income from one funder."""
    target = tmp_path_factory.mktemp("small") / "data"
    shutil.copytree(ROOT / "data", target)
    store = DataStore(target)
    acts = [{"activity_id": f"SMALL-{i}", "date": date(year, 5, 1), "org": ORG,
             "project": project, "program_area": "儿童服务", "activity_type": None,
             "sessions": 2, "beneficiaries": people, "volunteers": volunteers,
             "volunteer_minutes": 60 * volunteers}
            for i, (project, year, people, volunteers) in enumerate(RECORDS)]
    compaction.append(store, "activities",
                      pa.Table.from_pylist(acts, schema=TABLES["activities"].arrow_schema))
    money = [{"txn_id": f"SMALL-F{year}", "date": date(year, 3, 1), "org": ORG,
              "flow": "income", "line": "donation", "source_type": "enterprise",
              "funder": "唯一基金会", "project": OTHER, "restricted": True,
              "amount": Decimal("12345.67")} for year in (2020, 2021)]
    compaction.append(store, "finance",
                      pa.Table.from_pylist(money, schema=TABLES["finance"].arrow_schema))
    return target


@pytest.fixture(autouse=True)
def _public(monkeypatch, small_org, tmp_path):
    monkeypatch.setenv("IMPACT_DATA_DIR", str(small_org))
    monkeypatch.setenv("IMPACT_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("IMPACT_MODE", "public")
    monkeypatch.delenv("IMPACT_SUPPRESS_BELOW", raising=False)


def page(name: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    at.query_params.update({"org": ORG, **params})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def card(at: AppTest, label: str):
    [metric] = [m for m in at.metric if m.label == label]
    return metric


def count(text: str) -> int | None:
    """A card's count as a number (None for "<5" or "—")."""
    digits = text.replace(",", "")
    return int(digits) if digits.isdigit() else None


PERSON_TIMES, VOLUNTEERS = "受益人次", "志愿者人次"


def test_card_shows_a_small_count_as_below_the_threshold():
    at = page("overview", project=SMALL, **{"from": "2021", "to": "2021"})
    assert card(at, PERSON_TIMES).value == "<5"
    at = page("volunteers", project=SMALL, **{"from": "2021", "to": "2021"})
    assert card(at, VOLUNTEERS).value == "<5"
    # 120 minutes ÷ 2 volunteer person-times would give the 2 back.
    assert card(at, "每人次服务分钟").value == "—"


def test_delta_does_not_give_a_hidden_count_back():
    at = page("overview", project=SMALL, **{"from": "2021", "to": "2021"})
    people = card(at, PERSON_TIMES)
    # 3 against 41 read "-38"; with the 41 in the help, the 3 was back.
    assert people.delta in (None, "") and "41" not in (people.help or "")


def test_difference_across_projects_is_a_multiple_of_the_rounding_base():
    years = {"from": "2021", "to": "2021"}
    whole = count(card(page("overview", **years), PERSON_TIMES).value)
    other = count(card(page("overview", project=OTHER, **years), PERSON_TIMES).value)
    assert whole is not None and other is not None
    assert (whole - other) % privacy.ROUND_BASE == 0 and whole - other != 3


def test_difference_across_periods_is_a_multiple_of_the_rounding_base():
    both = count(card(page("overview", project=SMALL, **{"from": "2020", "to": "2021"}),
                      PERSON_TIMES).value)
    first = count(card(page("overview", project=SMALL, **{"from": "2020", "to": "2020"}),
                       PERSON_TIMES).value)
    assert both is not None and first is not None
    assert (both - first) % privacy.ROUND_BASE == 0 and both - first != 3


def test_chart_data_is_rounded():
    at = page("volunteers", **{"from": "2020", "to": "2021"})
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    [trace] = [t for s in specs for t in s["data"] if t.get("name") == VOLUNTEERS]
    # 2021: 2 + 50 = 52 volunteer person-times; 52 beside 50 (社区活动 alone) gave the 2.
    assert trace["y"] == [50, 50]
    assert not {"52", "52.0"} & {str(v) for v in trace["customdata"]}


def test_single_donor_warning_and_card_give_no_amount_away():
    at = page("finance", **{"from": "2021", "to": "2021"})
    warnings = [w.value for w in at.warning if "单一资助方" in w.value]
    assert warnings
    # 100 % of the income total on the page is the one funder's amount.
    assert not [w for w in warnings if "100" in w]
    assert "100" not in card(at, "最大单一资助方占比").value


def test_public_pages_name_no_grant_and_no_amount_per_grant():
    at = AppTest.from_file(str(ROOT / "pages" / "overview.py"), default_timeout=120)
    at.query_params.update({"org": "珠海协作者", "from": "2020", "to": "2020"})
    at.run()
    assert not at.exception
    text = " ".join(d.to_csv() for d in page_tables(at))
    assert "ZHXZ-LG-2020" not in text and "ZHXZ-MS-2020" not in text
    # The targets table keeps the organisation's own targets, not a grant's deliverables
    # (发放资助 ¥297,850.00 is what grant ZHXZ-LG-2020 paid out).
    [targets] = [d for d in page_tables(at) if "完成率" in d.columns]
    assert "资助编号" not in targets.columns and len(targets)
    assert "297,850" not in targets.to_csv()


def test_policy_rounds_every_count_and_hides_small_ones():
    policy = privacy.Policy(True, 5, public=True)
    assert [policy.count(v) for v in (0, 3, 5, 7, 8, 52, 103)] == [
        0, policy.marker(), 5, 5, 10, 50, 105]
    assert privacy.OFF.count(3) == 3
