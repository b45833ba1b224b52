"""An address that names no page, on a server slow to send: Streamlit's page-not-found dialog
still arrives, over the first page.

The dialog is a message queued in the run of the default page. A new run clears the queue of
what was not yet sent, so a page switch in that run (the default page's job for "/") lost
the dialog whenever the server had not sent it yet: a CI run under load opened the overview
with no dialog. Here the server is made slow to send on purpose (every send waits
SEND_DELAY_S after the message is queued, through a sitecustomize.py on the server's
PYTHONPATH), which lost the dialog every time before impact/web/landing.py drew the first page
in the same run instead.
"""

from __future__ import annotations

import os

import pytest

from impact.presentation.i18n import t
from tests.browser_support import (RECORD_DIALOGS, launch_chromium, new_page, page_state,
                                   streamlit_server, wait_dialog, wait_idle)

pytestmark = [pytest.mark.browser, pytest.mark.requires("chromium", "cjk-fonts")]

SEND_DELAY_S = 2.0
# Streamlit's runtime wakes its send loop when a message is queued
# (Runtime._enqueued_some_message); here it wakes SEND_DELAY_S later.
SLOW_SENDS = f"""
from streamlit.runtime import runtime as _runtime

def _wake_late(self):
    objs = self._get_async_objs()
    objs.eventloop.call_soon_threadsafe(objs.eventloop.call_later, {SEND_DELAY_S},
                                        objs.need_send_data.set)

_runtime.Runtime._enqueued_some_message = _wake_late
"""


def test_the_dialog_survives_a_server_slow_to_send(tmp_path):
    from playwright.sync_api import sync_playwright

    (tmp_path / "sitecustomize.py").write_text(SLOW_SENDS, encoding="utf-8")
    path = os.pathsep.join(p for p in (str(tmp_path), os.environ.get("PYTHONPATH")) if p)
    wanted = t("streamlit.not_found", "zh")
    with streamlit_server({"PYTHONPATH": path}) as base, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = new_page(browser)
            page.add_init_script(RECORD_DIALOGS)
            page.goto(f"{base}/nowhere?lang=zh")
            # The first page's heading, then an idle app: the run is over and all was sent.
            page.wait_for_selector("[data-testid='stMain'] h1")
            wait_idle(page)
            wait_dialog(page, wanted)  # drawn in English, then translated by the page
            state = page_state(page)
        finally:
            browser.close()
    assert state["title"] == t("nav.overview", "zh"), state
