"""One page speaks one language (issue 26, cosmetic list): an English page carries no Chinese
of ours (the unit "人", "、" joins, glosses such as "Statement of activities (业务活动表)"), and a
Chinese page no English UI word of ours (Streamlit's own words are impact.web.browser's).

Every page is drawn through AppTest in each language over a few selections; every text a
reader sees is collected: Markdown, captions, notices, headings, card labels / values /
deltas, widget labels, help and options, tab labels, table column names and text cells,
HTML blocks' text, and chart titles, axis titles, trace names, hover templates and point
texts from the Plotly figure. Names from the data (organisations, projects, funders, grant
titles, data sources, indicators without a translation …) are allowed: they are shown as
typed in either language. The language switch names each language in its own language.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from impact.config import DEFAULT_DATA_DIR
from impact.presentation.i18n import has, t

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("overview", "beneficiaries", "volunteers", "finance", "growth", "results", "grants",
         "data", "report", "share")
# A single organisation over two years (the screenshots' view), every organisation in one
# year, a gap in coverage, and an area filter over organisations entering the data.
SELECTIONS = {
    "one_org": {"org": "珠海协作者", "from": "2019", "to": "2020"},
    "all": {},
    "gap": {"org": "北京协作者", "from": "2008", "to": "2012"},
    "area": {"from": "2015", "to": "2018", "area": "儿童服务"},
}
# The default tier (about 25 s): English on two selections, Chinese on one; the rest is
# `pytest -m long`.
FAST = {("en", "one_org"), ("en", "area"), ("zh", "one_org")}

pytestmark = pytest.mark.skipif(not (DEFAULT_DATA_DIR / "manifest.json").is_file(),
                                reason="needs the demo data in data/ (python -m impact demo)")

CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
# Fields of an element's message a reader sees (ids, keys and styles are not read).
TEXT_FIELDS = {"body", "label", "help", "placeholder", "options", "content", "delta",
               "caption", "title", "default_value"}
# Words a Chinese page may carry: file formats and names of things that have no Chinese name
# (a file's hash algorithm), the other language's name on the language switch.
ZH_ALLOWED_WORDS = {"CSV", "PDF", "HTML", "Excel", "xlsx", "English", "Language", "UTC",
                    "secrets"}  # (the server's secrets file, named as in the deployment guide)


def data_names() -> list[str]:
    """Every name the data holds that is shown as typed, longest first (so "珠海协作者" is
    taken out before a shorter name inside it)."""
    def parquet(table: str) -> str:
        return f"read_parquet('{DEFAULT_DATA_DIR / table}/**/*.parquet', union_by_name=true)"
    con = duckdb.connect()
    names: set[str] = set()
    queries = [f"select org from {parquet(t_)} union select project from {parquet(t_)}"
               for t_ in ("activities", "outcomes", "reach", "participants", "targets",
                          "indicators", "budgets", "grant_projects")]
    queries += [f"select funder from {parquet('finance')}",
                f"select funder from {parquet('grants')} union select title "
                f"from {parquet('grants')} union select grant_id from {parquet('grants')}",
                f"select source from {parquet('outcomes')} union select source "
                f"from {parquet('reach')}"]
    queries.append(f"select activity_type from {parquet('activities')}")
    for sql in queries:
        names.update(r[0] for r in con.execute(sql).fetchall() if r[0])
    # What a commit recorded (its reason and command, as typed) is shown on /data's history.
    manifest = json.loads((DEFAULT_DATA_DIR / "manifest.json").read_text(encoding="utf-8"))
    names.update(v for v in manifest.get("commit", {}).values() if isinstance(v, str))
    # Codes the locale translates are not names: an area or indicator without a translation
    # is the organisation's own wording, shown as typed.
    for prefix, column, table in (("area", "program_area", "activities"),
                                  ("indicator", "indicator", "outcomes"),
                                  ("indicator", "indicator", "indicators")):
        for (value,) in con.execute(f"select distinct {column} from {parquet(table)}").fetchall():
            if value and not (has(f"{prefix}.{value}", "en") and has(f"{prefix}.{value}", "zh")):
                names.add(value)
    return sorted(names, key=len, reverse=True)


def _plotly_texts(spec: str) -> list[str]:
    figure = json.loads(spec)
    layout, out = figure.get("layout", {}), []

    def title(value):
        if isinstance(value, dict):
            value = value.get("text")
        if value:
            out.append(str(value))

    title(layout.get("title"))
    for key, value in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(value, dict):
            title(value.get("title"))
            out.extend(str(v) for v in value.get("ticktext") or [])
    title((layout.get("legend") or {}).get("title"))
    out.extend(str(a.get("text", "")) for a in layout.get("annotations") or [])
    for trace in figure.get("data", []):
        for key in ("name", "hovertemplate", "texttemplate"):
            if isinstance(trace.get(key), str):
                out.append(trace[key])
        for key in ("text", "hovertext", "customdata", "labels", "x", "y"):
            values = trace.get(key)
            if isinstance(values, list):
                flat = [v for item in values for v in (item if isinstance(item, list) else [item])]
                out.extend(v for v in flat if isinstance(v, str))
    return out


def _html_text(body: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _message_texts(message) -> list[str]:
    out = []
    for field, value in message.ListFields():
        if field.name not in TEXT_FIELDS:
            continue
        for item in ([value] if isinstance(value, str) or hasattr(value, "ListFields") else value):
            if isinstance(item, str):
                out.append(item)
            elif hasattr(item, "ListFields"):
                out.extend(_message_texts(item))
    return out


def page_texts(at: AppTest) -> list[tuple[str, str]]:
    """(element type, text) of everything drawn on the page and in the sidebar."""
    out: list[tuple[str, str]] = []

    def walk(node):
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if kind == "plotly_chart":
            out.extend((kind, s) for s in _plotly_texts(proto.spec))
        elif kind == "html":
            out.append((kind, _html_text(proto.body)))
        elif kind in ("dataframe", "arrow_data_frame"):
            frame = node.value
            out.extend((kind, str(c)) for c in frame.columns)
            for column in frame.columns:
                out.extend((kind, v) for v in frame[column] if isinstance(v, str))
        elif proto is not None and hasattr(proto, "ListFields"):
            if kind == "tab":
                out.append((kind, proto.label))
            else:
                out.extend((kind, s) for s in _message_texts(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return [(kind, text) for kind, text in out if text and text.strip()]


_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~$])")


def without_names(text: str, names: list[str]) -> str:
    text = _MD_ESCAPE.sub(r"\1", text)
    for name in names:
        if name in text:
            text = text.replace(name, " ")
    return text


def chinese_in(text: str, names: list[str]) -> str:
    """The Chinese left in `text` once the data's names are taken out ('' when none)."""
    rest = without_names(text, names)
    return "".join(CJK.findall(rest))


# Not words of a sentence: code spans, addresses and paths, hover placeholders, markup,
# config names ([auth], link_secret), identifiers with digits (file hashes, record ids), and
# the report's version stamp "v1 (manifest a0dfc97426f6)", which `impact verify` reads back
# from a PDF's text as printed.
_CODE = re.compile(r"\\?`[^`]*\\?`|https?://\S+|%\{[^}]*\}|<[^>]+>|:material/[a-z_]+:"
                   r"|\[[a-z_]+\]|v\d+ \\?\(manifest [0-9a-f]{12}\\?\)"
                   r"|[A-Za-z0-9.=-]*[/_\d][A-Za-z0-9_./=-]*")


def english_in(text: str, names: list[str]) -> list[str]:
    """English words of ours left in `text` (commands in code spans, hover placeholders and
    the words in ZH_ALLOWED_WORDS are not UI words)."""
    rest = _CODE.sub(" ", without_names(text, names))
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_-]+", rest)
            if w not in ZH_ALLOWED_WORDS]


def language_switch(kind: str, text: str) -> bool:
    """The language switch: its label names "Language · 语言" and its options each language in
    its own words."""
    return kind == "button_group" or text in (t("filters.language", "en"),
                                               t("filters.language", "zh"))


@pytest.fixture(scope="module")
def names() -> list[str]:
    return data_names()


_HTML_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S | re.I)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+)$", re.M)


def outline(at: AppTest) -> list[tuple[int, str]]:
    """(level, text) of every heading in the main area, in document order."""
    out: list[tuple[int, str]] = []

    def walk(node):
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if kind in ("title", "header", "subheader"):
            out.append((int(proto.tag[1]), node.value))
        elif kind == "markdown":
            out.extend((len(m[1]), m[2]) for m in _MD_HEADING.finditer(node.value))
        elif kind == "html":
            out.extend((int(m[1]), _html_text(m[2]).strip())
                       for m in _HTML_HEADING.finditer(proto.body))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree.main)
    return out


_DRAWN: dict[tuple[str, str], dict[str, tuple[list, list]]] = {}


def drawn(lang: str, selection: str) -> dict[str, tuple[list, list]]:
    """Per page: its texts and its outline, every page drawn once per language and selection
    in one AppTest (a page switch costs well under a second; a new app several)."""
    if (lang, selection) not in _DRAWN:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.query_params.update(SELECTIONS[selection])
        at.query_params["lang"] = lang
        at.run()
        pages = {}
        for page in PAGES:
            if page != "overview":
                at.switch_page(f"pages/{page}.py").run()
            assert not at.exception, (page, [e.value for e in at.exception])
            pages[page] = (page_texts(at), outline(at))
        _DRAWN[(lang, selection)] = pages
    return _DRAWN[(lang, selection)]


def sweep(lang: str, selection: str, names: list[str]) -> list[str]:
    hits: dict[str, None] = {}
    for page, (texts, _) in drawn(lang, selection).items():
        for kind, text in texts:
            if language_switch(kind, text):
                continue
            found = chinese_in(text, names) if lang == "en" else english_in(text, names)
            if found:
                hits[f"/{page} {kind}: {found} in {text[:160]!r}"] = None
    return list(hits)


def outline_faults(headings: list[tuple[int, str]], lang: str) -> list[str]:
    """What is wrong with a page's outline: not exactly one h1, or the h1 not first; a level
    skipped on the way down (h1 → h3); a heading ending in a full stop; an English heading
    not starting with a capital letter (sentence case: "Who was served")."""
    faults = []
    if [level for level, _ in headings].count(1) != 1 or (headings and headings[0][0] != 1):
        faults.append(f"not one h1 first: {headings}")
    for (before, _), (level, text) in zip(headings, headings[1:]):
        if level > before + 1:
            faults.append(f"h{before} → h{level} skips a level at {text!r}")
    for level, text in headings:
        plain = _MD_ESCAPE.sub(r"\1", text).strip()
        if plain.endswith((".", "。", ":", "：")):
            faults.append(f"h{level} {text!r} ends in punctuation")
        if lang == "en" and plain[:1].isalpha() and plain[:1].isascii() \
                and not plain[:1].isupper():
            faults.append(f"h{level} {text!r} does not start with a capital letter")
    return faults


def _cases():
    return [pytest.param(lang, name, marks=() if (lang, name) in FAST else pytest.mark.long,
                         id=f"{lang}-{name}")
            for lang in ("en", "zh") for name in SELECTIONS]


@pytest.mark.parametrize("lang,selection", _cases())
def test_a_page_speaks_one_language(lang, selection, names):
    hits = sweep(lang, selection, names)
    assert not hits, "\n".join(hits)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_has_one_h1_and_skips_no_level(lang):
    """Issue 26 (cosmetic): section headings were inconsistent (an h3 straight under the h1 on
    /accounts and the import's column mapping; headings drawn by hand at three levels). Every
    heading now goes through impact.web.widgets.heading."""
    faults = [f"/{page}: {fault}" for page, (_, headings) in drawn(lang, "one_org").items()
              for fault in outline_faults(headings, lang)]
    assert not faults, "\n".join(faults)


def test_the_outline_check_sees_a_skipped_level_and_a_second_title():
    assert outline_faults([(1, "Overview"), (2, "Who was served")], "en") == []
    assert outline_faults([(1, "账户"), (3, "邀请")], "zh") == ["h1 → h3 skips a level at '邀请'"]
    assert outline_faults([(1, "A"), (1, "B")], "en")[0].startswith("not one h1 first")
    assert outline_faults([(1, "Accounts"), (2, "invite.")], "en") == [
        "h2 'invite.' ends in punctuation", "h2 'invite.' does not start with a capital letter"]


def test_the_sweep_sees_chinese_and_english_of_ours(names):
    """The measure itself: a gloss, a "、" join and a unit are found; names are not."""
    assert chinese_in("Statement of activities (业务活动表)", names) == "业务活动表"
    assert chinese_in("Data source: 志愿者名册、满意度问卷", names) == "、"
    assert chinese_in("actual against target (人)", names) == "人"
    assert chinese_in("珠海协作者: Person-times of 阅读推广", names) == ""
    assert english_in("未关账 · v1 (manifest a0dfc97426f6)", names) == []
    assert english_in("未关账 · 数据 version 1", names) == ["version"]
    assert english_in("导出 CSV：`impact init 目录` · %{x}<br>P.A.C.E.女性发展", names) == []
