"""workbook.cell_refs against openpyxl.utils.cell, which it stands in for on the reading
and writing paths (so that they do not import openpyxl): the same results and the same
refusals for generated references."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils import cell as op

from readiness_xl.workbook import cell_refs as ours

letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz$1:", min_size=0, max_size=5)
refs = st.one_of(
    letters,
    st.builds(lambda c, r: f"{c}{r}", st.text("ABCXYZ$", min_size=0, max_size=4),
              st.integers(0, 2_000_000)),
    st.builds(lambda a, b, c, d: f"{a}{b}:{c}{d}", st.sampled_from(["", "A", "$B", "zz", "XFD", "AAAA"]),
              st.sampled_from(["", "1", "$5", "0", "1048576"]), st.sampled_from(["", "C", "$ZZZ", "q"]),
              st.sampled_from(["", "9", "$12", "007"])),
)


def _outcome(function, value):
    try:
        return "ok", function(value)
    except Exception as err:  # openpyxl raises its CellCoordinatesException, we ValueError
        return "refused", str(err)


@pytest.mark.parametrize("name", ["column_index_from_string", "coordinate_from_string", "range_boundaries"])
@settings(max_examples=300, deadline=None)
@given(value=refs)
def test_references_read_as_openpyxl_reads_them(name, value):
    assert _outcome(getattr(ours, name), value) == _outcome(getattr(op, name), value)


@settings(max_examples=200, deadline=None)
@given(column=st.integers(1, 18_278), row=st.integers(1, 1_048_576))
def test_cells_as_openpyxl_finds_them(column, row):
    """coordinate_to_tuple on the plain references the reader builds (openpyxl's own
    reads anything before the first digit as letters; ours refuses what is not a cell)."""
    ref = f"{op.get_column_letter(column)}{row}"
    assert ours.coordinate_to_tuple(ref) == op.coordinate_to_tuple(ref) == (row, column)


@settings(max_examples=300, deadline=None)
@given(index=st.integers(-5, 20_000))
def test_column_letters_as_openpyxl_writes_them(index):
    assert _outcome(ours.get_column_letter, index) == _outcome(op.get_column_letter, index)


def test_known_columns():
    assert [ours.get_column_letter(i) for i in (1, 26, 27, 52, 53, 702, 703, 16384, 18278)] == \
        ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD", "ZZZ"]
    assert ours.range_boundaries("$A$3:$D$9") == (1, 3, 4, 9)
    assert ours.range_boundaries("B:C") == (2, None, 3, None)


def test_recalc_of_a_long_workbook_loads_no_openpyxl(sample_path, tmp_path):
    """The recalc path (read, score, write the Summary) of a long workbook imports no
    openpyxl: a fresh interpreter lists the modules loaded after the run."""
    import subprocess
    import sys

    from readiness_xl.workbook.read import read_book
    from readiness_xl.builder.responses_sheet import save_long_workbook
    book = read_book(sample_path)
    long = tmp_path / "long.xlsx"
    save_long_workbook(book.framework, book.agencies, book.raw_answers, long)
    code = ("import sys; from readiness_xl.workbook.recalc import recalc_file; "
            f"recalc_file({str(long)!r}, {str(tmp_path / 'out.xlsx')!r}); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'openpyxl'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
