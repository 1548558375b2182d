"""A stand-in for what no real xlwings engine reaches on Linux: a desktop Excel's status
bar, CalculateFull, and a count of the calls into Excel (reads and writes, to check the
button works in blocks). Backed by an .xlsx read with openpyxl. Everything else (values,
names, error cells, what is written) is tested on real xlwings Books: xlwings' remote
engine via udfs/remote_book.py (tests/test_xlwings_button.py, test_udfs.py) and its
Windows registration code (tests/test_xlwings_registration.py).

Known differences from real xlwings (why it is not used for those tests):

| What | Real xlwings | This stand-in |
|---|---|---|
| error cells (#N/A) | None, or the text with err_to_str=True | always the text |
| formula cells | the value Excel computed | the formula text (openpyxl) |
| `.value` shape | scalar / 1-D list unless options(ndim=2) | always rows (2-D) |
| `sheets['d01']` | case-insensitive | case-sensitive |
| `Name.refers_to` | `='Sheet'!$A$1` quoted only when needed | openpyxl's text with '=' |
| scalar written to a range | fills every cell | fills the first cell only |
| string written to `.value` | re-read as typed ('3' a number, '=..' a formula) | stored as given |
| `Book.fullname` | a path, or a URL on OneDrive/SharePoint | the file's path |
| `used_range` | Excel's UsedRange (formatted cells count) | openpyxl's max_row/max_column |
| `App.status_bar` | desktop only (remote/Office.js raise NotImplementedError) | always settable, recorded |
"""

from __future__ import annotations

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries


def _xlwings_value(value):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, (int, float)):
        return float(value)  # xlwings reads every number as float
    return value


class FakeApp:
    def __init__(self):
        self.status_bar = False
        self.status_history: list = []
        self.alerts: list[tuple[str, str]] = []
        self.calculations = 0
        self.api = self

    def __setattr__(self, key, value):
        if key == "status_bar" and hasattr(self, "status_history"):
            self.status_history.append(value)
        object.__setattr__(self, key, value)

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append((title, prompt))

    def calculate(self):
        self.calculations += 1

    def CalculateFull(self):  # noqa: N802 (COM method name)
        self.calculations += 1


class _Count:
    def __init__(self, n):
        self.count = n


class FakeRange:
    def __init__(self, sheet: "FakeSheet", min_row, min_col, max_row, max_col):
        self.sheet = sheet
        self.row, self.column = min_row, min_col
        self._last = (max_row, max_col)
        self.rows = _Count(max_row - min_row + 1)
        self.columns = _Count(max_col - min_col + 1)

    def options(self, ndim=None, **_):
        return self

    @property
    def last_cell(self) -> "FakeRange":
        r, c = self._last
        return FakeRange(self.sheet, r, c, r, c)

    @property
    def value(self):
        self.sheet.book.reads += 1
        return [[_xlwings_value(self.sheet.ws.cell(r, c).value)
                 for c in range(self.column, self._last[1] + 1)]
                for r in range(self.row, self._last[0] + 1)]

    @value.setter
    def value(self, rows):
        self.sheet.book.writes += 1
        rows = rows if isinstance(rows, list) and rows and isinstance(rows[0], list) else [[rows]]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                self.sheet.ws.cell(self.row + i, self.column + j).value = v

    def clear_contents(self):
        self.sheet.book.writes += 1
        for row in self.sheet.ws.iter_rows(min_row=self.row, max_row=self._last[0],
                                           min_col=self.column, max_col=self._last[1]):
            for cell in row:
                cell.value = None

    def expand(self, mode="table"):
        ws = self.sheet.ws
        r, c = self.row, self.column
        while ws.cell(r + 1, self.column).value not in (None, ""):
            r += 1
        while ws.cell(self.row, c + 1).value not in (None, ""):
            c += 1
        return FakeRange(self.sheet, self.row, self.column, r, c)


class FakeSheet:
    def __init__(self, book: "FakeBook", ws):
        self.book, self.ws, self.name = book, ws, ws.title

    def range(self, first, last=None) -> FakeRange:
        if isinstance(first, str):
            min_col, min_row, max_col, max_row = range_boundaries(first.replace("$", ""))
            return FakeRange(self, min_row, min_col, max_row or min_row, max_col or min_col)
        last = last or first
        return FakeRange(self, first[0], first[1], last[0], last[1])

    @property
    def used_range(self) -> FakeRange:
        return FakeRange(self, 1, 1, max(self.ws.max_row, 1), max(self.ws.max_column, 1))


class FakeName:
    def __init__(self, book: "FakeBook", name: str, refers_to: str):
        self.book, self.name, self.refers_to = book, name, "=" + refers_to

    @property
    def refers_to_range(self) -> FakeRange:
        sheet, _, ref = self.refers_to.lstrip("=").rpartition("!")
        return self.book.sheets[sheet.strip("'")].range(ref)


class _Collection(dict):
    def __iter__(self):
        return iter(self.values())


class FakeBook:
    def __init__(self, path):
        self.wb = load_workbook(path)
        self.fullname, self.name = str(path), str(path).rsplit("/", 1)[-1]
        self.app = FakeApp()
        self.reads = self.writes = 0
        self.sheets = _Collection({ws.title: FakeSheet(self, ws) for ws in self.wb.worksheets})
        self.names = _Collection({n: FakeName(self, n, d.attr_text)
                                  for n, d in self.wb.defined_names.items()})
