// Layout defects of the page as drawn, for tests/test_layout_browser.py: returns a list of
// strings, one per defect (empty = none). Evaluated by Playwright as `(arg) => ...`.
//
// 1. clipped text: a visible text element cut by an ancestor that hides overflow, or by its
//    own ellipsis (st.metric's value "¥1,234…");
// 2. sideways overflow: the page scrolls horizontally, or text ends beyond the viewport,
//    outside a container that scrolls on purpose (tables);
// 3. overlap: headings, KPI cards, captions and the selection line intersect each other;
// 4. charts: a Plotly title, axis title, annotation, legend entry or point label reaches out
//    of its chart, or two of them intersect (a cut-off title, labels drawn on each other);
// 5. tables: a figure wider than its column, a column cut through by the table's right edge
//    (a grid's, or the box a short HTML table scrolls in), columns beyond that edge with no
//    line saying there are more;
// 6. a table's toolbar drawn over its title.
() => {
  const SLACK = 1.5;  // sub-pixel rounding
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const viewport = document.documentElement.clientWidth;
  const defects = [];
  const shown = el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && el.getClientRects().length > 0
      && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[hidden]');
  };
  const label = el => `${el.getAttribute('data-testid') || el.getAttribute('class')
    || el.tagName.toLowerCase()} "${el.textContent.trim().replace(/\s+/g, ' ').slice(0, 50)}"`;
  const hasOwnText = el => [...el.childNodes].some(n => n.nodeType === 3 && n.nodeValue.trim());
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > SLACK
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > SLACK;
  // Widgets whose content is drawn or scrolled by design (canvas tables, charts, code).
  const SKIP = '[data-testid="stDataFrame"], [data-testid="stPlotlyChart"], [data-testid="stCode"],'
    + ' [data-testid="stTable"], [data-testid="stTooltipContent"], [data-baseweb="popover"]';

  // 1 and 2: every visible element with text of its own.
  const texts = [...main.querySelectorAll('*')].filter(el => hasOwnText(el) && !el.closest(SKIP)
                                                             && shown(el));
  for (const el of texts) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1) {
      defects.push(`clipped (ellipsis): ${label(el)}`);
      continue;
    }
    let scrolls = false;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (['auto', 'scroll'].includes(s.overflowX)) { scrolls = true; break; }
      if (['hidden', 'clip'].includes(s.overflowX) || ['hidden', 'clip'].includes(s.overflowY)) {
        const r = a.getBoundingClientRect();
        if (box.right > r.right + SLACK || box.left < r.left - SLACK
            || (['hidden', 'clip'].includes(s.overflowY) && box.bottom > r.bottom + SLACK)) {
          defects.push(`clipped by ${label(a).slice(0, 40)}: ${label(el)}`);
          break;
        }
      }
    }
    if (!scrolls && (box.right > viewport + SLACK || box.left < -SLACK)) {
      defects.push(`beyond the viewport (${Math.round(box.left)}..${Math.round(box.right)}`
                   + ` of ${viewport}): ${label(el)}`);
    }
  }
  if (document.documentElement.scrollWidth > viewport + SLACK) {
    defects.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${viewport}`);
  }

  // 3: blocks a reader sees as separate must not be drawn on each other. A card is its
  // bordered box; a heading or caption is its text's line boxes (an element's box includes
  // margins of air that may overlap by design: the selection line tucks under the title).
  const inkBox = el => {
    if (el.matches('[data-testid="stMetric"]')) return el.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(el);
    return range.getBoundingClientRect();
  };
  const blocks = [...main.querySelectorAll('h1, h2, h3, h4, [data-testid="stMetric"],'
    + ' [data-testid="stCaptionContainer"], p.impact-selection')]
    .filter(el => shown(el) && !el.closest(SKIP));
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) {
      const [a, b] = [blocks[i], blocks[j]];
      if (a.contains(b) || b.contains(a)) continue;
      if (overlap(inkBox(a), inkBox(b))) {
        defects.push(`overlap: ${label(a)} and ${label(b)}`);
      }
    }
  }

  // 4: inside each chart.
  for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    if (!shown(chart)) continue;
    const frame = chart.getBoundingClientRect();
    const title = chart.querySelector('.gtitle');
    const name = title ? title.textContent.slice(0, 40) : '(untitled chart)';
    const parts = [...chart.querySelectorAll('.gtitle, .g-xtitle text, .g-ytitle text,'
      + ' .annotation-text, .legendtext, .textpoint text, text.slicetext')]
      .filter(el => el.textContent.trim() && shown(el));
    const boxes = parts.map(el => [el, el.getBoundingClientRect()]);
    for (const [el, r] of boxes) {
      if (r.left < frame.left - SLACK || r.right > frame.right + SLACK
          || r.top < frame.top - SLACK || r.bottom > frame.bottom + SLACK) {
        defects.push(`chart "${name}": ${el.getAttribute('class')} "${el.textContent}"`
                     + ` reaches out of the chart`);
      }
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [[a, ra], [b, rb]] = [boxes[i], boxes[j]];
        if (a.contains(b) || b.contains(a)) continue;
        if (overlap(ra, rb)) {
          defects.push(`chart "${name}": "${a.textContent}" overlaps "${b.textContent}"`);
        }
      }
    }
  }
  // 5: figures cut mid-digit.
  for (const value of main.querySelectorAll('[data-testid="stMetricValue"]')) {
    if (!shown(value)) continue;
    for (const el of [value, ...value.querySelectorAll('*')]) {
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
        defects.push(`card value cut: ${label(value)}`);
        break;
      }
    }
  }
  const FIGURE = /^[-+−<>¥$]*\s*[\d][\d,.\s%万亿–-]*%?$/;
  const ctx = document.createElement('canvas').getContext('2d');
  for (const frame of main.querySelectorAll('[data-testid="stDataFrame"]')) {
    if (!shown(frame)) continue;
    const grid = frame.querySelector('.stDataFrameGlideDataEditor');
    const scroller = frame.querySelector('.dvn-scroller');
    const fiberKey = scroller && Object.keys(scroller).find(k => k.startsWith('__reactFiber$'));
    let fiber = fiberKey && scroller[fiberKey];
    let columns = null, api = null;
    for (let depth = 0; fiber && depth < 60 && !(columns && api); depth++, fiber = fiber.return) {
      const props = fiber.memoizedProps;
      if (!columns && props && Array.isArray(props.columns) && props.columns.length
          && typeof props.columns[0].width === 'number') columns = props.columns;
      const ref = fiber.ref && fiber.ref.current;
      if (!api && ref && typeof ref.getBounds === 'function') api = ref;
    }
    if (!columns || !api) {
      defects.push(`table: column widths not found: ${label(frame)}`);
      continue;
    }
    // A column the table's right edge cuts through ("¥324,7" of ¥324,700.00 on a phone), or
    // columns beyond it with nothing under the table saying that there are more.
    const edge = (frame.querySelector('[data-testid="stDataFrameResizable"]') || frame)
      .getBoundingClientRect().right;  // the grid's own box
    let hidden = 0;
    columns.forEach((column, i) => {
      const r = api.getBounds(i, 0);
      if (!r || !r.width) return;
      if (r.x < edge - SLACK && r.x + r.width > edge + SLACK) {
        defects.push(`table column cut at the right edge: "${column.title}" shows`
                     + ` ${Math.round(edge - r.x)} of ${Math.round(r.width)} px`);
      }
      if (r.x + r.width > edge + SLACK) hidden++;
    });
    const box = frame.parentElement;
    if (hidden && !(box && box.getAttribute('data-impact-more')
                    && getComputedStyle(box, '::after').content.length > 2)) {
      defects.push(`table hides ${hidden} column(s) to the right without saying so:`
                   + ` ${label(frame)}`);
    }
    const style = getComputedStyle(grid);
    const font = style.getPropertyValue('--gdg-base-font-style').trim() || '400 14px';
    ctx.font = `${font} ${style.getPropertyValue('--gdg-font-family').trim() || 'sans-serif'}`;
    const padding = 2 * (parseFloat(style.getPropertyValue('--gdg-cell-horizontal-padding'))
                         || 8);
    if (!frame.querySelector('td[role="gridcell"]')) {
      defects.push(`table: no cells to measure yet: ${label(frame)}`);
      continue;
    }
    // A cell's column by its header's title: a selectable table's checkbox column is counted
    // in aria-colindex but is not among the columns.
    const byIndex = {};
    for (const th of frame.querySelectorAll('th[role="columnheader"]')) {
      byIndex[th.getAttribute('aria-colindex')] = columns.find(
        c => c.title === th.textContent.trim());
    }
    for (const cell of frame.querySelectorAll('td[role="gridcell"]')) {
      const text = cell.textContent.trim();
      if (!FIGURE.test(text)) continue;
      const column = byIndex[cell.getAttribute('aria-colindex')];
      if (!column) continue;
      const need = ctx.measureText(text).width + padding;
      if (need > column.width + SLACK) {
        defects.push(`table cell cut: "${text}" needs ${Math.ceil(need)} px, column "${column.title}"`
                     + ` is ${column.width} px`);
      }
    }
  }
  // 5, for a short table drawn as HTML (impact.web.html_tables): it scrolls in its own box,
  // whose right edge must fall between columns, with the line under it when columns are beyond.
  for (const scroll of main.querySelectorAll('div.impact-scroll')) {
    if (!shown(scroll)) continue;
    const edge = scroll.getBoundingClientRect().right;
    let hidden = 0;
    for (const th of scroll.querySelectorAll('thead th')) {
      const r = th.getBoundingClientRect();
      if (r.left < edge - SLACK && r.right > edge + SLACK) {
        defects.push(`table column cut at the right edge: "${th.textContent.trim()}" shows`
                     + ` ${Math.round(edge - r.left)} of ${Math.round(r.width)} px`);
      }
      if (r.right > edge + SLACK) hidden++;
    }
    const box = scroll.parentElement;
    if (hidden && !(box && box.getAttribute('data-impact-more')
                    && getComputedStyle(box, '::after').content.length > 2)) {
      defects.push(`table hides ${hidden} column(s) to the right without saying so:`
                   + ` ${label(scroll)}`);
    }
  }
  // 6: where the toolbar will be drawn (it is laid out while invisible) against the title.
  for (const frame of main.querySelectorAll('[data-testid="stDataFrame"]')) {
    const toolbar = frame.querySelector('[data-testid="stElementToolbar"]');
    const above = frame.closest('[data-testid="stElementContainer"]')?.previousElementSibling;
    if (!shown(frame) || !toolbar || !above) continue;
    const bar = toolbar.getBoundingClientRect();
    for (const text of above.querySelectorAll('p')) {
      const range = document.createRange();
      range.selectNodeContents(text);
      if ([...range.getClientRects()].some(r => overlap(r, bar))) {
        defects.push(`table toolbar over its title: ${label(text)}`);
      }
    }
  }
  return [...new Set(defects)];
}
