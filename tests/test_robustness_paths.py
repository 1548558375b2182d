"""The robustness run's fast paths give what the plain paths give: the linear product
against the pipeline's Leaves and Overall steps on random trees, RANK.EQ by packed
integer sort against pandas' rank, the ranks' percentiles against numpy's, and blocks and
threads against one pass."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness_xl.core import robustness as R
from readiness_xl.core.answers import parse_answers
from readiness_xl.core.benchmarks import rank_eq
from readiness_xl.core.pipeline import Method, State, rank_rows, run
from readiness_xl.core.pipeline import finish
from readiness_xl.core.pipeline.aggregate import LinearDraws, Leaves, Overall
from readiness_xl.sample.source_data import load_framework, load_answers


def random_method(rng: np.random.Generator, draws: int) -> Method:
    """A one-level arithmetic tree of 1-5 dimensions over 2-12 indicators (every
    dimension with at least one), with `draws` sets of weights and points."""
    dims = int(rng.integers(1, 6))
    indicators = int(rng.integers(dims, 13))
    member = np.concatenate([np.arange(dims), rng.integers(0, dims, indicators - dims)])
    rng.shuffle(member)
    return Method(weights=rng.uniform(0.01, 5.0, (draws, dims)), points=rng.uniform(0.01, 3.0, (draws, indicators)),
                  missing="zero", lowers=np.array([0.0, 50.0]), dimension_powers=np.ones(dims),
                  parents=np.full(dims, "", object), dimension_ids=tuple(f"d{k}" for k in range(dims)),
                  indicator_ids=tuple(f"i{k}" for k in range(indicators)), member=member)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2 ** 32 - 1), st.integers(1, 40), st.integers(1, 12))
def test_linear_path_is_the_steps_on_random_trees(seed, units, draws):
    rng = np.random.default_rng(seed)
    method = random_method(rng, draws)
    # shares on a coarse grid (ties between units) with unanswered cells, one unit repeated
    shares = rng.integers(0, 5, (units, len(method.member))) / 4.0
    shares[rng.random(shares.shape) < 0.2] = np.nan
    shares[-1] = shares[0]
    if draws > 1:                                   # a draw repeated
        method = method.but(weights=np.vstack([method.weights[:-1], method.weights[:1]]),
                            points=np.vstack([method.points[:-1], method.points[:1]]))
    state = State(method.indicator_ids, method.dimension_ids, shares=shares)
    assert LinearDraws.applies(method)
    fast = run([LinearDraws(method)], state, keep_log=False).overall
    steps = run([Leaves(method), Overall(method)], state, keep_log=False).overall
    assert fast.shape == steps.shape == (draws, units)
    np.testing.assert_allclose(fast, steps, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(rank_rows(fast), rank_rows(steps))
    if draws > 1:                                   # the repeated draw: the same bits
        assert (fast[-1] == fast[0]).all()


@pytest.mark.parametrize("packed", [True, False])
@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 4), n=st.integers(1, 60), seed=st.integers(0, 2 ** 32 - 1))
def test_rank_rows_packed_and_argsort_are_rank_eq(packed, rows, n, seed):
    """Values a few 1e-10 apart straddle the 9-decimal rounding; NaN takes no rank."""
    rng = np.random.default_rng(seed)
    base = rng.choice([0.0, 2.5, 61.25, 99.999999999, 100.0], (rows, n))
    scores = base + rng.choice([0.0, 4e-10, 4.99e-10, 6e-10, -4e-10, 1e-3], (rows, n))
    scores[rng.random((rows, n)) < 0.15] = np.nan
    with pytest.MonkeyPatch.context() as patch:
        if not packed:
            patch.setattr(finish, "PACKED_LIMIT", 0.0)          # every row by argsort
        ranks = rank_rows(scores)
    assert ranks.dtype == np.float32
    for row, got in zip(scores, ranks):
        np.testing.assert_array_equal(got, rank_eq(np.round(row, R.RANK_DECIMALS)).to_numpy())


def test_rank_rows_beyond_the_packed_range_by_hand():
    """Scores of 10**6 leave no room for packing: the argsort path gives RANK.EQ."""
    scores = np.array([[1e6, -1e6, 1e6, np.nan, 5.0]])
    assert rank_rows(scores)[0, [0, 1, 2, 4]].tolist() == [1.0, 4.0, 1.0, 3.0]
    assert np.isnan(rank_rows(scores)[0, 3])


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 300), st.integers(1, 30), st.integers(0, 2 ** 32 - 1))
def test_rank_percentiles_are_numpys(draws, units, seed):
    rng = np.random.default_rng(seed)
    ranks = rng.integers(1, units + 1, (draws, units)).astype(np.float32)
    ranks[:, rng.random(units) < 0.2] = np.nan                 # unranked units
    if units > 1:
        ranks[rng.integers(draws), 0] = np.nan                 # one blank draw
    expected = np.percentile(ranks, [5, 50, 95], axis=0, method="inverted_cdf")
    got = R.rank_percentiles(ranks, [5, 50, 95])
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_rank_percentiles_beyond_16_bits():
    """40,000 units: the ranks sorted as 32-bit integers, the same elements."""
    rng = np.random.default_rng(3)
    ranks = rng.integers(1, 40_001, (7, 40_000)).astype(np.float32)
    np.testing.assert_array_equal(R.rank_percentiles(ranks, [5, 50, 95]),
                                  np.percentile(ranks, [5, 50, 95], axis=0, method="inverted_cdf"))


def test_rank_percentiles_by_hand():
    """20 draws of ranks 1..20: inverted_cdf takes the 1st, 10th and 19th of them."""
    ranks = np.arange(20, 0, -1, dtype=np.float32)[:, None]
    assert R.rank_percentiles(ranks, [5, 50, 95])[:, 0].tolist() == [1.0, 10.0, 19.0]


@pytest.fixture(scope="module")
def sample():
    framework = load_framework()
    parsed, _ = parse_answers(load_answers(), framework)
    return framework, parsed


def test_blocks_and_threads_give_one_pass(sample, monkeypatch):
    framework, parsed = sample
    method, data = R.method_of(framework), R.data_of(framework, parsed)
    inputs = R.uncertain_inputs(method, 0.25, band_shift=3.0)
    assert R.linear(method, inputs)
    draws = R.sample_uniform(inputs, 40, seed=9)
    whole = R.run(data, method, inputs, draws)
    monkeypatch.setattr(R, "BLOCK_BYTES", 1)                    # one draw per block
    monkeypatch.setattr(R, "THREADS", 1)
    seen = []
    pieces = R.run(data, method, inputs, draws, progress=seen.append)
    assert seen == list(range(1, 41))
    np.testing.assert_array_equal(whole.ranks, pieces.ranks)
    np.testing.assert_array_equal(whole.bands, pieces.bands)
    np.testing.assert_array_equal(whole.scores, pieces.scores)


def test_linear_only_where_only_weights_and_cut_offs_vary(sample):
    framework, _ = sample
    method = R.method_of(framework)
    assert R.linear(method, R.uncertain_inputs(method, 0.25))
    assert not R.linear(method, R.uncertain_inputs(method, 0.25, vary_missing=True))
    assert not R.linear(method, R.uncertain_inputs(method, 0.25, aggregations=(0.0,)))
    assert not R.linear(method.but(missing="exclude"), R.uncertain_inputs(method, 0.25))
