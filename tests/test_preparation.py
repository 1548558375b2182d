"""Data preparation (core/preparation.py): each step by hand, their combination through
score(), properties, and COINr 1.1.14's own treated ASEM data as the peer."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from readiness_xl.core.preparation import (
    PrepSpec,
    PreparationError,
    apply_impute,
    apply_treat,
    coverage,
    denominate,
    fit_impute,
    fit_treat,
    kurtosis,
    skew,
)
from readiness_xl.core.pipeline.prepare import prepare

ASEM = Path(__file__).parent / "data" / "published" / "asem"
NAN = np.nan


def column(*values: float) -> np.ndarray:
    return np.array(values, float)[:, None]


# ---- skew and kurtosis: Excel's SKEW and KURT, written the way Excel's help writes them

def _excel_skew(x: list[float]) -> float:
    n, m = len(x), sum(x) / len(x)
    s = math.sqrt(sum((v - m) ** 2 for v in x) / (n - 1))
    return n / ((n - 1) * (n - 2)) * sum(((v - m) / s) ** 3 for v in x)


def _excel_kurt(x: list[float]) -> float:
    n, m = len(x), sum(x) / len(x)
    s = math.sqrt(sum((v - m) ** 2 for v in x) / (n - 1))
    return (n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * sum(((v - m) / s) ** 4 for v in x)
            - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


def test_skew_and_kurtosis_are_excels_skew_and_kurt_nan_ignored():
    x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100]
    got = np.array(x + [NAN], float)[:, None]
    assert skew(got)[0] == pytest.approx(_excel_skew(x), rel=1e-12)
    assert kurtosis(got)[0] == pytest.approx(_excel_kurt(x), rel=1e-12)
    assert skew(got)[0] == pytest.approx(3.06324103, abs=1e-8)       # COINr skew(), printed by R
    assert np.isnan(skew(column(1, 2))[0]) and np.isnan(kurtosis(column(1, 2, 3))[0])
    assert np.isnan(skew(column(4, 4, 4, 4))[0])                       # constant: undefined


# ---- denominate

def test_denominate_divides_by_the_unit_attribute_blank_gives_missing():
    values = np.array([[10.0, 1.0], [30.0, 2.0], [5.0, 3.0]])
    got = denominate(values, {"pop": np.array([2.0, 3.0, NAN])}, ("pop", ""), ("i1", "i2"))
    assert got[:, 0].tolist()[:2] == [5.0, 10.0] and np.isnan(got[2, 0])
    assert got[:, 1].tolist() == [1.0, 2.0, 3.0]


def test_denominate_refuses_zero_and_unknown_attributes_naming_unit_and_indicator():
    values = np.array([[10.0], [30.0]])
    with pytest.raises(PreparationError, match="indicator 'i1': unit 'B' has pop 0"):
        denominate(values, {"pop": np.array([2.0, 0.0])}, ("pop",), ("i1",), ("A", "B"))
    with pytest.raises(PreparationError, match="denominator 'gdp' is not a numeric column of the agencies"):
        denominate(values, {"pop": np.array([2.0, 1.0])}, ("gdp",), ("i1",))


# ---- impute

def test_impute_mean_median_and_by_group_by_hand():
    values = np.array([[1.0, 1.0, 1.0, 1.0, 1.0],
                       [2.0, 2.0, 2.0, 2.0, NAN],
                       [9.0, 9.0, 4.0, 10.0, 3.0],
                       [NAN, NAN, NAN, NAN, NAN]])
    groups = np.array(["a", "a", "b", "b"], object)
    methods = ["mean", "median", "group_mean", "group_median", "none"]
    got = apply_impute(values, methods, fit_impute(values, methods, groups), groups)
    assert got[3, :4].tolist() == [4.0, 2.0, 4.0, 10.0]     # (1+2+9)/3, median 2, group b alone
    assert got[:3].tolist()[:3] == values[:3].tolist()[:3] or True
    assert np.array_equal(got[:3, :4], values[:3, :4])
    assert np.isnan(got[1, 4]) and np.isnan(got[3, 4])       # impute none: left blank


def test_a_group_with_no_answer_keeps_its_blanks():
    values = column(1.0, 3.0, NAN)
    groups = np.array(["a", "a", "b"], object)
    got = apply_impute(values, ["group_mean"], fit_impute(values, ["group_mean"], groups), groups)
    assert got[:2, 0].tolist() == [1.0, 3.0] and np.isnan(got[2, 0])


# ---- screen

def test_coverage_and_screening_count_answers_before_imputation():
    values = np.array([[1.0, 2.0, 3.0], [1.0, NAN, NAN], [NAN, 5.0, 6.0]])
    assert coverage(values).tolist() == pytest.approx([1.0, 1 / 3, 2 / 3])
    spec = PrepSpec(impute=("mean",) * 3, names=("a", "b", "c"), screen_min_coverage=0.5)
    prep = prepare(values, spec)
    assert prep.screened.tolist() == [False, True, False]
    assert np.isnan(prep.values[1]).all()                    # left out of what follows
    assert prep.values[2, 0] == 1.0                          # imputed from every unit of the round
    assert prep.imputed.tolist() == [[False] * 3, [False] * 3, [True, False, False]]


# ---- treat: COINr's Treat() default

def test_winsorise_coinrs_own_example():
    """COINr's ?winsorise example, x = c(1:10, 30, 100): R's Treat() gives 1..10, 30, 30."""
    x = column(*range(1, 11), 30, 100)
    fit = fit_treat(x, ["winsorise"])
    assert apply_treat(x, fit)[:, 0].tolist() == [*range(1, 11), 30, 30]
    assert not fit.log[0]


def test_winsorise_takes_points_until_the_column_passes():
    """R: Treat(data.frame(y = c(1:9, 1000, 2000, 5000, 10000, 20000, 100000))) winsorises one
    point (nwin 1): skew 3.594 / kurtosis 13.33 -> 1.861 / 2.243."""
    y = column(*range(1, 10), 1000, 2000, 5000, 10000, 20000, 100000)
    got = apply_treat(y, fit_treat(y, ["winsorise"]))[:, 0]
    assert got.tolist() == [*range(1, 10), 1000, 2000, 5000, 10000, 20000, 20000]
    assert skew(got[:, None])[0] == pytest.approx(1.861094, abs=1e-6)
    assert kurtosis(got[:, None])[0] == pytest.approx(2.243257, abs=1e-6)


def test_negative_skew_winsorises_the_low_end():
    x = -column(*range(1, 11), 30, 100)
    assert apply_treat(x, fit_treat(x, ["winsorise"]))[:, 0].tolist() == [*range(-1, -11, -1), -30, -30]


def test_log_ct_when_winsorising_cannot_help():
    """100 ones and ten values 10..100: five winsorised points leave the column failing,
    so the original values are log(x - min + 0.01 (max - min)) (R's Treat() gives the
    same to 1e-15: log_CT)."""
    x = column(*([1.0] * 100), *range(10, 101, 10))
    fit = fit_treat(x, ["winsorise"])
    assert fit.log[0]
    assert apply_treat(x, fit)[:, 0] == pytest.approx(np.log(x[:, 0] - 1 + 0.01 * 99), rel=1e-14)


def test_a_passing_a_constant_or_a_short_column_is_untreated():
    x = np.array([[1.0, 5.0, 1.0], [2.0, 5.0, 100.0], [3.0, 5.0, 2.0]])
    fit = fit_treat(x, ["winsorise"] * 3)
    assert np.array_equal(apply_treat(x, fit), x)


def test_prepare_records_what_treatment_did():
    x = column(*range(1, 11), 30, 100)
    prep = prepare(x, PrepSpec(treat=("winsorise",), names=("i",)))
    assert prep.winsorised[:, 0].tolist() == [False] * 11 + [True]
    assert prep.raw[11, 0] == 100 and prep.values[11, 0] == 30
    assert prep.skew_before[0] == pytest.approx(3.06324103, abs=1e-8)


# ---- properties --------------------------------------------------------------------

finite = st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3))


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.tuples(st.integers(4, 25), st.integers(1, 4)),
              elements=st.one_of(finite, st.just(NAN))), st.randoms(use_true_random=False))
def test_order_of_units_does_not_matter(values, random):
    k = values.shape[1]
    spec = PrepSpec(impute=("group_mean", "median", "mean", "none")[:k],
                    treat=("winsorise",) * k, names=tuple("abcd"[:k]), screen_min_coverage=0.3)
    groups = np.array(["g", "h"] * len(values), object)[:len(values)]
    order = list(range(len(values)))
    random.shuffle(order)
    one, two = prepare(values, spec, groups=groups), prepare(values[order], spec, groups=groups[order])
    np.testing.assert_allclose(one.values[order], two.values, rtol=1e-9, atol=1e-9)
    assert np.array_equal(one.screened[order], two.screened)


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.tuples(st.integers(1, 20), st.integers(1, 5)),
              elements=st.one_of(finite, st.just(NAN))))
def test_imputation_never_changes_an_answered_cell(values):
    groups = np.arange(len(values)) % 3
    for method in ("mean", "median", "group_mean", "group_median"):
        methods = [method] * values.shape[1]
        got = apply_impute(values, methods, fit_impute(values, methods, groups), groups)
        answered = ~np.isnan(values)
        assert np.array_equal(got[answered], values[answered])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 100, allow_nan=False), st.floats(1e3, 1e6, allow_nan=False)),
                min_size=4, max_size=40))
def test_winsorisation_never_moves_a_value_past_its_neighbours(values):
    """Order is kept (a winsorised value never passes another) and a winsorised value
    takes the value of an unwinsorised one."""
    x = np.array(values, float)[:, None]
    fit = fit_treat(x, ["winsorise"])
    if fit.log[0]:
        return
    got = apply_treat(x, fit)[:, 0]
    order = np.argsort(x[:, 0], kind="stable")
    assert (np.diff(got[order]) >= 0).all()
    moved = got != x[:, 0]
    assert set(got[moved]) <= set(x[~moved, 0])
    assert moved.sum() <= 5


# ---- COINr as the peer: ASEM, denominated, group-mean imputed and treated by COINr 1.1.14

def test_asem_treated_as_coinr_treats_it():
    """COINr's build_example_coin(): Denominate by iMeta's Denominator, Impute i_mean_grp by
    EurAsia_group, Screen byNA 0.9 on the *imputed* data (so no unit out: we screen on
    the answers before imputation, which would leave 5 out; hence no screening here),
    Treat with its defaults: the 15 indicators COINr's Dets_Table lists as failing are
    winsorised (none needs the log); every treated value equal to COINr's
    (coinr_treated.csv, written by R)."""
    data = pd.read_csv(ASEM / "source.csv")
    meta = pd.read_csv(ASEM / "meta.csv")
    meta = meta[meta["Type"] == "Indicator"]
    codes = meta["iCode"].tolist()
    denominators = tuple("" if pd.isna(d) else d for d in meta["Denominator"])
    spec = PrepSpec(denominators, ("group_mean",) * len(codes), ("winsorise",) * len(codes),
                    tuple(codes))
    attributes = {c: data[c].to_numpy(float) for c in ("Area", "Energy", "GDP", "Population")}
    prep = prepare(data[codes].to_numpy(float), spec, attributes, data["EurAsia_group"].to_numpy(object),
                   tuple(data["uCode"]))
    coinr = pd.read_csv(ASEM / "coinr_treated.csv").set_index("uCode").loc[data["uCode"], codes]
    np.testing.assert_allclose(prep.values, coinr.to_numpy(float), rtol=1e-12, atol=1e-12)
    assert not prep.screened.any()
    treated = np.asarray(codes)[prep.winsorised.any(axis=0)].tolist()
    assert treated == ["Flights", "Bord", "Gas", "Services", "FDI", "ForPort", "CostImpEx", "Tariff",
                       "StMob", "CultServ", "Forest", "Poverty", "NGOs", "FemLab", "PubDebt"]
    assert not prep.logged.any()


# ---- the framework's columns and settings, through build_framework and score() ---------

from readiness_xl.core.framework import build_framework, located  # noqa: E402
from readiness_xl.core.scoring import score  # noqa: E402
from readiness_xl.errors import ReadinessError  # noqa: E402

IND_COLUMNS = {"id": "A", "dimension": "B", "question_th": "C", "question_en": "D", "type": "E",
               "max": "F", "points": "G", "min": "H", "direction": "I", "transform": "J",
               "normalise": "K", "denominator": "L", "impute": "M", "treat": "N"}


def _framework(indicators: list[dict], settings: dict | None = None, aggregation: str = ""):
    dims = located([{"id": "d", "name_th": "", "name_en": "D", "weight": 1, "aggregation": aggregation}],
                   "Framework", {"id": "A", "name_th": "B", "name_en": "C", "weight": "D", "aggregation": "F"}, 5)
    rows = [{"dimension": "d", "question_th": "", "question_en": "", "type": "number", "points": 1,
             **row} for row in indicators]
    inds = located(rows, "Framework", IND_COLUMNS, 20)
    table = None
    if settings:
        table = located([{"key": k, "value": v} for k, v in settings.items()], "Framework",
                        {"key": "A", "value": "B"}, 40)
    return build_framework(dims, inds, None, "t", table)


def test_zscore_divides_by_the_sample_sd_when_the_settings_say_so():
    """x = 1, 2, 3: mean 2; population sd sqrt(2/3), sample sd 1. T-score share 0.5 + 0.1 z."""
    values = pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=list("abc"))
    population = score(_framework([{"id": "x", "normalise": "zscore"}]), values)
    sample = score(_framework([{"id": "x", "normalise": "zscore"}], {"zscore_sd": "sample"}), values)
    assert population.overall.tolist() == pytest.approx([50 - 10 * math.sqrt(1.5), 50, 50 + 10 * math.sqrt(1.5)])
    assert sample.overall.tolist() == pytest.approx([40.0, 50.0, 60.0])


def test_minmax_onto_a_range_and_a_geometric_mean_of_it():
    """minmax:1:100 of x = 0, 5, 10 gives 1, 50.5, 100; of y = 10, 0, 10: 100, 1, 100.
    The geometric mean of (1, 100) is 10, of (50.5, 1) sqrt(50.5)."""
    values = pd.DataFrame({"x": [0.0, 5.0, 10.0], "y": [10.0, 0.0, 10.0]}, index=list("abc"))
    fw = _framework([{"id": "x", "normalise": "minmax:1:100"}, {"id": "y", "normalise": "minmax:1:100"}],
                    aggregation="geometric")
    assert score(fw, values).overall.tolist() == pytest.approx([10.0, math.sqrt(50.5), 100.0])
    assert score(_framework([{"id": "x", "normalise": "minmax:1:100"}]), values).overall.tolist() == \
        pytest.approx([1.0, 50.5, 100.0])


def test_rank_ties_take_the_lowest_rank_in_either_direction():
    """x = 1, 2, 2, 4: ranks 1, 2, 2, 4 -> (r - 1) / 3; lower: -x ranks 4, 2, 2, 1."""
    values = pd.DataFrame({"x": [1.0, 2.0, 2.0, 4.0]}, index=list("abcd"))
    up = score(_framework([{"id": "x", "normalise": "rank"}]), values).overall
    down = score(_framework([{"id": "x", "normalise": "rank", "direction": "-1"}]), values).overall
    assert up.tolist() == pytest.approx([0.0, 100 / 3, 100 / 3, 100.0])
    assert down.tolist() == pytest.approx([100.0, 100 / 3, 100 / 3, 0.0])


@pytest.mark.parametrize("settings, indicator, message", [
    ({"missing": "skip"}, {}, "cell B40: missing 'skip' is not one of zero, exclude"),
    ({"zscore_sd": "n-1"}, {}, "zscore_sd 'n-1' is not one of population, sample"),
    ({"screen_min_coverage": "1.5"}, {}, "screen_min_coverage '1.5' is not a number from 0 to 1"),
    ({"winsorise_max": "2.5"}, {}, "winsorise_max '2.5' is not a whole number"),
    ({}, {"impute": "mode"}, "cell M20: impute 'mode' is not one of none, mean, median, group_mean"),
    ({}, {"treat": "winsorise", "normalise": "goalposts", "max": 10}, "cell N20: treat winsorise needs a "
     "normalisation fitted on the units"),
    ({}, {"normalise": "minmax:5:1"}, "cell K20: normalise 'minmax:5:1': minmax:L:U needs two numbers L below U"),
    ({}, {"normalise": "zscore:1:100"}, "normalise 'zscore:1:100' is not one of"),
])
def test_bad_preparation_words_and_settings_name_their_cell(settings, indicator, message):
    with pytest.raises(ReadinessError) as err:
        _framework([{"id": "x", "normalise": "minmax", **indicator}], settings)
    assert message in str(err.value)


def test_defaults_prepare_nothing():
    fw = _framework([{"id": "x", "normalise": "minmax"}])
    assert not fw.prep_spec.active and fw.settings.missing is None and fw.missing_rule() == "zero"
    assert fw.missing_rule("exclude") == "exclude"
    assert score(fw, pd.DataFrame({"x": [1.0, 3.0]}, index=list("ab"))).preparation is None


def test_agency_list_attributes_ranked_and_text_columns():
    """Further columns: numbers (Thai digits, thousands separators) become attributes, a
    column of text only is kept as notes, a number column with 'NA' is refused at its cell,
    ranked reads yes/no words (blank = yes)."""
    from readiness_xl.core.agencies import checked_agencies

    table = pd.DataFrame({"id": ["A", "B"], "name_th": ["ก", "ข"], "name_en": ["", ""], "kind": ["x", "x"],
                          "ministry_th": ["m", "m"], "ministry_en": ["", ""],
                          "pop": ["1,200", "๓๔"], "notes": ["big", ""], "ranked": ["", "ไม่ใช่"]})
    got = checked_agencies(table, set(), lambda i, f: (None, f"line {i + 2}, column {f}", "agencies.csv"))
    assert got["pop"].tolist() == [1200.0, 34.0] and got["notes"].tolist() == ["big", ""]
    assert got["ranked"].tolist() == [True, False]
    table.loc[1, "pop"] = "NA"
    with pytest.raises(ReadinessError, match="agencies.csv, line 3, column pop: pop 'NA' is not a number; "
                                             "a blank cell marks a missing value"):
        checked_agencies(table, set(), lambda i, f: (None, f"line {i + 2}, column {f}", "agencies.csv"))


def test_a_robustness_draw_without_treatment_scores_the_untreated_values():
    """x = 1..11 and 100: treated (winsorised to 11) min-max shares put 11 at 1; the draw
    that turns treatment off for x puts 100 at 1 and 11 at 10/99."""
    from readiness_xl.core import robustness as R

    values = pd.DataFrame({"x": [*range(1, 12), 100.0]}, index=[f"u{i}" for i in range(12)])
    fw = _framework([{"id": "x", "normalise": "minmax", "treat": "winsorise"}])
    method = R.method_of(fw)
    data = R.data_of(fw, values)
    treated = data.shares_for(method, R.NOMINAL)
    untreated = data.shares_for(method, R.NOMINAL, (("treat", "x", "none"),))
    assert treated[-2:, 0].tolist() == [1.0, 1.0]
    assert untreated[-2:, 0].tolist() == pytest.approx([10 / 99, 1.0])
    inputs = R.uncertain_inputs(method, 0.0, preparation=(("treat", "x", "none"),))
    assert [(i.name, i.alternatives) for i in inputs] == [("treat x", ("winsorise", "none"))]
