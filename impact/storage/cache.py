"""One DuckDB-backed Database per data directory, with a result cache in front of it.

Results are keyed by query name, bound parameters and data version, so a repeated filter
combination costs a dictionary lookup and an import (which changes the version) is seen at
once. No Streamlit here: the benchmark and tests use the same class.
"""

from __future__ import annotations

import atexit
import sys
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa

from impact.storage.db import Database

MAX_RESULTS = 512  # aggregated results are small (a few hundred rows); this bounds memory
# ... but not all: at 10M rows one finance_by_org_funder answer (every organisation's every
# funder) took 11 MB as Python rows, and 512 results 55 MB, most of the server's growth under
# 30 sessions (issue 29). The cache also keeps its results within this many bytes (estimated),
# dropping the least recently used first; a result alone over it is still kept, until the next.
MAX_BYTES = 24 * 2**20
# A page's queries are independent; DuckDB releases the GIL and each query gets its own
# cursor, so running them side by side cuts a cold page by a fifth to a third on 2 cores.
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="impact-query")
# Shut the pool down before DuckDB's connections close (atexit runs in reverse order of
# registration; impact.storage.db registered its handler when imported above).
atexit.register(_POOL.shutdown, wait=True, cancel_futures=True)


def _size(rows: list[dict]) -> int:
    """An estimate of the bytes a result's Python rows hold (dicts of short values)."""
    if not rows:
        return 1024
    return sys.getsizeof(rows) + len(rows) * (sys.getsizeof(rows[0]) + 72 * len(rows[0]))


def _freeze(value):
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


class CachedDatabase:
    """A Database whose `run`/`rows` answers repeat queries from memory.

    Call `refresh()` once per page render: it picks up a new data version (an import) and
    returns it. Returned rows are shared between callers: read them, do not mutate them.
    """

    def __init__(self, db: Database, max_results: int = MAX_RESULTS,
                 max_bytes: int = MAX_BYTES):
        self.db = db
        self.data_dir = db.data_dir
        self.store = db.store
        self._results: OrderedDict[tuple, tuple[pa.Table, list[dict]]] = OrderedDict()
        self._sizes: dict[tuple, int] = {}
        self._bytes = 0
        self._max = max_results
        self._max_bytes = max_bytes
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
        size = table.nbytes + _size(entry[1])
        with self._lock:
            self.misses += 1
            if key in self._results:  # asked twice at once: keep one copy
                self._bytes -= self._sizes[key]
            self._results[key] = entry
            self._results.move_to_end(key)
            self._sizes[key] = size
            self._bytes += size
            while len(self._results) > 1 and (len(self._results) > self._max
                                              or self._bytes > self._max_bytes):
                old, _ = self._results.popitem(last=False)
                self._bytes -= self._sizes.pop(old)
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
            self._sizes.clear()
            self._bytes = 0


def cached(db) -> CachedDatabase:
    """`db` with a result cache: itself if it has one, else a cache for this one use (a page
    model asks some queries twice, e.g. the empty-state check and the summary)."""
    return db if isinstance(db, CachedDatabase) else CachedDatabase(db)
