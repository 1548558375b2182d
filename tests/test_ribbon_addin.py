"""The ribbon button's status bar and call counts against the xlwings stand-in (what no
real engine here has), and the add-in file checked with tools that are not ours (an XML
parser, oletools' olevba)."""

from __future__ import annotations

import importlib
import re
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, run_cli
from defusedxml import ElementTree as ET
from fake_xlwings import FakeBook
from test_excel_classic import vba_modules

from readiness_xl.builder import addin
from udfs.ribbon import recalculate_all_agencies

ADDIN = ROOT / "workbooks" / "readiness_xl.xlam"


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


def test_status_bar_is_given_back_after_a_bad_answer(sample_copy):
    """The message box and 'nothing written' are checked on a real Book
    (test_xlwings_button.py); the status bar only a desktop Excel has."""
    book = FakeBook(sample_copy)
    book.sheets["D01"].ws["G7"] = "lots"
    recalculate_all_agencies(book)
    (title, message), = book.app.alerts
    assert "cell G7" in message and book.writes == 0
    assert any("reading agency sheets" in str(s) for s in book.app.status_history)
    assert book.app.status_bar is False


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


def button_command(path) -> str:
    """The Python code the add-in's button macro gives xlwings' RunPython, read from the
    add-in's VBA by oletools (not by our code)."""
    module, macro = addin.TEMPLATE_MACRO.split(".")
    code = vba_modules(path)[module]
    assert re.search(rf"^Sub {macro}\(control As IRibbonControl\)", code, re.M)
    (command,) = re.findall(r'^\s*RunPython "([^"]*)"\s*$', code, re.M)
    assert "ThisWorkbook" not in code and ".Name" not in code   # nothing from the file name
    return command


NAMES = ["readiness_xl.xlam", "readiness_xl (1).xlam", "readiness-xl.xlam",
         "ความพร้อม 2567.xlam", "1.xlam"]


@pytest.mark.parametrize("name", NAMES)
def test_the_button_runs_the_same_valid_command_whatever_the_file_is_called(tmp_path, name):
    """xlwings' template ran `import <file name>`: 'readiness_xl (1)' is a SyntaxError."""
    path = addin.build_addin(tmp_path / name)
    command = button_command(path)
    assert command == addin.BUTTON_COMMAND
    compile(command, "<RunPython>", "exec")
    assert not importlib.import_module(addin.ADDIN_MODULE).main.__code__.co_argcount


def test_xlwings_template_derived_the_command_from_the_file_name():
    """The defect, in xlwings' own template: what we replace."""
    code = vba_modules(addin.template_path())[addin.TEMPLATE_MACRO.split(".")[0]]
    assert "Left(ThisWorkbook.Name" in code and 'RunPython "import " & mymodule' in code


def test_nothing_else_of_xlwings_takes_the_addins_name(tmp_path):
    """The other places xlwings' VBA hands a book's name to Python: prepare_sys_path gets
    the add-in's full name but adds only its folder (and a .zip beside it), and the
    `UDF Modules` default (the book's name) is used only by Import Functions, which our
    ribbon has no button for (the template names udfs.functions in its xlwings.conf)."""
    import sys

    import xlwings.utils
    path = addin.build_addin(tmp_path / "readiness_xl (1).xlam")
    before = list(sys.path)
    try:
        xlwings.utils.prepare_sys_path(f"true;;{path};;;")
        added = [p for p in sys.path if p not in before]
    finally:
        sys.path[:] = before
    assert sorted(added) == sorted([str(tmp_path), str(path.with_suffix(".zip"))])
    code = vba_modules(path)["xlwings"]
    callers = {m.group(1) for m in re.finditer(r"^(?:Sub|Function) (\w+).*?^End (?:Sub|Function)",
                                              code, re.M | re.S) if "GetUdfModules(" in m.group(0)}
    assert callers == {"GetUdfModules", "ImportPythonUDFsBase"}
    with zipfile.ZipFile(path) as zf:
        actions = re.findall(r'onAction="([^"]+)"', zf.read(addin.CUSTOM_UI_PART).decode())
    assert actions == [addin.TEMPLATE_MACRO]


def test_addin_vba_is_xlwings_own_but_for_the_button_macro_and_is_not_flagged(tmp_path):
    """Every VBA stream but the button's module and the project's name is the template's,
    byte for byte; the module's old p-code is gone, so olevba sees no VBA stomping (source
    and p-code that differ), which a virus scanner would flag."""
    import olefile
    from oletools.olevba import VBA_Parser
    built = addin.build_addin(tmp_path / addin.ADDIN_NAME)
    with zipfile.ZipFile(addin.template_path()) as t, zipfile.ZipFile(built) as a:
        old, new = (olefile.OleFileIO(z.read(addin.VBA_PART)) for z in (t, a))
    streams = ["/".join(s) for s in old.listdir()]
    assert streams == ["/".join(s) for s in new.listdir()]
    changed = [s for s in streams if old.openstream(s).read() != new.openstream(s).read()]
    assert changed == ["PROJECT", "VBA/" + addin.TEMPLATE_MACRO.split(".")[0], "VBA/dir", "VBA/xlwings"]
    parser = VBA_Parser(str(built))
    try:
        assert parser.detect_vba_macros() and not parser.detect_vba_stomping()
    finally:
        parser.close()
    template = VBA_Parser(str(addin.template_path()))
    assert not template.detect_vba_stomping()   # the check can see: the template passes
    template.close()


def test_addin_vba_project_has_our_name_read_back_by_oletools(tmp_path):
    """MS-OVBA as oletools parses it, strictly: the dir stream's PROJECTNAME and the PROJECT
    stream's Name line say ReadyXL, the xlwings module's PROJECT_NAME (the conf file and
    sheet it reads) readyxl; nothing else of the three streams changed, and of the
    xlwings module only the 4 KB chunk holding the constant was compressed again."""
    import olefile
    from oletools.olevba import VBA_Project, decompress_stream
    built = addin.build_addin(tmp_path / addin.ADDIN_NAME)
    with zipfile.ZipFile(addin.template_path()) as t, zipfile.ZipFile(built) as a:
        old, new = (olefile.OleFileIO(z.read(addin.VBA_PART)) for z in (t, a))
        sheets = a.read("xl/workbook.xml").decode()
    assert VBA_Project(old, "", "PROJECT", "VBA/dir", relaxed=False).projectname == "MyAddin"
    project = VBA_Project(new, "", "PROJECT", "VBA/dir", relaxed=False)
    assert project.projectname == addin.VBA_PROJECT_NAME == "ReadyXL"
    old_text, new_text = (f.openstream("PROJECT").read() for f in (old, new))
    assert new_text == old_text.replace(b'Name="MyAddin"', b'Name="ReadyXL"') != old_text
    old_dir, new_dir = (bytes(decompress_stream(bytearray(f.openstream("VBA/dir").read())))
                        for f in (old, new))
    at = old_dir.index(b"\x04\x00\x07\x00\x00\x00MyAddin") + 6
    assert new_dir == old_dir[:at] + b"ReadyXL" + old_dir[at + 7:]
    assert new_dir.count(b"RibbonMyAddin") == old_dir.count(b"RibbonMyAddin") == 2  # a module's name
    old_code, new_code = (bytes(decompress_stream(bytearray(f.openstream("VBA/xlwings").read())))
                          for f in (old, new))
    assert new_code == old_code.replace(b'PROJECT_NAME As String = "myaddin"',
                                        b'PROJECT_NAME As String = "readyxl"') != old_code
    old_raw, new_raw = (f.openstream("VBA/xlwings").read() for f in (old, new))
    differing = [i for i in range(0, len(old_raw), 512) if old_raw[i:i + 512] != new_raw[i:i + 512]]
    assert differing and max(differing) < 4096 and len(old_raw) == len(new_raw)
    assert 'name="_readyxl.conf"' in sheets and "myaddin" not in sheets


@given(st.binary(min_size=200, max_size=4096), st.integers(0, 30), st.data())
@settings(max_examples=25, deadline=None)
def test_a_chunk_compresses_to_an_exact_size_and_oletools_reads_it_back(chunk, extra, data):
    """builder/vba.py's exact-size chunk compression, read by oletools' decompressor."""
    from oletools.olevba import decompress_stream

    from readiness_xl.builder import vba
    text = bytes(b % 40 + 48 for b in chunk)   # repetitive, as source code is
    smallest = vba._chunk_size(vba._smallest_tokens(text))
    size = smallest + extra
    try:
        encoded = vba.compress_chunk_to_size(text, size)
    except ValueError:   # too few copy tokens to grow by `extra`; the smallest always works
        assert extra > 0
        return
    assert len(encoded) == size
    assert bytes(decompress_stream(bytearray(b"\x01" + encoded))) == text


def test_committed_addin_matches_a_rebuild(tmp_path):
    rebuilt = tmp_path / "readiness_xl.xlam"
    run_cli("build-addin", rebuilt)
    with zipfile.ZipFile(ADDIN) as a, zipfile.ZipFile(rebuilt) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            assert a.read(name) == b.read(name), name


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=30,
               max_size=600), st.integers(0, 40))
@settings(max_examples=60, deadline=None)
def test_vba_source_compresses_to_any_length_it_fits_and_oletools_reads_it_back(text, extra):
    """builder/vba.py's container, read by oletools' MS-OVBA decompressor (not ours), for
    every length from one byte over the source's all-literal size with a 4-byte comment
    (a module's source is a few lines: 30 characters or more)."""
    from oletools.olevba import decompress_stream

    from readiness_xl.builder.vba import compress_to_length, decompress
    source = text.encode("ascii") + b"\r\n"
    length = 3 + len(source) + 2 + (len(source) + 2 + 7) // 8 + 4 + extra
    container = compress_to_length(source, length)
    assert len(container) == length
    read = bytes(decompress_stream(bytearray(container)))
    assert read == decompress(container)
    assert read.startswith(source + b"'-") and read.endswith(b"-\r\n")
    assert set(read[len(source) + 1:-2]) == {ord("-")}


def test_a_template_whose_vba_cannot_be_renamed_is_refused_in_one_line(tmp_path, monkeypatch):
    """Another xlwings' template whose PROJECT_NAME has another length: refused, nothing written."""
    from readiness_xl.builder import vba
    from readiness_xl.errors import ReadinessError
    real = vba.rename_project
    monkeypatch.setattr(vba, "rename_project", lambda project, name, *rest: real(project, name + "X", *rest))
    with pytest.raises(ReadinessError) as err:
        addin.build_addin(tmp_path / "readiness_xl.xlam")
    assert "cannot be made ours" in err.value.one_line() and "new project name must have 7" in err.value.one_line()
    assert list(tmp_path.iterdir()) == []
