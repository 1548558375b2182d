"""Making a new part known to a workbook package: a sheet added to the workbook, a
relationship and a content type for any new part, and Excel asked to recalculate on
open. Each edit is a text insertion (bytes -> bytes, for workbook.parts.replace_parts),
so nothing else in the part changes."""

from __future__ import annotations

import re
import zipfile
from itertools import count
from readiness_xl.workbook.xml_escape import quoteattr

from defusedxml import ElementTree as ET

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook.package import CONTENT_TYPES, NS_MAIN, NS_REL, WORKBOOK_PART, WORKBOOK_RELS

WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def new_sheet(zf: zipfile.ZipFile, name: str, sheet_xml: str) -> tuple[dict, dict]:
    """What adding a worksheet takes: edits to the workbook, its relationships and the
    content types (each a text insertion, so nothing else in them changes), and the new
    part. Returns (edits, new_parts) for `replace_parts`; the sheet goes last, so sheet
    indices of defined names and print areas stay valid."""
    names = set(zf.namelist())
    part = next(f"xl/worksheets/sheet{i}.xml" for i in count(1)
                if f"xl/worksheets/sheet{i}.xml" not in names)
    rel_id = free_rel_id(zf)
    sheet_ids = [int(s.get("sheetId", 0)) for s in
                 ET.fromstring(zf.read(WORKBOOK_PART)).iter(f"{{{NS_MAIN}}}sheet")]
    sheet_id = max(sheet_ids, default=0) + 1
    what = f"sheet '{name}'"

    workbook = zf.read(WORKBOOK_PART).decode("utf-8")
    bound = re.search(rf'xmlns:(\w+)="{re.escape(NS_REL)}"', workbook)
    rel_attr = (f'{bound.group(1)}:id="{rel_id}"' if bound
                else f'r:id="{rel_id}" xmlns:r="{NS_REL}"')
    edits = {
        WORKBOOK_PART: insert_before("sheets", f'<@sheet name={quoteattr(name)} sheetId="{sheet_id}" '
                                               f'{rel_attr}/>', what),
        **new_part_edits(part, rel_id, WORKSHEET_REL, WORKSHEET_TYPE, what),
    }
    return edits, {part: sheet_xml.encode("utf-8")}


def free_rel_id(zf: zipfile.ZipFile) -> str:
    """A relationship id the workbook does not use yet."""
    rel_ids = {r.get("Id") for r in ET.fromstring(zf.read(WORKBOOK_RELS))}
    return next(f"rId{i}" for i in count(1) if f"rId{i}" not in rel_ids)


def insert_before(closing: str, element: str, what: str):
    """An edit (bytes -> bytes) putting `element` before the part's `</closing>`, with the
    part's own namespace prefix where the element says `<@`: a text insertion, so nothing
    else in the part changes."""
    def edit(data: bytes) -> bytes:
        text = data.decode("utf-8")
        match = re.search(rf"</(\w+:)?{closing}>", text)
        if match is None:
            raise ReadinessError(Problem(f"cannot add {what}: no </{closing}> found"))
        text_element = element.replace("<@", f"<{match.group(1) or ''}")
        return (text[:match.start()] + text_element + text[match.start():]).encode("utf-8")
    return edit


def new_part_edits(part: str, rel_id: str, rel_type: str, content_type: str, what: str) -> dict:
    """The edits that make a new part of the workbook known: its relationship from the
    workbook and its content type."""
    return {
        WORKBOOK_RELS: insert_before("Relationships", f'<@Relationship Id="{rel_id}" Type="{rel_type}" '
                                                      f'Target="/{part}"/>', what),
        CONTENT_TYPES: insert_before("Types", f'<@Override PartName="/{part}" ContentType="{content_type}"/>',
                                     what),
    }


def full_calc_on_load(workbook_xml: str) -> str:
    """Ask Excel to recalculate every formula on open: cells changed behind its back
    would otherwise keep stale cached results. Only an existing <calcPr> is touched."""
    def edit(match: re.Match) -> str:
        element = match.group(0)
        if "fullCalcOnLoad=" in element:
            return re.sub(r'fullCalcOnLoad="[^"]*"', 'fullCalcOnLoad="1"', element)
        return re.sub(r"calcPr\b", 'calcPr fullCalcOnLoad="1"', element, count=1)
    return re.sub(r"<(?:\w+:)?calcPr\b[^>]*>", edit, workbook_xml, count=1)
