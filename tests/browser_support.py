"""What every browser test shares: a Streamlit server on a free loopback port, Debian's
Chromium, and waits for the app's own state instead of for a fixed time.

Streamlit marks its root element with the script's run state
(`[data-testid=stApp][data-test-script-state=running|notRunning]`) and the connection state.
A test that acts (a click, an upload) waits until a run has *started and finished* after the
action, so a loaded machine only makes the test slower, never wrong.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
# Generous: CI machines are shared, and a cold Streamlit import alone can take seconds; on a
# machine loaded 25-fold (2 cores, several suites and busy loops) a start took over 120 s.
START_DEADLINE_S = 300
RUN_DEADLINE_MS = 120_000

_APP = "[data-testid='stApp']"
_IDLE = (f"() => {{ const app = document.querySelector(\"{_APP}\");"
         " return !!app && app.getAttribute('data-test-connection-state') === 'CONNECTED'"
         " && app.getAttribute('data-test-script-state') === 'notRunning'; }")
# Records whether a script run has started since it was installed: attributeOldValue catches
# a run that began and ended between two observer callbacks, and watching the whole body
# catches a run drawn into a new app element (React may mount stApp again, e.g. after a
# reconnect on a loaded machine), which an observer on the old element would never see.
_WATCH = f"""() => {{
  const find = () => document.querySelector("{_APP}");
  const start = find();
  window.__impactSawRun = start.getAttribute('data-test-script-state') === 'running';
  window.__impactFinished0 = window.__e2e ? window.__e2e.finished.length : null;
  if (window.__impactWatch) window.__impactWatch.disconnect();
  window.__impactWatch = new MutationObserver(records => {{
    const app = find();
    if (!app || app !== start || app.getAttribute('data-test-script-state') === 'running'
        || records.some(r => r.type === 'attributes' && r.oldValue === 'running'))
      window.__impactSawRun = true;
  }});
  window.__impactWatch.observe(document.body, {{subtree: true, childList: true,
    attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']}});
}}"""
# A run was seen (or the document itself was replaced, which starts a run of its own: the
# flag is then undefined) and the app is connected and idle again, with its page drawn.
# A run is also seen by its script_finished message (counted by RUN_COUNTER): under load the
# DOM's "running" can be skipped (React renders the run's start and end at once; this failed
# test_proxy with 6 busy loops beside the suite), the message never is.
_RAN = ("() => (window.__impactSawRun !== false || (!!window.__e2e"
        " && window.__e2e.finished.length > window.__impactFinished0))"
        " && !!document.querySelector(\"[data-testid='stMain'] h1\")"
        f" && ({_IDLE})()")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(env: dict[str, str | None] | None = None, flags: list[str] = (),
                     args: list[str] = ()) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free loopback port; yields its base URL.

    `env` adds variables to the server's environment (None removes one); `flags` are more
    of Streamlit's (e.g. --secrets.files), `args` the dashboard's own after `--` (e.g.
    --data-dir). Waits for the health endpoint (state, not time), and stops the
    server afterwards.
    """
    port = free_port()
    full_env = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
         *flags, *(["--", *args] if args else [])],
        cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_healthy(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("streamlit exited: " + proc.stdout.read().decode()[-2000:])
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).status == 200:
                return
        except OSError:
            time.sleep(0.2)  # polling interval of a state check, not a wait for time
    proc.kill()
    raise RuntimeError(f"streamlit did not answer {base}/_stcore/health in {START_DEADLINE_S} s")


def launch_chromium(playwright):
    """Debian's Chromium (the caller has checked that it is installed)."""
    from impact.report.browser import chromium_path
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def _run_counter() -> str:
    """The bench's in-page recorder (impact.bench.e2e_browser.INIT_JS): among other things it
    counts Streamlit's script_finished messages, which `rerun` reads."""
    from impact.bench.e2e_browser import INIT_JS
    return INIT_JS


RUN_COUNTER = _run_counter()


_CONTEXTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _shared_context(browser):
    """One browser context per browser: its pages share the HTTP cache and compiled code of
    Streamlit's 9 MB of JavaScript, as a returning visitor's tabs do (0.5-0.7 s less per page
    opened). Each page is still its own Streamlit session (its own websocket); no test here
    signs in through the browser, so no cookie carries over."""
    context = _CONTEXTS.get(browser)
    if context is None:
        context = _CONTEXTS[browser] = browser.new_context()
    return context


def new_page(browser, width: int = 1400, height: int = 900):
    """A page whose every wait (clicks, navigations, Back, wait_for_function) has the run
    deadline by default, not Playwright's 30 s: on a loaded machine a rerun takes longer,
    and a test then waits for the state a little longer instead of failing."""
    page = _shared_context(browser).new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.add_init_script(RUN_COUNTER)
    page.set_default_timeout(RUN_DEADLINE_MS)
    page.set_default_navigation_timeout(RUN_DEADLINE_MS)
    return page


def _expect_timeout() -> None:
    """The same deadline for Playwright's expect(…) assertions (5 s by default)."""
    try:
        from playwright.sync_api import expect
    except ImportError:  # browser tests skip without it
        return
    expect.set_options(timeout=RUN_DEADLINE_MS)


_expect_timeout()


def wait_idle(page, timeout: int = RUN_DEADLINE_MS) -> None:
    """Until the app is connected and no script run is in progress."""
    try:
        page.wait_for_function(_IDLE, timeout=timeout)
    except Exception as exc:  # say which state never came, not only that time ran out
        raise AssertionError(f"not connected and idle within {timeout} ms: "
                             f"{page_state(page)}") from exc


# Streamlit loads most elements' code (page links, radios, select boxes, charts…) on first use,
# and shows a placeholder (stSkeleton) until it arrives: a finished run can still be drawing.
_DRAWN = "() => !document.querySelector(\"[data-testid='stSkeleton']\")"


def wait_drawn(page, timeout: int = RUN_DEADLINE_MS) -> None:
    """Until the app is idle (wait_idle) and every element of the run is drawn, not a
    placeholder: on a loaded machine a director's menu was read with no page links yet."""
    wait_idle(page, timeout)
    try:
        page.wait_for_function(_DRAWN, timeout=timeout)
    except Exception as exc:  # say which state never came, not only that time ran out
        raise AssertionError(f"elements still loading after {timeout} ms: "
                             f"{page_state(page)}") from exc


# Counts the connection's changes from when it is installed: a dropped websocket disables
# every widget, which closes an open select box list, and the app reconnects with it closed.
_WATCH_DROPS = f"""() => {{
  const down = () => {{ const app = document.querySelector("{_APP}");
    return !app || app.getAttribute('data-test-connection-state') !== 'CONNECTED'; }};
  window.__impactDrops = down() ? 1 : 0;
  if (window.__impactDropWatch) window.__impactDropWatch.disconnect();
  window.__impactDropWatch = new MutationObserver(records => {{
    if (down() || records.some(r => r.type === 'attributes')) window.__impactDrops++;
  }});
  window.__impactDropWatch.observe(document.body, {{subtree: true, childList: true,
    attributes: true, attributeFilter: ['data-test-connection-state']}});
}}"""
_LISTED = """name => window.__impactDrops ? 'dropped' :
  [...document.querySelectorAll("[data-testid='stSelectboxVirtualDropdown'] [role=option]")]
    .some(o => o.textContent.trim() === name) ? 'listed' : false"""


def open_list(page, box, text: str, timeout: int = RUN_DEADLINE_MS):
    """Open select box `box` with `text` typed, until its option `text` is listed; returns
    that option. A connection dropped meanwhile (a loaded machine) closes the list: it is
    opened again once the app has reconnected."""
    for _ in range(3):
        wait_idle(page, timeout)
        page.evaluate(_WATCH_DROPS)
        box.click()
        page.keyboard.press("ControlOrMeta+A")  # what an earlier try typed goes
        page.keyboard.type(text)
        if page.wait_for_function(_LISTED, arg=text, timeout=timeout).json_value() == "listed":
            return (page.get_by_test_id("stSelectboxVirtualDropdown")
                    .get_by_text(text, exact=True))
    raise AssertionError(f"the list of options closed three times: {page_state(page)}")


def rerun(page, action: Callable[[], object], timeout: int = RUN_DEADLINE_MS) -> None:
    """Do `action` (a click, an upload…) and wait until the script run it causes has finished."""
    wait_idle(page, timeout)
    page.evaluate(_WATCH)
    action()
    try:
        page.wait_for_function(_RAN, timeout=timeout)
    except Exception as exc:  # say what the page was doing, not only that time ran out
        raise AssertionError(f"no finished run after the action: {page_state(page)}"
                             ) from exc


def page_state(page) -> dict:
    """What the page is doing (address, connection and script state, title, open dialog),
    for a failure message that says which state never came."""
    return page.evaluate(_STATE)


_STATE = f"""() => {{
  const app = document.querySelector("{_APP}");
  return {{url: location.href, sawRun: window.__impactSawRun,
          script: app && app.getAttribute('data-test-script-state'),
          connection: app && app.getAttribute('data-test-connection-state'),
          title: document.querySelector("[data-testid='stMain'] h1")?.textContent,
          dialog: document.querySelector('[role=dialog]')?.textContent?.slice(0, 200)}};
}}"""


# Every text a dialog ([role=dialog]) has had, from the first byte of the page (add it with
# page.add_init_script): a dialog can be drawn and translated between two looks at the page.
RECORD_DIALOGS = (
    "window.__dialogs = [];"
    "new MutationObserver(() => {"
    "  const d = document.querySelector('[role=dialog]');"
    "  const text = d ? d.textContent : null;"
    "  if (text && window.__dialogs[window.__dialogs.length - 1] !== text)"
    "    window.__dialogs.push(text);"
    "}).observe(document, {subtree: true, childList: true, characterData: true});")


def wait_dialog(page, text: str, timeout: int = RUN_DEADLINE_MS) -> None:
    """Until a dialog recorded by RECORD_DIALOGS has contained `text`."""
    try:
        page.wait_for_function("w => window.__dialogs.some(d => d.includes(w))", arg=text,
                               timeout=timeout)
    except Exception as exc:  # say what the page showed, not only that time ran out
        raise AssertionError(f"no {text!r} dialog: {page_state(page)}, dialog texts seen: "
                             f"{page.evaluate('window.__dialogs')}") from exc


def wait_charts_drawn(page, timeout: int = RUN_DEADLINE_MS) -> None:
    """Until every Plotly chart has drawn at its container's width and every table its canvas
    and its accessible cells (the grid adds those a moment after the canvas; the layout check
    measures the figures in them).

    Plotly redraws a responsive chart after a resize; comparing widths waits for that redraw.
    """
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        "  .filter(c => c.offsetParent !== null).every(c => {"  # hidden tabs draw nothing
        "  const svg = c.querySelector('.main-svg');"
        "  return svg && Math.abs(svg.getBoundingClientRect().width"
        "                         - c.getBoundingClientRect().width) < 2; }) &&"
        " [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
        "  .filter(d => d.offsetParent !== null).every(d => d.querySelector('canvas')"
        "    && d.querySelector('td[role=\"gridcell\"]'))",
        timeout=timeout)


HTML_LANG = {"zh": "zh-CN", "en": "en"}
_DEFECTS = ROOT / "tests" / "layout_defects.js"


def layout_defects(page) -> list[str]:
    """What tests/layout_defects.js finds on the page as Chromium drew it: text cut off,
    text beyond the viewport, elements or chart labels drawn over each other, a table's
    column cut by its right edge."""
    wait_tables_fitted(page)
    return page.evaluate(_DEFECTS.read_text(encoding="utf-8"))


def defects_once_drawn(page, kinds: tuple[str, ...], timeout_ms: int = 15_000) -> list[str]:
    """The layout defects once every one of `kinds` is among them (a table given a new
    width is measured after the grid has redrawn at it, not after a fixed wait), or as they
    are at the deadline: the test's assertion then says what was found."""
    measure = _DEFECTS.read_text(encoding="utf-8")
    try:
        handle = page.wait_for_function(
            f"kinds => {{ const found = ({measure})(); "
            "return kinds.every(k => found.some(d => d.startsWith(k))) ? found : null; }",
            arg=list(kinds), polling=100, timeout=timeout_ms)
        return handle.json_value()
    except Exception:  # (playwright's TimeoutError) the defects as they are
        return layout_defects(page)


def wait_tables_fitted(page) -> None:
    """A few seconds at most, until every visible table has been fitted to its place
    (impact.web.browser._TABLE_EDGES marks it data-impact-edge): a table measured before
    that is reported as cut, which is what the layout check is for."""
    try:
        page.wait_for_function(
            "() => document.documentElement.getAttribute('data-impact-tables') === 'as-drawn'"
            " || [...document.querySelectorAll('[data-testid=\"stDataFrame\"], div.impact-scroll')]"
            "  .filter(d => d.offsetParent !== null)"
            "  .every(d => d.hasAttribute('data-impact-edge'))", timeout=5_000)
    except Exception:  # (playwright's TimeoutError) then measure as it is: defects say why
        pass


def settled(page, lang: str, timeout: int = RUN_DEADLINE_MS) -> None:
    """Until Streamlit has finished the run, every chart is drawn at its width, every visible
    table has its canvas, and the dashboard's stylesheet and <html lang> script (lazily loaded
    st.html blocks) have taken effect: the page as a reader sees it."""
    wait_idle(page, timeout)
    page.wait_for_function(
        "lang => document.documentElement.lang === lang &&"
        " getComputedStyle(document.documentElement).getPropertyValue('--impact-style')"
        ".trim() === '1' &&"
        " !document.querySelector('[data-testid=\"stStatusWidget\"]') &&"
        " !document.querySelector('[data-testid=\"stSkeleton\"]')", arg=HTML_LANG[lang],
        timeout=timeout)
    wait_charts_drawn(page, timeout)
