"""Funding concentration at two levels: by source type and by single donor. A single donor
above the (configurable) threshold is flagged with a warning that names it and its share."""

from __future__ import annotations

import re

import os
from decimal import Decimal as D

import pytest

from impact.filters import Filters
from impact.presentation import fmt
from impact.domain.metrics import donor_concentration, funding_concentration
from impact.storage.db import Database
from impact.views.finance import finance
from tests.page_tables import page_tables

LEDGER = """日期,机构,收支,科目,来源类型,资助方,金额（元）
2015-02-01,清流测试,收入,政府补助收入,,北桥街道办事处,"60,000.00"
2015-05-01,清流测试,收入,政府补助收入,,北桥街道办事处,"15,000.00"
2015-03-01,清流测试,收入,捐赠收入,基金会,南都公益基金会,"15,000.00"
2015-04-01,清流测试,收入,捐赠收入,企业,某企业,"5,000.00"
2015-06-01,清流测试,收入,捐赠收入,个人,,"5,000.00"
2015-07-01,清流测试,支出,业务活动成本,,,"80,000.00"
"""
FILTERS = Filters(orgs=("清流测试",), year_from=2015, year_to=2015)


def test_largest_and_top_three_donors_with_unnamed_income_in_the_total_only():
    conc = donor_concentration({"甲": D("75"), "乙": D("15"), "丙": D("5"), None: D("5")},
                               D("100"))
    assert (conc["largest_donor"], conc["largest_share"]) == ("甲", D("0.7500"))
    assert conc["top3_share"] == D("0.9500") and conc["donors"] == 3
    assert [d["funder"] for d in conc["top3"]] == ["甲", "乙", "丙"]
    assert conc["flagged"]
    assert not donor_concentration({"甲": D("75")}, D("100"), threshold=D("0.80"))["flagged"]
    # Exactly at the threshold is not above it; no named donor is no donor concentration.
    assert not donor_concentration({"甲": D("50"), "乙": D("50")}, D("100"))["flagged"]
    assert donor_concentration({None: D("10")}, D("10"))["largest_donor"] is None


@pytest.fixture(scope="module")
def ledger_db(tmp_path_factory):
    from tests.conftest import run_cli

    root = tmp_path_factory.mktemp("donors")
    (root / "收支.csv").write_text(LEDGER, encoding="utf-8")
    (root / "d").mkdir()
    result = run_cli("import", str(root / "收支.csv"), "--table", "finance",
                     "--data-dir", str(root / "d"))
    assert result.returncode == 0, result.stderr
    return Database(str(root / "d"))


def test_a_donor_giving_75_percent_is_flagged_by_name(ledger_db):
    model = finance(ledger_db, FILTERS, "zh")
    assert "北桥街道办事处" in model.donor_notice and "75.0%" in model.donor_notice
    assert "50%" in model.donor_notice
    # The public view's notice names no donor and gives no share: with the income total on
    # the same page, the share would give the donor's amount away (docs/privacy.md).
    assert "北桥街道办事处" not in model.donor_notice_unnamed
    assert "75.0%" not in model.donor_notice_unnamed and "50%" in model.donor_notice_unnamed
    kpi = next(k for k in model.kpis if k.key == "largest_donor_share")
    assert kpi.value == D("0.7500") and "95.0%" in kpi.help  # top three
    en = finance(ledger_db, FILTERS, "en")
    assert "北桥街道办事处 alone gave 75.0%" in en.donor_notice
    # The source-type level sees government at 75 % too, with its own threshold (60 %).
    assert any("政府" in n and "75.0%" in n for n in model.notices)
    funders = {r["funder"]: r["share"] for r in model.funders.rows}
    assert funders["北桥街道办事处"] == D("75.00")


def test_report_narrative_names_the_dependence(ledger_db):
    from impact.report import gather, narrative

    text = narrative(gather(ledger_db, FILTERS, "zh"))
    assert "单一资助方北桥街道办事处提供了全部收入的 75.0%，超过 50%" in text


def test_thresholds_are_configurable(ledger_db, cli, tmp_path):
    data = ledger_db.data_dir
    env = {**os.environ, "IMPACT_DONOR_SHARE": "0.8"}
    result = cli("summary", "--data-dir", data, "--year", "2015", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    assert '"flagged": false' in result.stdout.split('"donor_concentration"')[1]
    bad = cli("summary", "--data-dir", data, "--year", "2015",
              env={**os.environ, "IMPACT_DONOR_SHARE": "75%"})
    assert bad.returncode == 2
    assert "$IMPACT_DONOR_SHARE must be a share between 0 and 1" in bad.stderr


def test_demo_finance_page_shows_donor_shares_and_flags_suzhou_2015():
    """In the demo, 苏州清流 2015 is 91.7 % government (as published), and one government
    funder, 北桥街道办事处, gave 75.3 % of it: flagged by name, and the shares are shown."""
    from tests.test_pages import open_page

    at = open_page("finance", {"org": "苏州清流", "from": "2015", "to": "2015"}, "zh")
    # Notices reach Streamlit with data escaped as Markdown (widgets.say): read them as shown.
    warnings = [re.sub(r"\\(.)", r"\1", w.value) for w in at.warning]
    assert any("北桥街道办事处" in w and "75.3%" in w for w in warnings), warnings
    funders = next(d for d in page_tables(at) if "资助方" in d.columns)
    assert "占比" in funders.columns
    assert any("最大单一资助方" in m.label for m in at.metric)



UNSOURCED = """日期,机构,收支,科目,来源类型,资助方,金额（元）
2015-02-01,来源测试,收入,政府补助收入,政府,北桥街道办事处,"495,000.00"
2015-03-01,来源测试,收入,捐赠收入,,,"50,000.00"
"""


def test_largest_source_share_is_of_all_income_with_unsourced_in_the_total():
    """The class of issue 26 item 4: income with no source type was left out of the
    denominator, so government 495,000 of 545,000 read 100.0 %."""
    conc = funding_concentration({"government": D("495000.00"), "foundation": D("0.00"),
                                  None: D("50000.00")})
    assert conc["largest_source"] == "government"
    assert conc["largest_share"].quantize(D("1e-20")) == D("0.90825688073394495413")  # exact
    assert fmt.share(conc["largest_share"], "zh") == "90.8%"
    assert funding_concentration({None: D("10.00")})["largest_source"] is None


def test_finance_card_warning_and_table_give_one_share(tmp_path):
    from tests.conftest import run_cli

    (tmp_path / "收支.csv").write_text(UNSOURCED, encoding="utf-8")
    (tmp_path / "d").mkdir()
    result = run_cli("import", str(tmp_path / "收支.csv"), "--table", "finance",
                     "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    model = finance(Database(str(tmp_path / "d")),
                    Filters(orgs=("来源测试",), year_from=2015, year_to=2015), "zh")
    card = next(k for k in model.kpis if k.key == "largest_share")
    assert card.display == "90.8%"
    assert any("90.8%" in n for n in model.notices)
    assert not any("100.0%" in n for n in model.notices)


def test_pooled_gifts_and_interest_are_no_single_donor():
    """Issue 26 item 3: 个人捐赠 at 100 % read "依赖单一资助方：个人捐赠 100%". Pooled gifts
    and income that is no gift count in all income, but are no donor to depend on."""
    from impact.domain.metrics import is_pooled_funder

    for name in ("个人捐赠", "月捐", "99公益日", "利息收入", "培训收入", "腾讯99公益日",
                 "银行利息收入", "企业员工捐赠", "场地服务收费"):
        assert is_pooled_funder(name), name
    for name in ("南都公益基金会", "北桥街道办事处", "乐购", None, ""):
        assert not is_pooled_funder(name), name
    alone = donor_concentration({"个人捐赠": D("100")}, D("100"))
    assert alone["largest_donor"] is None and not alone["flagged"] and alone["donors"] == 0
    mixed = donor_concentration({"个人捐赠": D("60"), "利息收入": D("10"), "某基金会": D("30")},
                                D("100"))
    assert (mixed["largest_donor"], mixed["largest_share"]) == ("某基金会", D("0.3000"))
    assert [d["funder"] for d in mixed["top3"]] == ["某基金会"] and not mixed["flagged"]


def test_dependence_on_one_donor_is_judged_per_organisation():
    from impact.domain.metrics import donor_dependence
    rows = [{"org": "甲", "funder": "X", "amount": D("900")},
            {"org": "甲", "funder": None, "amount": D("100")},
            {"org": "乙", "funder": "Y", "amount": D("100")},
            {"org": "乙", "funder": "个人捐赠", "amount": D("300")}]
    # X is 900 of 1,400 of all income (64 %): above the limit, but only 甲 depends on it
    # (90 % of its own income); Y is 25 % of 乙's, pooled gifts are no donor.
    assert donor_dependence(rows) == [
        {"org": "甲", "donor": "X", "share": D("0.9"), "threshold": D("0.50")}]


# A second organisation with many donors: with both selected, 北桥街道办事处 is 75,000 of
# 300,000 (25 %) of the selection's income, but 75 % of 清流测试's own.
SECOND = """日期,机构,收支,科目,来源类型,资助方,金额（元）
""" + "".join(f"2015-0{i}-01,乙测试,收入,捐赠收入,基金会,基金会{i},\"40,000.00\"\n"
              for i in range(1, 6))


@pytest.fixture(scope="module")
def two_orgs_dir(tmp_path_factory):
    from tests.conftest import run_cli

    root = tmp_path_factory.mktemp("two_orgs")
    (root / "d").mkdir()
    for name, text in (("收支.csv", LEDGER), ("收支2.csv", SECOND)):
        (root / name).write_text(text, encoding="utf-8")
        result = run_cli("import", str(root / name), "--table", "finance",
                         "--data-dir", str(root / "d"))
        assert result.returncode == 0, result.stderr
    return root / "d"


def test_summary_judges_donor_dependence_per_organisation(two_orgs_dir, cli):
    """Issue 26: `impact summary` judged dependence on the whole selection's income. With
    every organisation selected (no --org) it judges each organisation's own income, with
    the same function as the finance page and the report (metrics.dependence_per_org)."""
    import json

    data = str(two_orgs_dir)
    out = cli("summary", "--data-dir", data, "--year", "2015", "--format", "json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout, parse_float=D)
    donors = summary["donor_concentration"]
    assert donors["largest_donor"] == "北桥街道办事处" and donors["largest_share"] == D("0.25")
    assert donors["flagged"] is True  # an organisation depends on one donor
    assert [(d["org"], d["donor"], d["share"]) for d in summary["donor_dependence"]] == [
        ("清流测试", "北桥街道办事处", D("0.75"))]
    page = finance(Database(data), Filters(year_from=2015, year_to=2015), "en")
    assert "清流测试" in page.donor_notice and "75.0%" in page.donor_notice
    for lang, flagged, by_org in (("zh", "超过 50%，对一家资助方依赖较大", "按机构判断"),
                                  ("en", "above 50%: heavy dependence on one donor",
                                   "By organisation")):
        table = cli("summary", "--data-dir", data, "--year", "2015", "--lang", lang)
        assert table.returncode == 0, table.stderr
        lines = table.stdout.splitlines()
        largest = next(line for line in lines if "北桥街道办事处" in line and "25.0%" in line)
        assert flagged not in largest  # 25 % of the selection: no flag on the selection
        assert any(by_org in line for line in lines)
        [row] = [line for line in lines if "清流测试 · 北桥街道办事处" in line]
        assert "75.0%" in row and flagged in row, table.stdout
    # One organisation: its own figures, judged as before (no per-organisation list).
    one = cli("summary", "--data-dir", data, "--year", "2015", "--org", "乙测试",
              "--format", "json")
    assert json.loads(one.stdout)["donor_dependence"] is None
