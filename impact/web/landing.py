"""The hidden default page behind "/" (dashboard.py), and what it does for an address that
names no page.

"/" opens the first page under its own path (/overview?org=…), so that every page, the first
one too, has an address that can be shared. Streamlit also runs the default page for an
address that names no page (/nowhere), after queueing its "page not found" dialog. That run
must not switch pages: a switch starts a new run, a new run clears the messages not yet sent
to the browser, and on a loaded server the dialog was lost (a CI run: /nowhere opened the
overview with no dialog). So for a missing page the first page is drawn here, in this run,
and the dialog always arrives.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st

from impact.web.menu import LANDING_URL


def requested_page_missing() -> bool:
    """Whether this run is Streamlit's fallback for an address that names no page.

    Streamlit decides this in st.navigation (PagesManager._resolve_page_script): a run asked
    for by page *name* (an address typed or followed) whose name is no page's url path; a run
    asked for by page *hash* (a rerun) falls back silently. The same test is made here on the
    pages manager's intent, which Streamlit has no public API for. If an upgrade removed these
    attributes the answer would be False, and a missing page would switch as "/" does (the
    dialog then at risk again); tests/test_landing.py pins them against Streamlit's own answer.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    manager = getattr(get_script_run_ctx(), "pages_manager", None)
    name = getattr(manager, "intended_page_name", None)
    if not name or getattr(manager, "intended_page_script_hash", None):
        return False
    urls = {info.get("url_pathname") for info in manager.get_pages().values()}
    return name not in urls


def landing_page(first_page: st.Page, first_file: Path, ctx) -> st.Page:
    """The default page: switches to `first_page` (its file `first_file`) with the view's
    URL parameters (`ctx.url_params`, read when it runs), or, for an address that names no
    page, draws that file in this run."""
    def go() -> None:
        if requested_page_missing():
            runpy.run_path(str(first_file))
        else:
            st.switch_page(first_page, query_params=ctx.url_params)
    return st.Page(go, title=first_page.title, url_path=LANDING_URL, default=True,
                   visibility="hidden")
