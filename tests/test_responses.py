"""The long-form Responses layout: the B.E. 2560 sample converted to it scores exactly
as the sheet-per-agency sample; bad rows are named by sheet and cell; rows round-trip."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from readiness_xl.builder.responses_sheet import save_long_workbook
from readiness_xl.builder.template import save_workbook
from readiness_xl.errors import ReadinessError
from readiness_xl.survey.forms import build_form
from readiness_xl.workbook.parts import write_sheet_rows
from readiness_xl.workbook.read import read_book
from readiness_xl.workbook.responses import HEADER, read_rows, responses_rows
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def sample_book(sample_path):
    return read_book(sample_path)


@pytest.fixture
def long_copy(sample_book, tmp_path):
    """The sample converted to long form: Framework, Agencies, Responses, no agency sheets."""
    path = tmp_path / "long.xlsx"
    save_long_workbook(sample_book.framework, sample_book.agencies, sample_book.raw_answers, path)
    return path


def test_long_form_scores_exactly_as_the_agency_sheets(long_copy, sample_json):
    assert json.loads(run_cli("recalc", long_copy, "--json").stdout) == sample_json
    assert round(sample_json["national"]["overall"], 1) == 57.8          # published figure
    book = read_book(long_copy)
    assert "D01" not in load_workbook(long_copy, read_only=True).sheetnames
    assert book.answer_cells[("D01", "1.1")] == ("Responses", "C2")      # first pair, row 2
    assert book.answer_cells[("D01", "1.2")] == ("Responses", "C3")
    assert book.answer_cells[("D02", "1.1")] == ("Responses", f"C{2 + 20}")  # 20 indicators each


def test_rows_round_trip(sample_book):
    raw = sample_book.raw_answers
    rows = responses_rows(raw)
    assert rows[0] == HEADER
    assert len(rows) == 1 + 31 * 20
    assert rows[1] == ["D01", "1.1", "ใช่"]
    back, cells = read_rows(rows, sample_book.agencies.index, sample_book.framework)
    assert back.shape == (31, 20) and back.isna().equals(raw.isna())
    assert (back.fillna("blank") == raw.fillna("blank")).all().all()
    assert cells[(raw.index[-1], "6.3")] == ("Responses", f"C{len(rows)}")       # last row of the sheet


def test_blank_answers_are_missing_not_zero(sample_book):
    rows = responses_rows(sample_book.raw_answers)
    rows[1][2] = None                                                    # D01 1.1 left blank
    rows.append([None, None, None])                                      # a blank row is ignored
    raw, _ = read_rows(rows, sample_book.agencies.index, sample_book.framework)
    assert raw.at["D01", "1.1"] is None and raw.at["D01", "1.2"] == "ใช่"


@pytest.mark.parametrize("change,cell,words", [
    (lambda rows: rows[5].__setitem__(0, "X99"), "A6", "agency 'X99' is not in the Agencies sheet"),
    (lambda rows: rows[7].__setitem__(1, "9.9"), "B8", "indicator '9.9' is not in the framework"),
    (lambda rows: rows.append(["D02", "1.3", 2]), "A622",
     "agency 'D02' answers indicator '1.3' twice (first in row 24)"),
    (lambda rows: rows[3].__setitem__(2, 7), "C4", "indicator 1.3: 7 is outside 0..4"),
    (lambda rows: rows[2].__setitem__(2, "#N/A"), "C3", "Excel error #N/A"),
])
def test_bad_rows_are_named_by_sheet_and_cell(long_copy, sample_book, change, cell, words):
    rows = responses_rows(sample_book.raw_answers)
    change(rows)
    write_sheet_rows(long_copy, long_copy, "Responses", rows)
    before = hashlib.sha256(long_copy.read_bytes()).hexdigest()
    result = run_cli("recalc", long_copy, check=False)
    assert result.returncode == 2, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert f"long.xlsx, sheet 'Responses', cell {cell}: " in line and words in line, line
    assert hashlib.sha256(long_copy.read_bytes()).hexdigest() == before


def test_every_problem_is_listed(sample_book):
    rows = responses_rows(sample_book.raw_answers)
    rows[5][0], rows[7][1] = "X99", "9.9"
    with pytest.raises(ReadinessError) as err:
        read_rows(rows, sample_book.agencies.index, sample_book.framework)
    assert [(p.sheet, p.cell) for p in err.value.problems] == [("Responses", "A6"), ("Responses", "B8")]


def test_collect_merges_a_returned_form_into_a_long_master(long_copy, sample_book, sample_json,
                                                           tmp_path):
    raw = sample_book.raw_answers.copy()
    raw.loc["D01"] = None                                                # D01 not answered yet
    save_long_workbook(sample_book.framework, sample_book.agencies, raw, long_copy)
    form = tmp_path / "D01.xlsx"
    save_workbook(build_form(sample_book, "D01", prefill=True), form)    # D01 returns its answers
    run_cli("collect", form, "--into", long_copy)
    assert json.loads(run_cli("recalc", long_copy, "--json").stdout) == sample_json


def test_a_pair_after_an_unknown_row_is_not_taken_for_a_repeat(sample_book):
    """Unknown agencies or indicators are reported as such; they never make a later
    known pair look answered twice, and short rows read as blank cells."""
    rows = responses_rows(sample_book.raw_answers)
    rows.insert(1, ["D02", "9.9", 1])                                    # unknown indicator first
    rows.append(["D01"])                                                 # a short row: no indicator
    with pytest.raises(ReadinessError) as err:
        read_rows(rows, sample_book.agencies.index, sample_book.framework)
    assert [(p.cell, p.message) for p in err.value.problems] == [
        ("B2", "indicator '9.9' is not in the framework"),
        (f"B{len(rows)}", "indicator id is empty")]


@settings(max_examples=25, deadline=None)
@given(order=st.sampled_from(["agency", "indicator", "shuffled"]), seed=st.integers(0, 2 ** 32 - 1),
       spelling=st.sampled_from(["text", "thai digits", "numbers"]))
def test_rows_in_any_order_and_spelling_read_alike(sample_book, order, seed, spelling):
    """However a long sheet is sorted (by agency: runs of ids; by indicator: a repeating
    block; or not at all) and however its ids are spelt (1.0 for '1', Thai digits), the
    same answers land in the same cells. 200 agencies: long enough for the reader to look
    for runs and blocks (from 2,048 rows)."""
    framework = sample_book.framework
    agencies = pd.Index([f"{n}" for n in range(1, 201)])
    ids = framework.indicator_ids
    rng = np.random.default_rng(seed)
    answers = rng.integers(0, 2, (len(agencies), len(ids))).astype(object)
    answers[rng.random(answers.shape) < 0.1] = ""                        # calamine's empty cell
    a, i = np.divmod(np.arange(answers.size), len(ids))
    if order == "indicator":
        a, i = np.divmod(np.arange(answers.size), len(agencies))[::-1]
    elif order == "shuffled":
        a, i = a[(p := rng.permutation(answers.size))], i[p]
    written = {"text": str, "numbers": float, "thai digits": lambda v: str(v).translate(
        str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))}[spelling]
    rows = [HEADER, *([written(agencies[x]), ids[y], answers[x, y]] for x, y in zip(a, i))]
    raw, cells = read_rows(rows, agencies, framework)
    assert raw.to_numpy().tolist() == np.where(answers == "", None, answers).tolist()
    expected = np.zeros(answers.shape, int)
    expected[a, i] = np.arange(2, len(rows) + 1)
    assert (cells.rows.to_numpy() == expected).all()
