"""A workbook in the long layout: the template without agency sheets, and a Responses
sheet (one row per agency, indicator and answer; see workbook.responses) in the house
style."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from readiness_xl.builder.template import build_workbook, save_workbook
from readiness_xl.core.framework import Framework
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.parts import write_sheet_rows
from readiness_xl.workbook.responses import HEADER, responses_rows
from readiness_xl.workbook.style import HEADER_FILL, HEADER_FONT, print_a4


def save_long_workbook(framework: Framework, agencies: pd.DataFrame, raw: pd.DataFrame | None,
                       target: Path) -> None:
    """A workbook in the long layout: the template's Framework, Agencies and Summary
    sheets, no agency sheets, and a Responses sheet holding `raw` (agencies x indicators)."""
    wb = build_workbook(framework, agencies, agency_sheets=False)
    responses = wb.create_sheet(L.RESPONSES_SHEET, index=wb.sheetnames.index(L.AGENCIES_SHEET) + 1)
    for col, label in enumerate(HEADER, start=1):
        cell = responses.cell(row=1, column=col, value=label)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for col, width in zip("ABC", (16, 14, 16)):
        responses.column_dimensions[col].width = width
    responses.freeze_panes = "A2"
    print_a4(responses, title_rows="1:1", landscape=False, columns="A:C")
    save_workbook(wb, target)
    if raw is None:
        raw = pd.DataFrame(None, index=agencies.index, columns=framework.indicator_ids, dtype=object)
    write_sheet_rows(target, target, L.RESPONSES_SHEET,
                     responses_rows(raw.reindex(index=agencies.index, columns=framework.indicator_ids)),
                     shared_strings=True)
