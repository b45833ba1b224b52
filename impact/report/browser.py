"""The headless Chromium the report needs for chart images and PDF, and what to say without it.

Both come from Debian packages (`chromium`, `fonts-noto-cjk`); when one is missing the user
gets one line naming the package, not a browser's stack trace.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable
from pathlib import Path

import psutil

from impact.errors import ImpactError

# Overridable so a deployment can point at another build (and tests at a missing one).
CHROMIUM = os.environ.get("IMPACT_CHROMIUM", "/usr/bin/chromium")
CJK_FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")
CJK_FONT_GLOB = "NotoSansCJK*"

# No GPU, no sandbox (containers), and nothing that phones home: the report builds offline.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run")


class MissingDependency(ImpactError):
    """A system package the report needs is not installed."""


def chromium_path() -> str:
    """The Chromium executable, or a one-line error naming the Debian package."""
    path = Path(CHROMIUM)
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise MissingDependency(f"chart images and PDF need Chromium, not found at {path}: "
                                "install the Debian package `chromium` (apt-get install chromium)")
    return str(path)


def cjk_font() -> Path:
    """A Noto Sans CJK font file, or a one-line error naming the Debian package."""
    for folder in CJK_FONT_DIRS:
        found = sorted(Path(folder).glob(CJK_FONT_GLOB)) if Path(folder).is_dir() else []
        if found:
            return found[0]
    raise MissingDependency("Chinese text needs the Noto CJK fonts, not found in "
                            f"{' or '.join(CJK_FONT_DIRS)}: install the Debian package "
                            "`fonts-noto-cjk` (apt-get install fonts-noto-cjk)")


_stoppers: list[Callable[[], None]] = []
_stoppers_lock = threading.Lock()


def on_shutdown(stop: Callable[[], None]) -> None:
    """Have `shutdown()` (and interpreter exit) call `stop`, which closes one browser."""
    with _stoppers_lock:
        if not _stoppers:
            atexit.register(shutdown)
        if stop not in _stoppers:
            _stoppers.append(stop)


def shutdown() -> None:
    """Close the browsers and wait until their processes are gone.

    Waiting matters: kaleido's Chromium profile lives in a temporary folder that Python
    deletes at exit; deleted while Chromium's helpers still write to it, the deletion fails
    with a traceback on the user's terminal.
    """
    with _stoppers_lock:
        stoppers, _stoppers[:] = list(_stoppers), []
    if not stoppers:
        return
    helpers = psutil.Process().children(recursive=True)
    for stop in reversed(stoppers):
        try:
            stop()
        except Exception:  # noqa: BLE001 - closing down: a browser already gone is fine
            pass
    psutil.wait_procs(helpers, timeout=5)
