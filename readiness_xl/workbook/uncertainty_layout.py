"""Where the Uncertainty sheet (written by workbook.robustness_sheets) keeps each unit's
rank interval, and `rank_interval`, the read-back the RANK_INTERVAL worksheet function
uses. Pure: no openpyxl here."""

from __future__ import annotations

from readiness_xl.workbook.layout import UNCERTAINTY_SHEET

RANK_COLUMNS = {"rank": "E", 50: "F", 5: "G", 95: "H"}   # where RANK_INTERVAL looks


def rank_interval(rows: list[list], unit: object, percentile: object = None) -> list | float:
    """What RANK_INTERVAL returns from the Uncertainty sheet's values (rows, header
    first): the unit (id, Thai or English name) at the 5th, 50th or 95th percentile, or
    [5th, 95th] without a percentile. Raises CellValueError with the reason (#N/A for a
    unit not on the sheet)."""
    from readiness_xl.core.worksheet_functions import CellValueError
    key = str(unit).strip()
    for row in rows[1:]:
        if row and key and key in (str(v).strip() for v in row[:3] if v is not None):
            break
    else:
        raise CellValueError(f"'{key}' is not on the {UNCERTAINTY_SHEET} sheet: run robustness first",
                             "#N/A")
    column = {c: ord(letter) - ord("A") for c, letter in RANK_COLUMNS.items()}
    if percentile is None or (isinstance(percentile, str) and not percentile.strip()):
        return [row[column[5]], row[column[95]]]
    try:
        value = float(percentile)
    except (TypeError, ValueError):
        raise CellValueError(f"percentile {percentile!r} is not a number (5, 50 or 95)") from None
    value = value * 100 if 0 < value < 1 else value       # 0.95 and 95 both mean the 95th
    if value not in (5, 50, 95):
        raise CellValueError(f"percentile {percentile!r}: the sheet holds 5, 50 and 95")
    return row[column[int(value)]]
