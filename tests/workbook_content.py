"""A workbook's content as plain data, for comparing two files: every cell's value or
formula, defined names, data validation, conditional formats, protection, print set-up
and the chart parts. Timestamps and zip layout are left out: they are not content."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import load_workbook


def _sheet_content(ws) -> dict:
    cells = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
    validations = sorted((str(dv.sqref), dv.type, dv.formula1, dv.formula2)
                         for dv in ws.data_validations.dataValidation)
    formats = sorted(str(rng.sqref) for rng in ws.conditional_formatting)
    unlocked = sorted(c.coordinate for row in ws.iter_rows() for c in row
                      if c.protection is not None and c.protection.locked is False)
    return {"cells": cells, "validations": validations, "conditional": formats,
            "protected": bool(ws.protection.sheet), "unlocked": unlocked,
            "freeze": ws.freeze_panes, "paper": ws.page_setup.paperSize,
            "print_area": ws.print_area, "state": ws.sheet_state}


def workbook_content(path: Path) -> dict:
    wb = load_workbook(path)
    with zipfile.ZipFile(path) as zf:
        charts = {n: zf.read(n) for n in sorted(zf.namelist()) if n.startswith("xl/charts/")}
    return {
        "sheets": wb.sheetnames,
        "names": {n: d.attr_text for n, d in wb.defined_names.items()},
        "content": {ws.title: _sheet_content(ws) for ws in wb.worksheets},
        "charts": charts,
    }


def differences(a: dict, b: dict) -> list[str]:
    """Human-readable differences between two workbook_content() results."""
    out = []
    if a["sheets"] != b["sheets"]:
        out.append(f"sheets differ: {a['sheets']} vs {b['sheets']}")
    if a["names"] != b["names"]:
        out.append(f"defined names differ: {a['names']} vs {b['names']}")
    if a["charts"] != b["charts"]:
        out.append("chart parts differ")
    for sheet in set(a["content"]) & set(b["content"]):
        x, y = a["content"][sheet], b["content"][sheet]
        for key in x:
            if x[key] != y[key]:
                if key == "cells":
                    diff = sorted(k for k in set(x[key]) | set(y[key]) if x[key].get(k) != y[key].get(k))
                    out.append(f"{sheet}: cells differ at {diff[:5]}")
                else:
                    out.append(f"{sheet}: {key} differs")
    return out
