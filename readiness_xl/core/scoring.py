"""Scores: indicator answers -> dimension scores (% of achievable points) -> overall.

    share_i     = answer_i / denominator_i              (1 for yes/no, max, or 100)
    dimension_d = 100 * sum(points_i * share_i) / sum(points_i)   over indicators in d
    overall     = sum(weight_d * dimension_d) / sum(weight_d)

The array functions are the one scoring path: the command line scores all agencies at
once with them, and a UDF scores one agency as a one-row array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from readiness_xl.core.framework import Framework

MISSING_POLICIES = ("zero", "exclude")
"""`zero` (default): an unanswered indicator is not met and earns nothing; the agency's
completeness shows how much was answered. `exclude`: unanswered indicators are left out
of the achievable points, so a dimension scores what was answered (NaN if nothing was)."""


def dimension_scores(shares: np.ndarray, points: np.ndarray, missing: str = "zero") -> np.ndarray:
    """agencies x indicators shares (NaN = unanswered) and indicators x dimensions points
    -> agencies x dimensions scores in percent."""
    if missing not in MISSING_POLICIES:
        raise ValueError(f"missing policy {missing!r} is not one of {MISSING_POLICIES}")
    answered = ~np.isnan(shares)
    earned = np.where(answered, shares, 0.0) @ points
    if missing == "zero":
        achievable = points.sum(axis=0)[None, :]
    else:
        achievable = answered.astype(float) @ points
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(achievable > 0, 100.0 * earned / achievable, np.nan)


def overall_scores(dimensions: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """agencies x dimensions scores and dimension weights -> overall score per agency.
    A dimension with no score (NaN) drops out and the others are re-weighted."""
    dimensions = np.atleast_2d(np.asarray(dimensions, float))
    weights = np.asarray(weights, float)
    present = ~np.isnan(dimensions)
    total = present @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.where(present, dimensions, 0.0) @ weights / total, np.nan)


@dataclass(frozen=True)
class Scores:
    """Scores of many agencies: dimensions (agencies x dimension ids, %), overall (%),
    completeness (% of indicators answered)."""

    dimensions: pd.DataFrame
    overall: pd.Series
    completeness: pd.Series


def score(framework: Framework, answers: pd.DataFrame, missing: str = "zero") -> Scores:
    """Score every agency. `answers` holds parsed answers in their own units, agencies
    as rows and the framework's indicator ids as columns (NaN = unanswered)."""
    values = answers.reindex(columns=framework.indicator_ids).to_numpy(float)
    shares = values / framework.denominators
    dims = dimension_scores(shares, framework.points_matrix, missing)
    overall = overall_scores(dims, framework.weights)
    completeness = 100.0 * (~np.isnan(values)).mean(axis=1) if values.shape[1] else np.zeros(len(values))
    index = answers.index
    return Scores(
        pd.DataFrame(dims, index=index, columns=framework.dimension_ids),
        pd.Series(overall, index=index, name="overall"),
        pd.Series(completeness, index=index, name="completeness"),
    )
