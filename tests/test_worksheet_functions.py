"""The worksheet functions' shares: value / maximum by the rule, on the whole-array path
for numbers and blanks and on the cell-by-cell parser alike, refusals naming the answer."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness_xl.core.worksheet_functions import CellValueError, answer_shares, dimension_score

_MAXIMA = st.sampled_from([1, 1.0, 4, 100.0, 2.5])
_ANSWERS = st.one_of(st.none(), st.integers(-3, 120), st.floats(-5, 130),
                     st.sampled_from([float("nan"), float("inf"), -0.0]))


def _by_hand(answers: list, maxima: list):
    """The shares from the rule itself (value / maximum, a blank unanswered), or the
    start of the refusal of the first answer outside 0..maximum or not finite."""
    shares = []
    for i, (value, top) in enumerate(zip(answers, maxima), start=1):
        if value is None or math.isnan(value):
            shares.append(math.nan)
        elif math.isinf(value) or not 0 <= value <= top:
            return f"answer {i}: "
        else:
            shares.append(value / top)
    return shares


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_ANSWERS, _MAXIMA), min_size=1, max_size=25))
def test_numbers_and_blanks_are_value_over_maximum_or_refused(pairs):
    answers, maxima = [a for a, _ in pairs], [m for _, m in pairs]
    expected = _by_hand(answers, maxima)
    if isinstance(expected, str):
        with pytest.raises(CellValueError) as err:
            answer_shares(answers, maxima)
        assert str(err.value).startswith(expected), (str(err.value), expected)
        assert "is outside 0.." in str(err.value) or "is not a finite number" in str(err.value)
    else:
        np.testing.assert_array_equal(answer_shares(answers, maxima), expected)
        # a word answer beside them sends the row down the cell-by-cell parser: same shares
        np.testing.assert_array_equal(answer_shares([*answers, "ใช่"], [*maxima, 1])[:-1], expected)


def test_refusals_name_the_answer_and_its_range():
    with pytest.raises(CellValueError, match=r"^answer 2: 5 is outside 0\.\.4$"):
        answer_shares([1, 5], [4, 4])
    with pytest.raises(CellValueError, match=r"^answer 1: inf is not a finite number$"):
        answer_shares([math.inf, "ใช่"], [4, 1])
    assert answer_shares([3, None, "ไม่ใช่", "Y"], [4, 100, 1, 1]).tolist() == \
        pytest.approx([0.75, math.nan, 0.0, 1.0], nan_ok=True)


def test_hand_computed_dimension_of_numbers_and_a_blank():
    # 1/1, 0/1, 3/4, 75/100, blank (not met) -> 100 * (1 + 0 + .75 + .75 + 0) / 5 = 50
    assert dimension_score([1, 0, 3, 75.0, None], [1, 1, 4, 100, 1]) == pytest.approx(50.0)
    # points 2, 1, 1, 1, 1 weigh the first: 100 * (2 + 0 + .75 + .75) / 6
    assert dimension_score([1, 0, 3, 75.0, None], [1, 1, 4, 100, 1], [2, 1, 1, 1, 1]) == \
        pytest.approx(100 * 3.5 / 6)
    assert dimension_score([1, 0, 3, 75.0, None], [1, 1, 4, 100, 1], None, "exclude") == \
        pytest.approx(100 * 2.5 / 4)
    # TRUE is a yes/no word here, never the number 1 of a scale
    with pytest.raises(CellValueError, match="answer 1"):
        dimension_score([True], [4])


def test_level_from_bands_in_any_order_with_blank_rows():
    from readiness_xl.core.worksheet_functions import readiness_level
    bands = [[80, "ดีเยี่ยม", "Excellent"], [None, "", ""], [0, "ต่ำมาก", "Very low"],
             [60, "ดี", "Good"], [65, "ดีมาก", "Very good"]]
    assert readiness_level(60.0, bands) == "ดี"                      # a lower bound is inside
    assert readiness_level(59.99999999999999, bands, "en") == "Good"  # float noise below 60
    assert readiness_level(64.99, bands, "en") == "Good"
    assert readiness_level("๘๐", bands) == "ดีเยี่ยม"                   # Thai digits
    assert readiness_level(0.0, bands, "en") == "Very low"
    with pytest.raises(CellValueError, match="below the lowest band"):
        readiness_level(-0.5, bands)
    with pytest.raises(CellValueError, match="level bands are empty"):
        readiness_level(50.0, [[None, "x", "y"]])
