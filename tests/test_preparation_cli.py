"""The ASEM Sustainable Connectivity index (COINr's example: 51 countries, 49 indicators,
8 pillars, 2 sub-indices) rebuilt from its raw data through the public interface only:
a framework folder (denominator, impute group_mean, treat winsorise, normalise minmax, no
bands.csv), an agencies CSV with the unit attributes (Area, Energy, GDP, Population),
a long answers CSV with blanks for missing values, `new-template --layout long`,
`load-answers` and `recalc --json`. Every pillar, sub-index and index score must equal
COINr 1.1.14's `build_example_coin()` (tests/data/published/asem/coinr_aggregated.csv,
written by R) and so must the ranks."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli

ASEM = Path(__file__).parent / "data" / "published" / "asem"
ATTRIBUTES = ("Area", "Energy", "GDP", "Population")


def _framework(folder: Path, meta: pd.DataFrame, *, treat: str = "winsorise", bands: bool = False,
               settings: dict | None = None, normalise: str = "minmax", aggregation: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    indicators = meta[meta["Type"] == "Indicator"]
    aggregates = meta[meta["Type"] == "Aggregate"]
    with open(folder / "dimensions.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name_th", "name_en", "weight", "parent", "aggregation"])
        for _, row in aggregates[aggregates["Level"] < 4].iterrows():
            parent = "" if row["Parent"] == "Index" else row["Parent"]
            out.writerow([row["iCode"], "", row["iName"], row["Weight"], parent, aggregation])
    with open(folder / "indicators.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "dimension", "question_th", "question_en", "type", "points", "direction",
                      "normalise", "denominator", "impute", "treat"])
        for _, row in indicators.iterrows():
            out.writerow([row["iCode"], row["Parent"], "", row["iName"], "number", row["Weight"],
                          "-1" if row["Direction"] < 0 else "1", normalise,
                          "" if pd.isna(row["Denominator"]) else row["Denominator"], "group_mean", treat])
    if bands:
        (folder / "bands.csv").write_text("lower,label_th,label_en\n0,ต่ำ,Low\n50,สูง,High\n", encoding="utf-8")
    if settings:
        (folder / "settings.csv").write_text("key,value\n" + "".join(f"{k},{v}\n" for k, v in settings.items()),
                                             encoding="utf-8")
    return folder


def _inputs(tmp: Path, data: pd.DataFrame, codes: list[str], ranked=None) -> tuple[Path, Path]:
    agencies, answers = tmp / "agencies.csv", tmp / "answers.csv"
    with open(agencies, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name_th", "name_en", "kind", "ministry_th", "ministry_en", *ATTRIBUTES]
                     + (["ranked"] if ranked is not None else []))
        for i, row in data.iterrows():
            out.writerow([row["uCode"], "", row["uName"], "country", "", row["EurAsia_group"],
                          *("" if pd.isna(row[a]) else repr(float(row[a])) for a in ATTRIBUTES)]
                         + ([("yes" if ranked[i] else "no")] if ranked is not None else []))
    with open(answers, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["unit", "indicator", "value"])
        for _, row in data.iterrows():
            for code in codes:
                out.writerow([row["uCode"], code, "" if pd.isna(row[code]) else repr(float(row[code]))])
    return agencies, answers


def _recalc(tmp: Path, framework: Path, agencies: Path, answers: Path, *options: str) -> dict:
    book = tmp / "asem.xlsx"
    run_cli("new-template", book, "--framework", framework, "--agencies", agencies, "--layout", "long")
    run_cli("load-answers", answers, "--into", book, "--no-recalc")
    return json.loads(run_cli("recalc", book, "--json", *options).stdout)


@pytest.fixture(scope="module")
def asem():
    data = pd.read_csv(ASEM / "source.csv")
    meta = pd.read_csv(ASEM / "meta.csv")
    codes = meta.loc[meta["Type"] == "Indicator", "iCode"].tolist()
    return data, meta, codes


def test_asem_every_pillar_sub_index_index_and_rank_as_coinr(tmp_path, asem):
    data, meta, codes = asem
    framework = _framework(tmp_path / "framework", meta)
    report = _recalc(tmp_path, framework, *_inputs(tmp_path, data, codes))
    coinr = pd.read_csv(ASEM / "coinr_aggregated.csv").set_index("uCode")
    ours = pd.DataFrame({a["id"]: {**a["dimensions"], "Index": a["overall"], "rank": a["rank"],
                                   "level": a["level_en"]} for a in report["agencies"]}).T
    ours = ours.reindex(coinr.index)
    for column in ("Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ", "Social", "SusEcFin",
                   "Conn", "Sust", "Index"):
        np.testing.assert_allclose(ours[column].astype(float), coinr[column], rtol=0, atol=1e-8,
                                   err_msg=column)
    ranks = coinr["Index"].rank(ascending=False, method="min")
    assert ours["rank"].astype(int).tolist() == ranks.astype(int).tolist()
    assert set(ours["level"]) == {""}                      # no bands.csv: no level shown
    prep = report["preparation"]
    assert sorted(prep["treated_indicators"]) == sorted(
        ["Flights", "Bord", "Gas", "Services", "FDI", "ForPort", "CostImpEx", "Tariff", "StMob",
         "CultServ", "Forest", "Poverty", "NGOs", "FemLab", "PubDebt"])
    indicators = meta[meta["Type"] == "Indicator"].set_index("iCode")
    blank = data[codes].isna()
    for code, by in indicators["Denominator"].dropna().items():   # a blank denominator blanks the value
        blank[code] |= data[by].isna()
    assert len(prep["imputed"]) == blank.to_numpy().sum() == 65
    lao = {(c["id"], c["indicator"]): c for c in prep["imputed"]}[("LAO", "Elec")]
    assert lao["before"] is None and lao["value"] == pytest.approx(0.0565810530569)


def test_non_members_are_scored_but_take_no_rank_and_move_none(tmp_path, asem):
    """`ranked` no on the European units: they keep their scores; the Asian units rank
    among themselves as if the others were not there."""
    data, meta, codes = asem
    europe = (data["EurAsia_group"] == "Europe").to_numpy()
    framework = _framework(tmp_path / "framework", meta)
    report = _recalc(tmp_path, framework, *_inputs(tmp_path, data, codes, ranked=~europe))
    coinr = pd.read_csv(ASEM / "coinr_aggregated.csv").set_index("uCode")
    by_id = {a["id"]: a for a in report["agencies"]}
    asia = data.loc[~europe, "uCode"]
    want = coinr.loc[asia, "Index"].rank(ascending=False, method="min").astype(int)
    assert [by_id[u]["rank"] for u in asia] == want.tolist()
    assert all(by_id[u]["rank"] is None for u in data.loc[europe, "uCode"])
    assert by_id["AUT"]["overall"] == pytest.approx(coinr.at["AUT", "Index"], abs=1e-8)


def _index_scores(report: dict) -> pd.DataFrame:
    return pd.DataFrame({a["id"]: {**a["dimensions"], "Index": a["overall"]} for a in report["agencies"]}).T


def test_asem_geometric_on_1_to_100_as_coinr(tmp_path, asem):
    """COINr: Normalise(n_minmax, l_u = c(1, 100)) then Aggregate(a_gmean) at every level
    (coinr_geometric_1_100.csv, written by R); here normalise minmax:1:100 and aggregation
    geometric in dimensions.csv and settings.csv."""
    data, meta, codes = asem
    framework = _framework(tmp_path / "framework", meta, normalise="minmax:1:100", aggregation="geometric",
                           settings={"aggregation": "geometric"})
    report = _recalc(tmp_path, framework, *_inputs(tmp_path, data, codes))
    coinr = pd.read_csv(ASEM / "coinr_geometric_1_100.csv").set_index("uCode")
    ours = _index_scores(report).reindex(coinr.index)
    for column in ("Physical", "Political", "P2P", "Social", "Conn", "Sust", "Index"):
        np.testing.assert_allclose(ours[column].astype(float), coinr[column], rtol=0, atol=1e-8,
                                   err_msg=column)


def test_a_geometric_mean_of_minmax_zeros_stops_naming_unit_and_indicator(tmp_path, asem):
    """COINr's Aggregate(a_gmean) stops on the zeros of n_minmax 0..100; a silent 0 for 32
    of 51 countries would be wrong. The message names a unit, an indicator and the fix."""
    data, meta, codes = asem
    framework = _framework(tmp_path / "framework", meta, aggregation="geometric")
    agencies, answers = _inputs(tmp_path, data, codes)
    book = tmp_path / "asem.xlsx"
    run_cli("new-template", book, "--framework", framework, "--agencies", agencies, "--layout", "long")
    run_cli("load-answers", answers, "--into", book, "--no-recalc")
    failed = run_cli("recalc", book, check=False)
    assert failed.returncode != 0
    assert "indicator 'Ship': unit 'AUT' is normalised to 0" in failed.stderr   # Austria: no sea port
    assert "minmax:1:100" in failed.stderr and "Traceback" not in failed.stderr


# ---- a small framework, numbers by hand ---------------------------------------------

def _small(tmp: Path, indicators: str, settings: str = "", answers: str = "") -> tuple[Path, Path]:
    """Two dimensions, units A-D in two groups; `indicators` the indicator rows."""
    folder = tmp / "small"
    folder.mkdir()
    (folder / "dimensions.csv").write_text("id,name_th,name_en,weight\nd1,,One,1\nd2,,Two,1\n",
                                           encoding="utf-8")
    (folder / "indicators.csv").write_text(
        "id,dimension,question_th,question_en,type,max,points,min,direction,transform,normalise,impute,treat\n"
        + indicators, encoding="utf-8")
    if settings:
        (folder / "settings.csv").write_text("key,value\n" + settings, encoding="utf-8")
    agencies = tmp / "agencies.csv"
    agencies.write_text("id,name_th,name_en,kind,ministry_th,ministry_en\nA,,A,country,,g\nB,,B,country,,g\n"
                        "C,,C,country,,h\nD,,D,country,,h\n", encoding="utf-8")
    book = tmp / "small.xlsx"
    run_cli("new-template", book, "--framework", folder, "--agencies", agencies, "--layout", "long")
    csv_path = tmp / "answers.csv"
    csv_path.write_text("unit,indicator,value\n" + answers, encoding="utf-8")
    return book, csv_path


SMALL = ("x,d1,,X,number,,1,,,,minmax,{impute},\n"
         "y,d2,,Y,number,10,1,0,,,goalposts,,\n")
SMALL_ANSWERS = "A,x,0\nB,x,10\nC,x,\nD,x,20\nA,y,5\nB,y,10\nC,y,10\nD,y,0\n"


def test_group_mean_imputation_and_the_frameworks_missing_rule_by_hand(tmp_path):
    """x: A 0, B 10, C blank, D 20 (groups g: A, B; h: C, D). group_mean fills C with 20
    (D alone in h); minmax over 0..20: A 0, B 50, C 100, D 100. y / 10: 50, 100, 100, 0.
    Overall = mean of the two dimensions."""
    book, answers = _small(tmp_path, SMALL.format(impute="group_mean"), answers=SMALL_ANSWERS)
    run_cli("load-answers", answers, "--into", book, "--no-recalc")
    report = json.loads(run_cli("recalc", book, "--json").stdout)
    got = {a["id"]: a["overall"] for a in report["agencies"]}
    assert got == pytest.approx({"A": 25.0, "B": 75.0, "C": 100.0, "D": 50.0})
    assert report["preparation"]["imputed"] == [{"id": "C", "indicator": "x", "before": None, "value": 20.0}]


def test_the_frameworks_missing_rule_and_the_command_line_over_it(tmp_path):
    """No imputation; C's x blank: `missing` exclude in settings.csv scores C on y alone
    (100), --missing zero overrides it (C's x counts 0: (0 + 100) / 2 = 50)."""
    book, answers = _small(tmp_path, SMALL.format(impute=""), "missing,exclude\n", SMALL_ANSWERS)
    run_cli("load-answers", answers, "--into", book, "--no-recalc")
    excluded = json.loads(run_cli("recalc", book, "--json").stdout)
    assert {a["id"]: a["overall"] for a in excluded["agencies"]}["C"] == pytest.approx(100.0)
    zero = json.loads(run_cli("recalc", book, "--json", "--missing", "zero").stdout)
    assert {a["id"]: a["overall"] for a in zero["agencies"]}["C"] == pytest.approx(50.0)
    assert "preparation" not in zero


def test_screening_leaves_a_unit_out_of_normalisation_and_ranks(tmp_path):
    """screen_min_coverage 0.75: C answered 1 of 2 (0.5) and is left out (no score, no
    rank); minmax over A, B, D as before; C listed with its coverage."""
    book, answers = _small(tmp_path, SMALL.format(impute=""), "screen_min_coverage,0.75\n", SMALL_ANSWERS)
    run_cli("load-answers", answers, "--into", book, "--no-recalc")
    report = json.loads(run_cli("recalc", book, "--json").stdout)
    by_id = {a["id"]: a for a in report["agencies"]}
    assert by_id["C"]["overall"] is None and by_id["C"]["rank"] is None
    assert [by_id[u]["rank"] for u in "ABD"] == [3, 1, 2]
    assert report["preparation"]["screened"] == [{"id": "C", "coverage": 0.5}]


def test_a_log_indicator_at_zero_is_refused_with_its_line_and_its_cell(tmp_path):
    indicators = "x,d1,,X,number,100,1,1,,log,goalposts,,\ny,d2,,Y,number,10,1,0,,,goalposts,,\n"
    book, answers = _small(tmp_path, indicators, answers="A,x,0\nB,x,10\nA,y,1\n")
    refused = run_cli("load-answers", answers, "--into", book, "--no-recalc", check=False)
    assert refused.returncode != 0
    assert "answers.csv, line 2: indicator x: 0 has no logarithm" in refused.stderr
    # typed into the workbook some other way, recalc names the Responses cell
    (tmp_path / "ok.csv").write_text("unit,indicator,value\nA,x,5\n", encoding="utf-8")
    run_cli("load-answers", tmp_path / "ok.csv", "--into", book, "--no-recalc")
    from openpyxl import load_workbook
    wb = load_workbook(book)
    ws = wb["Responses"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "A" and ws.cell(r, 2).value == "x")
    ws.cell(row, 3).value = -2
    wb.save(book)
    failed = run_cli("recalc", book, check=False)
    assert failed.returncode != 0
    assert f"sheet 'Responses', cell C{row}: indicator x: -2 has no logarithm" in failed.stderr


def test_csv_framework_problems_name_the_file_line_and_column(tmp_path):
    folder = tmp_path / "fw"
    folder.mkdir()
    (folder / "dimensions.csv").write_text("id,name_th,name_en,weight\nd1,,One,1\n", encoding="utf-8")
    (folder / "indicators.csv").write_text("id,dimension,question_th,question_en,type,max,points\n"
                                           "x,d1,,X,number,10,1\ny,d1,,Y,number,NA,1\n", encoding="utf-8")
    failed = run_cli("new-template", tmp_path / "b.xlsx", "--framework", folder, check=False)
    assert failed.returncode != 0
    assert ("indicators.csv, line 3, column max: max 'NA' is not a number; a blank cell marks a missing value"
            in failed.stderr)
    assert "sheet 'indicators.csv'" not in failed.stderr and not (tmp_path / "b.xlsx").exists()


def test_na_in_the_answers_says_a_blank_marks_a_missing_value(tmp_path):
    book, answers = _small(tmp_path, SMALL.format(impute=""), answers="A,x,NA\n")
    refused = run_cli("load-answers", answers, "--into", book, check=False)
    assert "answers.csv, line 2: indicator x: 'NA' is not a number; a blank cell marks a missing value" \
        in refused.stderr


def test_the_preparation_sheet_lists_what_was_done(tmp_path):
    """recalc writes a Preparation sheet: C's imputed x with its value, per indicator its
    treatment; read back with openpyxl."""
    from openpyxl import load_workbook

    book, answers = _small(tmp_path, SMALL.format(impute="group_mean"), answers=SMALL_ANSWERS)
    run_cli("load-answers", answers, "--into", book)
    ws = load_workbook(book, read_only=True)["Preparation"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][:5] == ["หน่วย / Unit", "ตัวชี้วัด / Indicator", "ขั้นตอน / Step", "ก่อน / Before", "หลัง / After"]
    assert rows[1][:5] == ["C", "x", "เติมค่าที่ขาด / imputed", None, 20]
    assert [r[6] for r in rows[1:3]] == ["x", "y"]
    narratives = [r[-1] for r in load_workbook(book, read_only=True)["Summary"].iter_rows(min_row=2, values_only=True)]
    assert narratives[0].startswith("A ได้ผลการสำรวจที่ผ่านเกณฑ์ระดับ 25.0% ต่ำกว่า")   # no bands: no level named
    assert not any("ซึ่งอยู่ในระดับ" in n for n in narratives)


def test_robustness_varies_one_indicators_imputation_through_the_same_steps(tmp_path):
    """--impute x=mean beside the framework's group_mean: C's x is 10 instead of 20, so
    C scores (50 + 100) / 2 = 75 and ties B at the top (both rank 1, RANK.EQ): B's rank
    spans 1-2, C stays 1; the input is the only one and carries all the sensitivity."""
    book, answers = _small(tmp_path, SMALL.format(impute="group_mean"), answers=SMALL_ANSWERS)
    run_cli("load-answers", answers, "--into", book)
    found = json.loads(run_cli("robustness", book, "--weights-noise", "0", "--impute", "x=mean",
                               "--runs", "200", "--sobol-n", "16", "--json").stdout)
    by_id = {u["id"]: u for u in found["units"]}
    assert (by_id["B"]["rank_p5"], by_id["B"]["rank_p95"]) == (1, 2)
    assert (by_id["C"]["rank_p5"], by_id["C"]["rank_p95"]) == (1, 1)
    assert [s["input"] for s in found["sensitivity"]] == ["impute x"]
    refused = run_cli("robustness", book, "--impute", "zz=mean", "--runs", "10", check=False)
    assert refused.returncode != 0 and "no indicator 'zz'" in refused.stderr
    refused = run_cli("robustness", book, "--treat", "x=sometimes", "--runs", "10", check=False)
    assert "--treat 'x=sometimes': treat 'sometimes' is not one of none, winsorise" in refused.stderr


def test_screened_and_unranked_units_in_recalc_and_robustness(tmp_path):
    """C is screened out (1 of 2 answered, under 0.75); B is `ranked` no: minmax over A, B,
    D gives A 25, B 75, D 50; B keeps its score but A and D rank among themselves (D 1,
    A 2), in recalc and in every robustness draw alike; C has neither score nor rank."""
    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "dimensions.csv").write_text("id,name_th,name_en,weight\nd1,,One,1\nd2,,Two,1\n", encoding="utf-8")
    (folder / "indicators.csv").write_text(
        "id,dimension,question_th,question_en,type,max,points,min,direction,transform,normalise,impute,treat\n"
        + SMALL.format(impute=""), encoding="utf-8")
    (folder / "settings.csv").write_text("key,value\nscreen_min_coverage,0.75\n", encoding="utf-8")
    agencies = tmp_path / "agencies.csv"
    agencies.write_text("id,name_th,name_en,kind,ministry_th,ministry_en,ranked\nA,,A,country,,g,yes\n"
                        "B,,B,country,,g,no\nC,,C,country,,h,\nD,,D,country,,h,ใช่\n", encoding="utf-8")
    answers = tmp_path / "answers.csv"
    answers.write_text("unit,indicator,value\n" + SMALL_ANSWERS, encoding="utf-8")
    book = tmp_path / "b.xlsx"
    run_cli("new-template", book, "--framework", folder, "--agencies", agencies, "--layout", "long")
    run_cli("load-answers", answers, "--into", book, "--no-recalc")
    report = json.loads(run_cli("recalc", book, "--json").stdout)
    assert [(a["id"], a["overall"], a["rank"]) for a in report["agencies"]] == \
        [("A", 25.0, 2), ("B", 75.0, None), ("C", None, None), ("D", 50.0, 1)]
    found = json.loads(run_cli("robustness", book, "--runs", "50", "--sobol-n", "8", "--json").stdout)
    assert [(u["id"], u["rank_p5"], u["rank_p95"]) for u in found["units"]] == \
        [("A", 2, 2), ("B", None, None), ("C", None, None), ("D", 1, 1)]
    agencies.write_text(agencies.read_text(encoding="utf-8").replace("B,,B,country,,g,no", "B,,B,country,,g,maybe"),
                        encoding="utf-8")
    refused = run_cli("new-template", tmp_path / "c.xlsx", "--framework", folder, "--agencies", agencies,
                      check=False)
    assert "agencies.csv, line 3, column ranked: ranked 'maybe' is not yes or no (blank = yes)" in refused.stderr


def test_an_agency_sheet_says_why_a_prepared_share_has_no_formula(tmp_path):
    """In the sheet-per-agency layout, x (group_mean imputation) has no one-sheet formula:
    its share cell says so with the impute step's reason; y keeps its formula."""
    from openpyxl import load_workbook

    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "dimensions.csv").write_text("id,name_th,name_en,weight\nd1,,One,1\nd2,,Two,1\n", encoding="utf-8")
    (folder / "indicators.csv").write_text(
        "id,dimension,question_th,question_en,type,max,points,min,direction,transform,normalise,impute,treat\n"
        "x,d1,,X,number,10,1,0,,,goalposts,group_mean,\ny,d2,,Y,number,10,1,0,,,goalposts,,\n", encoding="utf-8")
    agencies = tmp_path / "agencies.csv"
    agencies.write_text("id,name_th,name_en,kind,ministry_th,ministry_en\nA,,A,country,,g\nB,,B,country,,g\n",
                        encoding="utf-8")
    book = tmp_path / "b.xlsx"
    run_cli("new-template", book, "--framework", folder, "--agencies", agencies)
    formulas = [c.value for row in load_workbook(book)["A"].iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=")]
    notes = [f for f in formulas if "cannot be a formula" in f]
    assert notes == ['="ไม่มีสูตรใดคำนวณได้: การเติมค่าที่ขาด (impute) ใช้คำตอบของหน่วยงานอื่น / '
                     'cannot be a formula: impute fills a blank from the other units\' answers"']
    assert any("ISNUMBER" in f for f in formulas)
