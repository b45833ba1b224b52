"""Errors a user can meet. Each carries one clear line: which file, row, column, value and why."""


class ImpactError(Exception):
    """Base of every error we show to a user as one line instead of a traceback."""


class DataError(ImpactError):
    """A data file is missing columns, unreadable or corrupt."""


class UsageError(ImpactError):
    """The user asked for something that cannot be done as asked (bad flag value, bad path)."""


class ClosedPeriod(DataError):
    """A change would touch a closed organisation-year (已关账). `periods` are the
    "org year" texts, `rows` the records named (for a message in the page's language)."""

    def __init__(self, message: str, periods: list[str], rows: list[str] | None = None):
        super().__init__(message)
        self.periods = periods
        self.rows = rows or []


class SelectionError(ImpactError):
    """A name or place the user gave that the data does not hold (an organisation, a project,
    a data directory): exit 1, with close matches suggested, never a page of zeros."""
