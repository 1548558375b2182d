"""`readiness-xl build-addin`: the ribbon add-in, made from the ribbon add-in template
that the installed xlwings ships (what `xlwings quickstart NAME --addin --ribbon`
copies), with only its ribbon XML replaced by our tab. Its VBA is xlwings' own and
unchanged: the button calls the template's `RibbonMyAddin.RunMain`, which runs
`import <add-in name>; <add-in name>.main()`, so the add-in must be named after an
importable module with a main(): `readiness_xl.xlam` -> `readiness_xl.main()`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from xml.sax.saxutils import quoteattr

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook.parts import replace_parts

XLWINGS_TEMPLATE = "quickstart_addin_ribbon.xlam"
# The add-in VBA's PROJECT_NAME: xlwings' VBA reads the add-in's settings from
# `<project>.conf` (a sheet of that name, or %USERPROFILE%\.<project>\<project>.conf),
# never from .xlwings\xlwings.conf; `readiness-xl doctor --fix` writes that file.
ADDIN_VBA_PROJECT = "myaddin"
# What `xlwings quickstart --standalone` copies: a workbook whose VBA project holds
# xlwings' whole VBA module (RunPython, XLPy for imported functions, reading the
# `xlwings.conf` sheet), so a workbook shared by email needs no VBA reference to the add-in.
XLWINGS_STANDALONE = "quickstart_standalone.xlsm"
CUSTOM_UI_PART = "customUI/customUI.xml"
CUSTOM_UI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
TEMPLATE_MACRO = "RibbonMyAddin.RunMain"  # the ribbon callback in xlwings' template VBA
ADDIN_MODULE = "readiness_xl"              # so the add-in file is readiness_xl.xlam

TAB = {"id": "readinessTab", "label": "ความพร้อมดิจิทัล / Readiness"}
GROUP = {"id": "readinessGroup", "label": "รัฐบาลดิจิทัล / Digital government"}
BUTTON = {"id": "recalculateAll", "label": "คำนวณใหม่ทุกหน่วยงาน / Recalculate all agencies",
          "screentip": "Recalculate all agencies / คำนวณใหม่ทุกหน่วยงาน",
          "supertip": "Scores every agency sheet, rewrites the Summary and refreshes the Dashboard "
                      "(the same numbers as `readiness-xl recalc`).",
          "size": "large", "imageMso": "CalculateNow", "onAction": TEMPLATE_MACRO}


def template_path(name: str = XLWINGS_TEMPLATE) -> Path:
    return Path(str(resources.files("xlwings") / name))


def with_xlwings_vba(wb) -> None:
    """Make an openpyxl Workbook macro-enabled (.xlsm) with xlwings' standalone VBA: Excel's
    Import Functions then works in it, and the functions it writes call `XLPy.CallUDF`
    inside the workbook. openpyxl copies the VBA parts of `vba_archive` when it saves; the
    code names bind the VBA project's document modules (ThisWorkbook, Sheet1, ...)."""
    import zipfile
    source = template_path(XLWINGS_STANDALONE)
    if not source.exists():
        raise ReadinessError(Problem("the installed xlwings has no standalone workbook to take "
                                     "its VBA from", file=str(source)))
    wb.vba_archive = zipfile.ZipFile(source)
    wb.code_name = "ThisWorkbook"
    for number, ws in enumerate(wb.worksheets, start=1):
        ws.sheet_properties.codeName = f"Sheet{number}"


def custom_ui_xml() -> bytes:
    def attrs(values: dict[str, str]) -> str:
        return " ".join(f"{k}={quoteattr(v)}" for k, v in values.items())
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<customUI xmlns="{CUSTOM_UI_NS}">\n  <ribbon>\n    <tabs>\n'
            f'      <tab {attrs(TAB)}>\n        <group {attrs(GROUP)}>\n'
            f'          <button {attrs(BUTTON)} />\n'
            f'        </group>\n      </tab>\n    </tabs>\n  </ribbon>\n</customUI>\n').encode("utf-8")


def build_addin(target: Path) -> Path:
    """Write the add-in to `target`, which must be named readiness_xl.xlam."""
    target = Path(target)
    if target.name != f"{ADDIN_MODULE}.xlam":
        raise ReadinessError(Problem(f"the add-in must be named {ADDIN_MODULE}.xlam: its button runs "
                                     f"'import {ADDIN_MODULE}; {ADDIN_MODULE}.main()' after the "
                                     "add-in's file name", file=str(target)))
    source = template_path()
    if not source.exists():
        raise ReadinessError(Problem("the installed xlwings has no ribbon add-in template",
                                     file=str(source)))
    replace_parts(source, target, {CUSTOM_UI_PART: lambda _old: custom_ui_xml()})
    return target
