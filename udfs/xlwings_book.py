"""The active Excel workbook, through xlwings, seen as readiness_xl.workbook.read expects a workbook
(sheetnames, defined_names, wb[name].iter_rows, wb.values): so the ribbon button reads
with exactly the code `readiness-xl recalc` reads with. Each sheet is read in one
call (its used range), not cell by cell: every call crosses into Excel."""

from __future__ import annotations

from readiness_xl.workbook.fast_read import Cell, name_ranges, openpyxl_value


class XlwingsSheet:
    def __init__(self, sheet):
        self.title = sheet.name
        self._sheet = sheet
        self._rows: list[list] | None = None

    def rows(self) -> list[list]:
        """Every row from A1 to the used range's last cell, read once."""
        if self._rows is None:
            last = self._sheet.used_range.last_cell
            block = self._sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
            self._rows = [[openpyxl_value(v) for v in row] for row in block]
        return self._rows

    def iter_rows(self, min_row: int = 1, max_row: int | None = None, max_col: int | None = None,
                  values_only: bool = True):
        for row in self.rows()[min_row - 1:max_row]:
            yield tuple(row[:max_col])

    def __getitem__(self, ref: str) -> Cell:
        from openpyxl.utils.cell import coordinate_to_tuple
        row, col = coordinate_to_tuple(ref)
        rows = self.rows()
        inside = row <= len(rows) and col <= len(rows[row - 1])
        return Cell(rows[row - 1][col - 1] if inside else None)


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
        return [row[:max_col] for row in self[name].rows()[min_row - 1:max_row]]
