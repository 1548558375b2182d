"""What people type: Thai and English yes/no words, Thai digits, blanks as missing."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness_xl.core.answers import parse_answer, parse_answers
from readiness_xl.errors import ReadinessError
from readiness_xl.thai import (
    as_buddhist_year,
    buddhist_year,
    buddhist_years_in,
    common_era_year,
    parse_number,
    thai_digits,
)
from tests.frameworks import answers, tiny_framework


@pytest.mark.parametrize("word,expected", [
    ("ใช่", 1.0), ("ไม่ใช่", 0.0), ("มี", 1.0), ("ไม่มี", 0.0), ("Y", 1.0), ("n", 0.0),
    ("Yes", 1.0), ("no", 0.0), (1, 1.0), (0, 0.0), ("๑", 1.0), ("๐", 0.0),
    (True, 1.0), (False, 0.0), ("TRUE", 1.0), ("false", 0.0), (" ใช่ ", 1.0),
])
def test_yes_no_words(word, expected):
    assert parse_answer(word, "yesno", 1) == expected


@pytest.mark.parametrize("text,expected", [("๓", 3.0), ("๔๕.๕", 45.5), ("1,000", 1000.0),
                                           ("๗๒%", 72.0), (" 12 ", 12.0), (4, 4.0)])
def test_numbers_with_thai_digits(text, expected):
    assert parse_number(text) == expected


def test_blanks_are_missing_never_zero():
    for blank in (None, "", "   ", float("nan")):
        assert math.isnan(parse_answer(blank, "scale", 4))


@pytest.mark.parametrize("value,kind,message", [
    (5, "scale", "outside 0..4"), (-1, "percent", "outside 0..100"), (101, "percent", "outside 0..100"),
    ("maybe", "yesno", "not a yes/no"), (2, "yesno", "not a yes/no"), ("#DIV/0!", "scale", "Excel error"),
    ("abc", "scale", "not a number"), (True, "scale", "not a number"),
])
def test_bad_answers_are_refused_with_a_reason(value, kind, message):
    with pytest.raises(ReadinessError, match=message) as err:
        parse_answer(value, kind, 4)
    assert len(err.value.problems) == 1 and message in err.value.problems[0].message


def test_parse_answers_reports_each_bad_cell_and_keeps_the_rest():
    parsed, bad = parse_answers(answers({"X": {"a1": "ใช่", "a2": 9, "b1": "๕๐"},
                                         "Y": {"a1": "?", "a2": 2, "b1": None}}), tiny_framework())
    assert sorted((b.agency, b.indicator) for b in bad) == [("X", "a2"), ("Y", "a1")]
    assert parsed.loc["X", "b1"] == 50.0 and parsed.loc["Y", "a2"] == 2.0
    assert math.isnan(parsed.loc["Y", "b1"])


def test_thai_digits_and_buddhist_era():
    assert thai_digits("มิติที่ 4") == "มิติที่ ๔"
    assert buddhist_year(2017) == 2560 and common_era_year(2560) == 2017


_CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 120), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["ใช่", "ไม่ใช่", "มี", " no ", "Y", "๑", "๐", "๓", "๔๕.๕", "๗๒%", "1,000", "",
                     "   ", "#N/A", "maybe", "-0", "1.0", "0.0"]),
    # Equal to 0 or 1 but parsed otherwise (parse_answers must not take them for 0.0, 1.0).
    st.sampled_from([-0.0, 0.0, 1.0, np.float64(-0.0), np.int64(1), np.bool_(True)]),
    st.text(max_size=4))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_CELLS, min_size=3, max_size=3), min_size=1, max_size=12))
def test_parse_answers_is_parse_answer_cell_by_cell(rows):
    """The column-at-once parser gives each cell what parse_answer gives it alone: the
    same number, or the same reason, listed indicator by indicator."""
    fw = tiny_framework()
    ids = fw.indicator_ids
    raw = pd.DataFrame([dict(zip(ids, r)) for r in rows], index=[f"U{i}" for i in range(len(rows))],
                       columns=ids, dtype=object)
    parsed, bad = parse_answers(raw, fw)
    expected_bad = []
    for ind in ids:
        spec = fw.indicators.loc[ind]
        for unit in raw.index:
            try:
                value = parse_answer(raw.at[unit, ind], spec["type"], spec["max"])
            except ValueError as err:
                expected_bad.append((unit, ind, str(err)))
                value = math.nan
            got = parsed.at[unit, ind]
            assert (math.isnan(got) and math.isnan(value)) or (
                got == value and math.copysign(1, got) == math.copysign(1, value)), (unit, ind, raw.at[unit, ind])
    assert [(b.agency, b.indicator, b.message) for b in bad] == expected_bad


@pytest.mark.parametrize("value, year", [(2560, 2560), ("๒๕๖๐", 2560), (2017, 2560), ("B.E. 2560 (2017)", 2560),
                                         ("(2017) พ.ศ. 2560", 2560), ("ปี2017", 2560), (2017.0, 2560)])
def test_a_year_typed_either_way_is_its_buddhist_year(value, year):
    assert as_buddhist_year(value) == year


@pytest.mark.parametrize("value", ["v1", "12", 12, "", None, "rev 20170"])
def test_text_naming_no_four_digit_year_is_not_a_year(value):
    with pytest.raises(ValueError):
        as_buddhist_year(value)


def test_buddhist_years_in_a_header():
    assert buddhist_years_in("Change 2559→2560 (points)") == [2559, 2560]
    assert buddhist_years_in("Score 2559 (2016) %") == [2559]
    assert buddhist_years_in("ปี๒๕๖๐") == [2560]
