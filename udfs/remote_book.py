"""Our workbooks as real xlwings Books without Excel, for the tests and bench/: the JSON
that xlwings' Office.js/remote clients send (`xw.Book(json=...)`, xlwings' remote
engine), built from an .xlsx read with openpyxl; and the actions the remote engine
returns applied back to the values as Excel would apply them.

The remote engine is xlwings PRO code (PolyForm Noncommercial: free for noncommercial
and government use); it loads only with XLWINGS_LICENSE_KEY set (e.g. "noncommercial")
before xlwings is imported. The product's classic path never needs it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?%?\s*$")


def _json_value(value):
    """A cell value as Office.js sends it: '' for blank, numbers as floats, dates as
    ISO text ending in Z, error cells as their text (#N/A ...)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.date):
        if not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        return value.isoformat(timespec="milliseconds") + "Z"
    return str(value)


def book_json(path: Path, used_range: dict[str, str] | None = None) -> dict:
    """The book as xlwings' clients describe it. `used_range` gives a sheet an Excel
    UsedRange larger than its values (formatted empty cells), e.g. {"D01": "A1:G1048576"}."""
    import xlwings as xw
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)
    sheets, index = [], {ws.title: i for i, ws in enumerate(wb.worksheets)}
    for ws in wb.worksheets:
        rows = [[_json_value(c) for c in row] for row in ws.iter_rows(values_only=True)]
        sheet = {"name": ws.title, "values": rows or [[]], "pictures": [], "tables": []}
        if used_range and ws.title in used_range:
            sheet["used_range_address"] = used_range[ws.title]
        sheets.append(sheet)
    names = []
    for name, defined in wb.defined_names.items():
        text = defined.attr_text
        sheet, _, ref = text.rpartition("!")
        sheet = sheet.strip("'").replace("''", "'")
        names.append({"name": name, "refers_to": "=" + text,
                      "sheet_index": index.get(sheet), "address": ref.replace("$", "") or None,
                      "book_scope": True, "scope_sheet_name": None, "scope_sheet_index": None})
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": Path(path).name, "active_sheet_index": 0, "selection": "A1"},
            "names": names, "sheets": sheets}


def remote_book(path: Path, used_range: dict[str, str] | None = None):
    """A real xlwings Book on the remote engine, holding the workbook at `path`."""
    import xlwings as xw
    return xw.Book(json=book_json(path, used_range))


def as_excel_stores(value):
    """What Excel keeps when a Python value is written to a cell through Range.value:
    a string is read as if typed, so '=1+1' becomes a formula (kept here as ('formula',
    text)), '3' and '12%' numbers; a leading apostrophe keeps the rest as text."""
    if not isinstance(value, str):
        return None if value == "" else value
    if value.startswith("'"):
        return value[1:]
    if value.startswith("=") and len(value) > 1:
        return ("formula", value)
    if _NUMBER.match(value):
        return float(value.strip().rstrip("%")) / (100 if value.strip().endswith("%") else 1)
    if value.upper() in ("TRUE", "FALSE"):
        return value.upper() == "TRUE"
    return None if value == "" else value


def apply_actions(data: dict, actions: list[dict]) -> dict[str, list[list]]:
    """Each sheet's values after the remote engine's setValues / rangeClearContents
    actions, as Excel would store them. Other actions are left to the caller."""
    grids = {s["name"]: [list(r) for r in s["values"]] for s in data["sheets"]}
    names = [s["name"] for s in data["sheets"]]
    for action in actions:
        if action["func"] not in ("setValues", "rangeClearContents"):
            continue
        grid = grids[names[action["sheet_position"]]]
        r0, c0 = action["start_row"], action["start_column"]
        rows, cols = action["row_count"], action["column_count"]
        while len(grid) < r0 + rows:
            grid.append([])
        for i in range(rows):
            row = grid[r0 + i]
            row.extend([""] * (c0 + cols - len(row)))
            for j in range(cols):
                row[c0 + j] = action["values"][i][j] if action["func"] == "setValues" else ""
    return {name: [[as_excel_stores(v) for v in row] for row in grid] for name, grid in grids.items()}
