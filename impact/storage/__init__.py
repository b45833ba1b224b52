"""The on-disk layer: Parquet files under a manifest, committed atomically, read by DuckDB.

A commit never changes a file in place. It writes every new data file under its content
hash (temporary name, fsync, rename), then swaps `manifest.json` the same way; readers list
files only from the manifest, so they see the previous version or the next, never a mix:

    writer:  lock ─► read manifest vN ─► write part-<sha>.parquet … ─► write history/vN+1.json
             ─► re-read manifest: still vN? (compare-and-swap, else "try again") ─► rename
             manifest.json = vN+1 (checksummed) ─► unlock ─► retire files no kept version needs
    reader:  read manifest (check its shape + checksum) ─► sha256 each data file once
             ─► DuckDB views over exactly those files

Modules: `schema` (tables, defined once), `files` (rows → sorted Parquet bytes, atomic
writes), `manifest` (the manifest's shape, checksum and paths), `store` (DataStore: read the
manifest, commit tables), `compaction` (append, compact, rollups; built on store),
`versions` (history, diff, undo/restore, retention, gc), `rollup` (monthly sums), `integrity`
(`impact verify`), `mirror` (local copies of s3:// files), `db` (the query runner) and
`cache` (its result cache, keyed by data version).
"""
