"""`bench --e2e` knows a page has settled from Streamlit's own messages (the rerun request
sent, the script-finished received), not from a "running" state that a busy browser may never
render. A run whose "running" never reached the DOM still settles; one that has not finished
does not; and on the real app a first page and eight filter changes settle."""

from __future__ import annotations

import asyncio

import pytest

from impact.bench.e2e_browser import (BACK_RERUN_SCRIPT, FORWARD_SCRIPT_FINISHED,
                                      FORWARD_SESSION_STATUS, INIT_JS, PENDING_JS, QUIET_MS,
                                      SETTLED_JS)
from impact.config import DEFAULT_DATA_DIR

pytestmark = [pytest.mark.browser, pytest.mark.requires("chromium")]


def test_watched_field_numbers_are_streamlits():
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    assert BackMsg.DESCRIPTOR.fields_by_name["rerun_script"].number == BACK_RERUN_SCRIPT
    fields = ForwardMsg.DESCRIPTOR.fields_by_name
    assert fields["script_finished"].number == FORWARD_SCRIPT_FINISHED
    assert fields["session_status_changed"].number == FORWARD_SESSION_STATUS


# A socket that sends nowhere and receives what the test hands it, installed before INIT_JS
# wraps window.WebSocket, as Streamlit's real one would be.
_FAKE_SOCKET = """() => {
  window.WebSocket = class extends EventTarget { constructor(url) { super(); } send() {} };
}"""
_FEED = """([kind, bytes]) => {
  const data = new Uint8Array(bytes).buffer;
  if (kind === 'send') window.__ws.send(data);
  else window.__ws.dispatchEvent(new MessageEvent('message', {data}));
}"""


def _settled(page):
    page.wait_for_timeout(QUIET_MS + 100)  # the quiet window passes; what is tested is state
    return page.evaluate(SETTLED_JS, [None, QUIET_MS])


def test_a_run_whose_running_state_never_rendered_still_settles():
    """A run's messages arrive, while the DOM's run state never leaves notRunning (React
    rendered the running and finished updates as one)."""
    from playwright.sync_api import sync_playwright
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from tests.browser_support import launch_chromium

    rerun = BackMsg(rerun_script={}).SerializeToString()
    heartbeat = BackMsg(app_heartbeat=True).SerializeToString()
    status = ForwardMsg(session_status_changed={"script_is_running": True}).SerializeToString()
    finished = ForwardMsg(script_finished=0).SerializeToString()
    # A delta with its hash first: a length-delimited field must be skipped whole. Skipping
    # one byte short read the hash's last character, "0" = 0x30, as field 6 (script_finished):
    # every delta once counted as a finished run.
    delta = ForwardMsg(hash="5f1e8d0", metadata={"delta_path": [0, 1]},
                       delta={"new_element": {"markdown": {"body": "0" * 300}}})
    delta = delta.SerializeToString()
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page()
            page.evaluate(_FAKE_SOCKET)
            page.evaluate(INIT_JS)
            page.evaluate("""() => {
              document.body.innerHTML = "<div data-testid='stApp' "
                + "data-test-connection-state='CONNECTED' data-test-script-state='notRunning'>"
                + "</div>";
              window.__ws = new WebSocket('ws://test/_stcore/stream');
              window.__e2e.armed = true;
              dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}));
            }""")
            page.evaluate(_FEED, ["send", list(heartbeat)])
            assert _settled(page) is None, "a heartbeat is not a rerun request"
            page.evaluate(_FEED, ["send", list(rerun)])
            assert _settled(page) is None, "a requested run that has not started"
            page.evaluate(_FEED, ["recv", list(status)])
            page.evaluate(_FEED, ["recv", list(delta)])
            assert _settled(page) is None, "running, not finished"
            assert page.evaluate("() => window.__e2e.finished.length") == 0
            page.evaluate(_FEED, ["recv", list(finished)])
            t = _settled(page)
            assert t is not None, page.evaluate(PENDING_JS, [None, QUIET_MS])
            assert 0 <= t["sent"] <= t["started"] <= t["finished"]
        finally:
            browser.close()


@pytest.mark.skipif(not (DEFAULT_DATA_DIR / "manifest.json").is_file(),
                    reason="needs the demo data in data/ (python -m impact demo)")
def test_first_page_and_a_filter_change_settle_on_the_app():
    from playwright.async_api import async_playwright

    from impact.bench.e2e import CHROMIUM_ARGS
    from impact.bench.e2e_browser import Actor, open_page
    from impact.report.browser import chromium_path
    from tests.browser_support import streamlit_server

    async def drive(base: str):
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(),
                                               args=CHROMIUM_ARGS)
            try:
                context = await browser.new_context(viewport={"width": 1400, "height": 900})
                await context.add_init_script(INIT_JS)
                page, first, holder = await open_page(context, f"{base}/finance", "finance")
                actor = Actor(page, "finance", ["珠海协作者", "北京协作者"], holder, seed=1)
                # Every kind twice: the second pick in a list is where Enter once went to
                # the previous list, still closing, and no rerun came.
                changes = [await actor.change() for _ in range(8)]
                return first, changes, actor.passed_over
            finally:
                await browser.close()

    with streamlit_server() as base:
        first, changes, passed_over = asyncio.run(drive(base))
    for m in [first, *changes]:
        assert not m.error, m.error
        assert 0 <= m.sent <= m.finished <= m.settled and m.bytes > 0, m
    kinds = [m.kind for m in changes]
    # Each list was picked from twice (areas may run out under the chosen projects).
    assert kinds[:7] == ["org", "year", "project", "area", "org", "year", "project"], \
        (kinds, passed_over)
