"""The /report page: the summary preview for the sidebar's selection, and the downloads."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from impact.config import DEFAULT_DATA_DIR

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not (DEFAULT_DATA_DIR / "manifest.json").is_file(),
                                reason="needs the demo data in data/ (python -m impact demo)")


def open_report(params: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params.update(params)
    at.run()
    at.switch_page("pages/report.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def narrative_text(at: AppTest) -> str:
    """The summary as the page shows it: plain text in an HTML block (not a code block)."""
    assert not at.code, "the summary is text to read, not a monospace code block"
    import html
    import re

    block = next(el.proto.body for el in at.get("html") if "impact-narrative-text" in el.proto.body)
    return html.unescape(re.search(r'id="impact-narrative-text"[^>]*>(.*?)</p>', block,
                                   re.S).group(1))


def _labels(at: AppTest, kind: str) -> list[str]:
    return [el.proto.label for el in at.get(kind)]


def test_report_page_previews_the_summary_and_offers_the_files():
    at = open_report({"org": "珠海协作者", "from": "2020", "to": "2020"})
    assert at.title[0].value == "年度报告"
    preview = narrative_text(at)
    assert preview.startswith("2020 年，珠海协作者共开展了 581 次专业服务，受益 99,037 人次；"
                              "1,394 人次志愿者参与，累计志愿服务 70,644 分钟")
    assert "全年收入 1,674,657.61 元" in preview
    # Nothing is built until asked: one bad name must not break the page for every visitor.
    assert _labels(at, "download_button") == []
    assert [b.label for b in at.button] == ["生成 PDF", "生成 HTML", "生成 Excel"]


@pytest.mark.requires("chromium", "cjk-fonts")
def test_building_the_pdf_turns_the_button_into_a_download():
    at = open_report({"org": "珠海协作者", "from": "2020", "to": "2020"})
    at.button(key="build_pdf").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _labels(at, "download_button") == ["下载 PDF"]


def test_english_report_preview():
    at = open_report({"org": "珠海协作者", "from": "2020", "to": "2020", "lang": "en"})
    assert narrative_text(at).startswith("In 2020, 珠海协作者 delivered 581 professional services")


def test_first_year_of_an_organisation_has_no_comparison():
    at = open_report({"org": "珠海协作者", "from": "2017", "to": "2017"})
    assert "405 次专业服务" in narrative_text(at) and "相比" not in narrative_text(at)


def test_a_pasted_claim_is_checked_against_the_figures():
    at = open_report({"org": "苏州清流", "from": "2015", "to": "2015"})
    at.text_area(key="report_draft").input(
        "机构收入正以每年以翻倍的速度持续增长。全年服务 5,036 人。").run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value.replace("\\", "") for w in at.warning]  # Markdown escapes
    assert any("并非每年翻倍" in w and "+87.45%" in w and "+46.79%" in w for w in warnings)
    assert any("5,036 是受益人次" in w for w in warnings)


def test_published_figures_are_right_aligned_like_every_table():
    """与已发布年报对照 (issue 26, cosmetic): its numbers were left-aligned; every figure column
    is right-aligned, the names and the verdict stay at the left."""
    import json

    from impact.presentation.i18n import t

    at = open_report({"org": "珠海协作者", "from": "2020", "to": "2020"})
    assert t("report.section.published", "zh") in [h.value for h in at.header]
    [table] = [d for d in at.dataframe if t("report.col.published", "zh") in d.value.columns]
    config = json.loads(table.proto.columns)
    aligned = {name: c.get("alignment") for name, c in config.items()}
    for key in ("published", "recorded", "difference"):
        assert aligned[t(f"report.col.{key}", "zh")] == "right", aligned
    for key in ("org", "metric", "agrees"):
        assert aligned[t(f"report.col.{key}", "zh")] != "right", aligned
