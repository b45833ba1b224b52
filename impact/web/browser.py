"""What Streamlit does not set for us in the browser: the document's language, a
history entry per change of view (so Back undoes a filter change), and the stylesheet
that keeps text contrast at 4.5:1 or more.

Scripts are static text: they read the page's own location, never data; the only values
put into them are the language code (one of LANGS) and a hash of the view.
"""

from __future__ import annotations

import json

import streamlit as st

HTML_LANG = {"zh": "zh-CN", "en": "en"}

# Streamlit's grey captions (#828180, 3.88:1 on white) and the selected segmented-control
# pill (4.23:1) fail WCAG AA (captions are also drawn at 60 % opacity); these colours pass
# (#5c5b5a 6.6:1; #0f5c57 on the pill's tint 6.9:1). .impact-selection is the header line
# stating the active selection. A KPI card's value and label wrap instead of ending in "…"
# (Streamlit cuts them to one line: a volunteer-value range "¥59,851.75 – ¥143,644.20" lost
# its upper end on a phone, and "Minutes per volunteer person-time" its last word on a desktop).
# A table narrowed to end at a column boundary (_TABLE_EDGES) says under it that more columns
# are to the right; its frame keeps the full width, so the toolbar stays at the right end.
# A table's toolbar (search, full screen) is drawn over the line above the table, its title:
# that line (a title, or a caption such as /results' data source) leaves the toolbar's width
# free at its right end, so it wraps instead of hiding under it (it covered the end of long
# titles on a phone).
STYLE = """<style>
:root { --impact-style: 1; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] *,
[data-testid="stWidgetLabel"] small, .stSlider [data-testid="stSliderTickBarMin"],
.stSlider [data-testid="stSliderTickBarMax"], [data-testid="stMetricDelta"] svg + div,
[data-testid="stFileUploaderDropzoneInstructions"] small { color: #5c5b5a !important; }
[data-testid="stCaptionContainer"] { opacity: 1 !important; }
[data-testid="stButtonGroup"] button[data-selected="true"],
[data-testid="stButtonGroup"] button[data-selected="true"] * { color: #0f5c57 !important; }
p.impact-selection { font-size: 1.6rem !important; font-weight: 600; line-height: 1.45;
                      color: #1f2a2a; margin: -0.2rem 0 0.6rem 0; }
[data-testid="stElementToolbar"] { top: -2.4rem !important; }
[data-testid="stElementContainer"]:has(+ [data-testid="stElementContainer"] [data-testid="stDataFrame"])
  p { padding-right: 8.5rem; }
[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricValue"] p, [data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricLabel"] p { white-space: normal !important; overflow: visible !important;
                                  text-overflow: clip !important; overflow-wrap: break-word; }
table.impact-statement { width: 100%; border-collapse: collapse; font-size: 0.9rem;
                         font-variant-numeric: tabular-nums; color: #1f2a2a; }
table.impact-statement caption { caption-side: top; text-align: left; font-weight: 600;
                                 padding: 0 0 0.4rem 0; color: #1f2a2a; }
table.impact-statement th, table.impact-statement td { padding: 0.3rem 0.5rem;
  border-bottom: 1px solid #e6e6e6; }
table.impact-statement thead th { text-align: right; font-weight: 600; white-space: nowrap;
                                  border-bottom: 2px solid #c8c8c8; }
table.impact-statement thead th:first-child, table.impact-statement tbody th {
  text-align: left; font-weight: 400; }
table.impact-statement td { text-align: right; white-space: nowrap; }
table.impact-statement tr.impact-section th { font-weight: 600; padding-top: 0.6rem; }
table.impact-statement tr.impact-line th { padding-left: 1.5rem; }
table.impact-statement tr.impact-total th, table.impact-statement tr.impact-total td {
  font-weight: 600; }
/* A short table (impact.web.html_tables): figures right-aligned in tabular digits, the
   name column held at the left while the box scrolls sideways on a narrow screen. */
div.impact-scroll { overflow-x: auto; max-width: 100%; }
div.impact-scroll:focus-visible { outline: 3px solid #0f5c57; outline-offset: 2px; }
table.impact-table { border-collapse: separate; border-spacing: 0; font-size: 0.875rem;
                     font-variant-numeric: tabular-nums; color: #1f2a2a; min-width: 50%; }
table.impact-table th, table.impact-table td { padding: 0.3rem 0.6rem; white-space: nowrap;
  border-bottom: 1px solid #e6e6e6; background: #ffffff; }
table.impact-table thead th { font-weight: 600; border-bottom: 2px solid #c8c8c8;
                              background: #f6f7f7; }
table.impact-table tbody th { font-weight: 400; }
table.impact-table .impact-num { text-align: right; }
table.impact-table .impact-text { text-align: left; white-space: normal; min-width: 6rem;
                                  max-width: 18rem; overflow-wrap: anywhere; }
table.impact-table .impact-key { position: sticky; left: 0; z-index: 1; }
table.impact-table tbody tr:hover th, table.impact-table tbody tr:hover td {
  background: #f1f6f5; }
/* One legend for the overview's three trends (widgets.legend). */
ul.impact-legend { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap;
                   gap: 0.25rem 1rem; font-size: 0.875rem; color: #262730; }
ul.impact-legend li { display: flex; align-items: center; gap: 0.35rem; margin: 0; }
ul.impact-legend .impact-swatch { width: 0.8rem; height: 0.8rem; border-radius: 2px;
                                  flex: none; }
p.impact-phone-only { display: none; }
[data-impact-more] { position: relative; }
[data-testid="stElementContainer"]:has(> [data-impact-more]) { margin-bottom: 1.3rem; }
[data-impact-more]::after { content: attr(data-impact-more); position: absolute; top: 100%;
                            left: 0; right: 0; padding-top: 0.15rem; text-align: right;
                            font-size: 0.8rem; line-height: 1.3; color: #5c5b5a; }
[data-impact-more] > [data-testid="stDataFrame"] { display: block; }
/* Keyboard focus on the page menu is an outline, unlike the current page's shading. */
[data-testid="stPageLink-NavLink"]:focus-visible { outline: 3px solid #0f5c57;
                                                   outline-offset: 2px; }
@media (max-width: 640px) {
  p.impact-selection { font-size: 1.25rem !important; }
  /* A section heading (h2) stays below the page title (h1) on a phone: at Streamlit's
     2.25rem "Who was served: people and person-times" took three lines, as large as h1. */
  [data-testid="stMain"] h2 { font-size: 1.6rem !important; }
  table.impact-statement .impact-split { display: none; }
  table.impact-statement { font-size: 0.82rem; }
  table.impact-statement th, table.impact-statement td { padding: 0.3rem 0.25rem; }
  p.impact-phone-only { display: block; font-size: 0.875rem; color: #5c5b5a; }
  [data-testid="stElementToolbar"] { top: -2.6rem !important; }
}
</style>"""


def style() -> None:
    """The dashboard's stylesheet (an st.html made only of <style> takes no space)."""
    st.html(STYLE)


# Plotly draws an SVG without an accessible name: give each chart one, its own title, as a
# figure (a MutationObserver, since charts are drawn after this script runs).
_CHART_NAMES = """
(function () {
  if (window.__impactChartNames) return;
  window.__impactChartNames = true;
  function name() {
    document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach(function (chart) {
      var title = chart.querySelector('.gtitle');
      // A title drawn on several lines is one tspan.line a line: join them with a space,
      // or a screen reader runs the last word of one line into the first of the next.
      var lines = title ? title.querySelectorAll('tspan.line') : [];
      var text = lines.length ? Array.prototype.map.call(lines, function (l) {
        return l.textContent.trim(); }).join(' ') : (title ? title.textContent.trim() : '');
      if (text && chart.getAttribute('aria-label') !== text) {
        chart.setAttribute('role', 'figure');
        chart.setAttribute('aria-label', text);
      }
      describe(chart, text);
    });
  }
  // The chart's data as a table a screen reader can read (visually hidden: the figure and
  // the page's own tables are what a sighted reader uses). Made from the traces Plotly drew,
  // so it holds exactly the points shown, each as its hover text gives it (the exact amount),
  // and nothing a public view's figure left out. Remade when Plotly replaces the data.
  function cell(v) {
    if (v === null || v === undefined) return '';
    if (Array.isArray(v)) return v.map(cell).join(' ');
    return String(v).replace(/\\x3cbr\\s*\\/?\\x3e/gi, ' ').replace(/\\x3c[^\\x3e]*\\x3e/g, '');
  }
  function describe(chart, text) {
    var gd = chart.querySelector('.js-plotly-plot');
    if (!gd || !gd.data || chart.__impactData === gd.data) return;
    chart.__impactData = gd.data;
    var old = chart.querySelector('div.impact-chart-data');
    if (old) old.remove();
    var rows = [], index = {}, names = [];
    gd.data.forEach(function (t, n) {
      var pie = t.type === 'pie', flat = t.orientation === 'h';
      var cats = pie ? t.labels : (flat ? t.y : t.x);
      var vals = pie ? t.values : (flat ? t.x : t.y);
      var shown = t.customdata || t.hovertext || t.text;
      if (!cats) return;
      var name = cell(t.name) || (gd.data.length > 1 ? String(n + 1) : '');
      names.push(name);
      for (var i = 0; i < cats.length; i++) {
        var key = cell(cats[i]);
        if (!(key in index)) { index[key] = rows.length; rows.push([key, {}]); }
        rows[index[key]][1][name] = cell(shown && shown[i] !== undefined ? shown[i] : vals[i]);
      }
    });
    if (!rows.length) return;
    var lang = (document.documentElement.lang || 'zh').slice(0, 2);
    // Visually hidden, read by screen readers (a table keeps its content's width: its box).
    var box = document.createElement('div');
    box.className = 'impact-chart-data';
    box.style.cssText = 'position:absolute;width:1px;height:1px;overflow:hidden;' +
      'clip-path:inset(50%);white-space:nowrap;margin:-1px;padding:0;border:0;';
    var table = document.createElement('table');
    box.appendChild(table);
    table.createCaption().textContent = text + (lang === 'en' ? ': chart data' : '：图表数据');
    var head = table.createTHead().insertRow();
    var corner = document.createElement('th');
    corner.textContent = lang === 'en' ? 'Point' : '数据点';
    head.appendChild(corner);
    names.forEach(function (name) {
      var th = document.createElement('th');
      th.scope = 'col';
      th.textContent = name || (lang === 'en' ? 'Value' : '数值');
      head.appendChild(th);
    });
    var body = table.createTBody();
    rows.forEach(function (r) {
      var tr = body.insertRow(), th = document.createElement('th');
      th.scope = 'row';
      th.textContent = r[0];
      tr.appendChild(th);
      names.forEach(function (name) { tr.insertCell().textContent = r[1][name] || ''; });
    });
    chart.appendChild(box);
  }
  // The page menu (st.page_link) marks the current page by style only: say it to a screen
  // reader too (aria-current), by the link's own path.
  function current() {
    document.querySelectorAll('[data-testid="stPageLink-NavLink"]').forEach(function (link) {
      var here = new URL(link.href, location.href).pathname === location.pathname;
      if (here && link.getAttribute('aria-current') !== 'page') {
        link.setAttribute('aria-current', 'page');
      } else if (!here && link.hasAttribute('aria-current')) {
        link.removeAttribute('aria-current');
      }
    });
  }
  new MutationObserver(function () { name(); current(); }).observe(
    document.body, {childList: true, subtree: true});
  name();
  current();
})();
"""


# A table wider than its place (a phone's 390 px; a desktop's narrow column) scrolls
# sideways, and nothing said so: its right edge cut a column through, often a figure
# ("¥324,7" of ¥324,700.00), or ended exactly at a column boundary with more columns unseen.
# For every such table: its visible width ends at a column boundary (the grid's own
# getBounds, through the React fiber of its scroller: no public API reaches it), so no
# column is cut at the first view; and a line under it says that more columns are to the
# right (data-impact-more on its container, drawn by the stylesheet). Where the grid cannot
# be reached the table is left as Streamlit drew it.
_TABLE_EDGES = r"""
(function (hint) {
  window.__impactTableHint = hint;
  if (window.__impactTableEdges) return;
  window.__impactTableEdges = true;
  function grid(scroller) {
    var key = Object.keys(scroller).find(function (k) { return k.indexOf('__reactFiber$') === 0; });
    for (var f = key && scroller[key], d = 0; f && d < 60; d++, f = f.return) {
      var api = f.ref && f.ref.current;
      if (api && typeof api.getBounds === 'function') return api;
    }
    return null;
  }
  // Streamlit sizes a table's box (stDataFrameResizable) in pixels; the grid fills it.
  function narrow(frame, width) {
    var sized = frame.querySelector('[data-testid="stDataFrameResizable"]');
    if (!sized) return;
    if (!('__impactWidth' in frame)) frame.__impactWidth = [sized.style.width, sized.style.maxWidth];
    var px = width ? width + 'px' : null;
    if (px && sized.style.width !== px) { sized.style.width = px; sized.style.maxWidth = px; }
    if (!px) { sized.style.width = frame.__impactWidth[0]; sized.style.maxWidth = frame.__impactWidth[1];
               delete frame.__impactWidth; }
  }
  // False while the grid is not drawn yet (no bounds to read): tried again shortly.
  function fit(frame) {
    var scroller = frame.querySelector('.dvn-scroller');
    var box = frame.parentElement;
    if (frame.offsetParent === null) return true;  // in a closed tab: when it is opened
    var api = scroller && box && grid(scroller);
    if (!api) return false;
    var room = box.clientWidth, left = frame.getBoundingClientRect().left;
    var shift = scroller.scrollLeft, edge = 0, more = false, col = 0;
    for (; col < 500; col++) {
      var r = api.getBounds(col, 0);
      if (!r || !r.width) break;
      // (a cell's bounds take in its right gridline: the last one is the table's border)
      var end = r.x + r.width - left + (col ? shift : 0);  // at no sideways scroll
      if (end <= room + 0.5) edge = end; else more = true;
    }
    if (!col) return false;
    if (!more) {  // the table fits: as Streamlit drew it
      if ('__impactWidth' in frame) narrow(frame, 0);
      box.removeAttribute('data-impact-more');
    } else {
      if (edge > 0) narrow(frame, Math.ceil(edge));
      if (box.getAttribute('data-impact-more') !== window.__impactTableHint) {
        box.setAttribute('data-impact-more', window.__impactTableHint);
      }
    }
    frame.setAttribute('data-impact-edge', more ? 'narrowed' : 'fits');
    return true;
  }
  var queued = false, tries = 0;
  function all() {
    queued = false;
    // data-impact-tables="as-drawn" on the root element: every table as Streamlit draws it
    // (the layout test's check of its own measure sets it). No "<" and a letter anywhere in
    // this script: Streamlit's sanitiser (DOMPurify) drops a script whose text has one.
    if (document.documentElement.getAttribute('data-impact-tables') === 'as-drawn') return;
    var waiting = false;
    document.querySelectorAll('[data-testid="stDataFrame"]').forEach(function (frame) {
      try { if (!fit(frame)) waiting = true; } catch (e) { /* the table stays as drawn */ }
    });
    // A short table as HTML (impact.web.html_tables) scrolls in its own box: the same line
    // under it when its columns go past the box's right edge.
    document.querySelectorAll('div.impact-scroll').forEach(function (scroll) {
      var box = scroll.parentElement;
      if (!box || scroll.offsetParent === null) return;
      // As for a grid: the box ends at a column boundary, so no figure is cut at the edge.
      var room = box.clientWidth, left = scroll.getBoundingClientRect().left;
      var more = scroll.scrollWidth > room + 1, edge = 0;
      if (more) {
        scroll.querySelectorAll('thead th').forEach(function (th) {
          var end = th.getBoundingClientRect().right - left + scroll.scrollLeft;
          if (end <= room + 0.5) edge = end;
        });
      }
      var width = more && edge > 0 ? Math.floor(edge) + 'px' : '';
      if (scroll.style.maxWidth !== width) scroll.style.maxWidth = width;
      var fitted = more ? 'narrowed' : 'fits';
      if (scroll.getAttribute('data-impact-edge') !== fitted) {
        scroll.setAttribute('data-impact-edge', fitted);
      }
      if (more && box.getAttribute('data-impact-more') !== window.__impactTableHint) {
        box.setAttribute('data-impact-more', window.__impactTableHint);
      } else if (!more && box.hasAttribute('data-impact-more')) {
        box.removeAttribute('data-impact-more');
      }
    });
    if (waiting && tries++ < 40) setTimeout(soon, 250);
  }
  function soon() { if (!queued) { queued = true; requestAnimationFrame(all); } }
  new MutationObserver(function () { tries = 0; soon(); }).observe(
    document.body, {childList: true, subtree: true});
  window.addEventListener('resize', soon);  // (the bounds are read at any width)
  soon();
})(%s);
"""


# Streamlit writes some words of its own in English, whatever the page's language (the
# file uploader, the page-not-found dialog, the skip link). Each one is looked up in the
# locale files (streamlit.*: the English original and its translation) and replaced in
# the page as it appears. Exact text matches only, so data is never touched.
_STREAMLIT_WORDS = r"""
(function (words, patterns) {
  if (window.__impactWords) { window.__impactWords.words = words;
                              window.__impactWords.patterns = patterns; return; }
  var state = window.__impactWords = {words: words, patterns: patterns};
  function translate(node) {
    var text = node.nodeValue.trim();
    if (!text) return;
    if (Object.prototype.hasOwnProperty.call(state.words, text)) {
      node.nodeValue = node.nodeValue.replace(text, state.words[text]);
      return;
    }
    state.patterns.forEach(function (p) {
      var found = new RegExp(p[0]).exec(text);
      if (found) node.nodeValue = p[1].replace(/\$(\d)/g, function (_, i) { return found[i]; });
    });
  }
  function walk(root) {
    var it = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (it.nextNode()) translate(it.currentNode);
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (c) {
      if (c.type === 'characterData') translate(c.target);
      c.addedNodes && c.addedNodes.forEach(function (n) {
        if (n.nodeType === 3) translate(n); else if (n.nodeType === 1) walk(n);
      });
    });
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
  walk(document.body);
})(%s, %s);
"""


def _streamlit_words(lang: str) -> tuple[dict, list]:
    """English original → translation for Streamlit's own words (none for English)."""
    from impact.presentation.i18n import catalog

    if lang == "en":
        return {}, []
    ours, english = catalog(lang), catalog("en")
    words = {english[k]: ours[k] for k in ours
             if k.startswith("streamlit.") and not k.startswith("streamlit.pattern.")}
    patterns = [[english[k], ours[k]] for k in ours if k.startswith("streamlit.pattern.")]
    return words, patterns


def _script_json(value) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value, ensure_ascii=True).replace("</", "<\\/")


def page_head(lang: str) -> None:
    """<html lang> for the page's language (Streamlit always writes "en"), accessible names
    for the charts, and Streamlit's own English words in the page's language."""
    code = json.dumps(HTML_LANG.get(lang, "zh-CN"))
    words, patterns = _streamlit_words(lang)
    script = _STREAMLIT_WORDS % (_script_json(words), _script_json(patterns)) if words else ""
    from impact.presentation.i18n import t

    edges = _TABLE_EDGES % _script_json(t("table.more_columns", lang))
    st.html(f"<script>document.documentElement.lang = {code};{_CHART_NAMES}{edges}{script}"
            f"</script>", unsafe_allow_javascript=True)


