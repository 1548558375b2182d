"""The active Excel workbook, through xlwings, seen as readiness_xl.workbook.read expects a workbook
(sheetnames, defined_names, wb[name].iter_rows, wb.values): so the ribbon button reads
with exactly the code `readiness-xl recalc` reads with.

Every call crosses into Excel, so a sheet is read in blocks of rows, not cell by cell,
and only as far as the reader asks (tables stop at their first blank id). Excel's
UsedRange counts formatted empty cells and can reach row 1,048,576 and column XFD: the
reading is bounded like the command line's far-cell guard, to MAX_COLUMNS columns and
until a whole block of rows is empty. Error cells come as their text ('#N/A'), as
openpyxl gives them to the command line, so a reader refuses them with their cell
(xlwings would pass None, a blank, without err_to_str)."""

from __future__ import annotations

from readiness_xl.workbook.fast_read import Cell, name_ranges, openpyxl_value

BLOCK_ROWS = 2_000   # rows per call into Excel; a block with no value ends the sheet
MAX_COLUMNS = 52     # A..AZ: every table of the workbook contract fits well inside


class XlwingsSheet:
    def __init__(self, sheet):
        self.title = sheet.name
        self._sheet = sheet
        self._rows: list[list] = []
        self._extent: tuple[int, int] | None = None  # used range's last row, bounded width
        self._ended = False

    def _read_to(self, row: int) -> None:
        """Read blocks until `row` is read or the sheet has ended."""
        if self._extent is None:
            last = self._sheet.used_range.last_cell
            self._extent = (last.row, min(last.column, MAX_COLUMNS))
        last_row, width = self._extent
        while not self._ended and len(self._rows) < row:
            first = len(self._rows) + 1
            stop = min(first + BLOCK_ROWS - 1, last_row)
            block = self._sheet.range((first, 1), (stop, width)).options(
                ndim=2, err_to_str=True).value
            block = [[openpyxl_value(v) for v in r] for r in block]
            self._rows.extend(block)
            self._ended = stop >= last_row or all(v is None for r in block for v in r)

    def iter_rows(self, min_row: int = 1, max_row: int | None = None, max_col: int | None = None,
                  values_only: bool = True):
        row = min_row
        while max_row is None or row <= max_row:
            self._read_to(row)
            if row > len(self._rows):
                return
            yield tuple(self._rows[row - 1][:max_col])
            row += 1

    def __getitem__(self, ref: str) -> Cell:
        from openpyxl.utils.cell import coordinate_to_tuple
        row, col = coordinate_to_tuple(ref)
        self._read_to(row)
        inside = row <= len(self._rows) and col <= len(self._rows[row - 1])
        return Cell(self._rows[row - 1][col - 1] if inside else None)


class XlwingsWorkbook:
    """An xlwings Book for reading; nothing here writes to it."""

    def __init__(self, book):
        self.book = book
        self.sheetnames = [s.name for s in book.sheets]
        self.defined_names = name_ranges({n.name: n.refers_to for n in book.names
                                          if "!" not in n.name})  # workbook-scope names only
        self._sheets: dict[str, XlwingsSheet] = {}

    def __getitem__(self, name: str) -> XlwingsSheet:
        if name not in self.sheetnames:
            raise KeyError(name)
        if name not in self._sheets:
            self._sheets[name] = XlwingsSheet(self.book.sheets[name])
        return self._sheets[name]

    def values(self, name: str, max_col: int | None = None, min_row: int = 1,
               max_row: int | None = None) -> list[list]:
        return [list(row) for row in self[name].iter_rows(min_row, max_row, max_col)]
