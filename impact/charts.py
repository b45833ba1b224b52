"""Every chart of the dashboard, built in one place with one template.

The template fixes the palette, a font stack that renders Chinese on any OS, and number
formats. Builders take plain Python sequences (already aggregated in SQL: a few dozen points)
and return plotly Figures. Money arrives rounded to whole yuan (int) — charts are for
reading at a glance; the exact value is in the hover text, which callers pre-format.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import plotly.graph_objects as go
import plotly.io as pio

from impact import fmt
from impact.safetext import display_text

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


def color_of(code: str, codes: Sequence[str]) -> str:
    """The fixed colour of a category code (its place in the schema's list of codes)."""
    return PALETTE[list(codes).index(code) % len(PALETTE)] if code in codes else PALETTE[-1]


def whole_yuan(value) -> int:
    """Money rounded half-up to whole yuan, for plotting (stays an exact int, never a float)."""
    return int(Decimal(value or 0).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _hover(kind: str, lang: str):
    """The exact value of a point as text, for the tooltip."""
    if kind == "money":
        return lambda v: fmt.money(v, lang)
    if kind == "percent":
        return lambda v: fmt.percent(v, lang)
    return lambda v: fmt.number(v, lang)


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


def _figure(data: list[dict], title: str, **layout) -> go.Figure:
    """One Figure from plain specs, validated once: building through go.Figure's update
    methods costs ~4× more, and a page draws up to seven charts per filter change.
    Every text taken from data is escaped here (see `safe_label`)."""
    data = [_safe_trace(trace) for trace in data]
    layout = {"template": TEMPLATE, "title": {"text": safe_label(title)}, **layout}
    return go.Figure(data=data, layout=layout)


def _shade(categories: Sequence[str], highlight: tuple | None, axis: str = "x") -> list[dict]:
    """A band behind the selected years (`highlight` = (first, last)) on a year axis."""
    if not highlight or highlight[0] is None or highlight[1] is None:
        return []
    inside = [i for i, v in enumerate(categories) if highlight[0] <= int(v) <= highlight[1]]
    if not inside:
        return []
    # Category positions are indexes; ±0.5 covers the whole bar or point.
    return [dict(type="rect", x0=inside[0] - 0.5, x1=inside[-1] + 0.5, y0=0, y1=1, xref=axis,
                 yref="y domain", fillcolor=PALETTE[0], opacity=0.10, line_width=0,
                 layer="below")]


def bars(x: Sequence, series: dict[str, Sequence], *, title: str, lang: str,
         kind: str = "count", stacked: bool = False, horizontal: bool = False,
         category_x: bool = True, colors: dict[str, str] | None = None,
         highlight: tuple | None = None) -> go.Figure:
    """Bar chart of one or more series over categories (years, projects, months …).
    `colors` pins a colour per series name (a category keeps its colour across charts);
    `highlight` = (first, last) shades the selected years on a year axis."""
    hover = _hover(kind, lang)
    labels = [str(v) for v in x] if category_x or horizontal else list(x)
    data = []
    for name, values in series.items():
        values = list(values)
        trace = dict(type="bar", name=name, customdata=[hover(v) for v in values])
        if colors and name in colors:
            trace["marker"] = dict(color=colors[name])
        if horizontal:
            trace.update(y=labels, x=values, orientation="h",
                         hovertemplate="%{y}<br>" + safe_label(name)
                         + ": %{customdata}<extra></extra>")
        else:
            trace.update(x=labels, y=values,
                         hovertemplate="%{x}<br>" + safe_label(name)
                         + ": %{customdata}<extra></extra>")
        data.append(trace)
    totals = _stack_totals(series) if stacked else [v for s in series.values() for v in s]
    axis = value_axis(totals, kind, lang)
    layout = dict(barmode="stack" if stacked else "group", showlegend=len(series) > 1)
    if horizontal:
        layout.update(xaxis=axis, height=max(HEIGHT, 60 + 28 * len(labels)),
                      yaxis=dict(type="category", autorange="reversed", showgrid=False))
    else:
        layout.update(yaxis=axis, xaxis=dict(type="category") if category_x else {},
                      shapes=_shade(labels, highlight) if category_x else [])
    return _figure(data, title, **layout)


def lines(x: Sequence, series: dict[str, Sequence], *, title: str, lang: str,
          kind: str = "count", highlight: tuple | None = None) -> go.Figure:
    """Line chart over years (or months); `highlight` = (first, last) shades those years."""
    hover = _hover(kind, lang)
    labels = [str(v) for v in x]
    data = [dict(type="scatter", x=labels, y=list(values), name=name, mode="lines+markers",
                 customdata=[hover(v) for v in values],
                 hovertemplate="%{x}<br>" + safe_label(name)
                 + ": %{customdata}<extra></extra>")
            for name, values in series.items()]
    return _figure(data, title, xaxis=dict(type="category"),
                   yaxis=value_axis([v for s in series.values() for v in s], kind, lang),
                   showlegend=len(series) > 1, shapes=_shade(labels, highlight))


def scatter(x: Sequence, y: Sequence, names: Sequence[str], *, title: str, lang: str,
            x_title: str, y_title: str) -> go.Figure:
    """One labelled point per item (e.g. project: services against person-times)."""
    x, y = list(x), list(y)
    text = [f"{safe_label(n)}<br>{safe_label(x_title)}: {fmt.number(a, lang)}<br>"
            f"{safe_label(y_title)}: {fmt.number(b, lang)}"
            for n, a, b in zip(names, x, y)]
    data = [dict(type="scatter", x=x, y=y, mode="markers", text=text, hoverinfo="text",
                 marker=dict(size=11, color=PALETTE[0], opacity=0.8,
                             line=dict(width=1, color="white")))]
    return _figure(data, title, showlegend=False,
                   xaxis=dict(title=dict(text=safe_label(x_title)), showgrid=True,
                              gridcolor="#e8e8e8",
                              rangemode="tozero", **value_axis(x, "count", lang)),
                   yaxis=dict(title=dict(text=safe_label(y_title)), **value_axis(y, "count", lang)))


def donut(labels: Sequence[str], values: Sequence, *, title: str, lang: str,
          kind: str = "money", colors: Sequence[str] | None = None) -> go.Figure:
    """Shares of a whole (income by category for one year)."""
    hover = _hover(kind, lang)
    trace = dict(type="pie", labels=list(labels), values=list(values), hole=0.5, sort=False,
                 customdata=[hover(v) for v in values], textinfo="percent",
                 hovertemplate="%{label}: %{customdata} (%{percent})<extra></extra>")
    if colors:
        trace["marker"] = dict(colors=list(colors))
    return _figure([trace], title)


def highlight_years(fig: go.Figure, year_from: int | None, year_to: int | None) -> go.Figure:
    """Shade the selected years on an existing figure over a longer span of years."""
    if year_from is None or year_to is None:
        return fig
    shaded, shapes = set(), []
    for trace in fig.data:  # one shade per subplot, should a figure have several x axes
        axis = trace.xaxis or "x"
        if axis in shaded or trace.x is None:
            continue
        for shape in _shade([str(v) for v in trace.x], (year_from, year_to), axis):
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
