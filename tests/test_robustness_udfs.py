"""RANK_INTERVAL and CRONBACH_ALPHA called as xlwings calls them (rows of cells, floats,
None for blanks), on a workbook whose Uncertainty sheet was written by `robustness`."""

from __future__ import annotations

import pytest

import udfs.functions as xl
from readiness_xl.workbook.robustness_sheets import robustness_file
from udfs.remote_book import remote_book


@pytest.fixture(scope="module")
def book_and_run(sample_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("udf") / "book.xlsx"
    found = robustness_file(sample_path, path, runs=200, sobol_n=32, with_audit=False)
    return remote_book(path), found


def test_rank_interval_reads_the_uncertainty_sheet(book_and_run, sample_path):
    book, found = book_and_run
    caller = book.sheets["Summary"].range("A1")  # the calling cell, as xlwings gives it
    t = found.uncertainty.table.loc["D12"]
    assert xl.RANK_INTERVAL([["D12"]], None, caller) == [[t["rank_p5"], t["rank_p95"]]]
    assert xl.RANK_INTERVAL([["กรมวิชาการเกษตร"]], [[50.0]], caller) == t["rank_median"]
    assert xl.RANK_INTERVAL([["D12"]], [[90.0]], caller).startswith("#VALUE!: percentile")
    assert xl.RANK_INTERVAL([["X99"]], None, caller).startswith("#N/A: 'X99' is not on")
    plain = remote_book(sample_path)          # no Uncertainty sheet yet
    assert xl.RANK_INTERVAL([["D12"]], None, plain.sheets["Summary"].range("A1")).startswith(
        "#N/A: no Uncertainty sheet")


def test_cronbach_alpha_by_hand():
    # the hand-computed case of tests/test_audit.py, typed as a user would (Thai digits, blank row)
    rows = [[1.0, 2.0], [2.0, "๓"], [3.0, 3.0], [4.0, 5.0], [None, 1.0]]
    assert xl.CRONBACH_ALPHA(rows) == pytest.approx(0.96)
    assert xl.CRONBACH_ALPHA([[1.0], [2.0]]).startswith("#N/A")
    assert xl.CRONBACH_ALPHA([[1.0, "many"], [2.0, 3.0]]).startswith("#VALUE!: row 1, column 2")
