"""A data directory opened read-only (public mode): every write is refused before it starts.

Public mode hides the import page, but hiding is not enough: the process itself must not be
able to change the data, whoever asks. `ReadOnlyStore` is a DataStore whose every writing
method raises ReadOnlyError, so an import, a compaction or a rollup rebuild reached by any
path (a page, a callback, a stale session) fails without touching a file.
"""

from __future__ import annotations

from impact.errors import ImpactError
from impact.storage.store import DataStore


class ReadOnlyError(ImpactError, PermissionError):
    """A write to a data directory opened read-only (a PermissionError, so callers that
    report OSErrors as "could not write" report this one the same way)."""


_WRITERS = ("commit", "_write_atomic", "_write_file", "_clear_history",
            "_write_chunk", "_publish", "_collect_garbage")


class ReadOnlyStore(DataStore):
    """DataStore for reading only."""

    read_only = True

    def _refuse(self, *args, **kwargs):
        raise ReadOnlyError(f"{self.root}: the data is open read-only (public mode); "
                            "nothing was written")


for _name in _WRITERS:
    setattr(ReadOnlyStore, _name, ReadOnlyStore._refuse)


def read_only(store: DataStore) -> ReadOnlyStore:
    """The same data directory, read-only."""
    ro = ReadOnlyStore.__new__(ReadOnlyStore)
    ro.__dict__.update(store.__dict__)
    return ro
