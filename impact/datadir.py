"""The guard every writer passes: the bundled demo data is never written into.

It sits below both the storage layer and the importer (it imports neither); making a data
directory and telling demo data from a user's is `impact.storage.directory`.

The bundled demo data (`data/` beside dashboard.py) is shown under a "demo data, do not cite"
banner and is byte-compared by the tests, so nobody's real records may go into it.
"""

from __future__ import annotations

from pathlib import Path

from impact.config import DEFAULT_DATA_DIR, resolve_data_dir
from impact.errors import UsageError

OWN_SOURCE = "own"  # manifest meta "source" of a directory made by `impact init`
IMPORT_LOG = "import_log.jsonl"  # one line per import, beside the manifest


def is_bundled_demo(data_dir: str | Path) -> bool:
    """Whether `data_dir` is the demo dataset that ships with the code."""
    resolved = resolve_data_dir(str(data_dir))
    return "://" not in resolved and Path(resolved) == DEFAULT_DATA_DIR.resolve()


def refuse_bundled_demo(data_dir: str | Path) -> None:
    """Refuse to write a user's records into the bundled demo data, saying what to do instead."""
    if is_bundled_demo(data_dir):
        raise UsageError(
            f"{resolve_data_dir(str(data_dir))} is the bundled demo data, which imports never "
            "change: make a data directory of your own with `impact init DIR`, then import "
            "with `--data-dir DIR` (and start the dashboard with "
            "`streamlit run dashboard.py -- --data-dir DIR`)")
