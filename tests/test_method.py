"""The method step: power means and normalisers by name, weights as shares, rounding and
banding without float noise, neutral labels, the traps refused, and the check column's
plain formulas computing the same as recalc (LibreOffice, a tool that is not ours)."""

from __future__ import annotations

import csv
import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from openpyxl import load_workbook

from readiness_xl.core import worksheet_functions as wf
from readiness_xl.core.aggregation import (
    AggregationError,
    grouped_power_means,
    parse_aggregation,
    power_mean,
)
from readiness_xl.core.answers import parse_answers
from readiness_xl.core.benchmarks import level_labels, rank_eq, round_scores
from readiness_xl.core.framework import build_framework, located
from readiness_xl.core.normalisation import (
    NormalParams,
    NormalisationError,
    apply_goalposts,
    fit_minmax,
    normalise,
)
from readiness_xl.core.results import compute_results
from readiness_xl.core.scoring import score
from readiness_xl.errors import ReadinessError, ReadinessWarning
from readiness_xl.sample.source_data import load_agencies, load_framework
from readiness_xl.workbook.summary import rows as summary_rows
from tests.conftest import ROOT, run_cli
from tests.frameworks import answers, tiny_framework

DIM_COLUMNS = {"id": "A", "name_th": "B", "name_en": "C", "weight": "D", "aggregation": "F", "parent": "G"}
IND_COLUMNS = {"id": "A", "dimension": "B", "question_th": "C", "question_en": "D", "type": "E",
               "max": "F", "points": "G", "min": "H", "direction": "I", "transform": "J", "normalise": "K"}
BAND_COLUMNS = {"lower": "A", "label_th": "B", "label_en": "C"}
HDI = ROOT / "tests" / "data" / "published" / "hdi2021"


def framework(dims, inds, bands=None, settings_rows=None):
    bands = bands or [{"lower": 0, "label_th": "ต่ำ", "label_en": "Low"},
                      {"lower": 25, "label_th": "กลาง", "label_en": "Middle"}]
    def given(rows, columns):
        return {k: v for k, v in columns.items() if any(k in r for r in rows)}
    return build_framework(
        located(dims, "Framework", given(dims, DIM_COLUMNS), 5),
        located(inds, "Framework", given(inds, IND_COLUMNS), 20),
        located(bands, "Framework", BAND_COLUMNS, 12),
        settings=None if settings_rows is None else located(
            [{"key": k, "value": v} for k, v in settings_rows.items()], "Framework",
            {"key": "A", "value": "B"}, 40))


def number(ident, dim, **extra):
    return {"id": ident, "dimension": dim, "question_th": "", "question_en": ident, "type": "number",
            "max": 1, "points": 1, **extra}


# --- power means -----------------------------------------------------------------------

def test_power_means_by_hand_and_named():
    x, w = np.array([[1.0, 4.0]]), np.array([1.0, 1.0])
    assert power_mean(x, w, parse_aggregation("arithmetic"))[0] == 2.5
    assert power_mean(x, w, parse_aggregation("geometric"))[0] == pytest.approx(2.0)
    assert power_mean(x, w, parse_aggregation("harmonic"))[0] == pytest.approx(1.6)
    assert power_mean(x, w, parse_aggregation("power:2"))[0] == pytest.approx(math.sqrt(8.5))
    # weights 3:1 as shares; a NaN drops out and the rest is re-weighted
    assert power_mean(np.array([[1.0, 4.0, np.nan]]), np.array([3.0, 1.0, 5.0]), 0)[0] == \
        pytest.approx(4 ** 0.25)
    # a zero is a real zero: the geometric and harmonic means are 0, not an error
    assert power_mean(np.array([[0.0, 4.0]]), w, 0)[0] == 0.0
    assert power_mean(np.array([[0.0, 4.0]]), w, -1)[0] == 0.0
    # ... unless its weight is 0
    assert power_mean(np.array([[0.0, 4.0]]), np.array([0.0, 1.0]), 0)[0] == pytest.approx(4.0)
    with pytest.raises(ValueError, match="arithmetic, geometric, harmonic, power:P"):
        parse_aggregation("median")


def test_negative_values_refused_by_name_for_geometric():
    with pytest.raises(AggregationError, match="indicator b2 has negative values"):
        power_mean(np.array([[0.5, -0.1]]), np.ones(2), 0, ["indicator b1", "indicator b2"])


def test_batch_of_weights_gives_one_result_per_replication():
    rng = np.random.default_rng(1)
    values, weights = rng.uniform(1, 100, (4, 7, 3)), rng.uniform(0, 1, (4, 3))
    batch = power_mean(values, weights, 0)
    assert batch.shape == (4, 7)
    for r in range(4):
        assert batch[r] == pytest.approx(power_mean(values[r], weights[r], 0))


@settings(max_examples=60, deadline=None)
@given(arrays(float, (5, 4), elements=st.floats(0.01, 100)), arrays(float, 4, elements=st.floats(0.01, 10)))
def test_power_means_are_ordered_and_within_the_values(values, weights):
    """Harmonic <= geometric <= arithmetic <= power 2, all between min and max."""
    means = [power_mean(values, weights, p) for p in (-1, 0, 1, 2)]
    for lower, upper in zip(means, means[1:]):
        assert (lower <= upper * (1 + 1e-9)).all()
    assert (means[0] >= values.min(axis=1) * (1 - 1e-9)).all()
    assert (means[-1] <= values.max(axis=1) * (1 + 1e-9)).all()


@settings(max_examples=60, deadline=None)
@given(arrays(float, (6, 3), elements=st.floats(0, 100) | st.just(np.nan)),
       arrays(float, 3, elements=st.just(0.0) | st.floats(0.001, 10)), st.floats(0.1, 1000))
def test_weights_are_shares_any_scale(values, weights, factor):
    a, b = power_mean(values, weights, 1), power_mean(values, weights * factor, 1)
    assert np.allclose(a, b, equal_nan=True)


def test_geometric_zero_rules_hold_in_the_fast_and_the_masked_way():
    """A zero (or a NaN counted as zero) makes its group 0 and nothing else: not a group
    that weighs it 0, not a group of tiny values; the same when the weights spread too
    wide for the log floor (the masked way) and when a value is infinite."""
    geo = np.zeros(2)
    # column 0 is in group A only; B weighs it 0 and keeps its own mean of 4 and 9
    x, weights = np.array([[0.0, 4.0, 9.0]]), np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    assert grouped_power_means(x, weights, geo[:1], geo)[0] == pytest.approx([0.0, 6.0], abs=0)
    assert grouped_power_means(np.array([[1e-300, 1e-300, 0.0]]), weights[:, ::-1], geo[:1], geo)[0, 1] == \
        pytest.approx(1e-300, rel=1e-12)
    nan = np.array([[np.nan, 4.0, 9.0]])
    assert grouped_power_means(nan, weights, geo[:1], geo, nan_as_zero=True)[0] == pytest.approx([0.0, 6.0])
    assert grouped_power_means(nan, weights, geo[:1], geo)[0] == pytest.approx([4.0, 6.0])
    wide = np.array([1e-200, 1e200])   # the floor cannot outweigh these: the masked way
    assert power_mean(np.array([[0.0, 4.0], [2.0, 4.0]]), wide, 0).tolist() == [0.0, pytest.approx(4.0)]
    assert power_mean(np.array([[np.inf, 0.0], [np.inf, 4.0]]), np.ones(2), 0).tolist() == [0.0, np.inf]


def _reference_mean(x: list[float], w: list[float], p: float, nan_as_zero: bool) -> float:
    """One unit's power mean of one group, as the module docstring defines it."""
    pairs = [(0.0 if math.isnan(v) and nan_as_zero else v, wj) for v, wj in zip(x, w)]
    pairs = [(v, wj) for v, wj in pairs if not math.isnan(v)]
    total = sum(wj for _, wj in pairs)
    if total == 0:
        return math.nan
    if p <= 0 and any(v == 0 and wj > 0 for v, wj in pairs):
        return 0.0
    if p == 0:
        return math.exp(sum(wj * math.log(v) for v, wj in pairs if wj > 0) / total)
    return (sum(wj * v ** p for v, wj in pairs if wj > 0) / total) ** (1 / p)


@settings(max_examples=120, deadline=None)
@given(arrays(float, (4, 6), elements=st.just(0.0) | st.just(np.nan) | st.floats(1e-6, 100)),
       arrays(float, 6, elements=st.just(0.0) | st.floats(0.01, 10)),
       st.lists(st.sampled_from([0.0, 0.0, 1.0, -1.0, 2.0, 0.5]), min_size=3, max_size=3),
       arrays(int, 6, elements=st.integers(0, 2)), st.booleans())
def test_grouped_power_means_match_a_per_unit_reference(values, weights, powers, group, nan_as_zero):
    """Every group of every unit, all powers alike (the geometric fast way) or mixed (the
    masked way), agrees with the definition computed one unit and one group at a time."""
    p_out = np.array(powers)
    matrix = (group[:, None] == np.arange(3)[None, :]) * weights[:, None]
    got = grouped_power_means(values, matrix, p_out[group], p_out, nan_as_zero=nan_as_zero)
    for i in range(len(values)):
        for g in range(3):
            members = group == g
            want = _reference_mean(values[i, members].tolist(), weights[members].tolist(), p_out[g], nan_as_zero)
            assert got[i, g] == pytest.approx(want, rel=1e-12, abs=1e-300, nan_ok=True)


# --- normalisers -----------------------------------------------------------------------

def test_goalposts_cap_log_and_direction_by_hand():
    params = NormalParams.of(3, min=[20, 100, 0], max=[85, 75000, 10], log=[False, True, False],
                             higher=[True, True, False])
    shares = normalise(np.array([[90.0, 1000.0, 2.0], [10.0, 75000.0, 12.0]]), ["goalposts"] * 3, params)
    assert shares[0] == pytest.approx([1.0, math.log(10) / math.log(750), 0.8])
    assert shares[1] == pytest.approx([0.0, 1.0, 0.0])
    with pytest.raises(NormalisationError, match="'#2' has a value at or below 0"):
        normalise(np.array([[50.0, 0.0, 1.0]]), ["goalposts"] * 3, params)


def test_minmax_zscore_rank_target_and_zero_range():
    x = np.array([[1.0, 5.0, 2.0, 3.0], [3.0, 5.0, 2.0, 6.0], [5.0, 5.0, 4.0, np.nan]])
    params = NormalParams.of(4, min=0, max=4)
    got = normalise(x, ["minmax", "minmax", "rank", "target"], params)
    assert got[:, 0] == pytest.approx([0.0, 0.5, 1.0])
    assert got[:, 1] == pytest.approx([0.5, 0.5, 0.5])          # every unit equal: the middle
    assert got[:, 2] == pytest.approx([0.0, 0.0, 1.0])          # ties take the lowest rank (COINr: "min")
    assert got[:2, 3] == pytest.approx([0.75, 1.0]) and np.isnan(got[2, 3])
    z = normalise(x[:, :1], ["zscore"], NormalParams.of(1))
    assert z[:, 0] == pytest.approx([0.5 - 0.1 * math.sqrt(1.5), 0.5, 0.5 + 0.1 * math.sqrt(1.5)])


def test_minmax_fitted_on_one_round_applies_to_the_next():
    params = NormalParams.of(1)
    fitted = fit_minmax(np.array([[10.0], [20.0]]), params)
    assert apply_goalposts(np.array([[15.0], [25.0]]), params, fitted)[:, 0] == pytest.approx([0.5, 1.0])


# --- the framework ---------------------------------------------------------------------

def test_weights_of_one_third_and_a_geometric_framework_score_by_hand():
    fw = framework([{"id": "H", "name_th": "", "name_en": "Health", "weight": 1 / 3, "aggregation": ""},
                    {"id": "E", "name_th": "", "name_en": "Education", "weight": 1 / 3, "aggregation": ""}],
                   [number("le", "H", min=20, max=85), number("gni", "E", min=100, max=75000, transform="log")],
                   settings_rows={"aggregation": "geometric", "decimals": "1"})
    assert fw.shares.tolist() == pytest.approx([0.5, 0.5])
    assert fw.dimensions["name_th"].tolist() == ["Health", "Education"]   # blank Thai: the English
    scores = score(fw, pd.DataFrame({"le": [72.0], "gni": [5000.0]}, index=["U"]))
    health, income = (72 - 20) / 65, math.log(50) / math.log(750)
    assert scores.overall["U"] == round(100 * math.sqrt(health * income), 1)


def test_sub_dimensions_aggregate_into_their_parent():
    fw = framework([{"id": "P", "name_th": "", "name_en": "Parent", "weight": 2, "parent": ""},
                    {"id": "Q", "name_th": "", "name_en": "Other", "weight": 2, "parent": ""},
                    {"id": "P1", "name_th": "", "name_en": "Sub 1", "weight": 3, "parent": "P"},
                    {"id": "P2", "name_th": "", "name_en": "Sub 2", "weight": 1, "parent": "P"}],
                   [number("x", "P1"), number("y", "P2"), number("z", "Q")])
    scores = score(fw, pd.DataFrame({"x": [0.4], "y": [0.8], "z": [0.1]}, index=["U"]))
    assert scores.dimensions.loc["U"].tolist() == pytest.approx([50.0, 10.0, 40.0, 80.0])
    assert scores.overall["U"] == pytest.approx(30.0)


@pytest.mark.parametrize("change, words", [
    ({"weights": (0, 0)}, "weights sum to 0"),
    ({"aggregation": "median"}, "aggregation 'median' is not one of"),
    ({"normalise": "best"}, "normalise 'best' is not one of"),
    ({"log_min_zero": True}, "a log transform needs goalposts above 0"),
    ({"duplicate_band": True}, "two level bands start at 25"),
    ({"no_label": True}, "the level band has no label"),
])
def test_framework_traps_refused_with_their_cell(change, words):
    w = change.get("weights", (1, 2))
    dims = [{"id": "A", "name_th": "ก", "name_en": "A", "weight": w[0], "aggregation": change.get("aggregation", "")},
            {"id": "B", "name_th": "ข", "name_en": "B", "weight": w[1], "aggregation": ""}]
    inds = [number("a", "A", normalise=change.get("normalise", "goalposts")),
            number("b", "B", min=0 if change.get("log_min_zero") else 1, max=10, transform="log")]
    bands = [{"lower": 0, "label_th": "ต่ำ", "label_en": "Low"},
             {"lower": 25, "label_th": "" if change.get("no_label") else "กลาง",
              "label_en": "" if change.get("no_label") else "Middle"}]
    if change.get("duplicate_band"):
        bands.append({"lower": 25, "label_th": "สูง", "label_en": "High"})
    with pytest.raises(ReadinessError) as err:
        framework(dims, inds, bands)
    assert any(words in p.message and p.cell for p in err.value.problems), err.value.problems


# --- rounding, banding, ranking ----------------------------------------------------------

def test_a_true_25_bands_as_25_and_ties_after_rounding_share_a_rank():
    bands = pd.DataFrame({"lower": [0.0, 25.0], "label_th": ["ต่ำ", "กลาง"], "label_en": ["Low", "Middle"]})
    # answers 6, 57 and 12 of 100: a true mean of 25, which the float sum puts one step
    # below 25 (issue 13); it must still band as 25 and tie with a 25
    fw = framework([{"id": "D", "name_th": "ง", "name_en": "D", "weight": 1}],
                   [number(i, "D", max=100) for i in ("x", "y", "z")])
    mean = score(fw, pd.DataFrame({"x": [6.0], "y": [57.0], "z": [12.0]}, index=["U"])).overall["U"]
    assert mean == pytest.approx(25.0, abs=1e-12)        # today 24.999999999999996
    noisy = 24.999999999999996
    assert level_labels(np.array([mean, noisy]), bands)["level_en"].tolist() == ["Middle", "Middle"]
    assert level_labels(np.array([mean - 1e-6]), bands)["level_en"].tolist() == ["Low"]
    assert rank_eq(np.array([noisy, 25.0, 3.0])).tolist() == [1, 1, 3]
    published = round_scores(np.array([33.764, 33.756, 2.675, 12.5]), 2)
    assert published.tolist() == [33.76, 33.76, 2.68, 12.5]
    assert rank_eq(published).tolist() == [1, 1, 4, 3]


def test_ranks_are_whole_numbers_in_the_summary_and_labels_are_neutral():
    fw = tiny_framework()
    agencies = pd.DataFrame({"name_th": ["ก", "ข"], "name_en": ["A", "B"], "kind": ["department"] * 2,
                             "ministry_th": ["ม", "ม"], "ministry_en": ["M", "M"]}, index=["X", "Y"])
    parsed, _ = parse_answers(answers({"X": {"a1": 1, "a2": 2, "b1": 50}, "Y": {"a1": 0, "a2": 4, "b1": 10}}), fw)
    table = summary_rows(compute_results(fw, agencies, parsed))
    head = table[0]
    ranks = [r[head.index("อันดับ / Rank")] for r in table[1:3]]
    assert ranks == [1, 2] and all(type(r) is int for r in ranks)
    national = table[-1]
    assert national[2:4] == ["ทุกหน่วยงาน", "All units"]           # no Thailand without settings
    assert "Thailand" not in " ".join(str(v) for row in table for v in row)


def test_be2560_framework_says_thailand_because_its_settings_do():
    fw = load_framework()
    assert (fw.settings.all_units_th, fw.settings.all_units_en) == ("ประเทศไทย", "Thailand")
    assert fw.version == "B.E. 2560 (2017) v1" and fw.settings.decimals is None


# --- answers and agencies ----------------------------------------------------------------

def test_percent_answered_as_shares_warns():
    fw = tiny_framework()
    parsed, _ = parse_answers(answers({"X": {"a1": 1, "a2": 2, "b1": 0.4}, "Y": {"a1": 1, "a2": 2, "b1": 0.9}}), fw)
    with pytest.warns(ReadinessWarning, match="indicator b1: every answer of this percent indicator") as record:
        score(fw, parsed)
    # a1 (yes/no, answers 1 and 1) also lies in 0..1 but is not a percent indicator
    assert [str(w.message).split(":")[0] for w in record] == ["indicator b1"]


def test_ministry_from_whichever_language_is_filled(tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_text("id,name_th,name_en,kind,ministry_th,ministry_en\n"
                    "A1,,Agency one,department,,Ministry of X\nA2,หน่วย 2,,department,,Ministry of X\n"
                    "A3,หน่วย 3,Three,department,,\n", encoding="utf-8")
    with pytest.raises(ReadinessError) as err:
        load_agencies(path)
    assert [str(p) for p in err.value.problems] == [
        "agencies.csv, line 4, column ministry_th: agency 'A3' has no ministry (group) in either language; fill "
        "ministry_th or ministry_en"]
    path.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    table = load_agencies(path)
    assert table["ministry_th"].tolist() == ["Ministry of X", "Ministry of X"]
    assert table.loc["A1", "name_th"] == "Agency one" and table.loc["A2", "name_en"] == "หน่วย 2"


# --- worksheet functions -------------------------------------------------------------------

def test_worksheet_functions_follow_the_core():
    assert wf.normalised_value(90, 20, 85) == 1.0
    assert wf.normalised_value(1000, 100, 75000, True) == pytest.approx(math.log(10) / math.log(750))
    assert wf.normalised_value(2, 0, 10, None, "lower") == pytest.approx(0.8)
    assert wf.weighted_mean([1, None, 4], [1, 5, 1], "geometric") == pytest.approx(2.0)
    with pytest.raises(wf.CellValueError, match="no logarithm") as err:
        wf.normalised_value(-5, 1, 10, True)
    assert err.value.excel_error == "#NUM!"


# --- the command line and the plain-formula check column -----------------------------------

def _hdi_inputs(tmp_path, countries):
    source = pd.read_csv(HDI / "source.csv", keep_default_na=False, na_values=[""]).set_index("iso3")
    source = source.loc[countries]
    agencies, answers_csv = tmp_path / "agencies.csv", tmp_path / "answers.csv"
    with open(agencies, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name_th", "name_en", "kind", "ministry_th", "ministry_en"])
        out.writerows([iso, "", row["country"], "country", "", row["hdicode"]] for iso, row in source.iterrows())
    with open(answers_csv, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["country", "indicator", "value"])
        for iso, row in source.iterrows():
            out.writerows([iso, ind, row[f"{ind}_2021"]] for ind in ("le", "eys", "mys", "gnipc"))
    return source, agencies, answers_csv


def test_check_column_computes_the_geometric_hdi_without_the_add_in(tmp_path):
    """Agency-sheet layout: LibreOffice recalculates the plain formulas (goalposts, log,
    capping, geometric mean, ROUND) and they equal recalc for every country."""
    from tests.outside_tools import libreoffice_convert

    countries = ["CHE", "HKG", "THA", "NER", "AFG"]
    source, agencies, answers_csv = _hdi_inputs(tmp_path, countries)
    book = tmp_path / "hdi.xlsx"
    run_cli("new-template", book, "--framework", HDI / "framework", "--agencies", agencies)
    run_cli("load-answers", answers_csv, "--into", book)
    report = json.loads(run_cli("recalc", book, "--json").stdout)
    lo = libreoffice_convert(book, "xlsx", tmp_path / "lo", tmp_path / "profile")
    wb = load_workbook(lo, data_only=True)
    for agency in report["agencies"]:
        ws = wb[agency["id"]]
        dims = {str(ws.cell(r, 11).value): ws.cell(r, 14).value for r in range(5, 8)}  # N: plain formulas
        for dim, value in agency["dimensions"].items():
            assert dims[dim] == pytest.approx(value, abs=0.051), (agency["id"], dim)  # report rounds to 1 decimal
        assert ws["N8"].value == pytest.approx(agency["overall"], abs=1e-9)
        assert ws["N8"].value / 100 == pytest.approx(source.at[agency["id"], "hdi_2021"], abs=1e-12)
        assert ws["N9"].value == agency["level_th"] and ws["O8"].value == "\u2013"  # no add-in: a dash


def test_all_problems_lists_every_problem_and_load_answers_refuses_with_lines(tmp_path):
    book = tmp_path / "book.xlsx"
    shutil.copy(ROOT / "workbooks" / "readiness_template.xlsx", book)
    bad = tmp_path / "bad.csv"
    bad.write_text("agency,indicator,answer\nD01,1.3,9\nZZ,1.1,ใช่\nD01,9.9,1\n", encoding="utf-8")
    before = book.read_bytes()
    one = run_cli("load-answers", bad, "--into", book, check=False)
    assert one.returncode == 2 and one.stderr.count("\n") == 1
    assert "bad.csv, line 3: agency 'ZZ'" in one.stderr and "--all-problems" in one.stderr
    every = run_cli("--all-problems", "load-answers", bad, "--into", book, check=False)
    assert "line 4: indicator '9.9' is not in the framework" in every.stderr
    assert book.read_bytes() == before
    bad.write_text("agency,indicator,answer\nD01,1.3,9\n", encoding="utf-8")
    out_of_range = run_cli("load-answers", bad, "--into", book, check=False)
    assert "line 2: indicator 1.3: 9 is outside 0..4" in out_of_range.stderr
