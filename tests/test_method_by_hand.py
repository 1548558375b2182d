"""The method against numbers worked out on paper, one step at a time, through the public
scoring interface: each test would fail if the step it names computed anything else (the
gaps a mutation run of the core found: a geometric or harmonic dimension, `target` with
direction lower, a lower-is-better indicator beside a higher one, the rank share of a
constant column, a unit with no score, fractional weights, half-way rounding, a power mean
over one value, the 0-1 warning left quiet for ordinary percentages)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from readiness_xl.core import pipeline as P
from readiness_xl.core.benchmarks import level_labels, round_scores, weak_mask
from readiness_xl.core.framework import build_framework, located
from readiness_xl.core.scoring import score, warn_percent_shares
from readiness_xl.errors import ReadinessWarning

DIM_COLUMNS = {"id": "A", "name_th": "B", "name_en": "C", "weight": "D", "aggregation": "E", "parent": "F"}
IND_COLUMNS = {"id": "A", "dimension": "B", "question_th": "C", "question_en": "D", "type": "E", "max": "F",
               "points": "G", "min": "H", "direction": "I", "normalise": "J", "transform": "K"}
BANDS = located([{"lower": 0, "label_th": "ต่ำ", "label_en": "Low"},
                 {"lower": 50, "label_th": "ดี", "label_en": "Good"}],
                "Framework", {"lower": "A", "label_th": "B", "label_en": "C"}, 30)


BANDS_EN = ["Low", "Good"]


def framework(dims: list[tuple], inds: list[tuple], **settings):
    """dims: (id, weight, aggregation[, parent]); inds: (id, dimension, max, points, min,
    direction, normalise[, transform]), every indicator a raw `number`."""
    d = located([{"id": i, "name_th": i, "name_en": i, "weight": w, "aggregation": agg, "parent": rest[0] if rest else ""}
                 for i, w, agg, *rest in dims], "Framework", DIM_COLUMNS, 5)
    n = located([{"id": i, "dimension": dim, "question_th": "", "question_en": "", "type": "number",
                  "max": hi, "points": pts, "min": lo, "direction": way, "normalise": norm,
                  "transform": rest[0] if rest else ""}
                 for i, dim, hi, pts, lo, way, norm, *rest in inds], "Framework", IND_COLUMNS, 15)
    table = pd.DataFrame({"key": list(settings), "value": [str(v) for v in settings.values()]})
    return build_framework(d, n, BANDS, "t", table if settings else None)


def percent_framework():
    """One dimension holding one `percent` indicator, p."""
    d = located([{"id": "D", "name_th": "D", "name_en": "D", "weight": 1, "aggregation": "", "parent": ""}],
                "Framework", DIM_COLUMNS, 5)
    n = located([{"id": "p", "dimension": "D", "question_th": "", "question_en": "", "type": "percent",
                  "max": 100, "points": 1, "min": "", "direction": "", "normalise": "", "transform": ""}],
                "Framework", IND_COLUMNS, 15)
    return build_framework(d, n, BANDS, "t")


def scored(fw, rows: dict[str, dict], missing: str = "zero"):
    return score(fw, pd.DataFrame.from_dict(rows, orient="index", dtype=float), missing)


def test_a_geometric_dimension_is_the_weighted_geometric_mean_of_its_shares():
    # G: shares 0.25 and 1 (equal points): sqrt(0.25 * 1) = 0.5 -> 50; H arithmetic: 80
    fw = framework([("G", 1, "geometric"), ("H", 1, "")],
                   [("g1", "G", 100, 1, 0, "", ""), ("g2", "G", 100, 1, 0, "", ""), ("h1", "H", 100, 1, 0, "", "")])
    s = scored(fw, {"U": {"g1": 25, "g2": 100, "h1": 80}})
    assert s.dimensions.loc["U"].tolist() == pytest.approx([50.0, 80.0], abs=1e-12)
    assert s.overall["U"] == pytest.approx(65.0, abs=1e-12)
    # unequal points 1 and 3: 0.25^(1/4) * 1^(3/4) = 0.7071...
    fw = framework([("G", 1, "geometric")], [("g1", "G", 100, 1, 0, "", ""), ("g2", "G", 100, 3, 0, "", "")])
    assert scored(fw, {"U": {"g1": 25, "g2": 100}}).overall["U"] == pytest.approx(100 * 0.25 ** 0.25, abs=1e-12)


def test_a_harmonic_and_a_power_dimension_by_hand():
    inds = [("x1", "D", 100, 1, 0, "", ""), ("x2", "D", 100, 1, 0, "", "")]
    harmonic = scored(framework([("D", 1, "harmonic")], inds), {"U": {"x1": 25, "x2": 100}})
    assert harmonic.overall["U"] == pytest.approx(100 * 2 / (1 / 0.25 + 1 / 1.0), abs=1e-12)  # 40
    square = scored(framework([("D", 1, "power:2")], inds), {"U": {"x1": 20, "x2": 60}})
    assert square.overall["U"] == pytest.approx(100 * math.sqrt((0.2 ** 2 + 0.6 ** 2) / 2), abs=1e-12)


@pytest.mark.parametrize("aggregation", ["harmonic", "power:3", "geometric", "power:-2"])
def test_any_mean_of_a_single_value_is_that_value(aggregation):
    fw = framework([("D", 1, aggregation)], [("x", "D", 100, 1, 0, "", "")])
    assert scored(fw, {"U": {"x": 30}}).overall["U"] == pytest.approx(30.0, abs=1e-12)


def test_target_with_direction_lower_scores_at_or_under_the_target_full():
    # target 50 (in max), lower is better: 40 -> 1, 50 -> 1, 100 -> 50/100 = 0.5, 200 -> 0.25
    fw = framework([("D", 1, "")], [("x", "D", 50, 1, 0, "lower", "target")])
    s = scored(fw, {"A": {"x": 40}, "B": {"x": 50}, "C": {"x": 100}, "E": {"x": 200}})
    assert s.overall.tolist() == pytest.approx([100.0, 100.0, 50.0, 25.0], abs=1e-12)
    higher = framework([("D", 1, "")], [("x", "D", 50, 1, 0, "", "target")])
    assert scored(higher, {"A": {"x": 40}, "C": {"x": 100}}).overall.tolist() == pytest.approx([80.0, 100.0])


def test_a_lower_is_better_indicator_beside_a_higher_one_each_keeps_its_direction():
    # goalposts 0..10, value 8: higher -> 0.8, lower -> 1 - 0.8 = 0.2 (the fast path must not take both)
    fw = framework([("X", 1, ""), ("Y", 1, "")],
                   [("up", "X", 10, 1, 0, "higher", ""), ("down", "Y", 10, 1, 0, "lower", "")])
    s = scored(fw, {"U": {"up": 8, "down": 8}})
    assert s.dimensions.loc["U"].tolist() == pytest.approx([80.0, 20.0], abs=1e-12)
    # with a lower goalpost of 2: (8 - 2) / (10 - 2) = 0.75 and 0.25
    fw = framework([("X", 1, ""), ("Y", 1, "")],
                   [("up", "X", 10, 1, 2, "higher", ""), ("down", "Y", 10, 1, 2, "lower", "")])
    assert scored(fw, {"U": {"up": 8, "down": 8}}).dimensions.loc["U"].tolist() == pytest.approx([75.0, 25.0])


def test_rank_share_of_a_constant_column_and_of_a_single_answered_unit_is_one_half():
    fw = framework([("D", 1, "")], [("x", "D", 1, 1, 0, "", "rank")])
    constant = scored(fw, {"A": {"x": 7}, "B": {"x": 7}, "C": {"x": 7}})
    assert constant.overall.tolist() == [50.0, 50.0, 50.0]
    single = scored(fw, {"A": {"x": 3}, "B": {"x": np.nan}}, missing="exclude")
    assert single.overall["A"] == 50.0 and np.isnan(single.overall["B"])
    spread = scored(fw, {"A": {"x": 1}, "B": {"x": 5}, "C": {"x": 9}})  # (rank - 1) / (n - 1)
    assert spread.overall.tolist() == pytest.approx([0.0, 50.0, 100.0])


def test_a_unit_without_a_score_gets_no_level_not_the_lowest():
    bands = pd.DataFrame({"lower": [0.0, 50.0], "label_th": ["ต่ำ", "ดี"], "label_en": ["Low", "Good"]})
    labels = level_labels(np.array([np.nan, 10.0, 50.0]), bands)
    assert labels["level_en"].tolist() == ["", "Low", "Good"]
    assert labels["level_th"].tolist() == ["", "ต่ำ", "ดี"]


def test_fractional_weights_are_shares_not_negatives():
    fw = framework([("A", 0.6, ""), ("B", 0.4, "")], [("a", "A", 100, 1, 0, "", ""), ("b", "B", 100, 1, 0, "", "")])
    assert scored(fw, {"U": {"a": 50, "b": 100}}).overall["U"] == pytest.approx(70.0, abs=1e-12)


@pytest.mark.parametrize(("decimals", "values", "expected"), [
    (0, [0.5, 1.5, 2.5, -0.5, 49.49], [1.0, 2.0, 3.0, -1.0, 49.0]),
    (1, [0.05, 0.15, 0.25, 57.85, 57.84], [0.1, 0.2, 0.3, 57.9, 57.8]),
    (3, [1.0005, 2.0015, 0.0004999], [1.001, 2.002, 0.0]),
])
def test_half_way_rounds_away_from_zero_at_any_decimals(decimals, values, expected):
    assert round_scores(np.array(values), decimals).tolist() == expected


def test_decimals_round_the_scores_that_rank_and_band():
    fw = framework([("D", 1, "")], [("x", "D", 100, 1, 0, "", "")], decimals=0)
    s = scored(fw, {"A": {"x": 49.5}, "B": {"x": 49.4}})
    assert s.overall.tolist() == [50.0, 49.0]


def test_ordinary_percentages_raise_no_warning_and_shares_typed_as_percent_do():
    fw = percent_framework()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReadinessWarning)
        assert warn_percent_shares(fw, np.array([[45.0], [80.0], [0.5]])) == []
    with pytest.warns(ReadinessWarning, match="indicator p"):
        assert len(warn_percent_shares(fw, np.array([[0.45], [0.8]]))) == 1


@pytest.mark.parametrize(("column", "warns"), [
    ([1.0, 0.5], True), ([0.0, 0.5], True), ([1.5, 0.5], False), ([0.0, 0.0], False), ([0.4], False)])
def test_the_0_1_warning_at_its_edges(column, warns):
    """Every answer within 0..1 (both ends included), one above 0, at least two answers."""
    fw = percent_framework()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        assert bool(warn_percent_shares(fw, np.array(column)[:, None])) is warns


def test_completeness_is_the_share_of_indicators_answered():
    fw = framework([("D", 1, "")], [("x", "D", 100, 1, 0, "", ""), ("y", "D", 100, 1, 0, "", ""),
                                    ("z", "D", 100, 1, 0, "", "")])
    s = scored(fw, {"A": {"x": 10, "y": np.nan, "z": 30}, "B": {"x": np.nan, "y": np.nan, "z": np.nan}})
    assert s.completeness.tolist() == pytest.approx([200 / 3, 0.0])
    assert s.overall["A"] == pytest.approx(40 / 3)   # missing counts as zero by default


# --- the pipeline's steps beyond one level: cross-unit normalisers, a deep tree, rounding ---

def test_minmax_learns_each_column_over_the_units_by_hand():
    # x: 10, 20, 40 -> (x - 10) / 30 = 0, 1/3, 1; y lower-is-better over 2..6: 1 - (y - 2) / 4
    fw = framework([("X", 1, ""), ("Y", 1, "")],
                   [("x", "X", 1, 1, 0, "", "minmax"), ("y", "Y", 1, 1, 0, "lower", "minmax")])
    s = scored(fw, {"A": {"x": 10, "y": 6}, "B": {"x": 20, "y": 3}, "C": {"x": 40, "y": 2}})
    assert s.dimensions["X"].tolist() == pytest.approx([0.0, 100 / 3, 100.0], abs=1e-12)
    assert s.dimensions["Y"].tolist() == pytest.approx([0.0, 75.0, 100.0], abs=1e-12)
    # a blank unit is left out of the min and max (20..40 now) and scores nothing under exclude
    s = scored(fw, {"A": {"x": np.nan, "y": np.nan}, "B": {"x": 20, "y": 3}, "C": {"x": 40, "y": 2}},
               missing="exclude")
    assert s.dimensions["X"].tolist()[1:] == pytest.approx([0.0, 100.0]) and np.isnan(s.overall["A"])
    assert s.dimensions["Y"].tolist()[1:] == pytest.approx([0.0, 100.0])


def test_zscore_is_fifty_plus_ten_population_sds_by_hand():
    # 1, 1, 3, 3: mean 2, population sd 1 -> z = -1, -1, 1, 1 -> 40, 40, 60, 60 (lower: 60, 60, 40, 40)
    fw = framework([("Z", 1, ""), ("W", 1, "")],
                   [("z", "Z", 1, 1, 0, "", "zscore"), ("w", "W", 1, 1, 0, "lower", "zscore")])
    s = scored(fw, {u: {"z": v, "w": v} for u, v in zip("ABCD", (1, 1, 3, 3))})
    assert s.dimensions["Z"].tolist() == pytest.approx([40.0, 40.0, 60.0, 60.0], abs=1e-12)
    assert s.dimensions["W"].tolist() == pytest.approx([60.0, 60.0, 40.0, 40.0], abs=1e-12)
    # 0, 4, 8: mean 4, sd sqrt(32 / 3) = 3.2660 -> z = -1.2247, 0, 1.2247 (not capped beyond 0..100)
    s = scored(fw, {u: {"z": v, "w": 5} for u, v in zip("ABC", (0, 4, 8))})
    sd = math.sqrt(32 / 3)
    assert s.dimensions["Z"].tolist() == pytest.approx([50 - 40 / sd, 50.0, 50 + 40 / sd], abs=1e-12)
    assert s.dimensions["W"].tolist() == [50.0, 50.0, 50.0]          # a constant column: the middle


def test_cross_unit_steps_learn_only_from_the_active_units():
    """A unit left out (a screening step clears it in `active`) moves nobody's min and max."""
    fw = framework([("X", 1, "")], [("x", "X", 1, 1, 0, "", "minmax")])
    method = P.Method.of(fw)
    values = np.array([[10.0], [20.0], [40.0], [1000.0]])
    state = P.run(P.named(P.steps(method, fw), last="normalise"),
                  P.start(method, values).but(active=np.array([True, True, True, False])))
    assert state.shares[:3, 0].tolist() == pytest.approx([0.0, 1 / 3, 1.0])
    assert state.shares[3, 0] == 1.0                                 # capped, not learnt from
    everyone = P.run(P.named(P.steps(method, fw), last="normalise"), P.start(method, values))
    assert everyone.shares[:, 0].tolist() == pytest.approx([0.0, 10 / 990, 30 / 990, 1.0])


def deep(aggregation_of_p="harmonic", **settings):
    """Three levels: P (aggregation_of_p; weight 3) -> P1 (w1) -> P1a (w1), P1b (w3);
    P -> P2 (w1, geometric of x3 and x4); Q (weight 1) beside P."""
    return framework([("P", 3, aggregation_of_p), ("Q", 1, ""), ("P1", 1, "", "P"), ("P2", 1, "geometric", "P"),
                      ("P1a", 1, "", "P1"), ("P1b", 3, "", "P1")],
                     [("x1", "P1a", 100, 1, 0, "", ""), ("x2", "P1b", 100, 1, 0, "", ""),
                      ("x3", "P2", 100, 1, 0, "", ""), ("x4", "P2", 100, 1, 0, "", ""),
                      ("x5", "Q", 100, 1, 0, "", "")], **settings)


def test_a_tree_three_levels_deep_with_a_harmonic_parent_by_hand():
    # P1 = (20 + 3 x 60) / 4 = 50; P2 = 100 sqrt(0.36 x 1) = 60; P = 2 / (1/50 + 1/60) = 600/11
    # overall = (3 x 600/11 + 40) / 4 = 2240 / 44 = 50.909...
    s = scored(deep(), {"U": {"x1": 20, "x2": 60, "x3": 36, "x4": 100, "x5": 40}})
    assert s.dimensions.loc["U"].tolist() == pytest.approx([600 / 11, 40, 50, 60, 20, 60], abs=1e-12)
    assert s.overall["U"] == pytest.approx(2240 / 44, abs=1e-12)
    # a power-2 parent: P = sqrt((50^2 + 60^2) / 2)
    s = scored(deep("power:2"), {"U": {"x1": 20, "x2": 60, "x3": 36, "x4": 100, "x5": 40}})
    assert s.dimensions.at["U", "P"] == pytest.approx(math.sqrt((2500 + 3600) / 2), abs=1e-12)


def test_an_unanswered_sub_dimension_drops_out_of_its_parent_under_exclude():
    row = {"U": {"x1": np.nan, "x2": np.nan, "x3": 36, "x4": 100, "x5": 40}}
    # exclude: P1 has no score, P is P2 alone (60); overall (3 x 60 + 40) / 4 = 55
    s = scored(deep(), row, missing="exclude")
    assert np.isnan(s.dimensions.at["U", "P1"]) and s.dimensions.at["U", "P"] == pytest.approx(60.0)
    assert s.overall["U"] == pytest.approx(55.0, abs=1e-12)
    # zero: P1 = 0, and a harmonic mean with a zero is 0; overall = 40 / 4 = 10
    s = scored(deep(), row)
    assert s.dimensions.at["U", "P1"] == 0.0 and s.dimensions.at["U", "P"] == 0.0
    assert s.overall["U"] == pytest.approx(10.0, abs=1e-12)


def test_rounding_comes_after_the_whole_tree_and_before_the_band():
    """T -> A -> A1, A2, A3 at 49.45, 49.45 and 49.7 with decimals 0: A = 49.53 unrounded,
    so 50 and the band Good; rounding the children first (49, 49, 50) would give 49, Low."""
    fw = framework([("T", 1, ""), ("A", 1, "", "T"), ("A1", 1, "", "A"), ("A2", 1, "", "A"), ("A3", 1, "", "A")],
                   [("a1", "A1", 100, 1, 0, "", ""), ("a2", "A2", 100, 1, 0, "", ""),
                    ("a3", "A3", 100, 1, 0, "", "")], decimals=0)
    s = scored(fw, {"U": {"a1": 49.45, "a2": 49.45, "a3": 49.7}, "V": {"a1": 49.4, "a2": 49.4, "a3": 49.4}})
    assert s.dimensions.loc["U"].tolist() == [50.0, 50.0, 49.0, 49.0, 50.0]
    assert s.overall.tolist() == [50.0, 49.0]
    method = P.Method.of(fw)
    state = P.run(P.steps(method, fw), P.start(method, np.array([[49.45, 49.45, 49.7], [49.4, 49.4, 49.4]])))
    assert [BANDS_EN[b] for b in state.band] == ["Good", "Low"]
    assert state.rank.tolist() == [1, 2]


def test_ranks_of_the_pipeline_share_ties_anywhere_in_the_order():
    # overall 50, 40, 40, 30, 40: RANK.EQ 1, 2, 2, 5, 2
    fw = framework([("D", 1, "")], [("x", "D", 100, 1, 0, "", "")])
    s = scored(fw, {u: {"x": v} for u, v in zip("ABCDE", (50, 40, 40, 30, 40))})
    assert s.rank.tolist() == [1.0, 2.0, 2.0, 5.0, 2.0]


def test_rank_share_of_two_units_is_zero_and_one():
    fw = framework([("D", 1, "")], [("x", "D", 1, 1, 0, "", "rank")])
    assert scored(fw, {"A": {"x": 3}, "B": {"x": 8}}).overall.tolist() == [0.0, 100.0]
    # ties take the lowest of their ranks, as COINr's default: 1, 5, 5, 9 -> ranks 1, 2, 2, 4
    # -> (rank - 1) / (n - 1) = 0, 1/3, 1/3, 1
    s = scored(fw, {u: {"x": v} for u, v in zip("ABCD", (1, 5, 5, 9))})
    assert s.overall.tolist() == pytest.approx([0.0, 100 / 3, 100 / 3, 100.0])


def test_a_weak_dimension_is_one_below_50_by_default():
    assert weak_mask(np.array([49.9, 50.0, 50.5, np.nan])).tolist() == [True, False, False, False]


def test_the_log_names_the_columns_each_step_touched():
    s = scored(deep(), {"U": {"x1": 20, "x2": 60, "x3": 36, "x4": 100, "x5": 40}})
    entries = {e.step: e for e in s.log}
    assert "(P, Q)" in entries["aggregate:overall"].did
    assert entries["aggregate:level 1"].cells == "scores[:, P]"
    assert entries["aggregate:level 2"].cells == "scores[:, P1]"
    from readiness_xl.core.pipeline.base import columns_text
    assert columns_text(list("abcdef")) == "a, b, c, d, e, f"           # six: no "more"
    assert columns_text(list("abcdefgh")) == "a, b, c, d, e, f (+2 more)"


# --- each step's spreadsheet formula, evaluated by the `formulas` engine (not ours) ------

def excel(formula: str, cells: dict) -> float:
    """The value of a formula over the given cells ({reference: value or column})."""
    import formulas

    compiled = formulas.Parser().ast("=" + formula)[1].compile()
    out = compiled(*(np.asarray(cells[name], float) if isinstance(cells[name], list) else cells[name]
                     for name in compiled.inputs))
    return float(np.asarray(out).ravel()[0])


@pytest.mark.parametrize(("normalise", "direction", "column", "own", "expected"), [
    ("minmax", "", [[10], [20], [40]], 20, 1 / 3),            # (20 - 10) / 30
    ("minmax", "lower", [[10], [20], [40]], 20, 2 / 3),
    ("minmax", "", [[7], [7], [7]], 7, 0.5),                  # a constant column: the middle
    ("zscore", "", [[1], [1], [3], [3]], 3, 0.6),             # mean 2, population sd 1: 0.5 + 0.1
    ("zscore", "lower", [[1], [1], [3], [3]], 3, 0.4),
    ("rank", "", [[1], [5], [5], [9]], 5, 1 / 3),             # ties take the lowest rank, 2: (2 - 1) / 3
    ("rank", "", [[1], [5], [5], [9]], 9, 1.0),
    ("rank", "lower", [[1], [5], [5], [9]], 1, 1.0),
])
def test_cross_unit_share_formulas_by_hand(normalise, direction, column, own, expected):
    fw = framework([("D", 1, "")], [("x", "D", 1, 1, 0, direction, normalise)])
    step = P.Normalise(P.Method.of(fw))
    n = len(column)
    formula = step.formula(0, P.IndicatorCells(value="B1", column=f"A1:A{n}", own="B1"))
    assert P.is_formula(formula)
    assert excel(formula, {f"A1:A{n}": column, "B1": own}) == pytest.approx(expected, abs=1e-12)
    assert not P.is_formula(step.formula(0, P.IndicatorCells(value="B1")))   # no column, no formula


@pytest.mark.parametrize(("normalise", "direction", "transform", "x", "low", "high", "expected"), [
    ("", "", "", 8, 2, 10, 0.75), ("", "lower", "", 8, 2, 10, 0.25), ("", "", "", 12, 2, 10, 1.0),
    ("", "", "log", 10, 1, 100, 0.5),                          # ln 10 / ln 100
    ("target", "", "", 40, 0, 50, 0.8), ("target", "", "", 60, 0, 50, 1.0),
    ("target", "lower", "", 100, 0, 50, 0.5), ("target", "lower", "", 40, 0, 50, 1.0),
])
def test_fixed_share_formulas_by_hand(normalise, direction, transform, x, low, high, expected):
    fw = framework([("D", 1, "")], [("x", "D", high, 1, low, direction, normalise, transform)])
    formula = P.Normalise(P.Method.of(fw)).formula(0, P.IndicatorCells(value="B1", low="C1", high="D1"))
    assert excel(formula, {"B1": x, "C1": low, "D1": high}) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("aggregation", "values", "expected"), [
    ("", [0.25, 1.0], 100 * (0.25 + 3) / 4),
    ("geometric", [0.25, 1.0], 100 * 0.25 ** 0.25),
    ("harmonic", [0.25, 1.0], 100 * 4 / 7),                    # 4 / (1 / 0.25 + 3 / 1)
    ("power:2", [0.25, 1.0], 100 * math.sqrt((0.0625 + 3) / 4)),
    ("geometric", [0.0, 1.0], 0.0), ("harmonic", [0.0, 1.0], 0.0),   # a zero gives 0 for p <= 0
])
def test_mean_formulas_by_hand(aggregation, values, expected):
    """A dimension of two indicators with points 1 and 3, its formula over A1:B1 (shares)
    and A2:B2 (points); a parent and the overall render the same mean without the 100."""
    fw = framework([("D", 1, aggregation), ("E", 1, "")],
                   [("x", "D", 1, 1, 0, "", ""), ("y", "D", 1, 3, 0, "", ""), ("z", "E", 1, 1, 0, "", "")])
    cells = P.GroupCells("A1:B1", "A2:B2")
    leaves = P.Leaves(P.Method.of(fw)).formula("D", cells)
    assert excel(leaves, {"A1:B1": [values], "A2:B2": [[1, 3]]}) == pytest.approx(expected, abs=1e-9)
    over = P.Overall(P.Method.of(framework([("D", 1, "")], [("x", "D", 1, 1, 0, "", "")],
                                            aggregation=aggregation or "arithmetic"))).formula(None, cells)
    assert 100 * excel(over, {"A1:B1": [values], "A2:B2": [[1, 3]]}) == pytest.approx(expected, abs=1e-9)


def test_round_rank_and_band_formulas_by_hand():
    fw = framework([("D", 1, "")], [("x", "D", 100, 1, 0, "", "")], decimals=1)
    method = P.Method.of(fw)
    assert excel(P.Round(method).formula(None, "A1"), {"A1": 57.85}) == 57.9
    rank_and_band = P.RankBand(method)
    assert excel(rank_and_band.formula("rank", ("A2", "A1:A4")), {"A2": 40, "A1:A4": [[50], [40], [40], [30]]}) == 2


@pytest.mark.parametrize(("cell", "value", "answered"), [
    ("ใช่", 1.0, True), ("ไม่ใช่", 0.0, True), ("Y", 1.0, True), ("N", 0.0, True), (1, 1.0, True),
    (0, 0.0, True), ("๑", 1.0, True), ("๐", 0.0, True), ("maybe", 0.0, False)])
def test_yes_no_formulas_by_hand(cell, value, answered):
    step = P.Parse()
    assert excel(step.formula(("yesno", "value"), "A1"), {"A1": cell}) == value
    assert bool(excel(step.formula(("yesno", "answered"), "A1"), {"A1": cell})) is answered


def test_a_number_without_a_maximum_is_read_and_learnt_over_the_units():
    """minmax needs no goalposts: an indicator with a blank max still has its answers read
    (Thai digits too), then 3 and 5 of 3..5 are 0 and 1."""
    from readiness_xl.core.answers import parse_answers
    fw = framework([("D", 1, "")], [("x", "D", "", 1, "", "", "minmax"), ("y", "D", 10, 1, 0, "", "")])
    parsed, bad = parse_answers(pd.DataFrame({"x": [3, "๕"], "y": [1, 2]}, index=["A", "B"], dtype=object), fw)
    assert bad == [] and parsed["x"].tolist() == [3.0, 5.0]
    s = score(fw, parsed)
    assert s.dimensions["D"].tolist() == pytest.approx([100 * (0 + 0.1) / 2, 100 * (1 + 0.2) / 2])


def test_a_negative_value_is_refused_naming_its_column_only():
    from readiness_xl.core.aggregation import power_mean
    from readiness_xl.errors import ReadinessError
    with pytest.raises(ReadinessError) as err:
        power_mean(np.array([[-0.5, 0.0, 0.3]]), np.ones(3), 0.0, ["a", "b", "c"])
    assert [p.message.split(" ")[0] for p in err.value.problems] == ["a"]   # b's zero is no negative


def test_a_log_transform_takes_values_between_0_and_1():
    # ln goalposts 0.1..100: value 1 -> (0 - ln 0.1) / (ln 100 - ln 0.1) = 1/3; 0.5 -> (ln 5) / (ln 1000)
    fw = framework([("D", 1, "")], [("x", "D", 100, 1, 0.1, "", "", "log")])
    s = scored(fw, {"A": {"x": 1}, "B": {"x": 0.5}})
    assert s.overall.tolist() == pytest.approx([100 / 3, 100 * math.log(5) / math.log(1000)], abs=1e-12)


def test_the_dimension_to_improve_first_gains_the_most_overall_points():
    # weights 60 / 40, scores 50 and 75: gains 0.6 x 50 = 30 and 0.4 x 25 = 10 -> A first;
    # scores 90 and 20: 6 and 32 -> B first
    from readiness_xl.core.benchmarks import comparison_columns
    dims = pd.DataFrame({"A": [50.0, 90.0], "B": [75.0, 20.0]}, index=["U", "V"])
    table = comparison_columns(dims, pd.Series([60.0, 62.0], index=dims.index), 61.0,
                               pd.Series({"A": 60.0, "B": 40.0}))
    assert table["improve_first"].tolist() == ["A", "B"]
    assert table["gap_national"].tolist() == pytest.approx([-1.0, 1.0])
    assert table["below_threshold"].tolist() == ["", "B"]


def test_the_array_dimension_score_is_arithmetic_unless_told():
    from readiness_xl.core.scoring import dimension_scores
    assert dimension_scores(np.array([[0.25, 1.0]]), np.ones((2, 1)))[0, 0] == 62.5


def test_a_zero_under_a_tiny_weight_still_makes_a_geometric_mean_zero():
    """Weights 1e-200 and 1e100 (shares of their sum, any non-negative numbers): a zero in
    a geometric mean gives 0 however little it weighs; 0.25 under the tiny weight counts
    for nothing: (0.25^1e-200 * 1^1e100)^(1 / sum) = 1."""
    from readiness_xl.core.aggregation import power_mean
    weights = np.array([1e-200, 1e100])
    assert power_mean(np.array([[0.0, 0.5], [0.25, 1.0]]), weights, 0.0).tolist() == [0.0, 1.0]


def test_the_0_1_warning_points_at_the_line_that_scored():
    fw = percent_framework()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        score(fw, pd.DataFrame({"p": [0.45, 0.8]}, index=["A", "B"]))
    assert [w.filename for w in caught if issubclass(w.category, ReadinessWarning)] == [__file__]
