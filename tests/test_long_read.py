"""The long layout's reading and checking, made cheaper per cell, computes what the plain
definitions compute: the live check's four fingerprints (workbook.long_check) over cells
of every kind, texts repeated as a Responses sheet repeats them."""

from __future__ import annotations

import datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness_xl.workbook.long_check import MODULUS, WORDS, fingerprints

CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-10 ** 6, 10 ** 6),
    st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from(["ใช่", "ไม่ใช่", "Yes", " yes", "NO", "", "3"]),
    st.text(max_size=5), st.dates(datetime.date(2000, 1, 1), datetime.date(2030, 1, 1)),
    st.builds(np.float64, st.floats(-1e3, 1e3, allow_nan=False)), st.builds(np.int64, st.integers(-99, 99)))


def by_definition(values: list, rows: list[int]) -> tuple[float, float, float, float]:
    """SUMPRODUCT's sums cell by cell, in the order fingerprints adds them (one dot product
    each, so the same float sums)."""
    weights = np.array([r % MODULUS + 1 for r in rows], dtype=float)
    number = [isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in values]
    text = [type(v) is str for v in values]
    numbers = np.array([float(v) if n else 0.0 for v, n in zip(values, number)])
    lengths = np.array([len(v) for v, t in zip(values, text) if t], dtype=float)
    yes = np.array([v.lower() in WORDS for v, t in zip(values, text) if t], dtype=bool)
    texts = np.array(text, dtype=bool)
    return (float(numbers @ weights), float(np.array(number, dtype=bool) @ weights),
            float(lengths @ weights[texts]), float(yes @ weights[texts]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(CELLS, st.integers(2, 10 ** 6)), max_size=80))
def test_fingerprints_are_the_sums_cell_by_cell(cells):
    values, rows = [v for v, _ in cells], [r for _, r in cells]
    assert fingerprints(np.array(values + [None], dtype=object)[:-1], np.array(rows, dtype=np.int64)) \
        == by_definition(values, rows)


def test_repeated_texts_count_each_time_by_hand():
    values = ["ใช่", "ใช่", "no", "YES", "no", 2.0]
    rows = [2, 98, 3, 4, 5, 6]          # weights 3, 2, 4, 5, 6, 7
    assert fingerprints(np.array(values, dtype=object), np.array(rows)) == (
        2.0 * 7, 7, 3 * 3 + 3 * 2 + 2 * 4 + 3 * 5 + 2 * 6, 3 + 2 + 5)


class _Text(str):
    """A str that is not exactly str: thai.text_key takes its full path."""


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(max_codepoint=127), max_size=12))
def test_text_key_of_ascii_is_its_full_form(text):
    from readiness_xl.thai import text_key
    assert text_key(text) == text_key(_Text(text)) == text.strip()
