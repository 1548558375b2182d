"""The one description of the method (core/pipeline): steps in order with their log, a
dimension tree of any depth, every aggregation and the normalisers the mutation run found
untested, against values computed by hand; robustness runs the same steps."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from readiness_xl.core import pipeline as P
from readiness_xl.core import robustness as R
from readiness_xl.core.scoring import indicator_shares, score
from readiness_xl.errors import ReadinessError
from tests.test_method import framework, number


def dim(ident, weight=1, parent="", aggregation=""):
    return {"id": ident, "name_th": "", "name_en": ident, "weight": weight, "parent": parent,
            "aggregation": aggregation}


def deep_framework(decimals=None):
    """X (geometric) -> X1 -> (X1a w1, X1b w3), X -> X2; Y beside X: three levels."""
    return framework([dim("X", aggregation="geometric"), dim("Y"), dim("X1", parent="X"),
                      dim("X2", parent="X"), dim("X1a", parent="X1"), dim("X1b", 3, parent="X1")],
                     [number("a", "X1a"), number("b", "X1b"), number("c", "X2"), number("d", "Y")],
                     settings_rows=None if decimals is None else {"decimals": str(decimals)})


DEEP_ANSWERS = pd.DataFrame({"a": [0.2, 1.0], "b": [0.6, 0.0], "c": [0.8, 0.5], "d": [0.1, 0.3]},
                            index=["U", "V"])


def test_a_tree_three_levels_deep_scores_by_hand():
    s = score(deep_framework(), DEEP_ANSWERS)
    x1, x = (20 + 3 * 60) / 4, math.sqrt(50 * 80)            # U: X1 = 50, X2 = 80
    assert s.dimensions.loc["U"].tolist() == pytest.approx([x, 10, x1, 80, 20, 60], abs=1e-12)
    assert s.overall["U"] == pytest.approx((x + 10) / 2, abs=1e-12)
    # V: X1 = (100 + 0) / 4 = 25, X2 = 50, X = sqrt(25 * 50)
    assert s.overall["V"] == pytest.approx((math.sqrt(25 * 50) + 30) / 2, abs=1e-12)
    assert s.rank.tolist() == [1.0, 2.0]


def test_the_steps_run_in_order_and_log_what_they_did():
    s = score(deep_framework(decimals=1), DEEP_ANSWERS)
    assert [e.step for e in s.log] == ["parse", "normalise", "aggregate:indicators", "aggregate:level 2",
                                      "aggregate:level 1", "aggregate:overall", "round", "rank and band"]
    text = [str(e) for e in s.log]
    assert "X1" in text[3] and "level 1" in text[3] and "X1a" not in text[3].split("[")[1]
    assert "geometric" in text[2] or "arithmetic" in text[2]
    assert "rounded to 1 decimals" in text[6]
    assert s.overall["U"] == round((math.sqrt(4000) + 10) / 2, 1)   # from the unrounded dimensions
    assert s.dimensions.at["U", "X"] == round(math.sqrt(4000), 1)


def test_a_parent_that_leads_back_round_is_refused_with_its_cell():
    with pytest.raises(ReadinessError) as err:
        framework([dim("X", parent="Y"), dim("Y", parent="X")], [number("a", "X"), number("b", "Y")])
    problems = err.value.problems
    assert any("leads back" in p.message and p.cell == "G5" for p in problems), problems


# --- every aggregation on a dimension, by hand (the mutants that survived) --------------

def two_dimensions(first_aggregation, points=(1, 1)):
    """G (first_aggregation; g1 = 0.25, g2 = 1.0 with `points`), then A (arithmetic;
    a1 = 0.25, a2 = 1.0)."""
    fw = framework([dim("G", aggregation=first_aggregation), dim("A")],
                   [number("g1", "G", points=points[0]), number("g2", "G", points=points[1]),
                    number("a1", "A"), number("a2", "A")])
    return score(fw, pd.DataFrame({"g1": [0.25], "g2": [1.0], "a1": [0.25], "a2": [1.0]}, index=["U"]))


@pytest.mark.parametrize("aggregation, points, expected", [
    ("geometric", (1, 1), 50.0),                       # 100 * sqrt(0.25 * 1)
    ("geometric", (1, 3), 100 * 0.25 ** 0.25),         # 100 * (0.25^1 * 1^3)^(1/4)
    ("harmonic", (1, 1), 40.0),                        # 100 * 2 / (4 + 1)
    ("harmonic", (1, 3), 100 * 4 / 7),                 # 100 * 4 / (1/0.25 + 3/1)
    ("power:2", (1, 1), 100 * math.sqrt((0.0625 + 1) / 2)),
    ("arithmetic", (1, 1), 62.5),
])
def test_a_dimension_by_each_mean_by_hand(aggregation, points, expected):
    s = two_dimensions(aggregation, points)
    assert s.dimensions.at["U", "G"] == pytest.approx(expected, abs=1e-12)
    assert s.dimensions.at["U", "A"] == pytest.approx(62.5, abs=1e-12)   # its own mean, untouched
    assert s.overall["U"] == pytest.approx((expected + 62.5) / 2, abs=1e-12)


def test_a_mean_over_a_single_value_is_that_value():
    for aggregation in ("geometric", "harmonic", "power:3"):
        fw = framework([dim("G", aggregation=aggregation)], [number("g", "G")])
        assert score(fw, pd.DataFrame({"g": [0.37]}, index=["U"])).overall["U"] == pytest.approx(37.0, abs=1e-12)


# --- normalisers ------------------------------------------------------------------------

def test_target_with_direction_lower_by_hand():
    fw = framework([dim("D")], [number("t", "D", max=10, normalise="target", direction="lower")])
    values = np.array([[5.0], [20.0], [10.0], [0.0]])
    assert indicator_shares(fw, values)[:, 0].tolist() == [1.0, 0.5, 1.0, 1.0]


def test_goalposts_lower_beside_higher_takes_no_shortcut():
    """The answer types' exact path (value / max) is only for higher-is-better indicators
    with min 0; a lower-is-better one beside a higher one still turns 0.8 into 0.2."""
    fw = framework([dim("D")], [number("up", "D", max=10), number("down", "D", max=10, direction="lower")])
    assert indicator_shares(fw, np.array([[8.0, 8.0]]))[0].tolist() == pytest.approx([0.8, 0.2], abs=1e-15)


def test_rank_share_of_a_constant_column_and_of_a_single_answer_is_the_middle():
    fw = framework([dim("D")], [number("r", "D", normalise="rank"), number("s", "D", normalise="rank")])
    values = np.array([[3.0, np.nan], [3.0, 7.0], [3.0, np.nan]])
    shares = indicator_shares(fw, values)
    assert shares[:, 0].tolist() == [0.5, 0.5, 0.5]
    assert shares[1, 1] == 0.5 and np.isnan(shares[[0, 2], 1]).all()


# --- robustness runs the same steps ------------------------------------------------------

def test_robustness_without_noise_gives_every_unit_its_nominal_rank():
    fw = deep_framework(decimals=2)
    rng = np.random.default_rng(5)
    answers = pd.DataFrame(rng.uniform(0.05, 1, (40, 4)).round(2), columns=list("abcd"),
                           index=[f"U{k}" for k in range(40)])
    nominal = score(fw, answers)
    method, data = R.method_of(fw), R.data_of(fw, answers)
    still = (R.UncertainInput("dimension weights", "weights", tuple(R.noisy_sets(method.weights, 0.0, 5, rng)),
                              "", ""),
             R.UncertainInput("indicator weights", "points", tuple(R.noisy_sets(method.points, 0.0, 5, rng)),
                              "", ""))
    runs = R.run(data, method, still, R.sample_uniform(still, 30, seed=1))
    assert not runs.failed.any()
    np.testing.assert_array_equal(runs.scores, np.broadcast_to(nominal.overall.to_numpy(), runs.scores.shape))
    np.testing.assert_array_equal(runs.ranks, np.broadcast_to(nominal.rank.to_numpy(), runs.ranks.shape))
    table = R.uncertainty_analysis(fw, answers, weights_noise=0.0, runs=20).table
    assert (table["rank_p5"] == table["rank"]).all() and (table["rank_p95"] == table["rank"]).all()
    assert table["rank"].tolist() == nominal.rank.tolist()


def test_steps_can_be_picked_by_name():
    method = P.Method.of(deep_framework())
    names = [s.name for s in P.named(P.steps(method), "aggregate", "round")]
    assert names == ["aggregate:indicators", "aggregate:level 2", "aggregate:level 1",
                     "aggregate:overall", "round"]
    with pytest.raises(KeyError, match="no step named 'treat'"):
        P.named(P.steps(method), "treat")
