"""The error raised when a file as a whole cannot be read (shared by the format readers)."""

from __future__ import annotations

from impact.errors import ImpactError


class FileProblem(ImpactError):
    """The file as a whole cannot be read: wrong format, encoding, sheet, or no data.

    `code` names the message (`data.file.<code>` in impact/locales); `params` fill it in.
    """

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(code)
