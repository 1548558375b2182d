"""Bad framework or answers: one line naming sheet and cell, non-zero exit, no
traceback, and the workbook byte-for-byte untouched."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.conftest import run_cli


def edit(path, sheet: str, cell: str, value) -> None:
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


def find_row(path, sheet: str, column: str, value: str) -> int:
    ws = load_workbook(path, read_only=True)[sheet]
    for i, (cell,) in enumerate(ws.iter_rows(min_col=ord(column) - 64, max_col=ord(column) - 64,
                                             values_only=True), start=1):
        if str(cell) == value:
            return i
    raise LookupError(value)


@pytest.mark.parametrize("sheet,locate,column,value,where,words", [
    ("Framework", ("A", "3"), "D", "สามสิบ", "cell D", "weight 'สามสิบ' is not a number"),
    ("Framework", ("A", "65"), "A", 60, "cell A", "two level bands start at 60"),
    ("Framework", ("A", "4"), "D", -10, "cell D", "negative"),
    ("Framework", ("A", "2.1"), "B", "9", "cell B", "points at no dimension"),
    ("Framework", ("A", "2.2"), "A", "2.1", "cell A", "duplicate indicator id '2.1'"),
    ("D03", ("A", "1.3"), "G", 7, "cell G", "outside 0..4"),
    ("D03", ("A", "1.1"), "G", "บางส่วน", "cell G", "not a yes/no answer"),
    ("P02", ("A", "3.1"), "G", "#N/A", "cell G", "Excel error #N/A"),
    ("P02", ("A", "5.3"), "G", "ไม่ทราบ", "cell G", "not a number"),
])
def test_bad_input_is_one_clear_line_and_the_file_is_untouched(sample_copy, sheet, locate, column,
                                                               value, where, words):
    row = find_row(sample_copy, sheet, *locate)
    edit(sample_copy, sheet, f"{column}{row}", value)
    before = hashlib.sha256(sample_copy.read_bytes()).hexdigest()
    result = run_cli("recalc", sample_copy, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"sheet '{sheet}'" in lines[0] and f"{where}{row}" in lines[0] and words in lines[0]
    assert "book.xlsx" in lines[0]
    assert hashlib.sha256(sample_copy.read_bytes()).hexdigest() == before


def test_missing_file_and_non_workbook(tmp_path):
    result = run_cli("recalc", tmp_path / "nope.xlsx", check=False)
    assert result.returncode == 2 and "file not found" in result.stderr
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    result = run_cli("recalc", text, check=False)
    assert result.returncode == 2 and "not an .xlsx workbook" in result.stderr
    assert text.read_text() == "not a workbook"


# --- output types, leftovers, and what the errors tell the user to do next ---------------

@pytest.mark.parametrize("command,name,words", [
    ("sample", "out.csv", "the sample is written as .xlsx, not '.csv'"),
    ("new-template", "mine.xls", "the template is written as .xlsx or .xlsm, not '.xls'"),
    ("new-template", "mine", "not no extension"),
])
def test_workbook_outputs_are_refused_by_extension_before_anything_is_written(tmp_path, command,
                                                                              name, words):
    result = run_cli(command, tmp_path / name, check=False)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert words.replace("not no", "no") in result.stderr or words in result.stderr
    assert list(tmp_path.iterdir()) == []  # not even a temporary file


def test_new_template_never_writes_over_the_framework_it_reads(sample_copy):
    before = hashlib.sha256(sample_copy.read_bytes()).hexdigest()
    result = run_cli("new-template", sample_copy, "--framework", sample_copy, check=False)
    assert result.returncode == 2 and "would overwrite it" in result.stderr
    assert hashlib.sha256(sample_copy.read_bytes()).hexdigest() == before


def test_a_failed_build_leaves_no_file(tmp_path):
    """The sample is built in a private folder and lands only complete: a target in a
    folder that cannot be written gives one line and no file, not a half-built workbook."""
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "sample.xlsx").write_bytes(b"old")
    (locked / "sample.xlsx").chmod(0o444)
    result = run_cli("sample", locked / "sample.xlsx", check=False)
    assert result.returncode == 2 and "read-only" in result.stderr
    assert (locked / "sample.xlsx").read_bytes() == b"old"
    assert sorted(p.name for p in locked.iterdir()) == ["sample.xlsx"]


def test_a_workbook_from_another_program_is_named_and_the_next_step_given(tmp_path):
    from openpyxl import Workbook
    foreign = tmp_path / "budget.xlsx"
    wb = Workbook()
    wb.active["A1"] = "ค่าใช้จ่าย"
    wb.save(foreign)
    for command in (("recalc", foreign), ("report", foreign, "-o", tmp_path / "r.html"),
                    ("forms", foreign, "-d", tmp_path / "forms")):
        result = run_cli(*command, check=False)
        assert result.returncode == 2
        assert result.stderr.strip() == (
            "readiness-xl: error: budget.xlsx: not a readiness workbook (no 'Framework' sheet): "
            "make one with `readiness-xl new-template`")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["budget.xlsx"]


def test_top_level_help_is_in_the_order_of_the_work_with_an_example_each():
    for columns in (100, 200):
        text = run_cli("--help", columns=columns).stdout
        assert "…" not in text and "..." not in text.split("Commands", 1)[1]
        listed = [line.split()[0] for line in text.split("Commands", 1)[1].splitlines()[1:]
                  if line.startswith("  ") and not line.startswith("   ")]
        from readiness_xl.cli.main import COMMAND_EXAMPLES, cli
        expected = [name for name, _ in COMMAND_EXAMPLES if name in cli.commands]
        assert listed[:len(expected)] == expected
        assert listed[:4] == ["new-template", "forms", "collect", "recalc"]
        for name in expected:
            assert f"e.g. readiness-xl {name}" in text
    assert "Merge returned questionnaires FILES into BOOK, report every problem, recalculate." \
        in " ".join(run_cli("--help", columns=100).stdout.split())


def test_recalc_json_has_no_float_noise_and_is_compact_when_piped(sample_copy):
    text = run_cli("recalc", sample_copy, "--json").stdout
    assert text.count("\n") == 1  # one line for a program
    numbers = re.findall(r"-?\d+\.\d+(?:e-?\d+)?", text)
    assert numbers and all(len(n.lstrip("-").replace(".", "").lstrip("0").split("e")[0]) <= 12
                           for n in numbers)
    assert "50.199999999999996" not in text


def test_json_helper_rounds_to_12_significant_digits_and_indents_for_a_person():
    from readiness_xl.cli.output import json_text, rounded
    assert rounded(50.199999999999996) == 50.2
    assert rounded({"a": [0.1 + 0.2, None, 3, float("nan")]})["a"][:3] == [0.3, None, 3]
    assert rounded(123456.78901234567) == 123456.789012
    assert json_text({"x": 1 / 3}, indent=True) == '{\n  "x": 0.333333333333\n}'
    assert json_text({"ชื่อ": [1.5, 2]}, indent=False) == '{"ชื่อ":[1.5,2]}'


def cells_wide(line: str) -> int:
    from rich.cells import cell_len
    return cell_len(line)


@pytest.mark.parametrize("columns", [100, 200])
def test_demo_fits_the_terminal_and_keeps_thai_names_whole(columns, sample_path):
    from readiness_xl.sample.source_data import load_agencies
    out = run_cli("demo", columns=columns).stdout
    lines = out.splitlines()
    assert max(map(cells_wide, lines)) <= columns
    for name in load_agencies()["name_th"]:  # every Thai name whole, on one line
        assert any(name in line for line in lines), name
    assert "…" not in out
    agencies = [line for line in lines if re.match(r"\s*\d+\s+[DP]\d\d\s", line)]
    assert len(agencies) == 31  # one line per agency, no wrapped names
    table = "\n".join(agencies)
    if columns == 200:  # room for the English names and the English level words
        assert "Department of Industrial Promotion" in table and "Very good" in table
    else:  # the English name gives way first (as kubectl drops wide columns)
        assert "Department of Industrial Promotion" not in table and "ดีมาก" in table
    # the closing sentence is wrapped on its spaces, never inside a word
    sentence = ("Published B.E. 2560 figures: Thailand 57.8 (dim 4 49.3, dim 6 47.0); Ministry of "
                "Industry 54.4 (dim 4 41.4, dim 6 49.0); Department of Industrial Promotion 66.2 "
                "(dim 4 61.3, dim 5 60.0). All other values are illustrative.")
    start = next(i for i, line in enumerate(lines) if line.startswith("Published"))
    end = next((i for i, line in enumerate(lines) if i > start and line.startswith("Trend")), len(lines))
    assert " ".join(lines[start:end]) == sentence


def test_a_narrow_terminal_drops_columns_in_order_then_shortens_long_names(sample_path):
    out = run_cli("demo", columns=80).stdout
    lines = out.splitlines()
    assert max(map(cells_wide, lines)) <= 80
    header = next(line for line in lines if "หน่วยงาน" in line and "D1" in line)
    assert "Rank" not in header and "Level" not in header and "Overall" in header
    assert "กรมส่งเสริมอุตสาหกรรม" in out  # short names whole; only the longest end in '…'
    assert "สำนักงานคณะกรรมการอ้อยและน้ำตาลทราย" not in out and "…" in out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="abc ใช่ไม่ก่ำ้ี่ 12.5…", max_size=30), min_size=4, max_size=4),
                min_size=0, max_size=8),
       st.integers(0, 20), st.sampled_from([None, 5, 15]))
def test_the_width_bound_is_never_below_what_rich_measures(rows, min_width, fixed):
    """fit_table returns a table without measuring it when width_bound fits: the bound must
    never be below rich's own measure of the printed table (Thai marks take no cell; a
    column's minimum or fixed width counts whatever its cells)."""
    from rich import box
    from rich.console import Console
    from rich.measure import Measurement
    from rich.table import Table

    from readiness_xl.cli.terminal import name_column, width_bound
    table = Table(title="t", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    name_column(table, "หน่วย")                           # the Thai name column's minimum width
    table.add_column("Unit", min_width=min_width or None)
    table.add_column("Rank", no_wrap=True, width=fixed)
    table.add_column("D1", justify="right", min_width=len("Overall"))
    for row in rows:
        table.add_row(*row)
    wide = Console(width=10_000, markup=False, emoji=False)
    assert Measurement.get(wide, wide.options, table).maximum <= width_bound(table)
