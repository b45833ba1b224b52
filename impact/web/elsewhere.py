"""The Data page's heavy checks in a short-lived child process (issue 29).

The data checks read every detail record (duplicates, outliers, gaps) and every data file
(integrity). In the server process their working memory stayed after them (DuckDB's and
Arrow's allocators keep what they used): 1.2 GB at 10M rows, then 424 MB with the checks
bounded. In a child process it goes back to the system when the child ends, and the
server's memory stays at what the everyday pages need. The answers (≤ 200 rows a table)
come back pickled, and the page caches them per data version and selection.

    python -m impact.web.elsewhere   (reads a pickled (function name, args) on stdin)
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

from impact.config import PROJECT_ROOT
from impact.errors import DataError

# What a child may run: the functions of this module below, by name.
_ALLOWED = ("quality",)


def run(name: str, *args, timeout: float = 3600):
    """`name`(*args) of this module, in a child process; its answer (or its DataError)."""
    if name not in _ALLOWED:
        raise ValueError(f"not a check to run elsewhere: {name}")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT) + os.pathsep
           + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-m", "impact.web.elsewhere"],
                          input=pickle.dumps((name, args)), capture_output=True,
                          timeout=timeout, env=env, cwd=PROJECT_ROOT)
    if proc.returncode != 0:
        last = (proc.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
        raise DataError(f"the data checks failed in their process ({last})")
    ok, value = pickle.loads(proc.stdout)  # our own child's answer, never outside input
    if not ok:
        raise DataError(value)
    return value


def quality(data_dir: str, filters, lang: str):
    """The quality panel's model (impact.views.data_quality) on a Database of its own, with
    the data checks' DuckDB memory limit (impact.storage.db.CHECKS_MEMORY)."""
    from impact.storage.db import CHECKS_MEMORY, Database
    from impact.views.data_quality import data_quality

    # held_rows=0: a one-off process reads each table once; copying it to memory first
    # would only add time and memory under the checks' small limit.
    db = Database(data_dir, memory_limit=os.environ.get("IMPACT_DUCKDB_CHECKS_MEMORY",
                                                        CHECKS_MEMORY), held_rows=0)
    try:
        return data_quality(db, filters, lang)
    finally:
        db.close()


def _child() -> int:
    name, args = pickle.loads(sys.stdin.buffer.read())  # from our own parent (run above)
    from impact.web import elsewhere as named  # pickled under the module's own name

    if name not in _ALLOWED:
        return 2
    try:
        answer = (True, getattr(named, name)(*args))
    except DataError as exc:
        answer = (False, str(exc))
    sys.stdout.buffer.write(pickle.dumps(answer))
    return 0


if __name__ == "__main__":
    code = _child()
    # The answer is out: leave without the interpreter's teardown, where a library's thread
    # still running can abort the process ("terminate called without an active exception"),
    # which the parent would take for failed checks (impact.storage.integrity does the same).
    sys.stdout.buffer.flush()
    os._exit(code)
