"""The statistical audit against figures computed by hand (Excel's SKEW, KURT and
Cronbach's alpha on paper) and against its flags' definitions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness_xl.core.answers import parse_answers
from readiness_xl.core.audit import audit, cronbach_alpha, indicator_statistics, to_json_dict
from readiness_xl.core.scoring import score
from tests.frameworks import answers, tiny_framework


def test_cronbach_alpha_by_hand():
    # item variances 5/3 and 4.75/3, variance of the sums (3, 5, 6, 9) 18.75/3 = 6.25
    # alpha = 2 * (1 - (9.75 / 3) / 6.25) = 2 * 0.48 = 0.96
    items = np.array([[1, 2], [2, 3], [3, 3], [4, 5]], float)
    assert cronbach_alpha(items) == pytest.approx(0.96)
    # a unit with a missing item is left out: the same four units plus one half-answered
    assert cronbach_alpha(np.vstack([items, [np.nan, 1.0]])) == pytest.approx(0.96)
    assert math.isnan(cronbach_alpha(items[:, :1]))          # one item: no alpha
    assert math.isnan(cronbach_alpha(np.ones((4, 3))))        # nothing varies


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 6), st.integers(3, 30), st.integers(0, 2 ** 31 - 1))
def test_cronbach_alpha_of_identical_items_is_one(k, n, seed):
    column = np.random.default_rng(seed).normal(size=(n, 1))
    if np.ptp(column) < 1e-9:
        return
    assert cronbach_alpha(np.repeat(column, k, axis=1)) == pytest.approx(1.0)


def test_skewness_and_kurtosis_as_excel_by_hand():
    # x = 0, 0, 0, 0, 10: mean 2, s^2 = 80/4 = 20, sum (x-m)^3 = 480, sum (x-m)^4 = 4160
    # SKEW = 5/(4*3) * 480/20^1.5 = sqrt(5)
    # KURT = 5*6/(4*3*2) * 4160/400 - 3*4^2/(3*2) = 13 - 8 = 5
    shares = pd.DataFrame({"x": [0, 0, 0, 0, 10.0], "y": [1, 2, 3, 4, 5.0]})
    table = indicator_statistics(shares, pd.Series({"x": "A", "y": "A"}))
    assert table.at["x", "skew"] == pytest.approx(math.sqrt(5))
    assert table.at["x", "kurtosis"] == pytest.approx(5.0)
    assert table.at["x", "flag"]                      # |skew| > 2 and kurtosis > 3.5
    assert table.at["y", "skew"] == pytest.approx(0.0)
    assert table.at["y", "kurtosis"] == pytest.approx(-1.2)
    assert not table.at["y", "flag"]
    assert table.at["y", "sd"] == pytest.approx(math.sqrt(2.5))


def test_audit_of_a_tiny_framework():
    framework = tiny_framework()
    frame = answers({"U1": {"a1": "ใช่", "a2": 4, "b1": 90}, "U2": {"a1": "ไม่ใช่", "a2": 1, "b1": 20},
                     "U3": {"a1": "ใช่", "a2": 3, "b1": None}, "U4": {"a1": "ไม่ใช่", "a2": 0, "b1": None}})
    parsed, bad = parse_answers(frame, framework)
    assert bad == []
    scores = score(framework, parsed)
    result = audit(framework, parsed, scores.dimensions, scores.overall, coverage_threshold=70)
    ind = result.indicators
    assert ind.at["b1", "coverage"] == pytest.approx(50.0)
    assert ind.at["a2", "mean"] == pytest.approx(100 * 8 / 16)          # (4+1+3+0)/4 of 4
    assert ind.at["a1", "min"] == 0 and ind.at["a1", "max"] == 100
    # a1 (0/100) and a2 (100, 25, 75, 0) move together: r = 0.9439..., not flagged
    r = np.corrcoef([100, 0, 100, 0], [100, 25, 75, 0])[0, 1]
    assert result.correlations["A"].at["a1", "a2"] == pytest.approx(r)
    pair = result.pairs.set_index(["a", "b"]).loc[("a1", "a2")]
    assert pair["flag"] == "collinear" and r > 0.92
    assert result.dimensions.at["A", "cronbach_alpha"] == pytest.approx(
        cronbach_alpha(np.array([[100, 100], [0, 25], [100, 75], [0, 0]], float)))
    assert math.isnan(result.dimensions.at["B", "cronbach_alpha"])       # one indicator
    # U3 and U4 answered 2 of 3 indicators (66.7%) < 70
    assert list(result.low_coverage.index) == ["U3", "U4"]
    assert result.low_coverage["U3"] == pytest.approx(200 / 3)
    payload = to_json_dict(result)
    assert [i["id"] for i in payload["indicators"]] == ["a1", "a2", "b1"]
    assert payload["dimensions"][0]["flagged_pairs"] == [
        {"a": "a1", "b": "a2", "r": pytest.approx(r), "flag": "collinear"}]
    assert payload["dimensions"][1]["cronbach_alpha"] is None


def test_negative_pairs_are_flagged():
    framework = tiny_framework()
    frame = answers({"U1": {"a1": "ใช่", "a2": 0, "b1": 90}, "U2": {"a1": "ไม่ใช่", "a2": 4, "b1": 20},
                     "U3": {"a1": "ใช่", "a2": 1, "b1": 50}})
    parsed, _ = parse_answers(frame, framework)
    scores = score(framework, parsed)
    result = audit(framework, parsed, scores.dimensions, scores.overall)
    assert result.pairs.iloc[0]["flag"] == "negative"
    assert result.dimensions.at["A", "cronbach_alpha"] < 0   # items pulling apart
    assert result.low_coverage.empty
