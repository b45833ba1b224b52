"""The PDF a director hands out: A4, Chinese text that pdftotext can read back with the exact
figures and the summary, long tables split with their header repeated. (How fast it builds is
measured by `python -m impact bench`, not asserted here: these machines are noisy.)"""

from __future__ import annotations

import re
import subprocess

import pytest

from impact.filters import Filters
from impact.report import build, gather, narrative

pytestmark = pytest.mark.requires("chromium", "cjk-fonts", "pdftotext", "pdffonts")

ZHUHAI_2020 = Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020)


def _pdftotext(pdf: bytes, *flags: str) -> str:
    return subprocess.run(["pdftotext", *flags, "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")


def _pages(pdf: bytes) -> list[str]:
    """Each page's text, laid out as printed (table rows stay on one line)."""
    return _pdftotext(pdf, "-layout").split("\f")


def _squeeze(text: str) -> str:
    """Text without whitespace: a wrapped line loses the space where it broke."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def zh_pdf(demo_db):
    content = gather(demo_db, ZHUHAI_2020, "zh")
    return content, build(content, "pdf")


def test_pdf_text_has_the_exact_kpis_and_the_narrative(zh_pdf):
    content, built = zh_pdf
    text = _pdftotext(built.data)
    for figure in ("581", "99,037", "1,394", "70,644", "1,674,657.61", "1,053,831.90",
                   "620,825.71", "10.64"):
        assert figure in text
    # The paragraph wraps across lines; joined up it must read exactly as drafted.
    assert _squeeze(narrative(content)) in _squeeze(text)
    assert "珠海协作者 2020 年度数据报告" in text
    assert "示例数据" in text


def test_pdf_is_a4_with_the_cjk_font_embedded(zh_pdf):
    _, built = zh_pdf
    info = subprocess.run(["pdfinfo", "-"], input=built.data, capture_output=True,
                          check=True).stdout.decode()
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    fonts = subprocess.run(["pdffonts", "-"], input=built.data, capture_output=True,
                           check=True).stdout.decode().splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts)  # every font embedded


def test_pdf_pages_are_numbered(zh_pdf):
    _, built = zh_pdf
    pages = [p for p in _pages(built.data) if p.strip()]
    assert f"第 1 页，共 {len(pages)} 页" in pages[0]
    assert f"第 {len(pages)} 页，共 {len(pages)} 页" in pages[-1]


def test_long_table_repeats_its_header_on_every_page(demo_db):
    # Five years of months: a 60-row table that cannot fit on one page.
    content = gather(demo_db, Filters(orgs=("珠海协作者",), year_from=2017, year_to=2021), "en")
    pages = _pages(build(content, "pdf").data)
    month_row = re.compile(r"^\s*20(17|18|19|20|21)\s+\d{1,2}(\s+[\d,]+){4}\s*$", re.M)
    monthly = [p for p in pages if month_row.search(p)]
    assert len(monthly) >= 2, "the monthly table should span pages"
    for page in monthly:
        assert re.search(r"Year\s+Month\s+Services\s+Person-times", page), page[:300]


def test_english_pdf(demo_db, zh_pdf):
    content = gather(demo_db, ZHUHAI_2020, "en")
    built = build(content, "pdf")  # the browsers are warm: zh_pdf started them
    text = _pdftotext(built.data)
    assert "Impact Report 2020" in text and "99,037" in text
    assert _squeeze("Person-times are not people") in _squeeze(text)


def test_period_without_data_still_builds_and_says_so(demo_db):
    content = gather(demo_db, Filters(orgs=("珠海协作者",), year_from=2030, year_to=2030), "zh")
    text = _pdftotext(build(content, "pdf").data)
    assert _squeeze("所选机构在 2030 年没有任何活动或收支记录") in _squeeze(text)
