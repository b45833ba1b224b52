"""Read an .xls or .ods workbook with python-calamine, in a child process of its own.

Why a child: calamine is Rust, and a damaged .xls can make it ask for a terabyte of memory,
which aborts the whole process — the dashboard's server for every visitor, not just one
upload. Run here, under a memory limit, such a file kills only this child, and the parent
reports "this workbook is damaged".

Run as a script (`python -I calamine_child.py`), so that it imports nothing of the project:
stdin is a pickled (payload, sheet or None, names_only); stdout a pickled result:
("ok", states, name, records), ("names", states) or ("no_sheet", names) / ("empty",).
"""

import io
import pickle
import resource
import sys

MEMORY_LIMIT = 3 * 1024 ** 3  # address space; a 50 MB .xls needs a few hundred MB


def _states(book) -> list[tuple[str, str]]:
    from python_calamine import SheetVisibleEnum

    return [(m.name, "visible" if m.visible == SheetVisibleEnum.Visible else "hidden")
            for m in book.sheets_metadata]


def read(payload: bytes, sheet, names_only: bool):
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(payload))
    states = _states(book)
    if names_only:
        return ("names", states)
    names = [n for n, _ in states]
    if not names:
        return ("empty",)
    if sheet is not None and sheet not in names:
        return ("no_sheet", names)
    name = sheet if sheet is not None else next(
        (n for n, s in states if s == "visible"), names[0])
    records = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return ("ok", states, name, [list(r) for r in records])


def main() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    payload, sheet, names_only = pickle.loads(sys.stdin.buffer.read())
    try:
        result = read(payload, sheet, names_only)
    except Exception:  # noqa: BLE001 - any calamine error: the parent says "damaged"
        result = ("error",)
    sys.stdout.buffer.write(pickle.dumps(result))


if __name__ == "__main__":
    main()
