"""JSON output in which money stays exact: Decimal is written as a number, digit for digit."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal


def dumps(value, indent: int = 2) -> str:
    """Like json.dumps, but Decimal('1053831.90') is written as 1053831.90, never via float."""
    return _encode(value, indent, 0)


def _encode(value, indent: int, level: int) -> str:
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    if isinstance(value, Decimal):
        if not value.is_finite():
            return "null"
        return format(value, "f")
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: "
                 f"{_encode(v, indent, level + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        items = [inner + _encode(v, indent, level + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
