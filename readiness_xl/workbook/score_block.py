"""Where an agency sheet shows its own scores (the score block right of the questionnaire,
built by builder.agency_sheet): the cells the Summary's live formulas refer to. One place,
read by the Summary writers of the template and of every recalculation."""

from __future__ import annotations

from readiness_xl.workbook import layout as L

SCORE_LETTER = "N"        # the plain-formula scores people read
LABEL_LETTER = "K"        # the dimension ids beside them


def score_rows(dimension_ids: list[str]) -> tuple[dict[str, int], int, int]:
    """Rows of each dimension's score, of the overall and of completeness: a row per
    dimension from the first answer row, then overall, level and completeness."""
    first = L.AGENCY_FIRST_ROW
    rows = {d: first + j for j, d in enumerate(dimension_ids)}
    end = first + len(dimension_ids) - 1
    return rows, end + 1, end + 3


def score_cells(sheet: str, dimension_ids: list[str]) -> tuple[list[str], str, str]:
    """Sheet-qualified cells (dimension scores in framework order, overall, completeness)."""
    name = "'" + sheet.replace("'", "''") + "'!"
    rows, overall, complete = score_rows(dimension_ids)
    return ([f"{name}${SCORE_LETTER}${rows[d]}" for d in dimension_ids],
            f"{name}${SCORE_LETTER}${overall}", f"{name}${SCORE_LETTER}${complete}")
