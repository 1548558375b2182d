"""The UDF guard turns bad input into an Excel error text and nothing else: the input
errors the core documents (CellValueError with its Excel error, ReadinessError as
#VALUE! with the cell where it is known). A fault of ours (TypeError, AttributeError,
KeyError ...) is raised as it is, so that it is seen and fixed, never shown to an analyst
as a #VALUE! that blames their cells."""

from __future__ import annotations

import pytest

import udfs.functions as xl
from readiness_xl.core import worksheet_functions as wf
from readiness_xl.errors import Problem, ReadinessError


@pytest.mark.parametrize("fault", [TypeError("unsupported operand"), AttributeError("no attribute"),
                                   KeyError("D9"), IndexError("list index"), ZeroDivisionError("by zero"),
                                   ValueError("a bug's ValueError")])
def test_a_programming_error_is_raised_not_shown_as_value(monkeypatch, fault):
    def broken(*_):
        raise fault
    monkeypatch.setattr(wf, "readiness_score", broken)
    with pytest.raises(type(fault)):
        xl.READINESS_SCORE([[50.0, 60.0]], [[1.0], [1.0]])


@pytest.mark.parametrize("error, shown", [
    (wf.CellValueError("no indicator answered", "#N/A"), "#N/A: no indicator answered"),
    (wf.CellValueError("weights must not be negative"), "#VALUE!: weights must not be negative"),
    (ReadinessError(Problem("weight -1 is negative", "Framework", "D6")),
     "#VALUE!: sheet 'Framework', cell D6: weight -1 is negative"),
])
def test_the_input_errors_the_core_documents_become_excel_error_texts(monkeypatch, error, shown):
    def refuse(*_):
        raise error
    monkeypatch.setattr(wf, "readiness_score", refuse)
    assert xl.READINESS_SCORE([[50.0, 60.0]], [[1.0], [1.0]]) == shown


def test_real_bad_input_still_reads_as_an_excel_error():
    # each of these went through a bare ValueError before; now the input error says what is wrong
    assert xl.WEAK_DIMENSIONS([[40.0, 80.0]], None, [["many"]]) == "#VALUE!: threshold 'many' is not a number"
    assert xl.WEAK_DIMENSIONS([[40.0, 80.0]], None, [["๖๐"]]) == [["1"]]     # Thai digits: 60
    assert xl.WEIGHTED_MEAN([[1.0, 2.0]], [[1.0, 1.0]], [["middling"]]).startswith(
        "#VALUE!: aggregation 'middling' is not one of")
    assert xl.WEIGHTED_MEAN([[1.0, 2.0]], [[1.0, 1.0]], [["power:500"]]).startswith(
        "#VALUE!: aggregation 'power:500': the power must be between -100 and 100")
    assert xl.DIMENSION_SCORE([[1.0]], [[1.0]], None, "sometimes") == \
        "#VALUE!: missing 'sometimes' is not one of zero, exclude"
    assert xl.CRONBACH_ALPHA([[1.0, "many"], [2.0, 3.0]]).startswith("#VALUE!: row 1, column 2")
    assert xl.DIMENSION_SCORE([["perhaps"]], [[1.0]]).startswith("#VALUE!: answer 1: 'perhaps' is not a yes/no")
