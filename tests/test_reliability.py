"""Reliability of every write: namespace prefixes, rows without numbers, values a cell
cannot hold, symlinks, workbooks open elsewhere, two runs at once, leftovers of a killed
run, a full disk, text that looks like markup, one damaged form among good ones."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from readiness_xl.errors import ReadinessError
from readiness_xl.workbook import locks
from readiness_xl.workbook.cell_xml import cell_xml
from readiness_xl.workbook.package import sheet_parts
from readiness_xl.workbook.parts import replace_parts
from readiness_xl.workbook.read_back import check_cells, sheet_values
from readiness_xl.workbook.sheet_xml import set_cells, with_references
from tests.conftest import CLI, ROOT, run_cli

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _edit_part(path: Path, sheet: str, edit) -> None:
    """Edit one sheet's XML (str -> str) in place, by plain zip copy (no checks of ours)."""
    with zipfile.ZipFile(path) as zf:
        part = sheet_parts(zf)[sheet]
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            zout.writestr(info, edit(data.decode()).encode() if info.filename == part else data)


def _set_name(path: Path, row: int, column: int, name: str, sheet: str = "Agencies") -> None:
    wb = load_workbook(path)
    wb[sheet].cell(row=row, column=column).value = name
    wb.save(path)


def _prefixed(xml: str) -> str:
    """The part as the Open XML SDK writes it: every element with an x: prefix."""
    xml = xml.replace(f'<worksheet xmlns="{NS}"', f'<x:worksheet xmlns:x="{NS}"')
    return re.sub(r"<(/?)(?!x:|\?)([A-Za-z]+)", r"<\1x:\2", xml)


def test_prefixed_summary_is_rewritten_and_verified(sample_copy):
    _set_name(sample_copy, 5, 7, None, sheet="D01")      # change an answer of D01
    _edit_part(sample_copy, "Summary", _prefixed)
    result = json.loads(run_cli("recalc", sample_copy, "--json").stdout)
    overall = next(a["overall"] for a in result["agencies"] if a["id"] == "D01")
    ws = load_workbook(sample_copy, read_only=True, data_only=True)["Summary"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    header = next(ws.iter_rows(max_row=1, values_only=True))
    written = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[1] == "D01")
    assert written[header.index(next(h for h in header if "Overall" in str(h)))] == \
        pytest.approx(overall, abs=1e-9)
    assert rows
    with zipfile.ZipFile(sample_copy) as zf:
        xml = zf.read(sheet_parts(zf)["Summary"]).decode()
    assert "<x:sheetData>" in xml and "<sheetData" not in xml and "<row " not in xml


def test_a_write_that_does_not_come_out_as_meant_is_refused(sample_copy):
    before = sample_copy.read_bytes()
    with zipfile.ZipFile(sample_copy) as zf:
        part = sheet_parts(zf)["Summary"]
    with pytest.raises(ReadinessError, match="did not come out as written"):
        replace_parts(sample_copy, sample_copy, {part: lambda data: data},  # edit forgot its job
                      verify={part: check_cells({"A1": "never written"})})
    assert sample_copy.read_bytes() == before


def test_rows_and_cells_without_r_are_numbered_before_editing():
    xml = (f'<worksheet xmlns="{NS}"><sheetData><row><c t="inlineStr"><is><t>a</t></is></c>'
           '<c><v>2</v></c></row><row/><row><c r="C3"><v>3</v></c><c><v>4</v></c></row>'
           '</sheetData></worksheet>')
    assert sheet_values(with_references(xml)) == {"A1": "a", "B1": 2.0, "C3": 3.0, "D3": 4.0}
    out = set_cells(xml, {"B1": 5, "A2": "x", "A3": 1})
    assert sheet_values(out) == {"A1": "a", "B1": 5.0, "A2": "x", "A3": 1.0, "C3": 3.0, "D3": 4.0}


def test_collect_into_agency_sheets_without_row_numbers(sample_path, tmp_path):
    master = tmp_path / "master.xlsx"
    shutil.copy(sample_path, master)
    _edit_part(master, "D01", lambda xml: re.sub(r'(<row\b[^>]*?)\s+r="\d+"', r"\1", xml))
    run_cli("forms", master, "-d", tmp_path / "forms", "--prefill")
    form = tmp_path / "forms" / "D01.xlsx"
    wb = load_workbook(form)
    wb["D01"]["G7"].value = 0
    wb.save(form)
    run_cli("collect", form, "--into", master)
    with zipfile.ZipFile(master) as zf:
        values = sheet_values(zf.read(sheet_parts(zf)["D01"]))   # fails on duplicate rows
    assert values["G7"] == 0.0


@pytest.mark.parametrize("value, expected", [
    (float("nan"), ""), (float("inf"), ""), (-np.inf, ""), (np.float64(1.5), "<v>1.5</v>"),
    (np.int64(3), "<v>3.0</v>"), (np.bool_(True), 't="b"><v>1</v>'), ("a\rb", "a&#13;b"),
])
def test_cell_xml_never_writes_nan_or_inf_and_takes_numpy_values(value, expected):
    xml = cell_xml("A1", value, None)
    assert "nan" not in xml and "inf" not in xml
    assert expected in xml if expected else xml == ""


def test_symlink_is_followed_never_replaced(sample_path, tmp_path):
    real = tmp_path / "real" / "book.xlsx"
    real.parent.mkdir()
    shutil.copy(sample_path, real)
    _set_name(real, 5, 7, None, sheet="D01")
    before = real.read_bytes()
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    run_cli("recalc", link)
    assert link.is_symlink() and real.read_bytes() != before
    assert sorted(p.name for p in real.parent.iterdir()) == ["book.xlsx"]


@pytest.mark.parametrize("owner", ["~$book.xlsx", ".~lock.book.xlsx#"])
@pytest.mark.parametrize("command", [["new-template"], ["sample"], ["recalc"]])
def test_no_command_writes_a_workbook_open_in_excel_or_libreoffice(sample_copy, owner, command):
    (sample_copy.parent / owner).write_bytes(b"owner")
    before = sample_copy.read_bytes()
    result = run_cli(*command, sample_copy, check=False)
    assert result.returncode == 2 and "is open in Excel or LibreOffice" in result.stderr
    assert sample_copy.read_bytes() == before


def test_forms_with_an_owner_file_in_the_folder_writes_nothing(sample_path, tmp_path):
    out = tmp_path / "forms"
    out.mkdir()
    (out / "~$D05.xlsx").write_bytes(b"owner")
    result = run_cli("forms", sample_path, "-d", out, check=False)
    assert result.returncode == 2 and "~$D05.xlsx" in result.stderr
    assert [p.name for p in out.iterdir()] == ["~$D05.xlsx"]


def test_second_run_is_refused_while_the_first_holds_the_master(sample_copy):
    before = sample_copy.read_bytes()
    with locks.exclusive(sample_copy):
        result = run_cli("recalc", sample_copy, check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"readiness-xl: error: {sample_copy}: another readiness-xl run (process "
        f"{__import__('os').getpid()}) is writing this workbook; try again when it has finished"]
    assert sample_copy.read_bytes() == before
    assert run_cli("recalc", sample_copy).returncode == 0        # the lock went with its holder


def test_two_collects_at_once_never_lose_an_update(sample_path, tmp_path):
    master = tmp_path / "m.xlsx"
    shutil.copy(sample_path, master)
    run_cli("forms", master, "-d", tmp_path / "ff", "--prefill")
    for agency in ("D01", "D02"):
        form = tmp_path / "ff" / f"{agency}.xlsx"
        wb = load_workbook(form)
        wb[agency]["G7"].value = 0
        wb.save(form)
    runs = [subprocess.Popen([*CLI, "collect", str(tmp_path / "ff" / f"{a}.xlsx"), "--into",
                              str(master)], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for a in ("D01", "D02")]
    outcomes = [(p.wait(), p.stderr.read()) for p in runs]
    wb = load_workbook(master, read_only=True)
    merged = {r[2] for r in wb["Validation"].iter_rows(min_row=2, values_only=True) if r[5] == "merged"}
    for (code, err), agency in zip(outcomes, ("D01", "D02")):
        if code == 0:
            assert agency in merged and wb[agency]["G7"].value == 0
        else:
            assert code == 2 and "another readiness-xl run" in err and agency not in merged


def test_stale_temporary_files_of_a_killed_run_are_removed(sample_copy):
    stale = [sample_copy.parent / f".book.xlsx{locks.TEMP_MARK}k1ll3d.tmp",
             sample_copy.parent / f"..book.xlsx{locks.TEMP_MARK}a.tmp{locks.TEMP_MARK}b.tmp"]
    for path in stale:
        path.write_bytes(b"PK half a workbook")
    keep = sample_copy.parent / ".other.xlsx.rxl-x.tmp"
    keep.write_bytes(b"not ours to remove")
    run_cli("recalc", sample_copy)
    assert sorted(p.name for p in sample_copy.parent.iterdir()) == ["." + keep.name[1:], "book.xlsx"]


def test_markup_like_names_are_printed_as_text(sample_copy):
    _set_name(sample_copy, 2, 2, "กรม [/x] [bold]ทดสอบ :warning:")
    result = run_cli("recalc", sample_copy)
    assert "กรม [/x] [bold]ทดสอบ :warning:" in result.stdout
    assert "Summary written" in result.stdout


def test_tex_like_names_are_drawn_as_text(sample_copy, tmp_path):
    _set_name(sample_copy, 2, 2, r"กรม $\undefinedcmd$ US$ 5 and $10")
    result = run_cli("report", sample_copy, "-o", tmp_path / "r.html", check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def _no_bigger_files():
    """A full disk for the child: writing past 8 kB fails with EFBIG (Python ignores SIGXFSZ)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (8 * 1024, 8 * 1024))


@pytest.mark.parametrize("command", ["forms", "new-template", "collect"])
def test_full_disk_is_one_line_naming_the_target(sample_path, tmp_path, command):
    master = tmp_path / "master.xlsx"
    shutil.copy(sample_path, master)
    args = {"forms": ["forms", master, "-d", tmp_path / "forms"],
            "new-template": ["new-template", tmp_path / "t.xlsx"],
            "collect": ["collect", tmp_path / "ff" / "D01.xlsx", "--into", master]}[command]
    if command == "collect":
        run_cli("forms", master, "-d", tmp_path / "ff")
    before = master.read_bytes()
    result = subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                            preexec_fn=_no_bigger_files)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "File too large" in lines[0] and ".tmp" not in lines[0]
    assert master.read_bytes() == before
    if command == "collect":
        assert str(master) in lines[0]
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_one_damaged_form_does_not_stop_the_good_ones(sample_path, tmp_path):
    master = tmp_path / "master.xlsx"
    shutil.copy(sample_path, master)
    run_cli("forms", master, "-d", tmp_path / "ff", "--prefill")
    good, bad = tmp_path / "ff" / "D02.xlsx", tmp_path / "ff" / "D03.xlsx"
    wb = load_workbook(good)
    wb["D02"]["G7"].value = 0
    wb.save(good)
    with zipfile.ZipFile(bad) as zin:
        items = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb'<definedName name="Weights">[^<]*</definedName>',
                              b"<definedName name=\"Weights\">'Framework'!$D:$D</definedName>", data)
            zout.writestr(info, data)
    result = run_cli("collect", good, bad, "--into", master, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        "readiness-xl: error: 1 of 2 forms rejected; first: D03.xlsx: defined name 'Weights'")
    wb = load_workbook(master, read_only=True)
    assert wb["D02"]["G7"].value == 0
    statuses = {(r[1], r[5]) for r in wb["Validation"].iter_rows(min_row=2, values_only=True)}
    assert {("D02.xlsx", "merged"), ("D03.xlsx", "rejected")} <= statuses


def test_a_two_cell_version_name_reads_its_first_cell(sample_path, sample_copy):
    from readiness_xl.workbook.read import read_book
    with zipfile.ZipFile(sample_copy) as zf:
        text = zf.read("xl/workbook.xml").decode()
    version = re.search(r'<definedName name="FrameworkVersion">([^<]*)</definedName>', text).group(1)
    wider = re.sub(r"(\$[A-Z]+\$\d+)$", lambda m: m.group(1) + ":$C$3", version)
    with zipfile.ZipFile(sample_copy) as zin:
        items = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(sample_copy, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            zout.writestr(info, data.replace(version.encode(), wider.encode())
                          if info.filename == "xl/workbook.xml" else data)
    assert wider != version
    assert read_book(sample_copy).framework.version == read_book(sample_path).framework.version
    assert "2560" in read_book(sample_copy).framework.version


def test_long_layout_dashboard_is_sized_for_its_agencies(tmp_path):
    from readiness_xl.builder.responses_sheet import save_long_workbook
    from readiness_xl.sample.source_data import load_agencies, load_framework
    agencies = load_agencies()
    target = tmp_path / "long.xlsx"
    save_long_workbook(load_framework(), agencies, None, target)
    wb = load_workbook(target)
    formulas = [c.value for row in wb["Dashboard"].iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=")]
    ends = {int(m) for f in formulas for m in re.findall(r"'Summary'!\$[A-Z]+\$2:\$[A-Z]+\$(\d+)", f)}
    assert ends and min(ends) > len(agencies)
    assert wb["Agencies"].max_row == len(agencies) + 1


def test_one_rule_refuses_writing_over_an_input_by_any_name(sample_copy, tmp_path):
    """The early check of `report`, `trend` and `new-template` is the write layer's rule
    (locks.check_not_input): another spelling, a symlink and a hard link of the input
    are all refused, with the one message."""
    link, hard = tmp_path / "link.xlsx", tmp_path / "hard.xlsx"
    link.symlink_to(sample_copy)
    os.link(sample_copy, hard)
    spelled = tmp_path / "x" / ".." / sample_copy.name
    for name in (sample_copy, spelled, link, hard):
        with pytest.raises(ReadinessError, match=f"{re.escape(str(name))}: is an input of this command"):
            locks.check_not_input(name, inputs=[sample_copy])
    locks.check_not_input(tmp_path / "other.xlsx", inputs=[sample_copy])  # new file: fine
