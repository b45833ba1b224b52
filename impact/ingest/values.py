"""Parse one cell into a typed value, or say exactly why it cannot be.

Cells come from CSV (always text) or from Excel (text, int, float, datetime). Money is parsed
into Decimal from its text — never through float — and Excel's float cells are read back via
their shortest repr, which is the number Excel shows (1234.56, not 1234.5599999).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from impact.storage.schema import EXPENSE_CATEGORIES, INCOME_CATEGORIES

EARLIEST_YEAR = 1950  # no NGO record in this field predates it; an earlier year is a typo
MAX_TEXT = 200  # a name longer than this is a pasted paragraph, not a name


class CellError(ValueError):
    """Why a cell was refused: a code (for the message catalogue) and its parameters."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def clean_text(value) -> str:
    """The cell as stripped text ('' for empty); Excel numbers keep their shortest form."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value).removesuffix(".0") if value.is_integer() else repr(value)
    text = str(value).strip()
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def parse_text(value) -> str | None:
    text = " ".join(clean_text(value).split())
    if len(text) > MAX_TEXT:
        raise CellError("text_too_long", limit=MAX_TEXT)
    return text or None


_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?: 0?0:00(?::00)?)?$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


def parse_date(value, today: date) -> date:
    """A day from an Excel date cell or 2020-03-05, 2020/3/5, 2020.3.5, 2020年3月5日."""
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise CellError("date_has_time")
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, (int, float)):
        raise CellError("date_is_number")
    else:
        text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "")
        match = next((m for m in (f.match(text) for f in _DATE_FORMS) if m), None)
        if match is None:
            raise CellError("bad_date")
        year, month, dom = (int(g) for g in match.groups())
        try:
            day = date(year, month, dom)
        except ValueError:
            raise CellError("impossible_date") from None
    if day > today:
        raise CellError("future_date", today=today.isoformat())
    if day.year < EARLIEST_YEAR:
        raise CellError("too_old", earliest=EARLIEST_YEAR)
    return day


def _number_text(value) -> str:
    text = unicodedata.normalize("NFKC", clean_text(value))
    return text.replace(",", "").replace(" ", "")


def parse_count(value, *, minimum: int = 0) -> int:
    """A whole count ≥ minimum; thousands separators allowed (1,234), 12.0 from Excel allowed."""
    if isinstance(value, (datetime, date)):
        raise CellError("not_a_number")
    text = _number_text(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError("not_a_number") from None
    if not number.is_finite():
        raise CellError("not_a_number")
    if number != number.to_integral_value():
        raise CellError("not_whole")
    if number < 0:
        raise CellError("negative")
    if number < minimum:
        raise CellError("below_minimum", minimum=minimum)
    if number > 2_000_000_000:
        raise CellError("too_large")
    return int(number)


_MONEY = re.compile(r"^(?:rmb|cny)?[¥￥]?(-?\d+(?:\.\d+)?)(?:元|rmb|cny)?$", re.IGNORECASE)


def parse_decimal(value, *, places: int) -> Decimal:
    """An exact decimal with at most `places` decimals; ¥ / ￥ / 元 and commas allowed."""
    if isinstance(value, (datetime, date)):
        raise CellError("not_a_number")
    text = _number_text(value)
    match = _MONEY.match(text)
    if match is None:
        if text.startswith("(") or text.startswith("-"):
            raise CellError("negative")
        raise CellError("not_a_number")
    number = Decimal(match.group(1))
    unit = Decimal(1).scaleb(-places)
    if number != number.quantize(unit):  # 1.500 is fine, 1.505 is not
        raise CellError("too_many_decimals", places=places)
    if abs(number) >= Decimal(10) ** 14:
        raise CellError("too_large")
    return number.quantize(unit)


def parse_amount(value) -> Decimal:
    """Money in yuan, > 0, exact to the fen. Expenses are positive too: 收支 says which way."""
    amount = parse_decimal(value, places=2)
    if amount <= 0:
        raise CellError("amount_not_positive")
    return amount


def parse_hours_as_minutes(value) -> int:
    """Volunteer hours (at most two decimals) as whole minutes, rounded half up."""
    hours = parse_decimal(value, places=2)
    if hours < 0:
        raise CellError("negative")
    return int((hours * 60).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


_FLOWS = {"收入": "income", "income": "income", "收": "income",
          "支出": "expense", "expense": "expense", "支": "expense", "费用": "expense"}

# Category names as the annual reports print them (民非 accounting), and the schema's own keys.
INCOME_ALIASES = {
    "捐赠": "donation", "捐赠收入": "donation", "捐款": "donation",
    "政府补助": "government", "政府补助收入": "government", "政府购买服务": "government",
    "政府购买服务收入": "government",
    "公益基金会": "foundation", "基金会": "foundation", "基金会资助": "foundation",
    "企业": "enterprise", "企业捐赠": "enterprise",
    "服务收费": "service_fee", "提供服务收入": "service_fee",
    "其他": "other", "其他收入": "other",
    **{c: c for c in INCOME_CATEGORIES},
}
EXPENSE_ALIASES = {
    "业务活动成本": "program", "管理费用": "admin", "筹资费用": "fundraising",
    "其他": "other", "其他费用": "other",
    **{c: c for c in EXPENSE_CATEGORIES},
}


def parse_flow(value) -> str:
    key = clean_text(value).casefold()
    if key not in _FLOWS:
        raise CellError("unknown_flow")
    return _FLOWS[key]


def parse_category(value, flow: str) -> str:
    key = unicodedata.normalize("NFKC", clean_text(value)).casefold().replace(" ", "")
    table = INCOME_ALIASES if flow == "income" else EXPENSE_ALIASES
    if key in table:
        return table[key]
    allowed = [k for k in table if not k.isascii()]
    raise CellError(f"unknown_{flow}_category", allowed="、".join(allowed))


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
