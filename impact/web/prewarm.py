"""Pre-warm the views every new session opens, once per data version, in the background.

A new session opens on every organisation and the latest year. Its queries are the same for
everyone, so the server's shared result cache (impact.storage.cache) can answer them for all but
the first visitor after a start or an import. This module lets that first visitor not pay for
the *other* everyday pages either: the first run that sees a data version starts one
background thread that builds the sidebar's option index and every everyday page model for
the default selection (queries are language-neutral, so one language warms both; the
models themselves are discarded), and then the Data page's check index if the version has
none (in a child process). It never blocks a run and never raises into one.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading

from impact.filters import Filters

# (views module, page-model function): the everyday pages, landing page first.
EVERYDAY = (("overview", "overview"), ("beneficiaries", "beneficiaries"),
            ("volunteers", "volunteers"), ("finance", "finance"), ("growth", "growth"))

_LOCK = threading.Lock()
_STARTED: set[tuple[str, str]] = set()  # (data dir, version) already warmed or warming
_LOG = logging.getLogger(__name__)


def default_filters(db) -> Filters | None:
    """What a new session opens on (impact.web.context seeds the same)."""
    from impact.web.options import OptionIndex
    first, last = OptionIndex.for_db(db).span(())
    return None if last is None else Filters(year_from=last, year_to=last)


def warm(db, lang: str = "zh") -> int:
    """Build every everyday page model for the default selection; returns how many ran."""
    filters = default_filters(db)
    if filters is None:
        return 0
    done = 0
    for module_name, fn_name in EVERYDAY:
        try:
            fn = getattr(importlib.import_module(f"impact.views.{module_name}"), fn_name)
            fn(db, filters, lang)
            done += 1
        except Exception:  # a warm-up must never break the app; the page will say why
            _LOG.warning("pre-warming %s failed", module_name, exc_info=True)
    return done


def build_check_index(db, lang: str = "zh") -> bool:
    """The Data page's check index of this data version (impact.storage.check_index), made in
    the child process that reads every record, unless it exists: a staff member who imports
    a file and then opens the data checks finds any selection answered at once. Whether a
    child was started."""
    from impact.storage import check_index
    from impact.web import elsewhere

    if not check_index.supported(db) or check_index.ready(db):
        return False
    try:
        elsewhere.run("quality", str(db.data_dir), Filters(), lang)
    except Exception:  # the Data page will run the checks itself, and say what is wrong
        _LOG.warning("building the check index failed", exc_info=True)
    return True


def _warm_all(db) -> None:
    warm(db)
    build_check_index(db)  # last: the pages' first visitors come first


def ensure(db, version: str) -> threading.Thread | None:
    """Start warming `db` at `version` in the background, unless already done or under way.
    IMPACT_PREWARM=0 turns it off (the test suite does: its many short-lived apps would each
    start a warm-up competing with the run under test)."""
    if os.environ.get("IMPACT_PREWARM", "1") == "0":
        return None
    key = (str(db.data_dir), version)
    with _LOCK:
        if key in _STARTED:
            return None
        _STARTED.add(key)
    thread = threading.Thread(target=_warm_all, args=(db,), name="impact-prewarm", daemon=True)
    thread.start()
    return thread
