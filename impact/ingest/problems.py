"""What the importer refuses: a file as a whole (FileProblem) or one cell or row (RowError)."""

from __future__ import annotations

from dataclasses import dataclass, field

from impact.errors import ImpactError

# ParsedRow.extra key: the row left 限定性 empty, so its grant decides (impact.ingest.grants)
RESTRICTED_DEFAULTED = "restricted_defaulted"


class FileProblem(ImpactError):
    """The file as a whole cannot be read: wrong format, encoding, sheet, or no data.

    `code` names the message (`data.file.<code>` in impact/locales); `params` fill it in.
    """

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(code)


@dataclass(frozen=True)
class RowError:
    """One refused cell (or row, when `column` is empty)."""

    row: int
    column: str  # the header as written in the file
    field: str  # the schema column it maps to
    value: str
    code: str
    params: dict = field(default_factory=dict, hash=False, compare=False)
