"""The one-unit UDFs (numpy over one row, no pandas per call) give what the whole-table
path gives every agency: DIMENSION_GAP the gap to the national row, WEAK_DIMENSIONS the
Summary's dimensions below the threshold (weakest first), IMPROVEMENT_PRIORITY the
Summary's improve_first and the gains of improvement_gains, READINESS_RANK the rank of
compute_results; and the array helpers they share equal the pandas they replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import udfs.functions as xl
from readiness_xl.core import benchmarks
from readiness_xl.core.results import compute_results
from readiness_xl.sample.source_data import load_framework
from tests import reference as ref

FRAMEWORK = load_framework()
DIMS = FRAMEWORK.dimension_ids
WEIGHTS = [[float(w)] for w in FRAMEWORK.weights]


def _results(seed: int, units: int, blank: float, missing: str):
    """Every agency scored by recalc's path, from answers drawn in each indicator's units."""
    rng = np.random.default_rng(seed)
    tops = FRAMEWORK.indicators["max"].to_numpy(float)
    values = np.floor(rng.random((units, len(tops))) * (tops + 1))
    values[rng.random(values.shape) < blank] = np.nan
    ids = [f"A{i:03d}" for i in range(units)]
    answers = pd.DataFrame(values, index=ids, columns=FRAMEWORK.indicator_ids)
    agencies = pd.DataFrame({"name_th": ids, "name_en": ids, "kind": "department",
                             "ministry_th": [f"ก{i % 3}" for i in range(units)],
                             "ministry_en": [f"M{i % 3}" for i in range(units)]}, index=ids)
    return compute_results(FRAMEWORK, agencies, answers, missing)


def _row(values) -> list[list]:
    """A row of cells as xlwings passes it: floats, None for a blank."""
    return [[None if np.isnan(v) else float(v) for v in values]]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 25), st.sampled_from([0.0, 0.3, 0.9]),
       st.sampled_from(["zero", "exclude"]))
def test_one_unit_udfs_equal_the_whole_table(seed, units, blank, missing):
    r = _results(seed, units, blank, missing)
    table = r.agencies
    national = r.national[DIMS].to_numpy(float)
    table_gaps = benchmarks.gaps(table[DIMS].astype(float), r.national[DIMS].astype(float))
    gains = benchmarks.improvement_gains(table[DIMS].astype(float), FRAMEWORK.dimensions["weight"].astype(float))
    overalls = [[None if np.isnan(v) else float(v)] for v in table["overall"]]
    for unit, agency in table.iterrows():
        scores = agency[DIMS].to_numpy(float)
        row = _row(scores)

        gap = xl.DIMENSION_GAP(row, _row(national))
        expected = [None if np.isnan(v) else v for v in table_gaps.loc[unit].to_numpy(float)]
        assert gap == [expected]

        weak = agency["below_threshold"].split(", ") if agency["below_threshold"] else []
        weakest_first = sorted(weak, key=lambda d: (scores[DIMS.index(d)], DIMS.index(d)))
        assert xl.WEAK_DIMENSIONS(row, [DIMS]) == ([[d] for d in weakest_first] or "")

        priority = xl.IMPROVEMENT_PRIORITY(row, WEIGHTS, [DIMS])
        scored = [d for d, v in zip(DIMS, scores) if not np.isnan(v)]
        assert sorted((d for d, _ in priority), key=DIMS.index) == scored
        assert (priority[0][0] if priority else "") == agency["improve_first"]
        # the gain of each dimension from the README's formula, not from the code under test:
        # weight share x (100 - dimension score)
        share = {d: w[0] / sum(v[0] for v in WEIGHTS) for d, w in zip(DIMS, WEIGHTS)}
        assert [gain for _, gain in priority] == pytest.approx(
            [share[d] * (100 - scores[DIMS.index(d)]) for d, _ in priority], abs=1e-9)
        assert [g for _, g in priority] == sorted((g for _, g in priority), reverse=True)

        rank = xl.READINESS_RANK([[None if np.isnan(agency["overall"]) else agency["overall"]]], overalls)
        if np.isnan(agency["overall"]):
            assert rank.startswith("#N/A")
        else:
            assert rank == agency["rank"]


_SCORES = st.lists(st.one_of(st.sampled_from([0.0, 25.0, 50.0, 24.999999999999996, 100.0, np.nan]),
                             st.floats(-1e6, 1e6)), max_size=30)


_CLEAN = st.lists(st.one_of(st.just(np.nan), st.integers(-10**6, 10**6).map(lambda k: k / 1000)), max_size=30)


@settings(max_examples=300, deadline=None)
@given(_CLEAN)
def test_rank_eq_is_excel_rank_eq(values):
    """Highest first, ties sharing the best rank, a blank without rank: the plain-Python
    RANK.EQ of tests/reference.py."""
    got = benchmarks.rank_eq(np.array(values, float))
    expected = ref.rank_eq([None if np.isnan(v) else v for v in values])
    assert [None if np.isnan(r) else int(r) for r in got] == expected


def test_rank_eq_by_hand_without_float_noise():
    # 24.999999999999996 is a true 25 (issue 13): it ties with 25; 3.0000000000000004 with 3
    values = np.array([24.999999999999996, 25.0, 3.0, np.nan, 100.0, 3.0000000000000004, 25.001])
    got = benchmarks.rank_eq(values).tolist()
    assert got[:3] == [3, 3, 5] and np.isnan(got[3]) and got[4:] == [1, 5, 2]


@settings(max_examples=300, deadline=None)
@given(_SCORES)
def test_priority_order_is_pandas_stable_descending_sort(gains):
    gains = pd.Series(gains, dtype=float)
    expected = gains.sort_values(ascending=False, kind="stable").index.tolist()
    assert benchmarks.priority_order(gains.to_numpy()).tolist() == expected


@settings(max_examples=300, deadline=None)
@given(_SCORES, st.sampled_from([50.0, 0.0, 25.0, 60.0]))
def test_weak_order_is_the_pandas_filter_and_stable_sort(values, threshold):
    """Scores compared as the core compares them, without float noise (rounded to
    NOISE_DECIMALS: -3e-102 is 0, not below 0)."""
    row = pd.Series(values, dtype=float)
    weak = row.round(benchmarks.NOISE_DECIMALS) < threshold
    expected = row[weak].sort_values(kind="stable").index.tolist()
    assert benchmarks.weak_order(row.to_numpy(), threshold).tolist() == expected


@settings(max_examples=300, deadline=None)
@given(st.floats(-1e4, 1e5), st.floats(-100, 1e3), st.floats(1e-3, 1e5), st.booleans(),
       st.sampled_from([None, "higher", "lower"]))
def test_normalised_value_is_the_goalposts_normaliser(value, low, width, log, direction):
    """NORMALISED_VALUE (goalposts fitted once per column, then applied) equals the
    scoring core's goalposts normaliser on the same value, refusals included."""
    from readiness_xl.core.normalisation import NormalisationError, NormalParams, goalposts
    from readiness_xl.core.worksheet_functions import CellValueError, normalised_value
    high = low + width
    params = NormalParams.of(1, min=low, max=high, higher=direction != "lower", log=log)
    expected = "#NUM!"  # a log needs goalposts above 0: refused before the normaliser
    if not (log and low <= 0):
        try:
            expected = float(goalposts(np.array([[value]]), params)[0, 0])
        except NormalisationError:
            expected = "#NUM!"
    for _ in range(2):  # the second call takes the goalposts kept from the first
        try:
            got = normalised_value(value, low, high, log, direction)
        except CellValueError as err:
            got = err.excel_error
        assert got == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.integers(0, 5), st.floats(0, 10)), min_size=4, max_size=4),
                min_size=0, max_size=12), st.integers(0, 47))
def test_cronbach_block_of_numbers_equals_the_cell_parser(rows, where):
    """The one-step path for numbers and blanks gives the bits the cell-by-cell parser
    gives (one cell turned to text sends the block down that path)."""
    from readiness_xl.core.audit import cronbach_alpha_of_cells
    fast = cronbach_alpha_of_cells(rows)
    if rows:
        r, c = divmod(where % (4 * len(rows)), 4)
        texts = [list(row) for row in rows]
        texts[r][c] = "" if texts[r][c] is None else str(texts[r][c])
        slow = cronbach_alpha_of_cells(texts)
        assert fast == slow or (np.isnan(fast) and np.isnan(slow))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.one_of(st.floats(-1e3, 1e3), st.just(np.nan)), min_size=2, max_size=2),
                max_size=15).map(lambda rows: np.array(rows, float).reshape(len(rows), 2)),
       st.integers(2, 5))
def test_cronbach_alpha_is_numpy_var_textbook_formula_bit_for_bit(pairs, k):
    """cronbach_alpha (row sums reused, variances without numpy's wrapper) gives the bits
    of k/(k-1) * (1 - sum of var(ddof=1) / var(ddof=1) of the sums) on complete rows."""
    from readiness_xl.core.audit import cronbach_alpha
    items = np.tile(pairs, (1, k))[:, :k] * np.arange(1, k + 1)
    complete = items[~np.isnan(items).any(axis=1)]
    expected = float("nan")
    if len(complete) >= 2:
        total = complete.sum(axis=1).var(ddof=1)
        if total != 0:
            expected = float(k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / total))
    got = cronbach_alpha(items)
    assert got == expected or (np.isnan(got) and np.isnan(expected))
