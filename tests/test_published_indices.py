"""Two published composite indices rebuilt as a new analyst would, through the public
interface only: a framework folder, an agencies CSV, a long answers CSV,
`new-template --layout long`, `load-answers` and `recalc --json`. Every country's
published score, rank (ties as published) and group must come out (tests/data/published)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import run_cli

PUBLISHED = Path(__file__).parent / "data" / "published"


def _write_inputs(tmp: Path, source: pd.DataFrame, ids: str, names: str, groups: pd.Series,
                  indicators: dict[str, str]) -> tuple[Path, Path]:
    """The agencies CSV (no Thai names: they are taken from English) and the long answers
    CSV (unit, indicator, value) of a source table."""
    agencies, answers = tmp / "agencies.csv", tmp / "answers.csv"
    with open(agencies, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name_th", "name_en", "kind", "ministry_th", "ministry_en"])
        for (_, row), group in zip(source.iterrows(), groups):
            out.writerow([row[ids], "", row[names], "country", "", group])
    with open(answers, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["unit", "indicator", "value"])
        for _, row in source.iterrows():
            for indicator, column in indicators.items():
                out.writerow([row[ids], indicator, repr(float(row[column]))])
    return agencies, answers


def _rebuild(tmp: Path, folder: str, agencies: Path, answers: Path) -> dict:
    book = tmp / "index.xlsx"
    run_cli("new-template", book, "--framework", PUBLISHED / folder / "framework",
            "--agencies", agencies, "--layout", "long")
    run_cli("load-answers", answers, "--into", book, "--no-recalc")
    return json.loads(run_cli("recalc", book, "--json").stdout)


def _by_id(report: dict) -> pd.DataFrame:
    return pd.DataFrame([{"id": a["id"], "overall": a["overall"], "rank": a["rank"],
                          "level": a["level_en"]} for a in report["agencies"]]).set_index("id")


def test_un_egdi_2018_every_country_score_rank_and_group(tmp_path):
    """EGDI = (OSI + TII + HCI) / 3, published to 4 decimals; tied values share a rank
    (Iraq and Angola 155, Serbia and Slovakia 49)."""
    source = pd.read_csv(PUBLISHED / "egdi2018" / "source.csv")
    agencies, answers = _write_inputs(tmp_path, source, "country-code", "country-name",
                                      pd.Series(["UN Member States"] * len(source)),
                                      {"osi": "osi", "tii": "tii", "hci": "hci"})
    report = _rebuild(tmp_path, "egdi2018", agencies, answers)
    ours = _by_id(report).reindex(source["country-code"])
    published = source.set_index("country-code")
    assert len(ours) == 193
    assert (ours["overall"] / 100).to_numpy() == pytest.approx(published["e-gov-index"].to_numpy(), abs=1e-12)
    assert (ours["rank"] == published["e-gov-rank"]).all()
    assert ours.loc[["IRQ", "AGO"], "rank"].tolist() == [155, 155]
    assert ours.loc[["SRB", "SVK"], "rank"].tolist() == [49, 49]
    egdi = published["e-gov-index"]
    group = pd.cut(egdi, [-1, 0.25, 0.5, 0.75, 2], right=False,
                   labels=["Low EGDI", "Middle EGDI", "High EGDI", "Very High EGDI"]).astype(str)
    assert (ours["level"] == group).all()
    assert report["national"]["overall"] == pytest.approx(100 * egdi.mean(), abs=0.005)


def test_undp_hdi_2021_every_country_score_rank_and_group(tmp_path):
    """HDI 2021: goalposts (capped), a log for income, the education mean of two
    indicators and a geometric mean of three dimensions, published to 3 decimals."""
    source = pd.read_csv(PUBLISHED / "hdi2021" / "source.csv", keep_default_na=False, na_values=[""])
    regions = source["region"].fillna("").replace("", "Not in a UNDP developing region")
    agencies, answers = _write_inputs(tmp_path, source, "iso3", "country", regions,
                                      {"le": "le_2021", "eys": "eys_2021", "mys": "mys_2021",
                                       "gnipc": "gnipc_2021"})
    report = _rebuild(tmp_path, "hdi2021", agencies, answers)
    ours = _by_id(report).reindex(source["iso3"])
    published = source.set_index("iso3")
    assert len(ours) == 191
    assert (ours["overall"] / 100).to_numpy() == pytest.approx(published["hdi_2021"].to_numpy(), abs=1e-12)
    assert (ours["rank"] == published["hdi_rank_2021"]).all()
    assert (ours["level"] == published["hdicode"]).all()
    # Hong Kong's life expectancy (85.5) is beyond the upper goalpost: capped at 1
    assert published.at["HKG", "le_2021"] > 85 and ours.at["HKG", "overall"] == pytest.approx(95.2)
    switzerland = next(a for a in report["agencies"] if a["id"] == "CHE")
    assert switzerland["rank"] == 1 and switzerland["name_th"] == "Switzerland"
