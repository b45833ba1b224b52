"""Parse one cell into a typed value, or say exactly why it cannot be.

Cells come from CSV (always text) or from Excel (text, int, float, datetime). Money is parsed
into Decimal from its text — never through float — and Excel's float cells are read back via
their shortest repr, which is the number Excel shows (1234.56, not 1234.5599999).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from decimal import Context, Decimal

from impact.presentation.i18n import t
from impact.storage.schema import (EXPENSE_LINES, INCOME_LINES, LEGACY_CATEGORIES,
                                   SOURCE_TYPES)

EARLIEST_YEAR = 1950  # no NGO record in this field predates it; an earlier year is a typo
MAX_TEXT = 200  # a name longer than this is a pasted paragraph, not a name


class CellError(ValueError):
    """Why a cell was refused: a code (for the message catalogue) and its parameters."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


class Uncalculated(str):
    """An Excel formula cell that holds no computed value (saved by a program that does not
    calculate, such as a script): its text is the formula, shown in the error message."""


class Month(date):
    """A month without a day (2023年3月, 2023-03, an Excel date cell formatted as a month),
    held as its first day: a monthly report's row is that month's total, not a day's."""


def clean_text(value) -> str:
    """The cell as stripped text ('' for empty); Excel numbers keep their shortest form and
    Excel dates read as the day (and time) Excel shows."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value).removesuffix(".0") if value.is_integer() else repr(value)
    if isinstance(value, Month):
        return f"{value.year}-{value.month:02d}"
    if isinstance(value, datetime):
        midnight = value.time() == datetime.min.time()
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):  # a date cell holding Excel's day 0 (plus a time of day)
        day = EXCEL_DAY_ZERO.isoformat()
        return day if value == time() else f"{day} {value.isoformat()}"
    text = str(value)
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    text = text.strip()
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


# Zero-width space / non-joiner / joiner, word joiner and BOM: invisible, so "协作者\u200b"
# looks like "协作者" yet would be a second organisation. Removed from every cell (as the
# non-NFC forms of the same name are composed) so identical-looking names are one name.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


# Excel's serial day 0: a date cell holding 0 (an empty formula result, a typed 0) reads as
# this day, or as a bare time of day.
EXCEL_DAY_ZERO = date(1899, 12, 30)

# Invisible characters that reorder how text is displayed ("\u202etxt.exe" shows as
# "exe.txt"): a name holding one can pose as another.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")


def control_char(text: str) -> str | None:
    """The first control character (C0 but tab and line breaks, DEL, C1) or bidi control."""
    for char in text:
        code = ord(char)
        if char in "\t\n\r":
            continue
        if code < 0x20 or 0x7F <= code <= 0x9F or char in BIDI_CONTROLS:
            return char
    return None


def parse_text(value) -> str | None:
    raw = clean_text(value)
    bad = control_char(raw)
    if bad is not None:
        code = "bidi_char" if bad in BIDI_CONTROLS else "control_char"
        raise CellError(code, char=f"U+{ord(bad):04X}")
    text = " ".join(raw.split())  # line breaks inside a cell (Alt+Enter) become spaces
    if len(text) > MAX_TEXT:
        raise CellError("text_too_long", limit=MAX_TEXT)
    return text or None


# A time of day after the date is allowed, and dropped: 2021-03-05 13:45 is that day.
_TIME_OF_DAY = re.compile(r"(?:[ T]|(?<=日))\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


_MONTH_FORMS = (
    re.compile(r"^(\d{4})年(\d{1,2})月份?$"),
    re.compile(r"^(\d{4})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})$"),
)


def parse_month(value) -> Month | None:
    """The month a cell names without a day (2023年3月, 2023-03, 2023/3, a month-formatted
    Excel cell), or None when it is not a month-only form."""
    if isinstance(value, Month):
        return value
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
    match = next((m for m in (f.match(text) for f in _MONTH_FORMS) if m), None)
    if match is None:
        return None
    year, month = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        raise CellError("impossible_date")
    return Month(year, month, 1)


def parse_date(value, today: date, *, months: bool = False) -> date:
    """A day from an Excel date cell or 2020-03-05, 2020/3/5, 2020.3.5, 2020年3月5日; a time
    of day after it (2021-03-05 13:45, or a date-and-time cell) is that day. With `months`,
    a month without a day (2023年3月, 2023-03, a month-formatted cell) is a `Month` (its first
    day); without, it is refused as needing the day."""
    month = parse_month(value)
    if month is not None:
        if not months:
            raise CellError("month_only")
        day = month
    elif isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, time):
        day = EXCEL_DAY_ZERO
    elif isinstance(value, (int, float)):
        raise CellError("date_is_number")
    else:
        text = unicodedata.normalize("NFKC", clean_text(value))
        text = _TIME_OF_DAY.sub("", text).replace(" ", "")
        match = next((m for m in (f.match(text) for f in _DATE_FORMS) if m), None)
        if match is None:
            raise CellError("bad_date")
        year, month_number, dom = (int(g) for g in match.groups())
        try:
            day = date(year, month_number, dom)
        except ValueError:
            raise CellError("impossible_date") from None
    if day > today:
        raise CellError("future_date", today=today.isoformat())
    if day.year < EARLIEST_YEAR:
        raise CellError("too_old", earliest=EARLIEST_YEAR)
    return day


# Digits a number may be written with: ASCII and full-width (an IME's ０-９). Superscripts,
# circled or Arabic-Indic digits are refused: Python would read "²³" as 23.
_DIGITS = frozenset("0123456789") | frozenset(chr(0xFF10 + i) for i in range(10))
_SEPARATORS = re.compile(r"[\s\u00a0\u202f]")  # a space may group thousands, like a comma
_PLAIN = re.compile(r"^[+-]?(\d+|\d{1,3}(?:,\d{3})+)(\.\d+)?$")
_SCIENTIFIC = re.compile(r"^[+-]?[\d,]*\.?\d*[eE][+-]?\d+$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})*,\d+$")
_CURRENCY = re.compile(r"^(?:rmb|cny)?\s*¥?\s*(.*?)\s*(?:元|rmb|cny)?$", re.IGNORECASE)


_EXCEL_DIGITS = Context(prec=15)


def _number_text(value) -> str:
    """The cell as the text of a number: full-width forms made ASCII, spaces around dropped."""
    if isinstance(value, (bool, datetime, date, time)):
        raise CellError("not_a_number")
    if isinstance(value, float):  # Excel's float, as Excel shows it (never 1e+20)
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError("not_a_number")
        # Excel keeps and shows 15 significant digits: a cached formula result such as
        # 0.1 + 0.2 = 0.30000000000000004 is the 0.3 the sheet shows, not a third decimal.
        return format(_EXCEL_DIGITS.create_decimal(repr(value)).normalize(), "f")
    text = clean_text(value)
    for char in text:
        if unicodedata.category(char) in ("Nd", "No", "Nl") and char not in _DIGITS:
            raise CellError("odd_digit", char=char)
    return unicodedata.normalize("NFKC", text).strip()


def _plain_number(text: str) -> Decimal:
    """A plain decimal number; commas only between thousands, no exponent."""
    text = _SEPARATORS.sub(",", text.strip())
    if _SCIENTIFIC.match(text) and any(c.isdigit() for c in text):
        raise CellError("scientific")
    if _PLAIN.match(text):
        return Decimal(text.replace(",", ""))
    if _DECIMAL_COMMA.match(text) and "." in text:  # 1.234,56: a European decimal comma
        whole, fraction = text.rsplit(",", 1)
        raise CellError("decimal_comma", fixed=f"{whole.replace('.', '')}.{fraction}")
    if "," in text and re.fullmatch(r"[+-]?[\d,]+(\.\d+)?", text):
        raise CellError("misplaced_comma")
    if text.startswith(("(", "-")):
        raise CellError("negative")
    raise CellError("not_a_number")


def parse_count(value, *, minimum: int = 0) -> int:
    """A whole count ≥ minimum; thousands separators allowed (1,234), 12.0 from Excel allowed."""
    number = _plain_number(_number_text(value))
    if number != number.to_integral_value():
        raise CellError("not_whole")
    if number < 0:
        raise CellError("negative")
    if number < minimum:
        raise CellError("below_minimum", minimum=minimum)
    if number > 2_000_000_000:
        raise CellError("too_large")
    return int(number)


def parse_decimal(value, *, places: int) -> Decimal:
    """An exact decimal with at most `places` decimals; ¥ / ￥ / 元 and commas allowed."""
    number = _exact(value, places, CellError("too_large"))
    if abs(number) >= Decimal(10) ** 14:  # the stored DECIMAL(18, 4) holds less than 10¹⁴
        raise CellError("too_large")
    return number


def _exact(value, places: int, too_large: CellError) -> Decimal:
    number = _plain_number(_CURRENCY.match(_number_text(value)).group(1))
    if number.adjusted() >= 14:  # 10¹⁴ and more (and before quantize runs out of precision)
        raise too_large
    unit = Decimal(1).scaleb(-places)
    if number != number.quantize(unit):  # 1.500 is fine, 1.505 is not
        raise CellError("too_many_decimals", places=places)
    return number.quantize(unit)


# The largest single amount we accept: 10亿元. A social-work NGO's whole yearly budget is
# far below it, so more is a typo (extra digits, a pasted account number). The bound also
# keeps every sum far inside the queries' DECIMAL(38,2).
MAX_AMOUNT = Decimal("1000000000")


def parse_amount(value) -> Decimal:
    """Money in yuan, > 0, exact to the fen. Expenses are positive too: 收支 says which way."""
    too_large = CellError("amount_too_large", limit=f"{MAX_AMOUNT:,}")
    amount = _exact(value, 2, too_large)
    if amount <= 0:
        raise CellError("amount_not_positive")
    if amount > MAX_AMOUNT:
        raise too_large
    return amount


_NO_AMOUNT = frozenset({"-", "—", "–", "－", "/"})


def parse_split_amount(value) -> Decimal | None:
    """A cash journal's 收入 or 支出 cell: an amount, or None when the row's money is in the
    other column (left empty, 0 or a dash, as journals print it)."""
    if isinstance(value, str) and value.strip() in _NO_AMOUNT:
        return None
    try:
        if _exact(value, 2, CellError("too_large")) == 0:
            return None
    except CellError:
        pass  # parse_amount says what is wrong with it
    return parse_amount(value)


def parse_hours_as_minutes(value) -> int:
    """Volunteer hours as exact whole minutes: 1.5 h is 90 min. Minutes are stored exactly, so
    hours that are no whole number of minutes (1.2345 h = 74.07 min) are refused rather than
    rounded: a rounded figure would no longer add up to the sheet's own total."""
    hours = _plain_number(_number_text(value))
    if hours.adjusted() >= 14:
        raise CellError("too_large")
    if hours < 0:
        raise CellError("negative")
    minutes = hours * 60
    if minutes != minutes.to_integral_value():
        raise CellError("hours_not_whole_minutes", minutes=f"{minutes.normalize():f}")
    return int(minutes)


_FLOWS = {"收入": "income", "income": "income", "收": "income",
          "支出": "expense", "expense": "expense", "支": "expense", "费用": "expense"}

# Accounting lines as ledgers and annual reports name them (民间非营利组织会计制度), and the
# schema's own keys: name → (line, the source type the name implies, or None).
INCOME_LINE_ALIASES: dict[str, tuple[str, str | None]] = {
    "捐赠": ("donation", None), "捐赠收入": ("donation", None), "捐款": ("donation", None),
    "会费": ("membership", None), "会费收入": ("membership", None),
    "提供服务收入": ("service", None), "服务收入": ("service", None),
    "服务收费": ("service", None),
    "商品销售收入": ("sales", None), "销售收入": ("sales", None), "义卖收入": ("sales", None),
    "政府补助": ("government_grant", "government"),
    "政府补助收入": ("government_grant", "government"),
    "政府购买服务": ("government_grant", "government"),
    "政府购买服务收入": ("government_grant", "government"),
    "投资收益": ("investment", None), "利息收入": ("investment", None),
    "其他": ("other", None), "其他收入": ("other", None),
    **{c: (c, None) for c in INCOME_LINES},
}
EXPENSE_LINE_ALIASES: dict[str, tuple[str, str | None]] = {
    "业务活动成本": ("program", None), "项目支出": ("program", None),
    "管理费用": ("admin", None), "筹资费用": ("fundraising", None),
    "其他": ("other", None), "其他费用": ("other", None), "其他支出": ("other", None),
    **{c: (c, None) for c in EXPENSE_LINES},
}
# The old one-column 类别 (before issue 15) mixed lines and sources. Its keys and the names
# that meant a source map as `impact migrate` maps them; a statutory line name in it is read
# as that line, so a 类别 column holding 会费收入 imports too.
# The names the old importer read in 类别, and the category each meant.
_LEGACY_NAMES = {"捐赠": "donation", "捐赠收入": "donation", "捐款": "donation",
                 "政府补助": "government", "政府补助收入": "government",
                 "政府购买服务": "government", "政府购买服务收入": "government",
                 "政府资助": "government",
                 "公益基金会": "foundation", "基金会": "foundation", "基金会资助": "foundation",
                 "企业": "enterprise", "企业捐赠": "enterprise", "企业资助": "enterprise",
                 "服务收费": "service_fee", "提供服务收入": "service_fee",
                 "其他": "other", "其他收入": "other"}
INCOME_CATEGORY_ALIASES: dict[str, tuple[str, str | None]] = {
    **{k: v for k, v in INCOME_LINE_ALIASES.items() if not k.isascii()},
    **{name: LEGACY_CATEGORIES[("income", old)] for name, old in _LEGACY_NAMES.items()},
    **{old: new for (flow, old), new in LEGACY_CATEGORIES.items() if flow == "income"},
}
EXPENSE_CATEGORY_ALIASES = EXPENSE_LINE_ALIASES
SOURCE_ALIASES = {
    "政府": "government", "政府部门": "government", "政府机构": "government",
    "基金会": "foundation", "公益基金会": "foundation",
    "企业": "enterprise", "公司": "enterprise",
    "个人": "individual", "个人捐赠": "individual", "公众": "individual",
    "其他": "other",
    **{c: c for c in SOURCE_TYPES},
}


def parse_flow(value) -> str:
    key = clean_text(value).casefold()
    if key not in _FLOWS:
        raise CellError("unknown_flow")
    return _FLOWS[key]


def _key(value) -> str:
    return unicodedata.normalize("NFKC", clean_text(value)).casefold().replace(" ", "")


# A sub-account (明细科目) written after its statutory line: 业务活动成本-人员费用,
# 管理费用/办公费, 捐赠收入：非限定性. The separators bookkeepers use between the two levels.
_SUB_ACCOUNT = re.compile(r"\s*[-—–－/／:：·_\\]\s*")
# ParsedRow.extra key: the 科目 cell as written, when it was read by its sub-account's prefix
SUB_ACCOUNT = "sub_account"


# An account code before the name, as a chart of accounts prints it: 5101 业务活动成本,
# 510101 业务活动成本-儿童项目, 5101.01 …: the name is read; the code is no part of the line.
_ACCOUNT_CODE = re.compile(r"^\d{4}[\d.]*\s+(?=\D)")


def _without_code(value) -> str:
    return _ACCOUNT_CODE.sub("", clean_text(value), count=1)


def split_sub_account(value, table: dict) -> tuple[str, str] | None:
    """(statutory line name, sub-account) when the cell is a known line followed by a
    separator and a sub-account; None otherwise (an unknown first level is not guessed)."""
    parts = _SUB_ACCOUNT.split(clean_text(value), maxsplit=1)
    if len(parts) == 2 and parts[1] and _key(parts[0]) in table:
        return parts[0], parts[1]
    return None


def _line_table(flow: str, legacy: bool) -> dict[str, tuple[str, str | None]]:
    if legacy:
        return INCOME_CATEGORY_ALIASES if flow == "income" else EXPENSE_CATEGORY_ALIASES
    return INCOME_LINE_ALIASES if flow == "income" else EXPENSE_LINE_ALIASES


def sub_account_of(value, flow: str, *, legacy: bool = False) -> str | None:
    """The sub-account of a 科目 cell read by its prefix (人员费用 of 业务活动成本-人员费用)."""
    table = _line_table(flow, legacy)
    value = _without_code(value)
    if _key(value) in table:
        return None
    sub = split_sub_account(value, table)
    return sub[1] if sub else None


def parse_line(value, flow: str, *, legacy: bool = False) -> tuple[str, str | None]:
    """A statutory line (科目) and the source type its name implies (None if none). With
    `legacy`, the value is from an old 类别 column (donation meant individual donors). A
    sub-account after the line (业务活动成本-人员费用) is read as its line."""
    table = _line_table(flow, legacy)
    value = _without_code(value)
    key = _key(value)
    if key in table:
        return table[key]
    sub = split_sub_account(value, table)
    if sub is not None:
        return table[_key(sub[0])]
    lines = INCOME_LINES if flow == "income" else EXPENSE_LINES
    allowed = [t(f"{flow}.{line}", "zh") for line in lines]
    raise CellError(f"unknown_{flow}_line", allowed="、".join(allowed))


def parse_source_type(value) -> str:
    """Who the income came from: 政府, 基金会, 企业, 个人, 其他 (or the English keys)."""
    key = _key(value)
    if key in SOURCE_ALIASES:
        return SOURCE_ALIASES[key]
    raise CellError("unknown_source_type",
                    allowed="、".join(t(f"source.{s}", "zh") for s in SOURCE_TYPES))


_TRUE = {"是", "限定", "限定性", "yes", "y", "true", "1"}
_FALSE = {"否", "非限定", "非限定性", "no", "n", "false", "0"}


def parse_bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    key = clean_text(value).casefold()
    if not key:
        return None
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError("bad_boolean")
