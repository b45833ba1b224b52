"""Captions that explain a figure say what the figure is (issue 26)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from impact.domain.metrics import cagr
from impact.presentation.i18n import t


@pytest.mark.parametrize("lang, exponent", [("en", "^(1/(number of years − 1))"),
                                            ("zh", "^(1/(年数 − 1))")])
def test_cagr_caption_gives_the_exponent_the_page_computes(lang, exponent):
    # 2016–2020 is five years: the page takes the 4th root (four steps of growth).
    assert cagr(Decimal(100), Decimal(200), 2020 - 2016) == pytest.approx(
        (Decimal(2) ** (Decimal(1) / 4) - 1) * 100)
    assert exponent in t("growth.table.cagr_note", lang)


@pytest.mark.parametrize("lang, nowhere", [("en", "tooltip"), ("zh", "提示框")])
def test_hidden_points_caption_says_what_a_gap_means(lang, nowhere):
    # A point that is not drawn has nothing to hover: "see the tooltip" pointed nowhere.
    text = t("access.hidden_points", lang, count=3, threshold=5)
    assert nowhere not in text
    assert ("gap" in text and "not zero" in text) if lang == "en" else (
        "空缺" in text and "不是零" in text)
