"""Uncertainty and sensitivity analysis: hand-computable cases, SALib's own test function,
and the invariants of ranks and intervals."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness_xl.core import robustness as R
from readiness_xl.core.answers import parse_answers
from readiness_xl.core.benchmarks import rank_eq
from readiness_xl.core.results import compute_results
from readiness_xl.sample.source_data import load_agencies, load_answers, load_framework
from tests.frameworks import answers, tiny_framework


@pytest.fixture(scope="module")
def sample():
    framework = load_framework()
    parsed, bad = parse_answers(load_answers(), framework)
    assert bad == []
    return framework, load_agencies(), parsed


def test_nominal_is_the_recalculation(sample):
    framework, agencies, parsed = sample
    results = compute_results(framework, agencies, parsed)
    table = R.uncertainty_analysis(framework, parsed.reindex(agencies.index), runs=50).table
    assert table["score"].to_numpy() == pytest.approx(results.agencies["overall"].to_numpy(), abs=1e-9)
    assert (table["rank"] == results.agencies["rank"]).all()


def test_zero_noise_collapses_every_interval_to_the_nominal_rank(sample):
    framework, agencies, parsed = sample
    found = R.uncertainty_analysis(framework, parsed, weights_noise=0.0, runs=200)
    t = found.table
    assert found.inputs == ()
    for column in ("rank_median", "rank_p5", "rank_p95", "rank_best", "rank_worst"):
        assert (t[column] == t["rank"]).all(), column
    assert (t["score_p5"] == t["score"]).all() and (t["score_p95"] == t["score"]).all()
    assert (t["band_share"] == 1.0).all() and (t["rank_width"] == 0).all()
    assert R.rank_sentences(t, found.inputs).eq("").all()
    # an input that changes nothing (no answer is missing) collapses them too
    same = R.uncertainty_analysis(framework, parsed, weights_noise=0.0, runs=100, vary_missing=True)
    assert len(same.inputs) == 1 and (same.table["rank_width"] == 0).all()


def test_a_unit_far_ahead_keeps_its_rank_under_noise():
    framework = tiny_framework()
    frame = answers({"TOP": {"a1": "ใช่", "a2": 4, "b1": 100},
                     "M1": {"a1": "ใช่", "a2": 1, "b1": 30}, "M2": {"a1": "ไม่ใช่", "a2": 3, "b1": 35},
                     "M3": {"a1": "ไม่ใช่", "a2": 2, "b1": 45}, "M4": {"a1": "ใช่", "a2": 0, "b1": 20}})
    parsed, _ = parse_answers(frame, framework)
    found = R.uncertainty_analysis(framework, parsed, weights_noise=0.5, runs=500, seed=7)
    top = found.table.loc["TOP"]
    assert top["rank"] == 1 and top["rank_p5"] == top["rank_p95"] == 1
    assert top["rank_width"] == 0 and top["rank_best"] == top["rank_worst"] == 1
    assert top["score_p5"] == pytest.approx(100.0) and top["score_p95"] == pytest.approx(100.0)
    assert found.table.drop(index="TOP")["rank_width"].max() > 0     # the others do move


def test_same_seed_same_result_other_seed_other_draws(sample):
    framework, _, parsed = sample
    one = R.uncertainty_analysis(framework, parsed, runs=200, seed=11).table
    two = R.uncertainty_analysis(framework, parsed, runs=200, seed=11).table
    other = R.uncertainty_analysis(framework, parsed, runs=200, seed=12).table
    pd.testing.assert_frame_equal(one, two)
    assert not one["score_p5"].equals(other["score_p5"])


def test_chunks_give_the_same_result_as_one_pass(sample, monkeypatch):
    framework, _, parsed = sample
    method, data = R.method_of(framework), R.data_of(framework, parsed)
    inputs = R.uncertain_inputs(method, 0.25, band_shift=3.0)
    draws = R.sample_uniform(inputs, 64, seed=3)
    whole = R.run(data, method, inputs, draws)
    monkeypatch.setattr(R, "CHUNK_BYTES", 1)           # one draw per chunk
    assert R.chunk_size(data, len(method.lowers)) == 1
    pieces = R.run(data, method, inputs, draws)
    np.testing.assert_array_equal(whole.ranks, pieces.ranks)
    np.testing.assert_array_equal(whole.bands, pieces.bands)
    np.testing.assert_allclose(whole.scores, pieces.scores, rtol=0, atol=1e-12)


def draws_against_the_core(framework, agencies, answers, noise: float, count: int, seed: int):
    """Each draw's scores and ranks from the batched run, beside compute_results on a
    framework carrying that draw's weights and points (the plain scoring core)."""
    method, data = R.method_of(framework), R.data_of(framework, answers)
    inputs = R.uncertain_inputs(method, noise)
    draws = R.sample_uniform(inputs, count, seed=seed)
    found = R.run(data, method, inputs, draws)
    picks = R.choices(inputs, draws)
    for d in range(count):
        changed = dataclasses.replace(
            framework, dimensions=framework.dimensions.assign(weight=inputs[0].alternatives[picks[d, 0]]),
            indicators=framework.indicators.assign(points=inputs[1].alternatives[picks[d, 1]]))
        expected = compute_results(changed, agencies, answers).agencies
        yield found.scores[d], found.ranks[d], expected["overall"].to_numpy(), expected["rank"].to_numpy()


def test_each_draw_is_the_recalculation_with_its_weights(sample):
    """The batched product against the plain scoring core, draw by draw."""
    for scores, ranks, overall, rank in draws_against_the_core(*sample, 0.25, 5, seed=5):
        assert scores == pytest.approx(overall, abs=1e-9)
        assert (ranks == rank).all()


def test_failed_draws_are_nan_and_left_out():
    framework = tiny_framework()
    frame = answers({"X": {"a1": "ใช่", "a2": 4, "b1": 60}, "Y": {"a1": "ใช่", "a2": 2, "b1": 40},
                     "EMPTY": {"a1": None, "a2": None, "b1": None}})
    parsed, _ = parse_answers(frame, framework)
    method, data = R.method_of(framework), R.data_of(framework, parsed)
    inputs = R.uncertain_inputs(method, 0.0, vary_missing=True)
    draws = R.sample_uniform(inputs, 100, seed=1)
    result = R.run(data, method, inputs, draws)
    excluded = R.choices(inputs, draws)[:, 0] == 1          # "exclude": EMPTY has no score
    np.testing.assert_array_equal(result.failed, excluded)
    assert np.isnan(result.scores[excluded]).all() and np.isnan(result.ranks[excluded]).all()
    summary = R.summarise(data, method, inputs, result, seed=1)
    assert summary.failed == excluded.sum() and summary.runs == 100 - excluded.sum()
    assert summary.table.loc["EMPTY", "rank"] == 3 and summary.table.loc["EMPTY", "rank_p95"] == 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from([0.0, 1.0, 2.5, 2.5000000000001, np.nan, 7.0]),
                         min_size=1, max_size=9), min_size=1, max_size=4)
       .filter(lambda rows: len({len(r) for r in rows}) == 1))
def test_rank_rows_is_rank_eq(rows):
    scores = np.array(rows)
    for row, ranks in zip(scores, R.rank_rows(scores)):
        expected = rank_eq(np.round(row, R.RANK_DECIMALS)).to_numpy()
        np.testing.assert_array_equal(ranks, expected)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.05, 0.9))
def test_intervals_are_ordered(seed, noise):
    framework = load_framework()
    parsed, _ = parse_answers(load_answers(), framework)
    t = R.uncertainty_analysis(framework, parsed, weights_noise=noise, runs=60, seed=seed,
                               band_shift=2.0).table
    assert (t["rank_best"] <= t["rank_p5"]).all() and (t["rank_p5"] <= t["rank_median"]).all()
    assert (t["rank_median"] <= t["rank_p95"]).all() and (t["rank_p95"] <= t["rank_worst"]).all()
    assert (t["score_p5"] <= t["score_p95"]).all()
    assert t["band_share"].between(0, 1).all()


# ----------------------------------------------------------------------------- Sobol

ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)       # analytic values, a = 7, b = 0.1
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def test_sobol_indices_on_ishigami_match_the_analytic_values_and_salib():
    from SALib.analyze import sobol as salib_sobol
    from SALib.sample import sobol as salib_sample
    from SALib.test_functions import Ishigami

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    x = salib_sample.sample(problem, 4096, calc_second_order=False, seed=1)
    y = Ishigami.evaluate(x)
    # three outputs at once: Ishigami, an affine copy (same indices), and x3 alone
    outputs = np.column_stack([y, 3 * y + 5, x[:, 2]])
    found = R.sobol_indices(outputs, 3, seed=4, resamples=200)
    np.testing.assert_allclose(found["S1"][:, 0], ISHIGAMI_S1, atol=0.03)
    np.testing.assert_allclose(found["ST"][:, 0], ISHIGAMI_ST, atol=0.03)
    np.testing.assert_allclose(found["S1"][:, 1], found["S1"][:, 0], atol=1e-12)
    np.testing.assert_allclose(found["ST"][:, 2], [0, 0, 1], atol=1e-9)
    for column in range(3):
        expected = salib_sobol.analyze(problem, outputs[:, column], calc_second_order=False,
                                       num_resamples=200, seed=np.random.default_rng(4))
        for key in ("S1", "ST", "S1_conf", "ST_conf"):
            np.testing.assert_allclose(found[key][:, column], expected[key], rtol=1e-9, atol=1e-12)


def test_sensitivity_of_ranks_and_a_dominated_input(sample):
    framework, _, parsed = sample
    found = R.sensitivity_analysis(framework, parsed, n=256, seed=5, resamples=50, band_shift=3.0)
    # band cut-offs change levels, never ranks: no effect at all
    assert found.overall.loc["band cut-offs", "total"] == pytest.approx(0.0, abs=1e-12)
    assert found.total["band cut-offs"].abs().max() == pytest.approx(0.0, abs=1e-12)
    assert found.overall["total"].drop("band cut-offs").gt(0.05).all()
    assert found.overall["total_conf"].ge(0).all() and found.n == 256 and found.failed == 0
    assert list(found.total.index) == list(parsed.index)
    # a unit whose rank never moves has no sensitivity to anything
    moved = R.uncertainty_analysis(framework, parsed, runs=300).table
    firm = moved.index[(moved["rank_best"] == moved["rank_worst"])]
    assert len(firm) and (found.total.loc[firm] == 0).all().all()


def test_rank_sentences():
    table = pd.DataFrame({"rank_p5": [18.0, 3.0], "rank_p95": [29.0, 3.0]}, index=["A", "B"])
    inputs = R.uncertain_inputs(R.Method(np.ones(2), np.ones(3), "zero", np.zeros(1)), 0.25)[:1]
    th = R.rank_sentences(table, inputs)
    assert th["A"] == "อันดับอาจอยู่ระหว่าง 18 ถึง 29 เมื่อปรับน้ำหนักมิติ ±25%" and th["B"] == ""
    assert R.rank_sentences(table, inputs, "en")["A"] == \
        "Its rank could lie between 18 and 29 with dimension weights ±25%."


def test_alternative_aggregation_and_normalisation_draws(sample):
    """A draw that picks the geometric mean or min-max normalisation scores as the core's
    power mean and normalisers say, through the same batched path."""
    from readiness_xl.core.aggregation import power_mean
    from readiness_xl.core.normalisation import minmax

    framework, agencies, parsed = sample
    method = R.method_of(framework)
    data = R.data_of(framework, parsed, ("minmax",))
    inputs = R.uncertain_inputs(method, 0.0, aggregations=(0.0,), normalisations=("minmax",))
    assert [i.alternatives for i in inputs] == [(1.0, 0.0), (R.NOMINAL, "minmax")]
    draws = np.array([[0.2, 0.2], [0.7, 0.2], [0.2, 0.7], [0.7, 0.7]])
    found = R.run(data, method, inputs, draws)
    dims = compute_results(framework, agencies, parsed).agencies[framework.dimension_ids].to_numpy()
    np.testing.assert_allclose(found.scores[0], power_mean(dims, framework.weights, 1.0), atol=1e-9)
    np.testing.assert_allclose(found.scores[1], power_mean(dims, framework.weights, 0.0), atol=1e-9)
    values = parsed.reindex(columns=framework.indicator_ids).to_numpy(float)
    shares = minmax(values, framework.normal_params)
    member = framework.points_matrix
    minmax_dims = 100 * (shares @ member) / member.sum(axis=0)
    np.testing.assert_allclose(found.scores[2], power_mean(minmax_dims, framework.weights, 1.0),
                               atol=1e-9)
    np.testing.assert_allclose(found.scores[3], power_mean(minmax_dims, framework.weights, 0.0),
                               atol=1e-9)
    assert not found.failed.any()


def sub_dimension_framework():
    """A parent dimension P (arithmetic) over P1 (geometric: a, b worth 2) and P2 (c),
    beside Q (d); a harmonic overall and one-decimal rounding; 12 units of scale answers."""
    from readiness_xl.core.framework import build_framework, located

    dims = located([
        {"id": "P", "name_th": "ก", "name_en": "Parent", "weight": 70, "parent": "", "aggregation": ""},
        {"id": "P1", "name_th": "ก1", "name_en": "Sub 1", "weight": 2, "parent": "P", "aggregation": "geometric"},
        {"id": "P2", "name_th": "ก2", "name_en": "Sub 2", "weight": 1, "parent": "P", "aggregation": ""},
        {"id": "Q", "name_th": "ข", "name_en": "Q", "weight": 30, "parent": "", "aggregation": ""}],
        "Framework", {"id": "A", "name_th": "B", "name_en": "C", "weight": "D", "parent": "E",
                      "aggregation": "F"}, 5)
    inds = located([
        {"id": i, "dimension": d, "question_th": "", "question_en": "", "type": "scale", "max": 4,
         "points": pts} for i, d, pts in (("a", "P1", 1), ("b", "P1", 2), ("c", "P2", 1), ("d", "Q", 1))],
        "Framework", {"id": "A", "dimension": "B", "question_th": "C", "question_en": "D",
                      "type": "E", "max": "F", "points": "G"}, 20)
    bands = located([{"lower": 0, "label_th": "ต่ำ", "label_en": "Low"},
                     {"lower": 50, "label_th": "ดี", "label_en": "Good"}],
                    "Framework", {"lower": "A", "label_th": "B", "label_en": "C"}, 10)
    settings = pd.DataFrame({"key": ["aggregation", "decimals"], "value": ["harmonic", "1"]})
    framework = build_framework(dims, inds, bands, "t", settings)
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.integers(1, 5, size=(12, 4)).astype(float), columns=list("abcd"),
                         index=[f"U{i:02d}" for i in range(12)])
    agencies = pd.DataFrame({"name_th": frame.index, "name_en": frame.index, "kind": "department",
                             "ministry_th": "ม", "ministry_en": "M"}, index=frame.index)
    return framework, agencies, frame


def test_sub_dimensions_powers_and_rounding_follow_the_core():
    """Every draw equals compute_results with that draw's weights."""
    framework, agencies, frame = sub_dimension_framework()
    for scores, ranks, overall, rank in draws_against_the_core(framework, agencies, frame, 0.3, 4, seed=2):
        np.testing.assert_array_equal(scores, overall)
        np.testing.assert_array_equal(ranks, rank)


def test_each_draw_equals_the_formula_written_out_by_hand():
    """The batched draws against the method written out in plain Python, from each draw's
    own weights and points: P1 = 100 (s_a^p_a s_b^p_b)^(1/(p_a+p_b)), P2 = 100 s_c,
    Q = 100 s_d, P = (w1 P1 + w2 P2) / (w1 + w2), overall = (wP + wQ) / (wP/P + wQ/Q),
    rounded half away from zero to one decimal."""
    from decimal import ROUND_HALF_UP, Decimal

    framework, _, frame = sub_dimension_framework()
    method, data = R.method_of(framework), R.data_of(framework, frame)
    inputs = R.uncertain_inputs(method, 0.3)
    draws = R.sample_uniform(inputs, 6, seed=7)
    found = R.run(data, method, inputs, draws)
    picks = R.choices(inputs, draws)
    for d in range(len(draws)):
        w = dict(zip(framework.dimension_ids, inputs[0].alternatives[picks[d, 0]]))
        pa, pb, _, _ = inputs[1].alternatives[picks[d, 1]]
        for u, (a, b, c, q) in enumerate(frame.to_numpy() / 4):
            p1 = 100 * math.exp((pa * math.log(a) + pb * math.log(b)) / (pa + pb))
            parent = (w["P1"] * p1 + w["P2"] * 100 * c) / (w["P1"] + w["P2"])
            overall = (w["P"] + w["Q"]) / (w["P"] / parent + w["Q"] / (100 * q))
            expected = float(Decimal(repr(round(float(overall), 9))).quantize(Decimal("0.1"), ROUND_HALF_UP))
            assert found.scores[d, u] == expected, (d, u, overall)


def test_sobol_by_blocks_of_units_equals_one_block(sample, monkeypatch):
    framework, _, parsed = sample
    one = R.sensitivity_analysis(framework, parsed, n=32, seed=4, resamples=10, vary_missing=True)
    monkeypatch.setattr(R, "CHUNK_BYTES", 8 * 4 * 32 * 4 * 5)     # five units per block
    blocks = R.sensitivity_analysis(framework, parsed, n=32, seed=4, resamples=10, vary_missing=True)
    for key in ("first_order", "total", "first_order_conf", "total_conf"):
        pd.testing.assert_frame_equal(getattr(one, key), getattr(blocks, key))
    pd.testing.assert_frame_equal(one.overall, blocks.overall)
