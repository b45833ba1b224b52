"""Static chart images (SVG) through kaleido and Debian's Chromium.

Kaleido's browser is started once per process and reused for every chart (starting it
costs ~2 s, a chart ~0.15 s). MathJax is switched off and plotly.js is read from the
installed plotly package, so export makes no network request.
"""

from __future__ import annotations

import threading

import plotly.graph_objects as go

from impact.errors import ImpactError
from impact.report.browser import chromium_path, on_shutdown

_lock = threading.Lock()  # one export at a time: the sync server is one browser tab
_started = False


def _ensure_server() -> None:
    """Start kaleido's browser on first use; later calls reuse it."""
    global _started
    if _started:
        return
    import kaleido

    # choreographer already runs Chromium headless, without sandbox or GPU.
    kaleido.start_sync_server(n=1, mathjax=False, path=chromium_path(), silence_warnings=True)
    on_shutdown(_stop_server)
    _started = True


def _stop_server() -> None:
    global _started
    import kaleido

    with _lock:
        if _started:
            kaleido.stop_sync_server(silence_warnings=True)
            _started = False


def svg(fig: go.Figure, width: int, height: int) -> str:
    """The figure as an SVG document (text stays text: searchable and sharp when printed)."""
    import kaleido

    with _lock:
        _ensure_server()
        try:
            data = kaleido.calc_fig_sync(fig, opts={"format": "svg", "width": width,
                                                    "height": height})
        except Exception as exc:  # kaleido wraps browser failures in many types
            raise ImpactError(f"chart export failed in Chromium ({_first_line(exc)})") from None
    return data.decode("utf-8")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
