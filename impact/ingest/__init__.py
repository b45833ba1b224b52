"""Bring your own data: import CSV and Excel files into the data directory.

    check = check_file(name, payload, "activities", store)          # dry run: read + validate
    check, entry = import_payload(name, payload, "activities", store) # all-or-nothing commit

Modules: reading (which format, header row), csvfile (encodings, quotes), workbook (.xlsx,
.xls, .ods, the decompression guard), problems (file-level errors), headers (aliases),
values (cells), rows (row checks), keys (record identity), check (the dry run), write
(commit, lock, log, rejects, error list), messages (text for users), template (downloadable
blank sheets). See docs/import.md.
"""

from impact.ingest.check import ImportCheck, check_file
from impact.ingest.reading import FileProblem
from impact.ingest.write import (commit_checked, errors_csv, import_payload, read_log,
                                 read_log_checked, rejects_csv)

__all__ = ["ImportCheck", "FileProblem", "check_file", "import_payload", "commit_checked",
           "read_log", "read_log_checked", "rejects_csv", "errors_csv"]
