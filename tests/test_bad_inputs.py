"""Bad and hostile inputs (made by scripts/make_bad_inputs.py into tests/data/bad/): each
gives one clear line on stderr naming the file (and sheet and cell where there is one),
a non-zero exit, no traceback, and leaves every input file byte-for-byte unchanged."""

from __future__ import annotations

import hashlib
import re
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from readiness_xl.cli.main import cli
from readiness_xl.workbook.cell_xml import cell_xml
from readiness_xl.workbook.package import sheet_part
from readiness_xl.workbook.sheet_xml import set_cells
from tests.conftest import CLI, ROOT, run_cli

BAD = ROOT / "tests" / "data" / "bad"

# name: (command and arguments; {f} = the bad file, {tmp} = a scratch folder,
#        {master} = a scratch copy of a good master), exit code, words the line must hold
CASES = {
    "not_a_zip": (["recalc", "{f}"], 2, ["not_a_zip.xlsx", "not an .xlsx workbook (not a zip file)"]),
    "empty": (["recalc", "{f}"], 2, ["empty.xlsx", "the file is empty"]),
    "truncated": (["recalc", "{f}"], 2, ["truncated.xlsx", "truncated or damaged"]),
    "password_protected": (["recalc", "{f}"], 2, ["password_protected.xlsx", "password-protected"]),
    "legacy.xls": (["recalc", "{f}"], 2, ["legacy.xls", "legacy .xls (Excel 97-2003)"]),
    "legacy_renamed": (["recalc", "{f}"], 2, ["legacy_renamed.xlsx", "legacy .xls"]),
    "zip_not_a_workbook": (["recalc", "{f}"], 2, ["a zip without xl/workbook.xml"]),
    "corrupt_part": (["recalc", "{f}"], 2, ["corrupt_part.xlsx", "sheet 'D08'", "damaged workbook"]),
    "malformed_xml": (["recalc", "{f}"], 2, ["malformed_xml.xlsx", "damaged workbook"]),
    "entity_bomb": (["recalc", "{f}"], 2, ["entity_bomb.xlsx", "declares a DTD or XML entities"]),
    "zip_bomb_ratio": (["recalc", "{f}"], 2, ["zip_bomb_ratio.xlsx", "is compressed", "limit 200"]),
    "zip_bomb_size": (["recalc", "{f}"], 2, ["zip_bomb_size.xlsx", "unpacks to 6", "limit 500 MB"]),
    "million_rows": (["recalc", "{f}"], 2, ["sheet 'Agencies', cell A20002", "past 20,000 rows"]),
    "missing_framework_sheet": (["recalc", "{f}"], 2, ["sheet 'Framework' is missing"]),
    "missing_agencies_sheet": (["recalc", "{f}"], 2, ["sheet 'Agencies' is missing"]),
    "missing_agency_sheet": (["recalc", "{f}"], 2, ["sheet 'P05'", "sheet for agency 'P05' is missing"]),
    "renamed_agency_sheet": (["recalc", "{f}"], 2, ["sheet for agency 'D03' is missing"]),
    "missing_defined_name": (["recalc", "{f}"], 2, ["defined name 'Weights' is missing"]),
    "renamed_answer_header": (["recalc", "{f}"], 2, ["sheet 'D05', cell G4", "columns inserted"]),
    "weights_sum_zero": (["recalc", "{f}"], 2, ["sheet 'Framework', cell D", "weights sum to 0"]),
    "negative_weight": (["recalc", "{f}"], 2, ["sheet 'Framework', cell D6", "weight -10 is negative"]),
    "weight_text": (["recalc", "{f}"], 2, ["sheet 'Framework', cell D7", "'สิบ' is not a number"]),
    "duplicate_indicator_id": (["recalc", "{f}"], 2, ["sheet 'Framework', cell A", "duplicate indicator id"]),
    "indicator_without_dimension": (["recalc", "{f}"], 2, ["cell B", "points at no dimension ('9')"]),
    "unknown_indicator": (["recalc", "{f}"], 2, ["sheet 'D09', cell A", "'9.9' is not in the framework"]),
    "answer_text_in_number": (["recalc", "{f}"], 2, ["sheet 'P02', cell G", "'ไม่ทราบ' is not a number"]),
    "answer_out_of_range": (["recalc", "{f}"], 2, ["sheet 'D03', cell G", "7 is outside 0..4"]),
    "answer_yesno_garbage": (["recalc", "{f}"], 2, ["sheet 'D06', cell G", "not a yes/no answer"]),
    "answer_percent_over_100": (["recalc", "{f}"], 2, ["sheet 'P03', cell G", "120 is outside 0..100"]),
    "answer_error_na": (["recalc", "{f}"], 2, ["sheet 'P04', cell G", "Excel error #N/A"]),
    "answer_error_div0": (["recalc", "{f}"], 2, ["sheet 'D10', cell G", "Excel error #DIV/0!"]),
    "merged_answer_cells": (["recalc", "{f}"], 2, ["sheet 'D07', cell G5", "merged (G5:G6)"]),
    "duplicate_agency_ids": (["recalc", "{f}"], 2, ["sheet 'Agencies', cell A3", "duplicate agency id 'D01'"]),
    "formula_injection_id": (["recalc", "{f}"], 2, ["sheet 'Agencies', cell A32", "cannot name a sheet"]),
    "no_agencies": (["recalc", "{f}"], 2, ["sheet 'Agencies', cell A2", "no agencies listed"]),
    "readonly_target": (["recalc", "{f}"], 2, ["readonly_target.xlsx", "the target file is read-only"]),
    "locked_by_excel": (["recalc", "{f}"], 2, ["owner file ~$locked_by_excel.xlsx", "open in Excel"]),
    "missing_target_folder": (["recalc", "{bad}/good_source.xlsx", "-o", "{tmp}/no/such/out.xlsx"], 2,
                              ["out.xlsx", "cannot write in"]),
    "full_disk": (["recalc", "{bad}/full_disk_source.xlsx", "-o", "{tmp}/out.xlsx"], 2,
                  ["out.xlsx", "could not write the file", "the original is unchanged"]),
    "forms_from_encrypted": (["forms", "{bad}/password_protected.xlsx", "-d", "{tmp}/forms"], 2,
                             ["password_protected.xlsx", "password-protected"]),
    "collect_into_not_a_zip": (["collect", "{bad}/good_source.xlsx", "--into", "{bad}/not_a_zip.xlsx"], 2,
                               ["not_a_zip.xlsx", "not a zip file"]),
    "missing_sheet_part": (["recalc", "{f}"], 2, ["sheet 'D02'", "is missing from the package"]),
    "crc_in_summary": (["recalc", "{f}"], 2, ["crc_in_summary.xlsx", "damaged"]),  # CRC or size
    "bad_utf8_summary": (["recalc", "{f}"], 2, ["bad_utf8_summary.xlsx", "is damaged", "utf-8"]),
    "error_and_bad_shared_string": (["recalc", "{f}"], 2, ["error_and_bad_shared_string.xlsx",
                                                           "damaged workbook"]),
    "duplicate_part": (["recalc", "{f}"], 2, ["duplicate_part.xlsx", "part _rels/.rels appears twice"]),
    "whole_column_name": (["recalc", "{f}"], 2, ["defined name 'Weights' must refer to a cell range"]),
    "offset_name": (["recalc", "{f}"], 2, ["defined name 'LevelBands' must refer to a cell range"]),
    "bad_agency_id.csv": (["new-template", "{tmp}/t.xlsx", "--agencies", "{f}"], 2,
                          ["bad_agency_id.csv", "line 3", "'summary' cannot name a sheet"]),
    "control_character.csv": (["new-template", "{tmp}/t.xlsx", "--agencies", "{f}"], 2,
                              ["control_character.csv, line 2", "U+000B", "name_th"]),
    "new_template_over_its_framework": (["new-template", "{master}", "--framework", "{master}"], 2,
                                        ["master.xlsx", "overwrit"]),
    "forms_over_the_master": (["forms", "{tmp}/D01.xlsx", "-d", "{tmp}"], 2,
                              ["D01.xlsx", "overwrit"]),
    "form_formula_answer": (["collect", "{f}", "--into", "{master}"], 1,
                            ["form_formula_answer.xlsx, sheet 'D01', cell G", "'=1+1' is not a number"]),
    "form_wrong_version": (["collect", "{f}", "--into", "{master}"], 1,
                           ["form_wrong_version.xlsx", "framework version 'B.E. 2561 (2018) v1'"]),
    "form_unknown_agency": (["collect", "{f}", "--into", "{master}"], 1,
                            ["form_unknown_agency.xlsx", "agency 'Z99' is not in the master"]),
    "form_master_as_form": (["collect", "{f}", "--into", "{master}"], 1,
                            ["form_master_as_form.xlsx", "no agency stamp"]),
}


def _file(name: str) -> Path:
    return BAD / (name if "." in name else f"{name}.xlsx")


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _no_bigger_files():
    """A full disk for the child only: writing past 64 kB fails with EFBIG (Python ignores
    SIGXFSZ), reading is unaffected."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def _in_process(argv: list[str]) -> subprocess.CompletedProcess:
    """The command line as a user runs it, minus the interpreter start (seconds per case)."""
    result = CliRunner().invoke(cli, argv, env={"COLUMNS": "200"})
    return subprocess.CompletedProcess(argv, result.exit_code, result.stdout, result.stderr)


@pytest.fixture(scope="session")
def bad_runs(tmp_path_factory):
    """Make the bad inputs, then run every case once: in this process, except the full disk
    whose file-size limit needs a process of its own."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_bad_inputs.py"), str(BAD)],
                   check=True, cwd=ROOT, capture_output=True)
    before = _digest(BAD)

    def run(name: str):
        args, _, _ = CASES[name]
        tmp = tmp_path_factory.mktemp(name.replace(".", "_"))
        copy = tmp / "master.xlsx"
        shutil.copy(BAD / "good_source.xlsx", copy)
        shutil.copy(BAD / "good_source.xlsx", tmp / "D01.xlsx")  # a master named like a form
        argv = [a.format(f=_file(name), tmp=tmp, bad=BAD, master=copy) for a in args]
        if name != "full_disk":
            return _in_process(argv), tmp
        return subprocess.run([*CLI, *argv], capture_output=True, text=True, cwd=ROOT,
                              preexec_fn=_no_bigger_files), tmp

    results = {name: run(name) for name in CASES}
    return results, before, _digest(BAD)


def test_there_are_at_least_30_distinct_bad_inputs(bad_runs):
    _, before, _ = bad_runs
    inputs = {n for n in before if not n.startswith("~$") and not n.startswith("good_")}
    assert len(inputs) >= 40, sorted(inputs)


@pytest.mark.parametrize("name", list(CASES))
def test_one_clear_line_nonzero_exit_inputs_unchanged(bad_runs, name):
    results, before, after = bad_runs
    result = results[name][0]
    _, code, words = CASES[name]
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert result.returncode == code, result.stderr
    assert lines[0].startswith("readiness-xl: error: ")
    for word in words:
        assert word in lines[0], lines[0]
    assert after == before   # every input file, this case's included, is byte-for-byte unchanged


def test_full_disk_leaves_no_partial_file(bad_runs):
    results, _, _ = bad_runs
    result, tmp = results["full_disk"]
    assert "File too large" in result.stderr
    assert sorted(p.name for p in tmp.iterdir()) == ["D01.xlsx", "master.xlsx"]  # no out, no temp


def test_formula_like_names_are_written_back_as_text(sample_copy, tmp_path):
    """Names starting with = + - @ are data: Summary and forms keep them as text."""
    names = ["=HYPERLINK(\"http://example.invalid\",\"x\")", "+1+2", "-3", "@SUM(A1)"]
    with zipfile.ZipFile(sample_copy) as zf:
        part = sheet_part(zf, "Agencies")
    edited = tmp_path / "names.xlsx"
    from readiness_xl.workbook.parts import replace_parts
    replace_parts(sample_copy, edited, {part: lambda data: set_cells(
        data.decode(), {f"B{r}": n for r, n in zip(range(2, 6), names)}).encode()})
    run_cli("recalc", edited)
    with zipfile.ZipFile(edited) as zf:
        summary = zf.read(sheet_part(zf, "Summary")).decode()
    assert not any("HYPERLINK" in f or "+1+2" in f for f in re.findall(r"<f>(.*?)</f>", summary))
    for name in names:
        escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert re.search(rf't="inlineStr"><is><t xml:space="preserve">{re.escape(escaped)}</t>', summary)
    assert load_workbook(edited, read_only=True, data_only=True)["Summary"]["C2"].value == names[0]
    run_cli("forms", edited, "-d", tmp_path / "forms")
    form = load_workbook(tmp_path / "forms" / "D01.xlsx")
    assert form["Agencies"]["B2"].value == names[0] and form["Agencies"]["B2"].data_type == "s"
    assert form["D01"]["A1"].data_type == "s" and form["D01"]["A1"].value.startswith(names[0])


def test_cell_xml_never_writes_a_formula():
    for text in ("=1+1", "+A1", "-A1", "@SUM(A1)"):
        xml = cell_xml("B3", text, "4")
        assert xml == f'<c r="B3" s="4" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def test_set_cells_keeps_styles_and_creates_missing_cells_and_rows():
    sheet = ('<worksheet><sheetData><row r="5" spans="1:9"><c r="A5" s="2" t="s"><v>0</v></c>'
             '<c r="G5" s="7"/><c r="H5"><f>G5*2</f><v>2</v></c></row><row r="9"/></sheetData>'
             '<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>')
    out = set_cells(sheet, {"G5": "ใช่", "C5": 3, "G7": None, "G9": "=x", "G12": 1.5})
    assert ('<row r="5" spans="1:9"><c r="A5" s="2" t="s"><v>0</v></c><c r="C5"><v>3.0</v></c>'
            '<c r="G5" s="7" t="inlineStr"><is><t xml:space="preserve">ใช่</t></is></c>'
            '<c r="H5"><f>G5*2</f><v>2</v></c></row>') in out
    assert '</row><row r="9"><c r="G9" t="inlineStr"><is><t xml:space="preserve">=x</t>' in out
    assert out.endswith('<row r="12"><c r="G12"><v>1.5</v></c></row></sheetData>'
                        '<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>')
