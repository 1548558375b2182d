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
