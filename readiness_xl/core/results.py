"""One recalculation's results: every agency scored, ranked and labelled, with the
ministry, kind and national benchmarks. The Summary sheet, `recalc --json`, the
ribbon macro and the report are all views of this one object."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from readiness_xl.core.benchmarks import benchmark_means, comparison_columns, level_labels
from readiness_xl.core.framework import Framework
from readiness_xl.core.scoring import Scores, score

AGENCY_FIELDS = ("name_th", "name_en", "kind", "ministry_th", "ministry_en")


@dataclass(frozen=True)
class Results:
    framework: Framework
    agencies: pd.DataFrame   # index agency id; AGENCY_FIELDS + dimension ids + overall, level_th,
                             # level_en, rank, completeness, gap_national, below_threshold,
                             # improve_first (as every group below)
    ministries: pd.DataFrame  # index ministry_th; name_en + dimension ids + overall + agencies + levels
    kinds: pd.DataFrame       # index kind; dimension ids + overall + agencies + levels
    national: pd.Series       # dimension ids + overall + agencies + levels

    @property
    def dimension_ids(self) -> list[str]:
        return self.framework.dimension_ids


def compute_results(framework: Framework, agencies: pd.DataFrame, answers: pd.DataFrame,
                    missing: str = "zero") -> Results:
    """Score `answers` (agencies x indicators, parsed) for the agencies in `agencies`."""
    scores: Scores = score(framework, answers.reindex(agencies.index), missing)
    dims, overall = scores.dimensions, scores.overall
    table = agencies.loc[:, list(AGENCY_FIELDS)].copy()
    table[framework.dimension_ids] = dims
    table["overall"] = overall
    table[["level_th", "level_en"]] = level_labels(overall, framework.bands)
    table["rank"] = scores.rank   # the pipeline's rank step: RANK.EQ of the overall
    table["completeness"] = scores.completeness

    counts = agencies["ministry_th"].value_counts(sort=False)
    ministries = benchmark_means(dims, overall, agencies["ministry_th"])
    english = agencies.groupby("ministry_th", sort=False)["ministry_en"].first()
    ministries.insert(0, "name_en", english.reindex(ministries.index))
    ministries["agencies"] = counts.reindex(ministries.index)
    ministries.index.name = "ministry_th"

    kinds = benchmark_means(dims, overall, agencies["kind"])
    kinds["agencies"] = agencies["kind"].value_counts(sort=False).reindex(kinds.index)
    national = benchmark_means(dims, overall)
    national["agencies"] = len(agencies)
    for group in (ministries, kinds, national):
        group[["level_th", "level_en"]] = level_labels(group["overall"], framework.bands)
    weights = framework.dimensions["weight"].astype(float)
    national_overall = float(national["overall"].iloc[0])
    for group in (table, ministries, kinds, national):
        extra = comparison_columns(group[framework.dimension_ids], group["overall"], national_overall,
                                   weights)
        group[list(extra.columns)] = extra
    return Results(framework, table, ministries, kinds, national.iloc[0])


def number_or_none(value: object) -> float | None:
    """A number for JSON and for cells: a float, None where it is NaN (null / an empty cell)."""
    value = float(value)
    return None if math.isnan(value) else value


def _dims(row: pd.Series, ids: list[str]) -> dict[str, float | None]:
    return {d: number_or_none(row[d]) for d in ids}


def to_json_dict(results: Results) -> dict:
    """The documented `recalc --json` shape (percentages 0-100, unrounded, NaN as null)."""
    ids = results.dimension_ids
    return {
        "national": {"overall": number_or_none(results.national["overall"]),
                     "dimensions": _dims(results.national, ids)},
        "ministries": [
            {"name_th": name, "name_en": row["name_en"], "overall": number_or_none(row["overall"]),
             "dimensions": _dims(row, ids)}
            for name, row in results.ministries.iterrows()
        ],
        "agencies": [
            {"id": ident, "name_th": row["name_th"], "name_en": row["name_en"],
             "kind": row["kind"], "ministry": row["ministry_th"],
             "overall": number_or_none(row["overall"]), "dimensions": _dims(row, ids),
             "level_th": row["level_th"], "level_en": row["level_en"],
             "rank": None if math.isnan(row["rank"]) else int(row["rank"]),
             "completeness": number_or_none(row["completeness"])}
            for ident, row in results.agencies.iterrows()
        ],
    }
