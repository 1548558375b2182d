"""A formula cell as our writers hold it: the formula's text and the value computed for it
at the last recalculation (cached in the cell, so a viewer that never recalculates shows
the figure). A value type of its own, below the renderers (workbook.cell_xml) and the
builders of formulas (workbook.live_summary, the Dashboard, the long layout's checks)."""

from __future__ import annotations

ROW = "\x00"   # where a formula template takes its own row's number (XML never carries it)


class Formula:
    """A formula cell: its text without the leading '=' (a template whose ROW marks become
    `row`), the value computed for it at the last recalculation (None: not known), and
    `shared`: a key naming the run of cells down a column that hold the same formula
    relative to their row (written once, as a shared formula, in the file)."""

    __slots__ = ("template", "cached", "row", "shared")

    def __init__(self, template: str, cached: object = None, row: int | None = None,
                 shared: object = None):
        self.template, self.cached, self.row, self.shared = template, cached, row, shared

    @property
    def text(self) -> str:
        return self.template if self.row is None else self.template.replace(ROW, str(self.row))

    def __repr__(self) -> str:
        return f"Formula({self.text!r}, {self.cached!r})"
