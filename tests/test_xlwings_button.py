"""The ribbon button and the UDFs run on real xlwings Books (xlwings' remote engine, the
one its Office.js and Lite clients use), built from our workbooks: xlwings' own
conversion, ranges, names and actions, not our stand-in."""

from __future__ import annotations

import json

import pytest
import xlwings as xw
from conftest import run_cli
from openpyxl import load_workbook

import udfs.functions as xl
from readiness_xl.sample.source_data import load_framework
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.summary import FIXED_HEADERS
from readiness_xl.workbook.summary import ROW_TYPES
from udfs.remote_book import apply_actions, book_json
from udfs.ribbon import recalculate_all_agencies
from udfs.xlwings_book import BLOCK_ROWS, MAX_COLUMNS, XlwingsWorkbook

DIMS = load_framework().dimension_ids


def real_book(data: dict):
    assert xw.__pro__, "xlwings' remote engine needs XLWINGS_LICENSE_KEY (set in conftest)"
    return xw.Book(json=data)


def cell(data: dict, sheet: str, ref: str, value) -> None:
    """Put `value` in a cell of the book's JSON, as Office.js would send it."""
    from openpyxl.utils.cell import coordinate_to_tuple
    row, col = coordinate_to_tuple(ref)
    grid = next(s for s in data["sheets"] if s["name"] == sheet)["values"]
    while len(grid) < row:
        grid.append([""] * len(grid[0]))
    grid[row - 1].extend([""] * (col - len(grid[row - 1])))
    grid[row - 1][col - 1] = value


def click(data: dict) -> tuple[list[dict], dict]:
    """Press the button on a real Book: the actions it returns and the sheets after them."""
    book = real_book(data)
    recalculate_all_agencies(book)
    actions = book.json()["actions"]
    return actions, apply_actions(data, actions)


def trimmed(rows: list[list]) -> list[list]:
    """Rows without trailing blanks; an empty text (a formula's "" result) is a blank."""
    rows = [[None if v == "" else v for v in r] for r in rows]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    width = max((i + 1 for r in rows for i, v in enumerate(r) if v is not None), default=0)
    return [(r + [None] * width)[:width] for r in rows]


def cli_summary(path, tmp_path) -> list[list]:
    out = tmp_path / "cli.xlsx"
    run_cli("recalc", path, "-o", out)
    ws = load_workbook(out, data_only=True)[L.SUMMARY_SHEET]
    return trimmed([[float(v) if isinstance(v, int) and not isinstance(v, bool) else v
                     for v in row] for row in ws.iter_rows(values_only=True)])


def test_button_on_a_real_book_writes_the_summary_of_recalc(sample_copy, tmp_path, sample_json):
    data = book_json(sample_copy)
    cell(data, L.SUMMARY_SHEET, "A60", "stale row from an earlier, larger survey")
    actions, sheets = click(data)
    assert [a["func"] for a in actions] == ["rangeClearContents", "setValues", "setFormula", "calculate"]
    formulas = actions[2]["values"]   # the figures stay live: Excel computes them in the calculation
    d01 = next(r for r in formulas if r[1] == "'D01")
    assert d01[len(FIXED_HEADERS) + len(DIMS)] == "=IF(ISNUMBER('D01'!$N$11),'D01'!$N$11,\"\")"
    got = trimmed(sheets[L.SUMMARY_SHEET])
    expected = cli_summary(sample_copy, tmp_path)
    assert len(got) == len(expected)
    for want, have in zip(expected, got):
        assert have == [pytest.approx(v, abs=1e-9) if isinstance(v, float) else v for v in want]
    # and the figures are recalc --json's
    first = len(FIXED_HEADERS)
    for agency in sample_json["agencies"]:
        row = next(r for r in got if r[1] == agency["id"])
        assert row[first:first + len(DIMS)] == pytest.approx([agency["dimensions"][d] for d in DIMS])
        assert row[first + len(DIMS)] == pytest.approx(agency["overall"])


def test_na_in_an_answer_is_refused_with_its_cell_and_nothing_is_written(sample_copy):
    data = book_json(sample_copy)
    cell(data, "D01", "G7", "#N/A")   # what Office.js sends for an error cell
    actions, _ = click(data)
    (alert,) = actions
    assert alert["func"] == "alert"
    message, title = alert["args"][:2]
    assert title == "readiness-xl"
    assert "sheet 'D01'" in message and "cell G7" in message and "#N/A" in message


def test_text_that_looks_like_a_formula_or_number_is_written_as_text(sample_copy):
    data = book_json(sample_copy)
    agencies = next(s for s in data["sheets"] if s["name"] == L.AGENCIES_SHEET)["values"]
    row = next(i for i, r in enumerate(agencies, start=1) if r[0] == "D01")
    cell(data, L.AGENCIES_SHEET, f"B{row}", "=1+1")
    cell(data, L.AGENCIES_SHEET, f"C{row}", "3")
    actions, sheets = click(data)
    assert "alert" not in [a["func"] for a in actions]
    d01 = next(r for r in sheets[L.SUMMARY_SHEET] if r[1] == "D01")
    assert d01[2:4] == ["=1+1", "3"]


def test_used_range_to_the_last_row_is_read_only_as_far_as_values_go(sample_copy, sample_json):
    """Formatted empty cells stretch Excel's UsedRange to row 1,048,576 or column XFD."""
    data = book_json(sample_copy, used_range={"D01": "A1:H1048576", "D02": "A1:XFD60",
                                              L.AGENCIES_SHEET: "A1:H1048576"})
    workbook = XlwingsWorkbook(real_book(data))
    assert len(workbook.values("D01")) <= 2 * BLOCK_ROWS
    assert max(len(r) for r in workbook.values("D02")) == MAX_COLUMNS
    actions, sheets = click(data)
    assert "alert" not in [a["func"] for a in actions]
    national = next(r for r in sheets[L.SUMMARY_SHEET] if r[0] == ROW_TYPES["national"])
    assert sample_json["national"]["overall"] in [pytest.approx(v) for v in national
                                                  if isinstance(v, float)]


def test_missing_defined_name_gives_a_clear_excel_error(sample_path):
    data = book_json(sample_path)
    data["names"] = [n for n in data["names"] if n["name"] != L.WEIGHTS_NAME]
    caller = real_book(data).sheets["D01"].range("N11")
    result = xl.IMPROVEMENT_PRIORITY([[50.0] * len(DIMS)], None, None, caller)
    assert result.startswith("#N/A: the workbook has no 'Weights' name"), result


def test_com_error_of_a_missing_name_on_windows_gives_the_same_text():
    """On Windows, book.names['Weights'] raises pywintypes.com_error, not KeyError.
    Nothing real reaches COM here, so this caller is a stand-in at that boundary."""
    class com_error(Exception):  # noqa: N801 (pywintypes' name)
        pass

    class WindowsNames:
        def __getitem__(self, name):
            raise com_error(-2147352567, "Exception occurred.", None, None)

    class WindowsBook:
        names = WindowsNames()

    class Caller:
        sheet = type("Sheet", (), {"book": WindowsBook()})()

    result = xl.IMPROVEMENT_PRIORITY([[50.0] * len(DIMS)], None, None, Caller())
    assert result.startswith("#N/A: the workbook has no 'Weights' name"), result


RUN_PYTHON = """
import json, sys
import xlwings as xw
from udfs.remote_book import remote_book
book = remote_book(sys.argv[1])
book.set_mock_caller()          # what xw.Book.caller() gives inside main()
import xlwings.utils
xlwings.utils.prepare_sys_path(sys.argv[2])
exec(sys.argv[3])               # the button's command, from the add-in's VBA
print(json.dumps(book.json()["actions"]))
"""


def test_the_renamed_addins_button_runs_main_on_the_caller_and_writes_recalcs_summary(
        sample_copy, tmp_path):
    """What Excel does on a click, in a fresh Python: xlwings' RunPython passes the
    add-in's command after xlwings.utils.prepare_sys_path of the active book and the
    add-in (named as a browser saves a second download); main() finds the book with
    xw.Book.caller(), here a remote-engine Book made the caller by xlwings' own
    Book.set_mock_caller(). The Summary written equals recalc's, cell for cell."""
    import os
    import subprocess
    import sys

    from test_ribbon_addin import button_command

    from readiness_xl.builder.addin import build_addin
    addin = build_addin(tmp_path / "readiness_xl (1).xlam")
    command = button_command(addin)
    # RunPython's PYTHONPATH argument: add-dir flag; active book; this add-in; 3 conf paths
    pythonpath = f"true;{sample_copy};{addin};;;"
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial"}  # the remote engine only
    result = subprocess.run([sys.executable, "-c", RUN_PYTHON, str(sample_copy), pythonpath,
                             command], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    actions = json.loads(result.stdout.strip().splitlines()[-1])
    assert [a["func"] for a in actions] == ["rangeClearContents", "setValues", "setFormula", "calculate"]
    got = trimmed(apply_actions(book_json(sample_copy), actions)[L.SUMMARY_SHEET])
    expected = cli_summary(sample_copy, tmp_path)
    assert len(got) == len(expected) > 30
    for want, have in zip(expected, got):
        assert have == [pytest.approx(v, abs=1e-9) if isinstance(v, float) else v for v in want]

