"""Translations: every string a user reads lives in `impact/locales/<lang>/*.json`.

Each language directory holds one JSON file per area (core.json, pages.json, data.json …),
each a flat object of dotted keys → text. All files of a language are merged; a key must be
defined once per language, and every key must exist in every language (tests/test_i18n.py).

Use `t(key, lang, **values)`; `{name}` placeholders are filled with str.format. Values are
inserted as given, so callers rendering Markdown escape user data first (impact.web.md).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
# Babel locale per UI language, for number formatting (impact.presentation.fmt).
BABEL_LOCALES = {"zh": "zh_CN", "en": "en"}


class LocaleError(Exception):
    """A locale file is malformed or defines a key twice (a developer error, caught by tests)."""


@cache
def catalog(lang: str) -> dict[str, str]:
    """All strings of one language, merged from its files."""
    if lang not in LANGS:
        raise KeyError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    merged: dict[str, str] = {}
    origin: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.json")):
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise LocaleError(f"{path}: invalid JSON ({exc})") from None
        for key, text in entries.items():
            if key in merged:
                raise LocaleError(f"{path}: key {key!r} already defined in {origin[key]}")
            if not isinstance(text, str):
                raise LocaleError(f"{path}: key {key!r} must map to a string")
            merged[key] = text
            origin[key] = path.name
    return merged


def normalize_lang(value: str | None) -> str:
    """A supported language code for `value` ('en', 'EN', 'zh-CN' …), else the default."""
    code = (value or "").strip().lower()[:2]
    return code if code in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **values) -> str:
    """The text for `key` in `lang`, with `{placeholders}` filled from `values`.

    A missing key falls back to the default language, then to the key itself, so a page
    never crashes on a forgotten string (the tests catch those before release).
    """
    text = catalog(lang).get(key)
    if text is None:
        text = catalog(DEFAULT_LANG).get(key, key)
    return text.format(**values) if values else text


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    """Whether `key` is translated in `lang` (for optional labels, e.g. indicator names)."""
    return key in catalog(lang)


def label(prefix: str, name: str | None, lang: str) -> str:
    """A translated label for a data code (`prefix.name`, e.g. income category), or the name
    itself when there is none: organisation and project names are shown as in the data."""
    if name is None:
        return t(f"{prefix}._none", lang) if has(f"{prefix}._none", lang) else ""
    key = f"{prefix}.{name}"
    return t(key, lang) if has(key, lang) else str(name)


def missing_keys() -> dict[str, list[str]]:
    """Per language, the keys other languages define and it lacks (should be empty)."""
    every = set().union(*(catalog(lang) for lang in LANGS))
    return {lang: sorted(every - set(catalog(lang))) for lang in LANGS}
