"""Where an agency sheet shows its own scores (the score block right of the questionnaire,
built by builder.agency_sheet): the cells the Summary's live formulas refer to. One place,
read by the agency-sheet builder and by every Summary writer (template and recalculation)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from readiness_xl.workbook import layout as L

if TYPE_CHECKING:
    from readiness_xl.core.framework import Framework

SCORE_LETTER = "N"        # the plain-formula scores people read
LABEL_LETTER = "K"        # the dimension ids beside them


def block_order(framework: Framework) -> list[str]:
    """The score block's dimensions: the top level first, then each parent's children
    together, so that every group of siblings is one contiguous range (to any depth)."""
    parents = framework.dimensions["parent"]
    order = [d for d in framework.dimension_ids if parents[d] == ""]
    i = 0
    while i < len(order):
        order += [d for d in framework.dimension_ids if parents[d] == order[i]]
        i += 1
    return order


def score_cells(framework: Framework) -> dict[str, str]:
    """Where an agency sheet shows each score: dimension id -> its cell in column N
    (e.g. "N7"), and "overall", "level", "completeness". The same on every agency sheet
    of a workbook; a framework without sub-dimensions keeps its dimensions in framework
    order from row L.AGENCY_FIRST_ROW, then Overall, Level, Completeness."""
    first = L.AGENCY_FIRST_ROW
    cells = {d: f"{SCORE_LETTER}{r}" for r, d in enumerate(block_order(framework), start=first)}
    total = first + len(cells)
    cells.update(overall=f"{SCORE_LETTER}{total}", level=f"{SCORE_LETTER}{total + 1}",
                 completeness=f"{SCORE_LETTER}{total + 2}")
    return cells


def sheet_score_cells(sheet: str, framework: Framework,
                      cells: dict[str, str] | None = None) -> tuple[list[str], str, str]:
    """Sheet-qualified absolute cells: the dimension scores in framework order, the overall
    and completeness (`cells`: score_cells(framework), computed once for many sheets)."""
    cells = cells or score_cells(framework)
    name = "'" + sheet.replace("'", "''") + "'!"

    def absolute(ref: str) -> str:
        return f"{name}${ref[0]}${ref[1:]}"
    return ([absolute(cells[d]) for d in framework.dimension_ids], absolute(cells["overall"]),
            absolute(cells["completeness"]))
