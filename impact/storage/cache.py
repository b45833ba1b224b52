"""One DuckDB-backed Database per data directory, with a result cache in front of it.

Results are keyed by query name, bound parameters and data version, so a repeated filter
combination costs a dictionary lookup and an import (which changes the version) is seen at
once. No Streamlit here: the benchmark and tests use the same class.
"""

from __future__ import annotations

import atexit
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa

from impact.storage.db import Database

MAX_RESULTS = 512  # aggregated results are small (a few hundred rows); this bounds memory
# A page's queries are independent; DuckDB releases the GIL and each query gets its own
# cursor, so running them side by side cuts a cold page by a fifth to a third on 2 cores.
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="impact-query")
# Shut the pool down before DuckDB's connections close (atexit runs in reverse order of
# registration; impact.storage.db registered its handler when imported above).
atexit.register(_POOL.shutdown, wait=True, cancel_futures=True)


def _freeze(value):
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


class CachedDatabase:
    """A Database whose `run`/`rows` answers repeat queries from memory.

    Call `refresh()` once per page render: it picks up a new data version (an import) and
    returns it. Returned rows are shared between callers: read them, do not mutate them.
    """

    def __init__(self, db: Database, max_results: int = MAX_RESULTS):
        self.db = db
        self.data_dir = db.data_dir
        self.store = db.store
        self._results: OrderedDict[tuple, tuple[pa.Table, list[dict]]] = OrderedDict()
        self._max = max_results
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def version(self) -> str:
        return self.db.version

    def refresh(self) -> str:
        """Rebuild views if the data changed; the returned version keys the cache."""
        return self.db.refresh()

    def _key(self, name: str, params: dict) -> tuple:
        return (name, self.db.version, tuple(sorted((k, _freeze(v)) for k, v in params.items())))

    def _get(self, name: str, params: dict) -> tuple[pa.Table, list[dict]]:
        key = self._key(name, params)
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                self.hits += 1
                return self._results[key]
        table = self.db.run(name, **params)
        entry = (table, table.to_pylist())
        with self._lock:
            self.misses += 1
            self._results[key] = entry
            while len(self._results) > self._max:
                self._results.popitem(last=False)
        return entry

    def run(self, name: str, **params) -> pa.Table:
        """Like Database.run, cached."""
        return self._get(name, params)[0]

    def rows(self, name: str, **params) -> list[dict]:
        """Like Database.rows, cached (do not mutate the result)."""
        return self._get(name, params)[1]

    def prefetch(self, calls: list[tuple[str, dict]]) -> None:
        """Run the not yet cached queries among `calls` ((name, params) pairs) concurrently,
        so the page that reads them next finds them in the cache."""
        with self._lock:
            todo = list({self._key(n, p): (n, p) for n, p in calls
                         if self._key(n, p) not in self._results}.values())
        if len(todo) > 1:
            list(_POOL.map(lambda call: self._get(*call), todo))

    def clear(self) -> None:
        with self._lock:
            self._results.clear()


def cached(db) -> CachedDatabase:
    """`db` with a result cache: itself if it has one, else a cache for this one use (a page
    model asks some queries twice, e.g. the empty-state check and the summary)."""
    return db if isinstance(db, CachedDatabase) else CachedDatabase(db)
