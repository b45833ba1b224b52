"""Every table a page drew, in page order, as DataFrames: the grids (st.dataframe) and the
short tables drawn as HTML (impact.web.html_tables), read back from their markup. A plain
count reads back as an int, as a grid held it; every other cell is the text on screen."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd

_COUNT = re.compile(r"^\d{1,3}(,\d{3})*$")  # (a signed change was text in a grid too)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.head: list[str] = []
        self.rows: list[list] = []
        self._cell: list[str] | None = None
        self._numeric = False
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr" and not self._in_head:
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []
            self._numeric = "impact-num" in (dict(attrs).get("class") or "")

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            text = "".join(self._cell)
            self._cell = None
            if self._in_head:
                self.head.append(text)
            else:
                number = self._numeric and _COUNT.match(text)
                self.rows[-1].append(int(text.replace(",", "")) if number else text)


def html_table(body: str) -> pd.DataFrame:
    reader = _Reader()
    reader.feed(body)
    return pd.DataFrame(reader.rows, columns=reader.head)


def is_html_table(element) -> bool:
    return getattr(element, "type", None) == "html" and 'class="impact-table"' in \
        element.proto.body


def page_tables(at) -> list[pd.DataFrame]:
    """The page's tables in the order drawn (an AppTest after its run)."""
    out: list[pd.DataFrame] = []

    def walk(node) -> None:
        kind = getattr(node, "type", None)
        if kind == "dataframe":
            out.append(node.value)
        elif is_html_table(node):
            out.append(html_table(node.proto.body))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out
