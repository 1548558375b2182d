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
    nothing = R.uncertain_inputs(method, 0.0)          # no noise: no uncertain input at all
    assert nothing == ()
    draws = R.sample_uniform(nothing, 20)
    table = R.summarise(data, method, nothing, R.run(data, method, nothing, draws), seed=1).table
    assert (table["rank_p5"] == table["rank"]).all() and (table["rank_p95"] == table["rank"]).all()
    assert table["rank"].tolist() == nominal.rank.tolist()


def test_steps_can_be_picked_by_name():
    method = P.Method.of(deep_framework())
    names = [s.name for s in P.named(P.steps(method), "aggregate", "round")]
    assert names == ["aggregate:indicators", "aggregate:level 2", "aggregate:level 1",
                     "aggregate:overall", "round"]
    with pytest.raises(KeyError, match="no step named 'treat'"):
        P.named(P.steps(method), "treat")


# --- the extension point of the data-preparation steps ------------------------------------

def test_a_preparation_step_slots_in_before_normalise_and_screens_the_fits():
    """A step given in `prepare` runs after parse and before normalise; units it marks
    inactive are left out of what normalise learns (minmax over 2 and 6, not 2..100)."""
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class DropAbove:
        limit: float
        name: str = "screen"

        def fit(self, state):
            return np.nanmax(state.values, axis=1) <= self.limit

        def apply(self, state, kept):
            return state.but(active=kept)

        def formula(self, key, cells):
            return P.NoFormula("screening looks at every unit")

        def describe(self, state, kept):
            return P.LogEntry(self.name, f"{int((~kept).sum())} unit(s) left out of the fits", "active")

    fw = framework([dim("D")], [number("x", "D", normalise="minmax")])
    method = P.Method.of(fw)
    steps = P.steps(method, fw, prepare=[DropAbove(50)])
    assert [s.name for s in steps][:3] == ["parse", "screen", "normalise"]
    state = P.run(steps, P.start(method, np.array([[2.0], [6.0], [100.0], [4.0]])))
    assert state.shares[:, 0].tolist() == [0.0, 1.0, 1.0, 0.5]
    assert str(state.log[1]) == "screen: 1 unit(s) left out of the fits [active]"


def test_parse_reads_raw_cells_and_refuses_a_bad_one_with_its_agency():
    fw = framework([dim("D")], [{"id": "y", "dimension": "D", "question_th": "", "question_en": "",
                                 "type": "yesno", "max": 1, "points": 1},
                                {"id": "s", "dimension": "D", "question_th": "", "question_en": "",
                                 "type": "percent", "max": 100, "points": 1}])
    method = P.Method.of(fw)
    raw = pd.DataFrame({"y": ["ใช่", "ไม่ใช่"], "s": ["๕๐", None]}, index=["U", "V"], dtype=object)
    state = P.run(P.steps(method, fw), P.start(method, raw=raw))
    assert state.overall.tolist() == [75.0, 0.0]
    with pytest.raises(ReadinessError, match="agency 'V', indicator 's'"):
        P.run(P.steps(method, fw), P.start(method, raw=raw.assign(s=["50", "lots"])))


def test_each_normalisation_writes_only_its_own_columns():
    """Goalposts, minmax and rank side by side, each column by hand."""
    fw = framework([dim("D")], [number("g", "D", max=10), number("m", "D", normalise="minmax"),
                                number("r", "D", normalise="rank")])
    shares = indicator_shares(fw, np.array([[5.0, 1.0, 3.0], [10.0, 3.0, 1.0], [0.0, 2.0, 2.0]]))
    assert shares.tolist() == [[0.5, 0.0, 1.0], [1.0, 1.0, 0.0], [0.0, 0.5, 0.5]]


def test_an_unknown_normalisation_is_refused_with_the_choices():
    method = P.Method.of(deep_framework()).but(normalisation="median")
    with pytest.raises(ValueError, match="normalisation 'median' is not one of goalposts"):
        P.run([P.Normalise(method)], P.start(method, DEEP_ANSWERS.to_numpy(float)))


def test_rank_and_band_step_ties_share_the_best_rank_and_a_bound_belongs_to_its_band():
    """Bands Low from 0, Middle from 25 (test_method's framework): 25 is Middle, ties at
    the top share rank 1 (RANK.EQ), no score has neither rank nor band."""
    fw = framework([dim("D")], [number("x", "D", max=100)])
    method = P.Method.of(fw, "exclude")
    state = P.run(P.steps(method, fw), P.start(method, np.array([[25.0], [25.0], [10.0], [np.nan], [24.0]])))
    assert state.overall[[0, 1, 2, 4]].tolist() == [25.0, 25.0, 10.0, 24.0]
    assert state.rank[[0, 1, 2, 4]].tolist() == [1, 1, 4, 3] and np.isnan(state.rank[3])
    assert state.band.tolist() == [1, 1, 0, -1, 0]
