"""One alias table (core/words.py) for every word the framework accepts: the Framework
parser and the worksheet functions read the same words the same way."""

from __future__ import annotations

import pytest

from readiness_xl.core import worksheet_functions as wf
from readiness_xl.core.aggregation import parse_aggregation
from readiness_xl.core.scoring import indicator_shares
from readiness_xl.core.words import ALIASES, canonical
from tests.test_method import framework, number

import numpy as np


@pytest.mark.parametrize("word", sorted(ALIASES["direction"]))
def test_every_direction_word_means_the_same_in_the_sheet_and_in_a_udf(word):
    fw = framework([{"id": "D", "name_th": "", "name_en": "D", "weight": 1}],
                   [number("x", "D", max=10, direction=word)])
    sheet = indicator_shares(fw, np.array([[8.0]]))[0, 0]
    udf = wf.normalised_value(8, 0, 10, None, word)
    expected = 0.8 if ALIASES["direction"][word] == "higher" else 0.2
    assert sheet == pytest.approx(expected, abs=1e-15) and udf == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("typed, meaning", [(-1, "lower"), (1, "higher"), (-1.0, "lower"),
                                            (" น้อย ", "lower"), ("มาก", "higher"), ("-", "lower")])
def test_directions_typed_as_numbers_or_thai_in_a_udf(typed, meaning):
    assert canonical("direction", typed) == meaning
    assert wf.normalised_value(2, 0, 10, None, typed) == pytest.approx(0.2 if meaning == "higher" else 0.8)


def test_a_word_outside_the_table_is_refused_with_the_choices():
    with pytest.raises(wf.CellValueError, match="direction 'sideways' is not one of higher, lower"):
        wf.normalised_value(2, 0, 10, None, "sideways")


def test_transform_words_in_a_udf():
    assert wf.normalised_value(100, 10, 1000, "ln") == pytest.approx(0.5)
    assert wf.normalised_value(100, 10, 1000, "none") == pytest.approx(90 / 990)
    assert wf.normalised_value(100, 10, 1000, True) == pytest.approx(0.5)


@pytest.mark.parametrize("word", sorted(ALIASES["aggregation"]))
def test_every_aggregation_word_is_read_by_the_weighted_mean_udf(word):
    p = {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}[ALIASES["aggregation"][word]]
    assert parse_aggregation(word) == p
    expected = {1.0: 2.5, 0.0: 2.0, -1.0: 1.6}[p]
    assert wf.weighted_mean([1, 4], [1, 1], word or None) == pytest.approx(expected)
