"""Locale files: every key in both languages, every key the code asks for defined,
placeholders that match, and no string left in page code."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from impact.presentation import i18n
from impact.presentation.i18n import LANGS, catalog, missing_keys, t

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py")),
           *sorted((ROOT / "impact" / "views").glob("*.py")),
           *sorted((ROOT / "impact" / "web").glob("*.py"))]
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_][a-z0-9_.]*)["']""")


def test_every_key_exists_in_every_language():
    assert missing_keys() == {lang: [] for lang in LANGS}


def test_placeholders_are_the_same_in_both_languages():
    fields = string.Formatter()
    for key in catalog("zh"):
        names = {lang: {f for _, f, _, _ in fields.parse(catalog(lang)[key]) if f}
                 for lang in LANGS}
        assert names["zh"] == names["en"], key


def test_every_key_used_in_code_is_defined():
    used = {key for path in SOURCES for key in LITERAL_KEY.findall(path.read_text("utf-8"))}
    assert used, "the pattern should find the keys the code uses"
    assert sorted(k for k in used if k not in catalog("zh")) == []


def test_lines_sources_and_metrics_have_labels():
    from impact.storage.schema import EXPENSE_LINES, INCOME_LINES, SOURCE_TYPES
    for lang in LANGS:
        for c in INCOME_LINES:
            assert i18n.has(f"income.{c}", lang)
        for c in EXPENSE_LINES:
            assert i18n.has(f"expense.{c}", lang)
        for c in SOURCE_TYPES:
            assert i18n.has(f"source.{c}", lang)
    # The statutory names, exactly as the 民间非营利组织会计制度 prints them.
    assert [t(f"income.{c}", "zh") for c in INCOME_LINES] == [
        "捐赠收入", "会费收入", "提供服务收入", "商品销售收入", "政府补助收入", "投资收益", "其他收入"]
    assert [t(f"expense.{c}", "zh") for c in EXPENSE_LINES] == [
        "业务活动成本", "管理费用", "筹资费用", "其他费用"]


def test_translation_fills_placeholders_and_falls_back():
    assert t("filters.single_year", "en", year=2017).startswith("Year: 2017")
    assert t("nav.finance", "zh") == "财务"
    assert t("no.such.key", "en") == "no.such.key"
    assert i18n.label("income", "government_grant", "zh") == "政府补助收入"
    assert i18n.label("col", "珠海协作者", "en") == "珠海协作者"  # data names shown as is


@pytest.mark.parametrize("value, expected", [("en", "en"), ("EN", "en"), ("zh-CN", "zh"),
                                             ("fr", "zh"), (None, "zh")])
def test_language_codes_are_normalised(value, expected):
    assert i18n.normalize_lang(value) == expected


def test_a_key_defined_twice_is_reported(tmp_path, monkeypatch):
    for lang in LANGS:
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "a.json").write_text('{"x": "1"}', encoding="utf-8")
        (tmp_path / lang / "b.json").write_text('{"x": "2"}', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.catalog.cache_clear()
    try:
        with pytest.raises(i18n.LocaleError, match="'x' already defined in a.json"):
            catalog("zh")
    finally:
        monkeypatch.undo()
        i18n.catalog.cache_clear()


def test_pages_hold_no_user_visible_chinese_text():
    """Labels live in locale files: a page with a literal Chinese string has one that won't
    translate."""
    for name in ("overview", "beneficiaries", "volunteers", "finance", "growth"):
        path = ROOT / "pages" / f"{name}.py"
        code = "\n".join(line.split("  #")[0] for line in path.read_text("utf-8").splitlines()
                         if not line.lstrip().startswith(('"""', "#")) and '"""' not in line)
        assert not re.search(r"[\u4e00-\u9fff]", code), path.name
