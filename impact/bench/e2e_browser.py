"""One user in Chromium, for `impact bench --e2e`: opens pages and changes filters, and
measures, inside the browser, from the user's action until the page has settled.

Everything is timed with the page's own clock (performance.now()), by a script installed
before the app loads (INIT_JS):

- the moment of the user's input (capture-phase keydown/pointerdown, once "armed");
- every websocket message sent and received, with its size, and which protocol messages
  they are (the top-level field of Streamlit's BackMsg/ForwardMsg protobuf): the rerun
  request sent, the session-status and script-finished messages received;
- every change of the app's run state ([data-testid=stApp][data-test-script-state]);
- the last DOM mutation anywhere in the document.

"Settled" is: a rerun was requested after the action and the server has said that a run
after that request finished (its script_finished message), the app is idle and connected,
every Plotly chart has drawn at its width and every table its canvas, and no DOM mutation
for QUIET_MS. The figure reported is the time of the *last mutation* (or of the run's end,
if later) minus the time of the action, so the quiet window is waited for but never counted.

Why messages and not the DOM's run state: a run's "running" can be lost from the DOM. When
the browser is busy (under load, or drawing six charts on /finance), the session-status and
script-finished messages are handled in one task, React renders once, and the attribute goes
notRunning → notRunning; a wait for "running" then never ends (the 120 s timeouts seen under
load). The messages themselves are never merged.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

QUIET_MS = 300          # no DOM change for this long = settled (waited for, never counted)
DEADLINE_MS = 120_000   # generous: the machine is shared; a timeout is reported as an error

_APP = "[data-testid='stApp']"
# Protobuf field numbers of the messages watched (streamlit/proto: BackMsg.rerun_script,
# ForwardMsg.session_status_changed and .script_finished; checked by tests/test_bench.py).
BACK_RERUN_SCRIPT = 11
FORWARD_SESSION_STATUS = 9
FORWARD_SCRIPT_FINISHED = 6
INIT_JS = """(() => {
  const E = window.__e2e = {armed: false, since: null, sent: [], recv: [], states: [],
                            reruns: [], statuses: [], finished: [],
                            lastMutation: 0, lastState: null};
  // Top-level field numbers of a protobuf message (enough to tell the message's type).
  function fields(data) {
    const b = data instanceof ArrayBuffer ? new Uint8Array(data)
      : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : null;
    const out = [];
    if (!b) return out;
    let i = 0;
    const varint = () => { let v = 0, m = 1, x;
      do { x = b[i++]; v += (x & 127) * m; m *= 128; } while ((x & 128) && i < b.length);
      return v; };
    while (i < b.length && out.length < 16) {
      const key = varint(), wire = key & 7;
      out.push(Math.floor(key / 8));
      if (wire === 0) varint(); else if (wire === 1) i += 8;
      else if (wire === 2) { const n = varint(); i += n; }  // not i += varint(): i is read first
      else if (wire === 5) i += 4; else break;
    }
    return out;
  }
  const Orig = window.WebSocket;
  function Wrapped(url, protocols) {
    const ws = protocols === undefined ? new Orig(url) : new Orig(url, protocols);
    const send = ws.send.bind(ws);
    ws.send = data => {
      const t = performance.now();
      E.sent.push(t);
      if (fields(data).includes(%(rerun)d)) E.reruns.push(t);
      return send(data);
    };
    ws.addEventListener('message', ev => {
      const t = performance.now(), d = ev.data, f = fields(d);
      E.recv.push([t, d.byteLength ?? d.size ?? d.length ?? 0]);
      if (f.includes(%(status)d)) E.statuses.push(t);
      if (f.includes(%(finished)d)) E.finished.push(t);
    });
    return ws;
  }
  Wrapped.prototype = Orig.prototype;
  Object.assign(Wrapped, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Wrapped;
  for (const type of ['keydown', 'pointerdown']) {
    addEventListener(type, () => {
      if (E.armed) { E.since = performance.now(); E.armed = false; }
    }, true);
  }
  new MutationObserver(records => {
    const t = performance.now();
    E.lastMutation = t;
    const app = document.querySelector("%(app)s");
    const state = app && app.getAttribute('data-test-script-state');
    if (state !== E.lastState) { E.states.push([t, state]); E.lastState = state; }
  }).observe(document, {subtree: true, childList: true, attributes: true,
                        characterData: true});
})();""" % {"app": _APP, "rerun": BACK_RERUN_SCRIPT, "status": FORWARD_SESSION_STATUS,
            "finished": FORWARD_SCRIPT_FINISHED}

# Returns null until settled, then the timeline relative to `since` (ms).
SETTLED_JS = """([since, quiet]) => {
  const E = window.__e2e;
  if (since === null) since = E.since;
  if (since === null || since === undefined) return null;
  const app = document.querySelector("%(app)s");
  if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED'
      || app.getAttribute('data-test-script-state') !== 'notRunning') return null;
  const rerun = E.reruns.find(t => t >= since);
  if (rerun === undefined) return null;
  const finished = E.finished.filter(t => t >= rerun).pop();
  if (finished === undefined) return null;
  const drawn = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => {
      const svg = c.querySelector('.main-svg');
      return svg && Math.abs(svg.getBoundingClientRect().width
                             - c.getBoundingClientRect().width) < 2; })
    && [...document.querySelectorAll('[data-testid="stDataFrame"]')]
         .every(d => d.querySelector('canvas'));
  if (!drawn || performance.now() - E.lastMutation < quiet) return null;
  const started = E.statuses.find(t => t >= rerun);
  // Settled at the last DOM change, or at the run's end if nothing changed after it.
  const end = Math.max(E.lastMutation, finished);
  const recv = E.recv.filter(([t]) => t >= since && t <= end + 1);
  return {origin: performance.timeOrigin, since: since, settled: end - since,
          started: (started === undefined ? finished : started) - since,
          finished: finished - since, sent: rerun - since,
          bytes: recv.reduce((a, [, n]) => a + n, 0), frames: recv.length};
}""" % {"app": _APP}

# What SETTLED_JS is still waiting for, for a timeout's error message.
PENDING_JS = """([since, quiet]) => {
  const E = window.__e2e;
  if (since === null) since = E.since;
  const app = document.querySelector("%(app)s");
  const now = performance.now();
  const after = ts => since === null ? ts.length : ts.filter(t => t >= since).length;
  const undrawn = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .map(c => [c.getBoundingClientRect().width, c.querySelector('.main-svg')])
    .map(([w, svg]) => [Math.round(w), svg ? Math.round(svg.getBoundingClientRect().width) : null])
    .filter(([w, s]) => s === null || Math.abs(w - s) >= 2);
  return {since: since, connection: app && app.getAttribute('data-test-connection-state'),
          script: app && app.getAttribute('data-test-script-state'),
          states: E.states.filter(([t]) => since === null || t >= since - 1000)
                          .map(([t, s]) => [Math.round(t - (since || 0)), s]).slice(-8),
          reruns_requested: after(E.reruns), statuses: after(E.statuses),
          runs_finished: after(E.finished), quiet_ms: Math.round(now - E.lastMutation),
          undrawn: undrawn,
          tables_without_canvas: [...document.querySelectorAll('[data-testid="stDataFrame"]')]
                                   .filter(d => !d.querySelector('canvas')).length};
}""" % {"app": _APP}

_SIDEBAR = "[data-testid='stSidebar']"
PICK_DEADLINE_MS = 30_000  # a busy browser may take seconds to open a list
# The index-th sidebar multiselect's combobox, looked up afresh on every poll (a handle
# taken before a rerun can point at a node React has since replaced; a detached handle made
# the wait throw, and a change of that kind was passed over). Ready, with the number of
# options on offer, when its own list is open and one of the list's options is the active
# descendant (the one Enter picks); "open" when the list is open with none highlighted (a
# list opened by a click highlights nothing: ArrowDown then highlights the first), unless
# `highlighted` is asked for; null until then.
PICK_STATE_JS = """([sidebar, index, highlighted]) => {
  const box = document.querySelectorAll(sidebar + " [data-testid='stMultiSelect']")[index];
  const el = box && box.querySelector('input');
  if (!el || el.getAttribute('aria-expanded') !== 'true') return null;
  const list = document.getElementById(el.getAttribute('aria-controls') || '');
  const options = list ? [...list.querySelectorAll('[role=option]')] : [];
  const active = el.getAttribute('aria-activedescendant');
  if (active && options.some(o => o.id === active)) return options.length;
  return options.length && !highlighted ? 'open' : null;
}"""


@dataclass
class Measure:
    """One timed interaction, in ms from the action (or from navigation start)."""

    kind: str               # first, first-warm-cache, org, year, project, area
    page: str
    settled: float = 0.0
    started: float = 0.0
    finished: float = 0.0
    sent: float | None = None
    bytes: int = 0
    frames: int = 0
    session: str = ""
    start_epoch: float = 0.0  # the action, on the server's clock (epoch s)
    end_epoch: float = 0.0
    error: str = ""
    server: dict = field(default_factory=dict)


async def _settled(page, since, kind: str, name: str) -> Measure:
    from playwright.async_api import Error as PlaywrightError

    try:
        handle = await page.wait_for_function(SETTLED_JS, arg=[since, QUIET_MS], polling=50,
                                              timeout=DEADLINE_MS)
        t = await handle.json_value()
    except PlaywrightError as exc:
        first_line = str(exc).splitlines()[0][:200]
        try:  # say which condition it was still waiting for (the page may be gone)
            pending = await page.evaluate(PENDING_JS, [since, QUIET_MS])
        except PlaywrightError:
            pending = "page closed"
        return Measure(kind, name, error=f"{first_line}; waiting on {pending}")
    start = (t["origin"] + t["since"]) / 1000
    return Measure(kind, name, settled=t["settled"], started=t["started"],
                   finished=t["finished"], sent=t["sent"], bytes=t["bytes"],
                   frames=t["frames"], start_epoch=start,
                   end_epoch=start + t["settled"] / 1000)


def _watch_session(page, holder: dict) -> None:
    """Note the Streamlit session id (from the NewSession message) to find the server's runs."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    def on_frame(payload) -> None:
        if holder.get("id") or isinstance(payload, str):
            return
        try:
            msg = ForwardMsg.FromString(payload)
        except Exception:  # not a ForwardMsg we can read: keep listening
            return
        if msg.WhichOneof("type") == "new_session":
            holder["id"] = msg.new_session.initialize.session_id

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))


async def open_page(context, url: str, name: str, kind: str = "first", cpu_throttle: float = 1):
    """A new tab (a new Streamlit session) on `url`: navigation start until settled.
    `cpu_throttle` > 1 slows the tab's CPU that many times (DevTools' phone-class emulation)."""
    page = await context.new_page()
    if cpu_throttle > 1:
        cdp = await context.new_cdp_session(page)
        await cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_throttle})
    page.set_default_timeout(DEADLINE_MS)  # clicks and waits on a loaded machine
    holder: dict = {}
    _watch_session(page, holder)
    from playwright.async_api import Error as PlaywrightError
    try:
        await page.goto(url, wait_until="commit", timeout=DEADLINE_MS)
    except PlaywrightError as exc:
        return page, Measure(kind, name, error=str(exc).splitlines()[0][:200]), holder
    m = await _settled(page, 0, kind, name)
    m.session = holder.get("id", "")
    return page, m, holder


class Actor:
    """Changes one filter at a time, so that every rerun asks for a selection no one asked
    for before: organisations are added from this user's own share of the list, projects
    and areas are added, the year range moves; nothing is ever removed, so no state repeats."""

    KINDS = ("org", "year", "project", "area")

    def __init__(self, page, name: str, orgs: list[str], holder: dict, seed: int,
                 kinds: tuple[str, ...] = KINDS):
        """`kinds`: the filters it changes, in turn (a plain page has only some of them:
        the organisations' multiselect first and the year range in the sidebar)."""
        self.page, self.name, self.orgs, self.holder = page, name, list(orgs), holder
        self.rng = random.Random(seed)
        self.step = 0
        self.kinds = kinds
        self.passed_over: list[str] = []  # why a kind had nothing to change, in order
        self.left: dict[int, int] = {}  # options still on offer in a list, once seen

    async def _arm(self) -> None:
        await self.page.evaluate("() => { window.__e2e.armed = true; window.__e2e.since = null; }")

    async def _multiselect(self, index: int, text: str | None) -> bool:
        """Open the index-th sidebar multiselect, type `text`, and pick the highlighted
        option with Enter. Enter is pressed only once this combobox's own list is open with
        an option highlighted: waiting for "some option on the page" let Enter go to a list
        still closing from the previous change, which picked nothing and sent no rerun (a
        120 s timeout every 8th change).

        A list with every option chosen does not open at all, so it cannot be told from a
        list that is slow to open; the options left are counted instead (from the last
        open, less the one picked), and a list known to be empty is not opened. A list that
        did not open is opened once more before the kind is passed over; why it was passed
        over is kept in `passed_over`."""
        if not text and self.left.get(index) == 0:
            self.passed_over.append(f"list {index}: every option chosen")
            return False
        state = None
        for _ in range(2):
            state = await self._open_list(index, text)
            if isinstance(state, int):
                await self._arm()
                await self.page.keyboard.press("Enter")
                if text:  # more options may now be on offer in the other lists
                    self.left.clear()
                else:
                    self.left[index] = state - 1
                return True
            await self.page.keyboard.press("Escape")
        self.passed_over.append(f"list {index}: {state}")
        return False

    async def _open_list(self, index: int, text: str | None) -> int | str:
        """The number of options in the opened list, or why it did not open."""
        box = self.page.locator(f"{_SIDEBAR} [data-testid='stMultiSelect']").nth(index)
        combo = box.locator("input")
        await combo.click()
        # A click just after Escape closed another list can be spent on that list: the
        # combobox takes focus but stays shut. ArrowDown opens it (on an open list it only
        # moves the highlight to another option, still a new choice).
        if await combo.get_attribute("aria-expanded") != "true":
            await self.page.keyboard.press("ArrowDown")
        if text:
            await self.page.keyboard.type(text)
        try:
            state = await self._pick_state(index)
            if state == "open":
                await self.page.keyboard.press("ArrowDown")
                state = await self._pick_state(index, highlighted=True)
            return state
        except Exception as exc:  # not opened (or nothing matches the text)
            return "not opened: " + str(exc).splitlines()[0][:120]

    async def _pick_state(self, index: int, highlighted: bool = False) -> int | str:
        handle = await self.page.wait_for_function(
            PICK_STATE_JS, arg=[_SIDEBAR, index, highlighted], polling=50,
            timeout=PICK_DEADLINE_MS)
        return await handle.json_value()

    async def _year(self) -> bool:
        """Move one end of the year range by a year (React Aria's range inputs)."""
        thumbs = self.page.locator(f"{_SIDEBAR} [data-testid='stSlider'] input[type='range']")
        count = await thumbs.count()
        for i, key, limit in ((0, "ArrowLeft", "min"), (1, "ArrowRight", "max"),
                              (0, "ArrowRight", "max")):
            if i >= count:
                continue
            thumb = thumbs.nth(i)
            value, end = await thumb.evaluate(f"el => [el.value, el.{limit}]")
            if value != end:
                await thumb.focus()
                await self._arm()
                await self.page.keyboard.press(key)
                return True
        return False

    async def change(self) -> Measure:
        """One filter change, timed; tries the next kind when one has nothing new to offer.
        A widget that cannot be reached (the page did not load under load) is this change's
        error, never the end of the whole run."""
        from playwright.async_api import Error as PlaywrightError
        try:
            return await self._change()
        except PlaywrightError as exc:
            self.step += 1
            return Measure("none", self.name, session=self.holder.get("id", ""),
                           error=str(exc).splitlines()[0][:200])

    async def _change(self) -> Measure:
        kinds = self.kinds
        for attempt in range(len(kinds)):
            kind = kinds[(self.step + attempt) % len(kinds)]
            if kind == "org":
                done = bool(self.orgs) and await self._multiselect(0, self.orgs.pop(0))
            elif kind == "year":
                done = await self._year()
            else:
                done = await self._multiselect(1 if kind == "project" else 2, None)
            if done:
                self.step += attempt + 1
                m = await _settled(self.page, None, kind, self.name)
                await self.page.keyboard.press("Escape")  # close the dropdown; no rerun
                m.session = self.holder.get("id", "")
                return m
        self.step += 1
        return Measure("none", self.name, error="no filter left to change")
