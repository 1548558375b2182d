"""The ribbon button's status bar and call counts against the xlwings stand-in (what no
real engine here has), and the add-in file checked with tools that are not ours (an XML
parser, oletools' olevba)."""

from __future__ import annotations

import importlib
import re
import zipfile

from conftest import ROOT, run_cli
from defusedxml import ElementTree as ET
from fake_xlwings import FakeBook

from readiness_xl.builder import addin
from readiness_xl.workbook.layout import SUMMARY_SHEET
from udfs.ribbon import recalculate_all_agencies

ADDIN = ROOT / "workbooks" / "readiness_xl.xlam"


def sheet_values(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_button_works_in_blocks_and_shows_progress_on_the_status_bar(sample_copy):
    """What only a desktop Excel has: a status bar, and a cost per call into Excel. The
    values written are checked on a real xlwings Book in test_xlwings_button.py."""
    book = FakeBook(sample_copy)
    recalculate_all_agencies(book)
    assert book.app.alerts == []
    assert book.writes == 2            # clear the old Summary, write the new one: two blocks
    assert book.reads <= len(book.sheets) + 5   # about one read per sheet, not per cell
    assert book.app.calculations == 1  # a full calculation after writing
    assert any("reading agency sheets 31" in str(s) for s in book.app.status_history)
    assert book.app.status_history[-1] is False  # given back to Excel after success


def test_button_reports_bad_answer_and_changes_nothing(sample_copy):
    book = FakeBook(sample_copy)
    book.sheets["D01"].ws["G7"] = "lots"
    before = sheet_values(book.sheets[SUMMARY_SHEET].ws)
    book.writes = 0
    recalculate_all_agencies(book)
    (title, message), = book.app.alerts
    assert title == "readiness-xl"
    assert "sheet 'D01'" in message and "cell G7" in message and "'lots'" in message
    assert book.writes == 0 and sheet_values(book.sheets[SUMMARY_SHEET].ws) == before
    assert book.app.status_bar is False  # status bar handed back to Excel


def test_main_entry_point_runs_the_button(monkeypatch):
    calls = []
    monkeypatch.setattr("udfs.ribbon.recalculate_all_agencies", lambda: calls.append(1))
    importlib.import_module(addin.ADDIN_MODULE).main()
    assert calls == [1]


def test_addin_ribbon_xml_is_office_customui():
    with zipfile.ZipFile(ADDIN) as zf:
        root = ET.fromstring(zf.read(addin.CUSTOM_UI_PART))
        rels = zf.read("_rels/.rels").decode()
    ns = {"ui": addin.CUSTOM_UI_NS}
    assert root.tag == f"{{{addin.CUSTOM_UI_NS}}}customUI"
    tab = root.find("ui:ribbon/ui:tabs/ui:tab", ns)
    assert "Readiness" in tab.get("label") and "ความพร้อม" in tab.get("label")
    button = tab.find("ui:group/ui:button", ns)
    assert "Recalculate all agencies" in button.get("label") and "คำนวณใหม่" in button.get("label")
    assert button.get("onAction") == addin.TEMPLATE_MACRO
    assert 'Target="customUI/customUI.xml"' in rels and "ui/extensibility" in rels


def test_button_macro_exists_in_the_vba_project_and_calls_our_python():
    from oletools.olevba import VBA_Parser
    parser = VBA_Parser(str(ADDIN))
    modules = {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    parser.close()
    module, macro = addin.TEMPLATE_MACRO.split(".")
    code = modules[module]
    assert re.search(rf"Sub {macro}\(control As IRibbonControl\)", code)
    # the macro runs "import <add-in name>; <add-in name>.main()"
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in code
    assert "ThisWorkbook.Name" in code
    module_name = ADDIN.stem
    assert callable(importlib.import_module(module_name).main)


def test_committed_addin_matches_a_rebuild(tmp_path):
    rebuilt = tmp_path / "readiness_xl.xlam"
    run_cli("build-addin", rebuilt)
    with zipfile.ZipFile(ADDIN) as a, zipfile.ZipFile(rebuilt) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
    # and the VBA is xlwings' own, byte for byte
    with zipfile.ZipFile(addin.template_path()) as t, zipfile.ZipFile(ADDIN) as a:
        assert t.read("xl/vbaProject.bin") == a.read("xl/vbaProject.bin")


def test_addin_must_be_named_after_its_module(tmp_path):
    result = run_cli("build-addin", tmp_path / "ribbon.xlam", check=False)
    assert result.returncode == 2 and "must be named readiness_xl.xlam" in result.stderr
    assert not (tmp_path / "ribbon.xlam").exists()
