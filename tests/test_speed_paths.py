"""The array paths rewritten for speed (docs/speed.md) give the values worked out by hand:
bands counted per band, RANK.EQ with its ties carried in place, the arithmetic mean divided
in place, and the garbage collector held off and given back by paused_gc."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from readiness_xl.core.aggregation import grouped_power_means
from readiness_xl.core.pipeline import band_index, rank_rows
from readiness_xl.workbook.fast_read import paused_gc


def test_band_index_by_hand():
    lowers = np.array([0.0, 60.0, 65.0, 80.0])
    scores = np.array([-1.0, 0.0, 59.9999999999, 60.0, 64.99, 65.0, 80.0, 100.0, np.nan])
    assert band_index(scores, lowers).tolist() == [-1, 0, 1, 1, 1, 2, 3, 3, -1]
    # a draws axis, each draw with its own cut-offs
    per_draw = np.array([[0.0, 50.0], [0.0, 70.0]])
    draws = np.array([[49.0, 50.0, 69.0], [49.0, 50.0, 70.0]])
    assert band_index(draws, per_draw).tolist() == [[0, 1, 1], [0, 0, 1]]
    assert band_index(draws, np.zeros((2, 0))).tolist() == [[-1, -1, -1], [-1, -1, -1]]
    assert band_index(draws, per_draw).dtype == np.int8


def test_rank_rows_is_rank_eq_by_hand():
    scores = np.array([[50.0, 70.0, 50.0, np.nan, 90.0, 70.0 + 1e-12],
                       [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]])
    ranks = rank_rows(scores)
    assert ranks[0].tolist()[:3] == [4.0, 2.0, 4.0] and np.isnan(ranks[0, 3])
    assert ranks[0].tolist()[4:] == [1.0, 2.0]          # 70 and 70 + 1e-12 tie (9 decimals)
    assert ranks[1].tolist() == [6.0, 5.0, 4.0, 3.0, 2.0, 1.0]
    assert ranks.dtype == np.float32
    assert rank_rows(np.array([7.0])).tolist() == [1.0]


def test_arithmetic_mean_divided_in_place_by_hand():
    values = np.array([[1.0, 3.0, np.nan], [2.0, np.nan, 4.0]])
    weights = np.array([[1.0, 0.0], [1.0, 0.0], [2.0, 0.0]])   # group 2 weighs nothing
    dropped = grouped_power_means(values, weights, 1.0, np.array([1.0, 1.0]), scale=100.0)
    assert dropped[:, 0].tolist() == [200.0, 100.0 * 10.0 / 3.0]   # (1+3)/2, (2+8)/3
    assert np.isnan(dropped[:, 1]).all()                            # no weight: no mean
    zero = grouped_power_means(values, weights, 1.0, np.array([1.0, 1.0]), nan_as_zero=True)
    assert zero[:, 0].tolist() == [1.0, 2.5]                        # (1+3+0)/4, (2+0+8)/4


def test_paused_gc_gives_the_collector_back():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()                                   # the outer one decides
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), paused_gc():
        1 / 0
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()                                   # off before: stays off
    finally:
        gc.enable()


def test_paused_gc_freezes_what_was_made_when_asked():
    frozen = gc.get_freeze_count()
    try:
        with paused_gc(freeze=True):
            kept = [[i] for i in range(1000)]
        assert gc.get_freeze_count() >= frozen + 1000 and gc.isenabled()
        assert len(kept) == 1000
    finally:
        gc.unfreeze()


def test_linear_draws_by_hand():
    """tiny_framework (A: a1, a2 one point each; B: b1 two points). Shares 1, 0.5, NaN
    (unanswered: 0) give A = 100 * 1.5 / 2 = 75 and B = 0; the overall is 75 * 60 / 100 = 45
    under weights 60/40 and 75 * 1 / 4 = 18.75 under 1/3; with points 3, 1, 2, A is
    100 * 3.5 / 4 = 87.5 and the overall under 60/40 is 52.5."""
    from readiness_xl.core.pipeline import Method, State, named, run, steps
    from readiness_xl.core.pipeline.aggregate import LinearDraws
    from tests.frameworks import tiny_framework

    method = Method.of(tiny_framework())
    drawn = method.but(weights=np.array([[60.0, 40.0], [1.0, 3.0], [60.0, 40.0]]),
                       points=np.array([[1.0, 1.0, 2.0], [1.0, 1.0, 2.0], [3.0, 1.0, 2.0]]))
    chosen = named(steps(drawn), "aggregate", "round")
    assert [s.name for s in chosen] == ["aggregate:linear", "round"]
    state = State(drawn.indicator_ids, drawn.dimension_ids, shares=np.array([[1.0, 0.5, np.nan]]))
    assert run(chosen, state).overall[:, 0] == pytest.approx([45.0, 18.75, 52.5], abs=1e-12)
    # the nominal method keeps Leaves and Overall; other means and policies too
    assert not LinearDraws.applies(method)
    assert not LinearDraws.applies(drawn.but(missing="exclude"))
    assert not LinearDraws.applies(drawn.but(aggregation=0.0))
    assert not LinearDraws.applies(drawn.but(weights=np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]])))
