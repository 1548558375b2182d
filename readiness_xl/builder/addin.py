"""`readiness-xl build-addin`: the ribbon add-in, made from the ribbon add-in template
that the installed xlwings ships (what `xlwings quickstart NAME --addin --ribbon`
copies), with its ribbon XML replaced by our tab and one VBA module changed. The rest of
its VBA is xlwings' own, byte for byte. The template's button macro
`RibbonMyAddin.RunMain` runs `import <file name>; <file name>.main()`: a copy a browser
saved as `readiness_xl (1).xlam` would run `import readiness_xl (1)`, a SyntaxError. Our
RunMain runs a fixed command instead, so the add-in works whatever its file name.

The VBA project is also renamed from the template's `MyAddin` to our own (builder/vba.py's
rename_project): every add-in built from the unrenamed template reads
%USERPROFILE%\\.myaddin\\myaddin.conf, so one of them would take our settings, or we theirs."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from readiness_xl.workbook.xml_escape import quoteattr

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook.parts import replace_parts

XLWINGS_TEMPLATE = "quickstart_addin_ribbon.xlam"
# The add-in's VBA project name and the PROJECT_NAME constant of its xlwings module:
# xlwings' VBA reads the add-in's settings from `<project>.conf` (a sheet of that name, or
# %USERPROFILE%\.<project>\<project>.conf), never from .xlwings\xlwings.conf;
# `readiness-xl doctor --fix` writes that file. The template's names are MyAddin/myaddin:
# ours have as many letters (the compressed VBA streams keep their sizes; builder/vba.py).
VBA_PROJECT_NAME = "ReadyXL"
ADDIN_VBA_PROJECT = VBA_PROJECT_NAME.lower()
TEMPLATE_CONF_SHEET = b'name="_myaddin.conf"'   # the template's (inactive) settings sheet
# What `xlwings quickstart --standalone` copies: a workbook whose VBA project holds
# xlwings' whole VBA module (RunPython, XLPy for imported functions, reading the
# `xlwings.conf` sheet), so a workbook shared by email needs no VBA reference to the add-in.
XLWINGS_STANDALONE = "quickstart_standalone.xlsm"
CUSTOM_UI_PART = "customUI/customUI.xml"
CUSTOM_UI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
TEMPLATE_MACRO = "RibbonMyAddin.RunMain"  # the ribbon callback in xlwings' template VBA
ADDIN_MODULE = "readiness_xl"              # the module whose main() the button runs
ADDIN_NAME = f"{ADDIN_MODULE}.xlam"         # the name we ship it under (any name works)
VBA_PART = "xl/vbaProject.bin"
# What the button's macro passes to xlwings' RunPython (Python code, run after xlwings'
# prepare_sys_path); nothing in it comes from the add-in's file name. It has to fit where
# xlwings' RunMain was (see builder/vba.py), so there is no room for a VBA comment.
BUTTON_COMMAND = f"import {ADDIN_MODULE};{ADDIN_MODULE}.main()"
RUN_MAIN_VBA = (f'Attribute VB_Name = "{TEMPLATE_MACRO.split(".")[0]}"\r\n'
                f"Sub {TEMPLATE_MACRO.split('.')[1]}(control As IRibbonControl)\r\n"
                f'    RunPython "{BUTTON_COMMAND}"\r\n'
                "End Sub\r\n")

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


def run_main_module(vba_project: bytes) -> bytes:
    """The template's VBA project with our RunMain in place of xlwings', under our name."""
    from readiness_xl.builder.vba import rename_project, replace_module_source
    try:
        ours = replace_module_source(vba_project, TEMPLATE_MACRO.split(".")[0], RUN_MAIN_VBA)
        return rename_project(ours, VBA_PROJECT_NAME, "xlwings", "PROJECT_NAME")
    except (KeyError, ValueError) as err:   # another xlwings' template than the pinned one
        raise ReadinessError(Problem(f"the VBA of the installed xlwings' ribbon add-in template "
                                     f"cannot be made ours ({err}): install the xlwings version "
                                     "readiness-xl pins", file=str(template_path()))) from None


def _conf_sheet(workbook_xml: bytes) -> bytes:
    """The template's inactive settings sheet `_myaddin.conf` named after our project."""
    if workbook_xml.count(TEMPLATE_CONF_SHEET) != 1:
        raise ReadinessError(Problem("the ribbon add-in template of the installed xlwings has no "
                                     "_myaddin.conf sheet", file=str(template_path())))
    return workbook_xml.replace(TEMPLATE_CONF_SHEET, f'name="_{ADDIN_VBA_PROJECT}.conf"'.encode())


def _check_run_main(vba_project: bytes) -> str | None:
    from readiness_xl.builder.vba import module_source
    if not module_source(vba_project, TEMPLATE_MACRO.split(".")[0]).startswith(RUN_MAIN_VBA):
        return "the button's macro is not ours"
    if f'PROJECT_NAME As String = "{ADDIN_VBA_PROJECT}"' not in module_source(vba_project, "xlwings"):
        return "the VBA project's settings name is not ours"
    return None


def vba_xlwings_version(vba_project: bytes) -> str | None:
    """The xlwings version of the VBA in a project (its `XLWINGS_VERSION` constant, which
    names the DLL it loads: xlwings64-<version>.dll)."""
    import re

    from readiness_xl.builder.vba import module_source
    try:
        source = module_source(vba_project, "xlwings")
    except (KeyError, OSError):
        return None
    found = re.search(r'XLWINGS_VERSION As String = "([^"]+)"', source)
    return found.group(1) if found else None


def build_addin(target: Path) -> Path:
    """Write the add-in to `target` (any file name ending .xlam; we ship it as
    readiness_xl.xlam). Excel opens an add-in only under that extension: another one is
    refused before anything is written."""
    target = Path(target)
    if target.suffix.lower() != ".xlam":
        given = f"'{target.suffix}'" if target.suffix else "no extension"
        raise ReadinessError(Problem(f"the add-in is written as .xlam (Excel opens an add-in only "
                                     f"under that extension), not {given}: name it e.g. "
                                     f"{target.stem or 'readiness_xl'}.xlam", file=str(target)))
    source = template_path()
    if not source.exists():
        raise ReadinessError(Problem("the installed xlwings has no ribbon add-in template",
                                     file=str(source)))
    replace_parts(source, target, {CUSTOM_UI_PART: lambda _old: custom_ui_xml(),
                                   VBA_PART: run_main_module, "xl/workbook.xml": _conf_sheet},
                  verify={VBA_PART: _check_run_main})
    return target
