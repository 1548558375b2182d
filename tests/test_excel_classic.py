"""The classic Windows path: the macro-enabled template carrying xlwings' standalone VBA
(read back with oletools' olevba and openpyxl), the settings xlwings' VBA reads, and
`readiness-xl doctor`."""

from __future__ import annotations

import re
import sys

import pytest
from conftest import ROOT, run_cli
from oletools.olevba import VBA_Parser
from openpyxl import load_workbook

from readiness_xl import doctor
from readiness_xl.builder import addin
from readiness_xl.workbook import layout as L

ADDIN = ROOT / "workbooks" / "readiness_xl.xlam"
TEMPLATE = ROOT / "workbooks" / "readiness_template.xlsm"


def vba_modules(path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsm") / "mine.xlsm"
    run_cli("new-template", out)
    return out


def test_xlsm_template_carries_xlwings_standalone_vba(xlsm):
    modules = vba_modules(xlsm)
    code = modules["xlwings"]
    # what Import Functions runs, and what the functions it writes call (XLPy.CallUDF)
    assert re.search(r"^Sub ImportPythonUDFs\(\)", code, re.M)
    assert re.search(r"^Function XLPy\(\)", code, re.M)
    # it reads its settings from the sheet named <project>.conf: our xlwings.conf sheet
    project = re.search(r'PROJECT_NAME As String = "([^"]+)"', code).group(1)
    assert f"{project}.conf" == L.XLWINGS_CONF_SHEET
    wb = load_workbook(xlsm, keep_vba=True)
    conf = {r[0]: r[1] for r in wb[L.XLWINGS_CONF_SHEET].iter_rows(values_only=True) if r[0]}
    assert conf["UDF Modules"] == "udfs.functions"
    assert wb.code_name == "ThisWorkbook"
    assert L.DASHBOARD_SHEET in wb.sheetnames and L.SUMMARY_SHEET in wb.sheetnames


def test_xlsm_is_a_macro_enabled_package(xlsm):
    import zipfile
    with zipfile.ZipFile(xlsm) as zf:
        types = zf.read("[Content_Types].xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert "vbaProject" in types and 'Target="vbaProject.bin"' in rels


def test_committed_xlsm_template_matches_a_rebuild(xlsm):
    from workbook_content import differences, workbook_content
    assert not differences(workbook_content(TEMPLATE), workbook_content(xlsm))
    assert vba_modules(TEMPLATE) == vba_modules(xlsm)


def test_other_builders_refuse_xlsm(tmp_path):
    result = run_cli("sample", tmp_path / "s.xlsm", check=False)
    assert result.returncode == 2 and not (tmp_path / "s.xlsm").exists()


def test_addin_reads_the_settings_file_doctor_writes():
    """xlwings' VBA in our add-in reads %USERPROFILE%\\.<PROJECT_NAME>\\<PROJECT_NAME>.conf."""
    code = vba_modules(ADDIN)["xlwings"]
    assert re.search(r'PROJECT_NAME As String = "([^"]+)"', code).group(1) == addin.ADDIN_VBA_PROJECT
    assert 'Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in code
    paths = doctor.conf_paths(ROOT)
    assert paths[addin.ADDIN_VBA_PROJECT].name == f"{addin.ADDIN_VBA_PROJECT}.conf"


@pytest.fixture
def windows(monkeypatch, tmp_path):
    """doctor's view of a Windows profile in tmp_path (folders and files only)."""
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(doctor, "INTERPRETER_KEY", "INTERPRETER_WIN")
    monkeypatch.setattr(doctor, "_trust_setting", lambda: doctor.MISSING)  # the registry
    monkeypatch.setattr(doctor, "windows_code_page", lambda: "cp874")  # GetACP of Thai Windows
    appdata = tmp_path / "AppData" / "Roaming"
    (appdata / "Microsoft" / "Excel" / "XLSTART").mkdir(parents=True)
    (appdata / "Microsoft" / "AddIns").mkdir(parents=True)
    return tmp_path, {"APPDATA": str(appdata), "USERPROFILE": str(tmp_path)}


def by_name(found):
    return {c.name: c for c in found}


def test_doctor_on_windows_names_what_is_missing_in_thai_and_english(windows):
    home, env = windows
    (home / "AppData/Roaming/Microsoft/Excel/XLSTART/xlwings.xlam").write_bytes(b"")
    found = by_name(doctor.checks(home, env))
    assert found["xlwings.xlam"].status == doctor.OK
    ours = found["readiness_xl.xlam"]
    assert ours.status == doctor.MISSING and "is not installed" in ours.en
    assert "ยังไม่ได้ติดตั้ง" in ours.th
    assert found["Trust access to the VBA project object model"].status == doctor.MISSING
    for path in doctor.conf_paths(home).values():
        assert found[str(path)].status == doctor.MISSING and "doctor --fix" in found[str(path)].en


@pytest.fixture(scope="module")
def built_addin(tmp_path_factory):
    """Ours, and two add-ins as we built them before: our ribbon over xlwings' template VBA
    unchanged (its button runs `import <file name>`, its settings are myaddin.conf), and
    our button over the template's project name (settings myaddin.conf)."""
    import zipfile

    from readiness_xl.builder.vba import replace_module_source
    out = tmp_path_factory.mktemp("addin") / "readiness_xl.xlam"
    run_cli("build-addin", out)
    older, old = out.with_name("older.xlam"), out.with_name("old.xlam")
    with zipfile.ZipFile(addin.template_path()) as template:
        vba = template.read(addin.VBA_PART)
    unrenamed = replace_module_source(vba, addin.TEMPLATE_MACRO.split(".")[0], addin.RUN_MAIN_VBA)
    for path, project in ((older, vba), (old, unrenamed)):
        with zipfile.ZipFile(out) as zin, zipfile.ZipFile(path, "w") as zout:
            for name in zin.namelist():
                zout.writestr(name, project if name == addin.VBA_PART else zin.read(name))
    return out, older, old


def test_doctor_finds_our_addin_under_any_name_and_refuses_an_old_build(built_addin, windows):
    """The browser's second download is 'readiness_xl (1).xlam': ours works under any
    name, and doctor knows it by its ribbon, not its name; a build from before reads
    xlwings' template settings (myaddin.conf), which --fix no longer writes."""
    import shutil
    home, env = windows
    addins = home / "AppData/Roaming/Microsoft/AddIns"
    ours, older, old = built_addin
    shutil.copy(ours, addins / "ความพร้อม (1).xlam")
    assert by_name(doctor.checks(home, env))["readiness_xl.xlam"].status == doctor.OK
    for stale_build, name in ((old, "readiness_xl.xlam"), (older, "readiness_xl (2).xlam")):
        for path in addins.glob("readiness_xl*.xlam"):
            path.unlink()
        shutil.copy(stale_build, addins / name)
        stale = by_name(doctor.checks(home, env))["readiness_xl.xlam"]
        assert stale.status == doctor.MISSING and f"{name} is an old build" in stale.en, name
        assert "build-addin" in stale.th and "myaddin.conf" in stale.en


def test_doctor_fix_writes_both_settings_files_keeping_other_lines(windows):
    home, env = windows
    own = doctor.conf_paths(home)["xlwings"]
    own.parent.mkdir(parents=True)
    own.write_text('"INTERPRETER_WIN","C:\\old\\python.exe"\n"SHOW CONSOLE","False"\n')
    written = doctor.write_conf(home)
    assert sorted(written) == sorted(doctor.conf_paths(home).values())
    text = own.read_text()
    assert '"SHOW CONSOLE","False"' in text and "old" not in text
    assert f'"INTERPRETER_WIN","{sys.executable}"' in text
    # the UDF server only for our add-in, not for every xlwings workbook of the user
    assert "USE UDF SERVER" not in text
    ours = doctor.conf_paths(home)[addin.ADDIN_VBA_PROJECT].read_text()
    assert '"USE UDF SERVER","True"' in ours and f'"INTERPRETER_WIN","{sys.executable}"' in ours
    found = by_name(doctor.checks(home, env))
    assert all(found[str(p)].status == doctor.OK for p in written)


def vba_input(data: bytes, encoding: str) -> dict[str, str]:
    """What xlwings' GetConfigFromFile reads: `Input #f, name, value` on each line, the
    bytes decoded in the code page VBA's file statements use."""
    import csv
    return {row[0]: row[1] for row in csv.reader(data.decode(encoding).splitlines()) if row}


def test_doctor_fix_writes_a_thai_user_path_in_the_thai_code_page(windows, tmp_path):
    """Thai Windows (ANSI code page 874): C:\\Users\\สมชาย\\... reads back as written; the
    UTF-8 bytes written before read back as other letters."""
    home, env = windows
    python = tmp_path / "สมชาย" / "AppData" / "Local" / "Programs" / "Python" / "pythonw.exe"
    python.parent.mkdir(parents=True)
    python.write_bytes(b"")
    for path in doctor.write_conf(home, interpreter=python):
        data = path.read_bytes()
        assert vba_input(data, "cp874")["INTERPRETER_WIN"] == str(python)
        assert str(python).encode("utf-8").decode("cp874", errors="replace") != str(python)
        assert "สมชาย".encode("utf-8") not in data
    found = by_name(doctor.checks(home, env))
    assert all(found[str(p)].status == doctor.OK for p in doctor.conf_paths(home).values())


def test_doctor_fix_refuses_a_path_the_code_page_cannot_hold_and_writes_nothing(windows, tmp_path):
    home, _ = windows
    python = tmp_path / "สมชาย" / "pythonw.exe"
    with pytest.raises(doctor.ReadinessError) as err:
        doctor.write_conf(home, encoding="cp1252", interpreter=python)
    line = err.value.one_line()
    assert "cp1252" in line and "Excel would not find Python" in line and "Excel จะหา" in line
    assert "Language for non-Unicode programs" in line and "English letters" in line
    assert not any(p.exists() for p in doctor.conf_paths(home).values())


def test_doctor_on_macos_writes_and_checks_the_conf_in_excels_sandbox(monkeypatch, tmp_path):
    """xlwings' GetConfigFilePath on a Mac: GetMacDir("$HOME") is Excel's sandbox home,
    ~/Library/Containers/com.microsoft.Excel/Data, and the file sits there directly."""
    python = tmp_path / "bin" / "python3"
    python.parent.mkdir()
    python.write_bytes(b"")
    written = doctor.write_conf(tmp_path, platform="darwin", interpreter=python)
    data = tmp_path / "Library/Containers/com.microsoft.Excel/Data"
    assert sorted(written) == sorted([data / "xlwings.conf", data / f"{addin.ADDIN_VBA_PROJECT}.conf"])
    for path in written:
        assert vba_input(path.read_bytes(), "mac_roman")["INTERPRETER_MAC"] == str(python)
    found = by_name(doctor.checks(tmp_path, {"HOME": str(tmp_path)}, platform="darwin"))
    assert all(found[str(p)].status == doctor.OK for p in written)
    assert not (tmp_path / ".xlwings").exists()


def test_doctor_names_an_xlwings_that_does_not_match_the_shipped_vba():
    check = doctor.version_check("0.38.0", "0.37.8", "readiness_xl.xlam")
    assert check.status == doctor.MISSING
    assert "Could not load xlwings64-0.37.8.dll" in check.en and "pip install xlwings==0.37.8" in check.en
    assert "\n" not in check.en and "pip install xlwings==0.37.8" in check.th
    assert doctor.version_check("0.37.8", "0.37.8", "readiness_xl.xlam").status == doctor.OK
    assert doctor.vba_version_of(ADDIN) == "0.37.8"


def test_pyproject_pins_the_xlwings_whose_dll_the_shipped_vba_loads():
    import tomllib
    pins = [d for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
            if d.startswith("xlwings")]
    assert len(pins) == 1 and pins[0].startswith("xlwings==")
    version = pins[0].removeprefix("xlwings==")
    for book in (ADDIN, TEMPLATE):
        code = vba_modules(book)["xlwings"]
        dlls = set(re.findall(r'"xlwings(?:32|64)-([0-9.]+)\.dll"', code))
        assert dlls == {version}, (book.name, dlls)


def test_doctor_on_linux_says_what_it_cannot_check():
    result = run_cli("doctor")
    assert result.returncode == 0
    assert "[ok] Python" in result.stdout and "[ok] udfs.functions" in result.stdout
    assert "[--] xlwings.xlam" in result.stdout and "Windows only" in result.stdout
    assert "ตรวจได้บน Windows เท่านั้น" in result.stdout
    fix = run_cli("doctor", "--fix", check=False)
    assert fix.returncode == 2 and "Excel does not run on this system" in fix.stderr


def test_settings_doctor_writes_are_ones_xlwings_vba_reads(windows):
    home, _ = windows
    written = doctor.write_conf(home)
    keys = {line.split(",")[0].strip('"') for path in written for line in path.read_text().splitlines()}
    assert keys == {"INTERPRETER_WIN", "USE UDF SERVER"}
    for book in (ADDIN, TEMPLATE):
        code = vba_modules(book)["xlwings"]
        for key in keys:
            assert f'GetConfig("{key}"' in code, (book.name, key)


@pytest.mark.parametrize("name", ["x.xlsx", "x.txt", "addins/bad.xlsx", "x.xlsm", "noextension"])
def test_build_addin_refuses_a_name_excel_would_not_open_and_writes_nothing(tmp_path, name):
    result = run_cli("build-addin", tmp_path / name, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "the add-in is written as .xlam" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_build_addin_takes_any_xlam_name_in_any_case(tmp_path):
    assert run_cli("build-addin", tmp_path / "ความพร้อม.XLAM").returncode == 0
    assert (tmp_path / "ความพร้อม.XLAM").stat().st_size > 0
