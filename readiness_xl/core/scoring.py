"""Scores: indicator values -> shares (normalised) -> dimension scores -> overall, by
the steps of `core/pipeline` (this module is their front door and the array API).

    share_i     = normalise_i(value_i)    yes/no, scale, percent: value / max (1, max, 100);
                                          numbers: goalposts, minmax, zscore, rank, target
    dimension_d = 100 * M_p(shares of d; points)       p = the dimension's aggregation
    parent_g    = M_p(sub-dimension scores of g; weights)   (levels to any depth)
    overall     = M_p(top-level dimension scores; weights)  p = settings' aggregation

M_p is the weighted power mean of `aggregation.py` (p = 1 the arithmetic mean of the
B.E. 2560 survey, 0 geometric, -1 harmonic); weights and points count as shares of their
sum. The array functions are the one scoring path: the command line scores all agencies
at once with them, and a UDF scores one agency as a one-row array.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from readiness_xl.core.aggregation import power_mean
from readiness_xl.core.framework import Framework
from readiness_xl.core.pipeline import Method, Normalise, run, start, steps
from readiness_xl.core.pipeline.aggregate import dimension_scores, member_powers  # noqa: F401 (the array API)
from readiness_xl.errors import ReadinessWarning


def overall_scores(dimensions: np.ndarray, weights: np.ndarray, p: float = 1.0,
                   names: list[str] | None = None) -> np.ndarray:
    """agencies x dimensions scores and dimension weights -> overall score per agency.
    A dimension with no score (NaN) drops out and the others are re-weighted."""
    return power_mean(np.atleast_2d(np.asarray(dimensions, float)), weights, p, names)


@dataclass(frozen=True)
class Scores:
    """Scores of many agencies: dimensions (agencies x dimension ids, %), overall (%),
    completeness (% of indicators answered)."""

    dimensions: pd.DataFrame
    overall: pd.Series
    completeness: pd.Series
    rank: pd.Series | None = None   # RANK.EQ of the overall (highest first, ties share)
    log: tuple = ()                 # the pipeline's log: one entry per step


def indicator_shares(framework: Framework, values: np.ndarray) -> np.ndarray:
    """units x indicators raw values -> shares by each indicator's normalisation (the
    pipeline's normalise step, fitted over all units)."""
    method = Method.of(framework)
    state = run([Normalise(method)], start(method, values), keep_log=False)
    return state.shares


def warn_percent_shares(framework: Framework, values: np.ndarray) -> list[str]:
    """A warning (ReadinessWarning, also returned) for each percent indicator whose every
    answer (two or more) lies in 0..1 with one above 0: shares typed where percentages were
    meant (0.45 for 45%) would score 100 times too low."""
    percent = np.flatnonzero((framework.indicators["type"] == "percent").to_numpy())
    if not len(percent):   # only the percent columns are looked at (a raw-number index has none)
        return []
    values = values[:, percent]
    answered = ~np.isnan(values)
    inside = np.where(answered, (values >= 0) & (values <= 1), True).all(axis=0)
    above_zero = (np.where(answered, values, 0) > 0).any(axis=0) & (answered.sum(axis=0) >= 2)
    texts = [f"indicator {ind}: every answer of this percent indicator lies between 0 and 1; "
             "percentages are 0-100 (type 45 for 45%), so these may be 100 times too small"
             for ind in np.asarray(framework.indicator_ids, object)[percent[inside & above_zero]]]
    for text in texts:
        warnings.warn(text, ReadinessWarning, stacklevel=3)
    return texts


def score(framework: Framework, answers: pd.DataFrame, missing: str = "zero") -> Scores:
    """Score every agency through the method's steps (`core/pipeline`). `answers` holds
    parsed answers in their own units, agencies as rows and the framework's indicator ids
    as columns (NaN = unanswered). Scores are rounded to the framework's `decimals`
    setting (the overall from unrounded dimension scores, as publishers do), so ranks,
    bands and benchmarks see the published values."""
    values = answers.reindex(columns=framework.indicator_ids).to_numpy(float)
    warn_percent_shares(framework, values)
    method = Method.of(framework, missing)
    state = run(steps(method, framework), start(method, values))
    completeness = 100.0 * (~np.isnan(values)).mean(axis=1) if values.shape[1] else np.zeros(len(values))
    index = answers.index
    return Scores(
        pd.DataFrame(state.scores, index=index, columns=framework.dimension_ids),
        pd.Series(state.overall, index=index, name="overall"),
        pd.Series(completeness, index=index, name="completeness"),
        pd.Series(state.rank.astype(float), index=index, name="rank"),
        state.log,
    )
