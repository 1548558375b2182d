"""Scoring checked against values computed by hand, and its invariants (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness_xl.core.answers import parse_answers
from readiness_xl.core.benchmarks import (
    level_labels,
    priority_positions,
    rank_eq,
    refuse_negative_weights,
    weak_order,
)
from readiness_xl.core.results import compute_results
from readiness_xl.core.scoring import overall_scores, score
from readiness_xl.errors import ReadinessError
from tests import reference as ref
from tests.frameworks import answers, tiny_framework

# Hand computation for agency X: a1 = ใช่ -> 1, a2 = 3/4, b1 = 40% (2 points)
#   A = 100 * (1 + 0.75) / 2 = 87.5      B = 100 * (2 * 0.40) / 2 = 40.0
#   overall = (60 * 87.5 + 40 * 40) / 100 = 68.5
HAND = answers({"X": {"a1": "ใช่", "a2": "๓", "b1": "40%"},
                "Y": {"a1": "N", "a2": None, "b1": 100}})


def scored(frame, missing="zero"):
    framework = tiny_framework()
    parsed, bad = parse_answers(frame, framework)
    assert bad == []
    return score(framework, parsed, missing)


def test_hand_computed_dimension_and_overall_scores():
    s = scored(HAND)
    assert s.dimensions.loc["X", "A"] == pytest.approx(87.5)
    assert s.dimensions.loc["X", "B"] == pytest.approx(40.0)
    assert s.overall["X"] == pytest.approx(68.5)
    # Y: a1 no, a2 blank (not met), b1 100% -> A = 0, B = 100, overall = 40
    assert s.dimensions.loc["Y"].tolist() == pytest.approx([0.0, 100.0])
    assert s.overall["Y"] == pytest.approx(40.0)
    assert s.completeness["X"] == pytest.approx(100.0)
    assert s.completeness["Y"] == pytest.approx(200 / 3)


def test_missing_answers_excluded_policy_rescales_the_dimension():
    s = scored(HAND, missing="exclude")
    # Y: A has only a1 answered (no) -> 0; with a1 = yes it would be 100
    assert s.dimensions.loc["Y", "A"] == pytest.approx(0.0)
    only_b = scored(answers({"Z": {"a1": None, "a2": None, "b1": 50}}), missing="exclude")
    assert math.isnan(only_b.dimensions.loc["Z", "A"])
    assert only_b.overall["Z"] == pytest.approx(50.0)  # A drops out, B carries all weight


def test_benchmarks_rank_level_priority_on_hand_values():
    framework = tiny_framework()
    parsed, _ = parse_answers(HAND, framework)
    agencies = pd.DataFrame({"name_th": ["x", "y"], "name_en": ["x", "y"], "kind": ["department", "province"],
                             "ministry_th": ["ก", "ก"], "ministry_en": ["M", "M"]}, index=["X", "Y"])
    r = compute_results(framework, agencies, parsed)
    assert r.national["overall"] == pytest.approx((68.5 + 40.0) / 2)
    assert r.ministries.loc["ก", "A"] == pytest.approx(87.5 / 2)
    assert r.agencies["rank"].tolist() == [1, 2]
    assert r.agencies["level_en"].tolist() == ["Good", "Very low"]
    assert r.kinds.loc["province", "overall"] == pytest.approx(40.0)
    order, gains = priority_positions(r.agencies.loc["X", ["A", "B"]].to_numpy(float),
                                      framework.dimensions["weight"].to_numpy(float))
    # A: 0.6 * 12.5 = 7.5 points to gain, B: 0.4 * 60 = 24 -> B first
    assert [["A", "B"][i] for i in order] == ["B", "A"]
    assert gains[order].tolist() == pytest.approx([24.0, 7.5])
    assert [["A", "B"][i] for i in weak_order(np.array([87.5, 40.0]))] == ["B"]


def test_improvement_priority_refuses_a_negative_weight_as_the_framework_does():
    row = np.array([80.0, 40.0])
    with pytest.raises(ReadinessError, match="^weight -1 of dimension 'B' is negative"):
        refuse_negative_weights(np.array([3.0, -1.0]), ["A", "B"])
    with pytest.raises(ReadinessError) as err:  # read from a sheet: named by its cell
        refuse_negative_weights(np.array([-2.0, -1.0]), ["A", "B"], "Framework", ["D5", "D6"])
    assert [str(p) for p in err.value.problems] == [
        "sheet 'Framework', cell D5: weight -2 is negative; weights are shares and must be 0 or more",
        "sheet 'Framework', cell D6: weight -1 is negative; weights are shares and must be 0 or more"]
    order, gains = priority_positions(row, np.array([0.0, 1.0]))
    assert gains[order].tolist() == [60.0, 0.0]


def test_rank_ties_follow_excel_rank_eq():
    assert rank_eq(np.array([50.0, 70.0, 50.0, np.nan, 10.0])).tolist()[:3] == [2.0, 1.0, 2.0]
    assert rank_eq(np.array([50.0, 70.0, 50.0, np.nan, 10.0])).tolist()[4] == 4.0


def test_level_band_boundaries_are_inclusive_lower_bounds():
    bands = tiny_framework().bands
    assert level_labels(np.array([59.999, 60.0, 0.0]), bands)["level_en"].tolist() == \
        ["Very low", "Good", "Very low"]


# ---- properties -------------------------------------------------------------------
answer_values = st.fixed_dictionaries({
    "a1": st.sampled_from(["ใช่", "ไม่ใช่", "Y", "N", True, False, 1, 0, None]),
    "a2": st.one_of(st.none(), st.integers(0, 4)),
    "b1": st.one_of(st.none(), st.floats(0, 100)),
})
weights = st.floats(0.5, 99.5).map(lambda x: (x, 100.0 - x))  # a sheet's weights sum to 100


@settings(max_examples=200, deadline=None)
@given(st.lists(answer_values, min_size=1, max_size=6), st.sampled_from(["zero", "exclude"]))
def test_scores_stay_between_0_and_100(rows, missing):
    s = scored(answers({f"G{i}": r for i, r in enumerate(rows)}), missing)
    for values in (s.dimensions.to_numpy().ravel(), s.overall.to_numpy()):
        values = values[~np.isnan(values)]
        assert ((values >= -1e-9) & (values <= 100 + 1e-9)).all()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(1e-3, 100), st.just(0.0), st.just(math.nan)), min_size=6, max_size=6),
       st.lists(st.floats(0.01, 50), min_size=6, max_size=6), st.floats(0.001, 1000),
       st.sampled_from([1.0, 0.0, -1.0, 2.0, 0.5, -2.0]))
def test_overall_is_the_weighted_power_mean_of_the_formula(dims, w, factor, p):
    """The overall of any scores and weights (scaled by any factor: weights are shares)
    under any power equals the plain-Python weighted power mean of tests/reference.py."""
    expected = ref.mean([None if math.isnan(x) else x for x in dims], [x * factor for x in w], p)
    got = overall_scores(np.array([dims]), np.array(w) * factor, p)[0]
    if expected is None:
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_overall_by_hand():
    # weights 60 and 40 of scores 50 and 75: 30 + 30 = 60; geometric: 50^0.6 * 75^0.4 = 58.44...
    assert overall_scores(np.array([[50.0, 75.0]]), np.array([60.0, 40.0]))[0] == pytest.approx(60.0)
    assert overall_scores(np.array([[50.0, 75.0]]), np.array([60.0, 40.0]), 0.0)[0] == \
        pytest.approx(50 ** 0.6 * 75 ** 0.4)
    assert overall_scores(np.array([[50.0, np.nan]]), np.array([60.0, 40.0]))[0] == pytest.approx(50.0)


@settings(max_examples=200, deadline=None)
@given(answer_values, st.sampled_from(["a2", "b1"]), st.floats(0, 1), weights, st.sampled_from(["zero", "exclude"]))
def test_raising_one_answer_never_lowers_any_score(row, indicator, fraction, w, missing):
    framework = tiny_framework(w)
    before, _ = parse_answers(answers({"G": row}), framework)
    upper = 4.0 if indicator == "a2" else 100.0
    current = before.at["G", indicator]
    base = 0.0 if math.isnan(current) else current
    after = before.copy()
    after.at["G", indicator] = base + (upper - base) * fraction
    if math.isnan(current) and missing == "exclude":
        return  # answering a blank adds achievable points too; not a "raise" of an answer
    s0, s1 = score(framework, before, missing), score(framework, after, missing)
    assert (s1.dimensions.fillna(0) >= s0.dimensions.fillna(0) - 1e-9).all().all()
    assert s1.overall["G"] >= s0.overall["G"] - 1e-9


@settings(max_examples=100, deadline=None)
@given(answer_values, weights)
def test_overall_is_the_weighted_mean_of_dimensions(row, w):
    framework = tiny_framework(w)
    parsed, _ = parse_answers(answers({"G": row}), framework)
    s = score(framework, parsed)
    a, b = s.dimensions.loc["G", "A"], s.dimensions.loc["G", "B"]
    assert s.overall["G"] == pytest.approx((w[0] * a + w[1] * b) / (w[0] + w[1]))
