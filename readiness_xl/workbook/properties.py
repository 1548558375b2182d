"""Custom document properties (File > Properties > Custom in Excel): facts about a
workbook that travel with it through recalc and collect, which keep the part unchanged."""

from __future__ import annotations

import zipfile
from pathlib import Path

from defusedxml import ElementTree as ET

CUSTOM_PART = "docProps/custom.xml"
NS_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
# Set by the sample builder: the answers are invented, so every view of them says so.
ILLUSTRATIVE_PROPERTY = "readiness-xl illustrative data"


def custom_properties(path: Path) -> dict[str, str]:
    """Name -> text of every custom property of the workbook at `path` ({} if none).
    Call it on a package already checked (read_book checks it)."""
    with zipfile.ZipFile(path) as zf:
        if CUSTOM_PART not in zf.namelist():
            return {}
        root = ET.fromstring(zf.read(CUSTOM_PART))
    return {prop.get("name"): "".join(prop.itertext()).strip()
            for prop in root.iter(f"{{{NS_CUSTOM}}}property")}


def is_illustrative(path: Path) -> bool:
    return bool(custom_properties(path).get(ILLUSTRATIVE_PROPERTY))
