"""The default page's test for "an address that names no page" agrees with Streamlit's own
(impact/web/landing.py): it reads the pages manager's intent, which has no public API, so a
Streamlit upgrade that changes it must fail here, not silently lose the page-not-found dialog.
The browser side (the dialog arrives, the first page is drawn) is tests/test_landing_browser.py
and tests/test_accessibility.py::test_page_not_found_speaks_the_pages_language."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from streamlit.runtime import scriptrunner
from streamlit.runtime.pages_manager import PagesManager

from impact.web.landing import requested_page_missing

PAGES = {"h-start": {"page_script_hash": "h-start", "page_name": "总览", "url_pathname": "",
                     "script_path": "dashboard.py"},
         "h-overview": {"page_script_hash": "h-overview", "page_name": "总览",
                        "url_pathname": "overview", "script_path": "pages/overview.py"},
         "h-finance": {"page_script_hash": "h-finance", "page_name": "财务",
                       "url_pathname": "finance", "script_path": "pages/finance.py"}}

# (page hash, page name) a rerun request carries -> is it Streamlit's page-not-found fallback
INTENTS = [
    (("", "nowhere"), True),        # /nowhere typed or followed
    (("", "data"), True),           # a page this visitor may not see is not in the list
    (("", ""), False),              # "/"
    (("", "finance"), False),       # /finance
    (("h-finance", ""), False),     # a rerun of /finance
    (("h-gone", ""), False),        # a rerun of a page no longer listed: silent fallback
]


@pytest.mark.parametrize("intent,missing", INTENTS)
def test_missing_page_is_what_streamlit_answers_with_page_not_found(monkeypatch, intent,
                                                                     missing):
    manager = PagesManager("dashboard.py")
    manager.set_script_intent(*intent)
    # Streamlit's own answer: no page resolved means it sends page_not_found
    # (streamlit/commands/navigation.py) and runs the default page.
    resolved = manager.set_pages_and_resolve(dict(PAGES), fallback_page_hash="h-start")
    assert (resolved is None) is missing
    monkeypatch.setattr(scriptrunner, "get_script_run_ctx",
                        lambda: SimpleNamespace(pages_manager=manager))
    assert requested_page_missing() is missing


def test_without_a_script_run_nothing_is_missing(monkeypatch):
    monkeypatch.setattr(scriptrunner, "get_script_run_ctx", lambda: None)
    assert requested_page_missing() is False
