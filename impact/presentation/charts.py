"""Every chart of the dashboard, built in one place with one template.

The template fixes the palette, a font stack that renders Chinese on any OS, and number
formats. Builders take plain Python sequences (already aggregated in SQL: a few dozen points)
and return plotly Figures. Values arrive exact (int, Decimal money); the hover text is
built from them through fmt.value — the rule cards and tables follow — and a money point sits
at its amount to the fen (a float for the scale only, never a figure anyone reads).
Years are a numeric axis, so a missing year shows as a gap, not as neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import plotly.graph_objects as go
import plotly.io as pio

from impact.presentation import fmt
from impact.presentation.safetext import display_text

FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"
# Colour-blind-safe (Okabe–Ito based), first colour is the brand teal.
PALETTE = ("#1b7f79", "#e69f00", "#0072b2", "#cc79a7", "#56b4e9", "#d55e00", "#009e73",
           "#7a6f9b", "#999999")
TEMPLATE = "impact"
HEIGHT = 340

pio.templates[TEMPLATE] = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=13, color="#262730"),
        title=dict(font=dict(family=FONT, size=15), x=0, xanchor="left"),
        colorway=PALETTE,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        hoverlabel=dict(font=dict(family=FONT)),
        separators=".,",
        xaxis=dict(showgrid=False, linecolor="#c8c8c8", automargin=True),
        yaxis=dict(gridcolor="#e8e8e8", zeroline=True, zerolinecolor="#c8c8c8",
                   automargin=True, tickformat=",", rangemode="tozero"),
        legend=dict(orientation="h", yanchor="top", y=-0.15, x=0, title=None),
        margin=dict(l=8, r=8, t=48, b=8),
        height=HEIGHT,
    )
)


# The narrowest chart the dashboard draws: a 390 px phone leaves ~340 px for the chart and
# ~280 px for a scatter's plot area (after the axis labels). Titles wrap, and point labels are
# placed, for that width, so they fit on a phone and so on anything wider.
TITLE_WIDTH_PX = 320
TITLE_SIZE = 15
TITLE_LINE_PX = 20
PLOT_WIDTH_PX, PLOT_HEIGHT_PX = 280, 230
LABEL_SIZE = 11


def text_width(text: str, size: float) -> float:
    """Estimated width in px of `text` at font `size`: a CJK or full-width character is one
    em, anything else 0.56 em (Noto Sans' Latin text with its spaces averages about 0.5 em;
    the rest is a margin for capitals and wide letters)."""
    return sum(size if ord(c) >= 0x2E80 else 0.56 * size for c in text)


def _tokens(text: str) -> list[str]:
    """Pieces a line may break between: each CJK character (with the punctuation that must
    not start a line), or a run of other characters up to and including a space."""
    out: list[str] = []
    for char in text:
        joins_previous = out and (char in "，。、；：）」』！？%" or (
            ord(char) < 0x2E80 and char != " " and not out[-1].endswith(" ")
            and ord(out[-1][-1]) < 0x2E80))
        if joins_previous:
            out[-1] += char
        else:
            out.append(char)
    return out


def wrap_title(text: str, width: float = TITLE_WIDTH_PX, size: float = TITLE_SIZE) -> list[str]:
    """A chart title as lines that each fit `width` px (plotly never wraps a title)."""
    lines = [""]
    for token in _tokens(str(text)):
        if lines[-1] and text_width(lines[-1] + token.rstrip(), size) > width:
            lines.append("")
        lines[-1] += token
    return [line.rstrip() for line in lines]


def color_of(code: str, codes: Sequence[str]) -> str:
    """The fixed colour of a category code (its place in the schema's list of codes)."""
    return PALETTE[list(codes).index(code) % len(PALETTE)] if code in codes else PALETTE[-1]


def fen_position(value) -> float:
    """Where a money point sits: the amount at the fen (¥10.64 at 10.64, not 11), as a float
    for plotly's axis only. The figure a reader sees (the hover) is formatted from the exact
    Decimal, never from this position."""
    return float(Decimal(value or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _hover(kind: str, lang: str):
    """The exact value of a point as text, for the tooltip (fmt.value: one rule everywhere)."""
    def text(v):
        if kind == fmt.COUNT and fmt.own_places(v):
            return fmt.value(v, fmt.DECIMAL, lang)  # hours to the hundredth
        return fmt.value(v, kind, lang)
    return text


def _positions(values: Sequence, kind: str) -> list:
    """Where the points sit: money at the fen, the rest as given."""
    if kind == fmt.MONEY:
        return [None if v is None else fen_position(v) for v in values]
    return list(values)


def is_years(x: Sequence) -> bool:
    """Whether an x axis is calendar years (drawn numerically, so gaps show)."""
    values = list(x)
    return bool(values) and all(isinstance(v, int) and 1900 <= v <= 2100 for v in values)


def year_axis(years: Sequence[int]) -> dict:
    """A numeric axis of whole years: 2008 and 2012 sit four years apart."""
    years = list(years)
    return dict(type="linear", dtick=1 if len(years) and max(years) - min(years) <= 12 else None,
                tickformat="d", range=[min(years) - 0.6, max(years) + 0.6] if years else None)


def _nice_step(top: float) -> int:
    raw = top / 4
    magnitude = 10 ** max(len(str(int(raw))) - 1, 0)
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return max(int(factor * magnitude), 1)
    return int(10 * magnitude)


def value_axis(values: Sequence, kind: str, lang: str) -> dict:
    """Tick labels in the reader's number style: 万/亿 in Chinese (plotly has no such format)."""
    prefix = "¥" if kind == "money" else ""
    suffix = "%" if kind == "percent" else ""
    numbers = [v for v in values if v is not None]
    if lang != "zh" or not numbers or kind == "percent":
        return dict(tickprefix=prefix, ticksuffix=suffix, tickformat=",")
    low, high = min(min(numbers), 0), max(max(numbers), 0)
    if max(abs(low), abs(high)) < 10_000:
        return dict(tickprefix=prefix, tickformat=",")
    step = _nice_step(high - low)
    ticks = list(range(int(low // step) * step, int(high) + step, step))
    return dict(tickmode="array", tickvals=ticks,
                ticktext=[prefix + fmt.count(v, lang) for v in ticks])




# Plotly turns &lt; &gt; &amp; and numeric entities back into characters (not &quot;).
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;",
                          "%": "&#37;"})


def safe_label(value) -> str:
    """Text from data as plotly shows it: as text. Plotly renders a subset of HTML in labels,
    legends and tooltips (<a href>, <b> …), so a project named `<a href=…>点击领取</a>` would
    become a live link: escape it. `%` is escaped too, so a name cannot pull in another
    value through a hover template (%{…}); bidi and C0 controls show as �."""
    return display_text(value).translate(_ESCAPES)


def _safe_values(values):
    return [safe_label(v) if isinstance(v, str) else v for v in values]


def _safe_trace(trace: dict) -> dict:
    """Escape what a builder took from data: series name, category labels, pie labels."""
    out = dict(trace)
    if isinstance(out.get("name"), str):
        out["name"] = safe_label(out["name"])
    for key in ("x", "y", "labels"):
        if isinstance(out.get(key), (list, tuple)):
            out[key] = _safe_values(out[key])
    return out


def _template() -> dict:
    """The registered template as plain data (it was validated once, when registered above),
    for figures built without per-property validation (see `_figure`)."""
    global _TEMPLATE_SPEC
    if _TEMPLATE_SPEC is None:
        _TEMPLATE_SPEC = pio.templates[TEMPLATE].to_plotly_json()
    return _TEMPLATE_SPEC


_TEMPLATE_SPEC: dict | None = None


_OBJECT_LISTS = frozenset({"shapes", "annotations", "images", "sliders", "updatemenus"})


def _plain(value):
    """A spec as plotly's validation would keep it: a property set to None is no property,
    nor is an empty list of layout objects (shapes=[]); a None inside a data array is a gap
    and stays."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()
                if v is not None and not (k in _OBJECT_LISTS and v == [])}
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return [_plain(v) for v in value]
    return value


def _figure(data: list[dict], title: str, **layout) -> go.Figure:
    """One Figure from plain specs. Every text taken from data is escaped here (see
    `safe_label`).

    Built without plotly's per-property validation: validating took 5–17 ms per figure
    (most of it copying the template into every figure and checking each property), and a
    page draws up to seven per filter change (issue 29). The builders above write only
    plain dicts of properties plotly knows (no magic underscores such as line_width), so the
    figure's JSON is exactly what the validated one gives; tests/test_charts_plain.py checks
    every builder both ways. A copy (copy.deepcopy, as the public view makes) is validated."""
    data = [_plain(_safe_trace(trace)) for trace in data]
    lines = wrap_title(title)
    template = _template()
    layout = {"template": template, "title": {"text": "<br>".join(map(safe_label, lines))},
              **layout}
    if len(lines) > 1:  # room for the extra title lines above the plot
        margin = dict(template["layout"]["margin"])
        margin["t"] += TITLE_LINE_PX * (len(lines) - 1)
        layout["margin"] = {**margin, **layout.get("margin", {})}
    return go.Figure(data=data, layout=_plain(layout), _validate=not PLAIN_FIGURES)


# False: validate every property again (what tests/test_charts_plain.py compares against).
PLAIN_FIGURES = True


def _shade(years: Sequence[int], highlight: tuple | None, axis: str = "x") -> list[dict]:
    """A band behind the selected years (`highlight` = (first, last)) on a numeric year axis."""
    if not highlight or highlight[0] is None or highlight[1] is None:
        return []
    inside = [int(v) for v in years if highlight[0] <= int(v) <= highlight[1]]
    if not inside:
        return []
    # ±0.5 year covers the whole bar or point.
    return [dict(type="rect", x0=min(inside) - 0.5, x1=max(inside) + 0.5, y0=0, y1=1,
                 xref=axis, yref="y domain", fillcolor=PALETTE[0], opacity=0.10, line=dict(width=0),
                 layer="below")]


def bars(x: Sequence, series: dict[str, Sequence], *, title: str, lang: str,
         kind: str = "count", stacked: bool = False, horizontal: bool = False,
         category_x: bool = True, colors: dict[str, str] | None = None,
         highlight: tuple | None = None, legend: bool = True) -> go.Figure:
    """Bar chart of one or more series over categories (years, projects, months …).
    Values are exact (Decimal money): tooltips show them to the fen. A year axis is numeric.
    `colors` pins a colour per series name (a category keeps its colour across charts);
    `highlight` = (first, last) shades the selected years on a year axis; `legend=False`
    when the page draws one legend for several charts (impact.web.widgets.legend)."""
    hover = _hover(kind, lang)
    years = not horizontal and is_years(x)
    labels = list(x) if years else [str(v) for v in x] if category_x or horizontal else list(x)
    data = []
    for name, values in series.items():
        values = list(values)
        trace = dict(type="bar", name=name, customdata=[hover(v) for v in values])
        if colors and name in colors:
            trace["marker"] = dict(color=colors[name])
        if horizontal:
            trace.update(y=labels, x=_positions(values, kind), orientation="h",
                         hovertemplate="%{y}<br>" + safe_label(name)
                         + ": %{customdata}<extra></extra>")
        else:
            trace.update(x=labels, y=_positions(values, kind),
                         hovertemplate="%{x}<br>" + safe_label(name)
                         + ": %{customdata}<extra></extra>")
        data.append(trace)
    plotted = {n: _positions(v, kind) for n, v in series.items()}
    totals = _stack_totals(plotted) if stacked else [v for s in plotted.values() for v in s]
    axis = value_axis(totals, kind, lang)
    layout = dict(barmode="stack" if stacked else "group", showlegend=legend and len(series) > 1)
    if horizontal:
        layout.update(xaxis=axis, height=max(HEIGHT, 60 + 28 * len(labels)),
                      yaxis=dict(type="category", autorange="reversed", showgrid=False))
    elif years:
        layout.update(yaxis=axis, xaxis=year_axis(labels), shapes=_shade(labels, highlight))
    else:
        layout.update(yaxis=axis, xaxis=dict(type="category") if category_x else {})
    return _figure(data, title, **layout)


def lines(x: Sequence, series: dict[str, Sequence], *, title: str, lang: str,
          kind: str = "count", highlight: tuple | None = None) -> go.Figure:
    """Line chart over years (or months); `highlight` = (first, last) shades those years.
    Over years, a year without data breaks the line instead of joining its neighbours."""
    hover = _hover(kind, lang)
    years = is_years(x)
    if years:
        x, series = _fill_years(list(x), series)
        labels = x
    else:
        labels = [str(v) for v in x]
    data = [dict(type="scatter", x=labels, y=_positions(values, kind), name=name,
                 mode="lines+markers", customdata=[hover(v) for v in values],
                 hovertemplate="%{x}<br>" + safe_label(name)
                 + ": %{customdata}<extra></extra>")
            for name, values in series.items()]
    return _figure(data, title, xaxis=year_axis(labels) if years else dict(type="category"),
                   yaxis=value_axis([v for s in series.values() for v in _positions(s, kind)],
                                    kind, lang),
                   showlegend=len(series) > 1,
                   shapes=_shade(labels, highlight) if years else [])


def _fill_years(years: list[int], series: dict[str, Sequence]) -> tuple[list, dict]:
    """Every year from the first to the last, None where a year has no data (a gap)."""
    full = list(range(min(years), max(years) + 1))
    out = {}
    for name, values in series.items():
        by_year = dict(zip(years, values))
        out[name] = [by_year.get(y) for y in full]
    return full, out


def scatter(x: Sequence, y: Sequence, names: Sequence[str], *, title: str, lang: str,
            x_title: str, y_title: str) -> go.Figure:
    """One labelled point per item (e.g. project: services against person-times)."""
    x, y = list(x), list(y)
    hover = [f"{safe_label(n)}<br>{safe_label(x_title)}: {fmt.value(a, fmt.COUNT, lang)}<br>"
             f"{safe_label(y_title)}: {fmt.value(b, fmt.COUNT, lang)}"
             for n, a, b in zip(names, x, y)]
    # Each point carries its name on the chart (a reader should not have to hover), placed
    # where it covers no other label or point; a name with no free place is in the tooltip.
    positions = label_positions(x, y, names)
    data = [dict(type="scatter", x=x, y=y, mode="markers+text",
                 text=[safe_label(n) if p else "" for n, p in zip(names, positions)],
                 textposition=[p or "top center" for p in positions],
                 textfont=dict(size=LABEL_SIZE, color="#4a4a4a"),
                 hovertext=hover, hoverinfo="text", cliponaxis=False,
                 marker=dict(size=11, color=PALETTE[0], opacity=0.8,
                             line=dict(width=1, color="white")))]
    return _figure(data, title, showlegend=False,
                   xaxis=dict(title=dict(text=safe_label(x_title)), showgrid=True,
                              gridcolor="#e8e8e8",
                              rangemode="tozero", **value_axis(x, "count", lang)),
                   yaxis=dict(title=dict(text=safe_label(y_title)), **value_axis(y, "count", lang)))


# Where a point's label may go, in order of preference: (plotly textposition, the label box's
# offset from the point in units of the box (dx, dy), with y upwards).
_PLACES = (("top center", -0.5, 0), ("bottom center", -0.5, -1), ("middle right", 0, -0.5),
           ("middle left", -1, -0.5), ("top right", 0, 0), ("top left", -1, 0),
           ("bottom right", 0, -1), ("bottom left", -1, -1))
_MARKER_PX = 7  # marker radius and the gap plotly leaves between a marker and its text


def _scale(values: Sequence, pixels: float):
    top = max([float(v) for v in values if v is not None] + [0]) * 1.05 or 1
    return lambda v: float(v or 0) / top * pixels


def _overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def label_positions(x: Sequence, y: Sequence, names: Sequence[str],
                    width: float = PLOT_WIDTH_PX, height: float = PLOT_HEIGHT_PX
                    ) -> list[str | None]:
    """A textposition per point such that no label covers another label or a point and each
    stays inside the plot, on the narrowest plot the dashboard draws (a label's pixel size is
    fixed, so what is apart there is apart on a wider plot); None where no place is free.
    Points are placed from the top right inwards: the few large points keep their labels
    above them, and the crowd near the origin spreads into the places left."""
    px, py = _scale(x, width), _scale(y, height)
    points = [(px(a), py(b)) for a, b in zip(x, y)]
    taken = [(cx - _MARKER_PX, cy - _MARKER_PX, cx + _MARKER_PX, cy + _MARKER_PX)
             for cx, cy in points]
    out: list[str | None] = [None] * len(points)
    order = sorted(range(len(points)), key=lambda i: -(points[i][0] + points[i][1]))
    for i in order:
        cx, cy = points[i]
        w = text_width(str(names[i]), LABEL_SIZE) + 2
        h = LABEL_SIZE * 1.3
        others = taken[:i] + taken[i + 1:]  # every marker but its own, and placed labels
        for place, dx, dy in _PLACES:
            gap_x = 0 if place.endswith("center") else (_MARKER_PX if dx == 0 else -_MARKER_PX)
            gap_y = 0 if place.startswith("middle") else (_MARKER_PX if dy == 0 else -_MARKER_PX)
            left, bottom = cx + gap_x + dx * w, cy + gap_y + dy * h
            box = (left, bottom, left + w, bottom + h)
            inside = box[0] >= 0 and box[2] <= width and box[1] >= -_MARKER_PX \
                and box[3] <= height + h
            if inside and not any(_overlaps(box, o) for o in others):
                out[i] = place
                taken.append(box)
                break
    return out


def donut(labels: Sequence[str], values: Sequence, *, title: str, lang: str,
          kind: str = "money", colors: Sequence[str] | None = None) -> go.Figure:
    """Shares of a whole (income by category for one year). The shares are computed here
    from the exact values and shown at the tables' precision (9.4%, not plotly's 9.38%)."""
    hover = _hover(kind, lang)
    values = list(values)
    total = sum((v for v in values if v), Decimal(0))
    shares = [fmt.share(Decimal(v) / total, lang) if total else fmt.DASH for v in values]
    # The whole tooltip is one text per slice: a pie flattens a 2-D customdata, so
    # %{customdata[0]} read "¥11,500.00,0.7%" and %{customdata[1]} "-" (issue 26).
    trace = dict(type="pie", labels=list(labels), values=_positions(values, kind), hole=0.5,
                 sort=False,
                 hovertext=[f"{safe_label(n)}: {hover(v)} ({s})"
                            for n, v, s in zip(labels, values, shares)],
                 text=shares, textinfo="text",
                 # Inside the ring only: plotly's default moves a thin slice's label outside,
                 # where it lands on the title on a phone. A label that does not fit at the
                 # minimum size is hidden; its share stays in the hover and the table beside.
                 textposition="inside", insidetextorientation="horizontal",
                 hovertemplate="%{hovertext}<extra></extra>")
    if colors:
        trace["marker"] = dict(colors=list(colors))
    return _figure([trace], title, uniformtext=dict(minsize=10, mode="hide"))


def highlight_years(fig: go.Figure, year_from: int | None, year_to: int | None) -> go.Figure:
    """Shade the selected years on an existing figure over a longer span of years."""
    if year_from is None or year_to is None:
        return fig
    shaded, shapes = set(), []
    for trace in fig.data:  # one shade per subplot, should a figure have several x axes
        axis = trace.xaxis or "x"
        if axis in shaded or trace.x is None:
            continue
        for shape in _shade([int(v) for v in trace.x], (year_from, year_to), axis):
            shape["yref"] = (trace.yaxis or "y") + " domain"
            shapes.append(shape)
            shaded.add(axis)
    # One layout update: add_shape per subplot re-validates the whole layout each time,
    # which took seconds on a growth page with many small multiples.
    fig.update_layout(shapes=[*fig.layout.shapes, *shapes])
    return fig


def _stack_totals(series: dict[str, Sequence]) -> list:
    columns = [list(s) for s in series.values()]
    if not columns:
        return []
    return [sum(v for v in point if v is not None) for point in zip(*columns)]
