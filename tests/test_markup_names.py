"""Names are text, never markup (issue 27 item 1): an organisation, project or funder named
`[点此领取退款](https://evil.example/login)` shows as typed in every notice, caption, title,
heading and metric label of every page, in the private and the public view.

The shared cause was that Streamlit's text elements render Markdown and page models carry
notices built with `t(key, name=…)`: every such text now reaches the screen through
`widgets.say`, which escapes anything not marked as the app's own `Markdown`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.hostile import EVIL_MD_LINK, markup_data, markup_leaks

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("overview", "beneficiaries", "volunteers", "finance", "growth", "grants", "results",
         "report", "share", "data")
YEARS = {"from": "2019", "to": "2020"}


@pytest.fixture(scope="module")
def markup_dir(tmp_path_factory):
    return markup_data(tmp_path_factory.mktemp("markup") / "data")


def run_page(page: str, lang: str) -> AppTest | None:
    """The page after one run; None for a page the view does not offer (public mode has no
    /data, /report, /share or /grants)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params.update({**YEARS, "lang": lang})
    at.run()
    if page != "overview":
        try:
            at.switch_page(f"pages/{page}.py")
        except ValueError:
            return None
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("mode", ["private", "public"])
def test_no_page_turns_a_hostile_name_into_markup(markup_dir, monkeypatch, tmp_path, mode):
    monkeypatch.setenv("IMPACT_DATA_DIR", str(markup_dir))
    monkeypatch.setenv("IMPACT_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("IMPACT_MODE", mode)
    shown = 0
    for page in PAGES:
        for lang in ("zh", "en") if mode == "private" else ("en",):
            at = run_page(page, lang)
            if at is None:
                assert mode == "public", page
                continue
            assert markup_leaks(at) == [], (page, lang)
            texts = [str(e.value) for kind in ("warning", "caption", "info", "header")
                     for e in getattr(at, kind)]
            shown += sum("evil\\.example" in text for text in texts)
    # The hostile names did reach the notices (escaped), so this tested them.
    assert shown >= (10 if mode == "private" else 3)


def test_the_single_donor_warning_and_coverage_note_show_the_name_as_typed(markup_dir,
                                                                           monkeypatch):
    monkeypatch.setenv("IMPACT_DATA_DIR", str(markup_dir))
    monkeypatch.setenv("IMPACT_MODE", "private")
    from impact.presentation.safetext import as_markdown

    escaped = as_markdown(EVIL_MD_LINK)
    finance = run_page("finance", "en")
    assert any(escaped in w.value for w in finance.warning)  # the single-donor warning
    growth = run_page("growth", "en")
    assert any(escaped in w.value for w in growth.warning)  # the coverage note


def test_only_the_apps_own_markdown_keeps_its_markup():
    from impact.presentation.safetext import Markdown, as_markdown

    assert as_markdown(EVIL_MD_LINK) == r"\[点此领取退款\]\(https://evil\.example/login\)"
    assert as_markdown(Markdown("**粗体**")) == "**粗体**"
    assert as_markdown("\u202e**x**") == "\ufffd\\*\\*x\\*\\*"


RENDERERS = {"warning", "info", "error", "success", "caption", "markdown", "title", "header",
             "subheader", "toast", "write", "metric"}


def test_pages_and_web_modules_draw_formatted_text_only_through_widgets_say():
    """So no call site can forget: outside impact/web/widgets.py, a Streamlit text element
    gets a literal, a locale text without values, or `as_markdown(…)`; anything else
    (a name, a formatted notice, an error) goes through `widgets.say`."""
    files = [*ROOT.glob("pages/*.py"), ROOT / "dashboard.py",
             *(p for p in ROOT.glob("impact/web/*.py") if p.name != "widgets.py")]
    direct = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "st"
                    and node.func.attr in RENDERERS and node.args):
                continue
            first = node.args[0]
            name = getattr(getattr(first, "func", None), "id", None) or \
                getattr(getattr(first, "func", None), "attr", None)
            if isinstance(first, ast.Constant) or name == "as_markdown" or (
                    name == "t" and not first.keywords):
                continue
            direct.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert direct == []
