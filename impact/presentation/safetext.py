"""Text from data made safe where it leaves the app: spreadsheet cells and screen display.

Names (organisation, project, funder, area) come from imported files, so they may hold
anything. Two places can turn such text into behaviour:

- A spreadsheet reads a cell starting with = + - @ (or a tab / CR before one) as a formula:
  a funder named `=HYPERLINK("http://…"&A1,"click")` would become a live link in Excel.
  `spreadsheet_cell` is the one function every CSV and XLSX export passes text through.
- Bidirectional controls (U+202E …) reorder what a reader sees ("\u202etxt.exe" shows as
  "exe.txt"), and C0 controls (NUL …) break renderers. `display_text` neutralises both for
  display; the importer refuses them at the door, this is the second line for older data.
"""

from __future__ import annotations

import re
from decimal import Decimal

# Characters a spreadsheet treats as the start of a formula (OWASP CSV injection list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")

# Bidi embedding/override/isolate controls and marks: shown as a visible placeholder.
BIDI_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
# C0 but tab and newline, DEL, and C1 (U+009B is a one-character CSI, as ESC [ is): a
# terminal obeys ESC sequences (clear the screen, retitle the window, fake a prompt), and a
# renderer may drop or mangle any of them.
_C0 = {chr(c) for c in range(0x20)} - {"\t", "\n"} | {chr(c) for c in range(0x7f, 0xa0)}
_DISPLAY_BAD = re.compile("[" + re.escape("".join(sorted(BIDI_CONTROLS | _C0))) + "]")
REPLACEMENT = "\ufffd"  # � — the reader sees that something was there


def spreadsheet_cell(value):
    """A value as it may safely go into a CSV or XLSX cell.

    Numbers (int, Decimal, float) pass unchanged, so they stay numbers; text starting with a
    formula character gets a leading apostrophe, which Excel, LibreOffice and Google Sheets
    read as "this is text" (and hide). A plain negative number written as text ("-3") is
    left alone: it is data, not a formula.
    """
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return value
    text = str(value)
    if text and text[0] in FORMULA_START and not _NUMBER.match(text):
        return "'" + text
    return text


def spreadsheet_text(value) -> str:
    """`spreadsheet_cell` for a CSV field: always text ('' for None)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(spreadsheet_cell(value))


def display_text(value) -> str:
    """Text for the screen: bidi and C0 controls replaced by �, so they cannot reorder or
    hide what follows them."""
    return _DISPLAY_BAD.sub(REPLACEMENT, str(value))


def terminal_text(value) -> str:
    """Text for a terminal (the CLI's tables, history lines and error messages): the same rule
    as the screen and the HTML report, so a stored name holding ESC [2J or U+202E prints as
    � rather than acting. Tab and newline pass: the CLI's own layout uses them."""
    return display_text(value)


def has_display_controls(value) -> bool:
    return bool(_DISPLAY_BAD.search(str(value)))


# -- Markdown: every Streamlit text element renders Markdown --------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


class Markdown(str):
    """Markdown the app wrote itself (a locale text, or one whose data parts were passed
    through `markdown_text`): renderers show its markup. Any other `str` is text that may
    carry data (a name, a file name, an error naming a value) and is shown as typed.

    Text is plain by default, so a notice built with `t(key, funder=name)` cannot become a
    link even when its author forgets to escape: only this marker opts into markup."""

    __slots__ = ()


def markdown_text(value) -> str:
    """Text that shows as typed when rendered as Markdown: every Markdown character
    escaped (`.` too, so a bare URL is not auto-linked; `[` too, so no :color[…]);
    bidi and C0 controls shown as �."""
    return _MD_SPECIAL.sub(r"\\\1", display_text(value))


def as_markdown(value) -> str:
    """What a Markdown renderer is given: a `Markdown` as is, any other text escaped."""
    if isinstance(value, Markdown):
        return str(value)
    return markdown_text("" if value is None else value)
