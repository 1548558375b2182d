"""Comparisons: national, ministry and kind benchmarks, gaps, weak dimensions,
improvement priority, rank (as Excel's RANK.EQ) and level labels from the bands."""

from __future__ import annotations

import numpy as np
import pandas as pd

from readiness_xl.core.framework import negative_weight
from readiness_xl.errors import Problem, ReadinessError

WEAK_THRESHOLD = 50.0
NOISE_DECIMALS = 9
"""Scores are compared (bands, ranks, ties) after rounding to this many decimals, far
below any published precision and far above float noise: 0.1, 0.2 and 0.45 average to
24.999999999999996, which is 25 and must band and tie as 25."""


def noise_free(values: pd.Series | np.ndarray) -> np.ndarray:
    """The values as compared: rounded to NOISE_DECIMALS (NaN kept)."""
    return np.round(np.asarray(values, float), NOISE_DECIMALS)


def round_scores(values: np.ndarray, decimals: int | None) -> np.ndarray:
    """Scores rounded as the publisher rounds them: half away from zero, as Excel's ROUND
    (None = unrounded). The noise-free value is rounded, so 2.675 is 2.68 as typed."""
    values = np.asarray(values, float)
    if decimals is None:
        return values
    scale = 10.0 ** decimals
    clean = noise_free(values) * scale
    return np.sign(clean) * np.floor(np.abs(np.round(clean, NOISE_DECIMALS - decimals)) + 0.5) / scale


def benchmark_means(dimensions: pd.DataFrame, overall: pd.Series,
                    groups: pd.Series | None = None) -> pd.DataFrame:
    """Mean dimension scores and mean overall score, for all agencies (groups=None, one
    row labelled 'national') or per group (ministry, kind). Every agency counts once."""
    table = dimensions.assign(overall=overall)
    if groups is None:
        return table.mean().to_frame("national").T
    return table.groupby(groups.reindex(table.index), sort=False).mean()


def gaps(dimensions: pd.DataFrame | pd.Series | np.ndarray,
         benchmark: pd.Series | np.ndarray) -> pd.DataFrame | pd.Series | np.ndarray:
    """Dimension score minus the benchmark's (negative = behind the benchmark): a pandas
    benchmark is aligned by dimension id, an array by position (a UDF's row)."""
    if isinstance(benchmark, pd.Series):
        benchmark = benchmark.reindex(dimensions.index if isinstance(dimensions, pd.Series)
                                      else dimensions.columns)
    return dimensions - benchmark


def weak_mask(values: np.ndarray, threshold: float = WEAK_THRESHOLD) -> np.ndarray:
    """Which dimensions score below the threshold (a blank one never: NaN compares False),
    for a units x dimensions matrix or one unit's row; compared without float noise (a
    49.99999999999999 that is a true 50 is not below 50), as spreadsheet engines compare."""
    return noise_free(values) < threshold


def weak_order(values: np.ndarray, threshold: float = WEAK_THRESHOLD) -> np.ndarray:
    """Positions of one row's dimensions below the threshold, weakest first (ties in
    their order): what WEAK_DIMENSIONS spills."""
    values = np.asarray(values, float)
    weak = np.flatnonzero(weak_mask(values, threshold))
    return weak[np.argsort(values[weak], kind="stable")]


def held_back(dimensions: pd.DataFrame, threshold: float = WEAK_THRESHOLD,
              lowest: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """For every unit at once, the dimensions that hold it back: those below the
    threshold or, where none is, its `lowest` lowest. Returns a units x dimensions
    boolean matrix and, per unit, whether they are below the threshold."""
    values = dimensions.to_numpy(float)
    scored = ~np.isnan(values)
    weak = weak_mask(values, threshold)
    below = weak.any(axis=1)
    order = np.argsort(np.where(scored, values, np.inf), axis=1, kind="stable")[:, :lowest]
    lowest_mask = np.zeros_like(weak)
    np.put_along_axis(lowest_mask, order, True, axis=1)
    return np.where(below[:, None], weak, lowest_mask & scored), below


def weight_shares(weights: pd.Series | np.ndarray) -> pd.Series | np.ndarray:
    """Weights as shares of their sum: what one more point in each dimension is worth."""
    return weights / weights.sum()


def gain_values(values: pd.DataFrame | np.ndarray, shares: pd.Series | np.ndarray) -> pd.DataFrame | np.ndarray:
    """Overall points gained if a dimension reached 100: shortfall x weight share (a
    DataFrame aligned with its shares by column, arrays by position)."""
    return (100.0 - values) * shares


def priority_order(gains: np.ndarray) -> np.ndarray:
    """Positions along the last axis, largest gain first, ties in their order, NaN last
    (as pandas' stable descending sort)."""
    return np.argsort(-np.asarray(gains, float), axis=-1, kind="stable")


def improvement_gains(dimensions: pd.DataFrame, weights: pd.Series) -> pd.DataFrame:
    """Overall points each unit would gain if a dimension reached 100: weight share x
    shortfall. The weight share alone is what one more point in that dimension is worth."""
    return gain_values(dimensions, weight_shares(weights).reindex(dimensions.columns))


def refuse_negative_weights(weights: np.ndarray, ids: list, sheet: str | None = None,
                            cells: list[str] | None = None) -> None:
    """A negative weight is refused as build_framework refuses it, named by its cell when
    the weights come from a sheet (`cells`: one address per weight on `sheet`)."""
    negative = np.flatnonzero(np.asarray(weights, float) < 0)
    if negative.size:
        raise ReadinessError([Problem(negative_weight(weights[i], None if cells else ids[i]),
                                      sheet, cells[i] if cells else None) for i in negative])


def priority_positions(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One unit's row (arrays, blank = NaN): the positions of its scored dimensions,
    largest gain first, and every dimension's gain (the Summary's improve_first is the
    first of these)."""
    gains = gain_values(values, weight_shares(weights))
    order = priority_order(gains)
    return order[~np.isnan(values[order])], gains


def comparison_columns(dimensions: pd.DataFrame, overall: pd.Series, national_overall: float,
                       weights: pd.Series, threshold: float = WEAK_THRESHOLD) -> pd.DataFrame:
    """What the Summary says of every unit beside its scores: points above (+) or below
    (-) the national average, its dimensions below the threshold, and the dimension to
    improve first. Whole columns at once."""
    ids = np.asarray(dimensions.columns, dtype=object)
    values = dimensions.to_numpy(float)
    weak = [", ".join(ids[row]) for row in weak_mask(values, threshold)]
    gains = improvement_gains(dimensions, weights).to_numpy(float)
    scored = ~np.isnan(gains).all(axis=1)
    first = np.where(scored, ids[priority_order(gains)[:, 0]], "")
    return pd.DataFrame({"gap_national": overall.to_numpy(float) - national_overall,
                         "below_threshold": weak, "improve_first": first}, index=dimensions.index)


def ranks_among(values: pd.Series | np.ndarray, population: pd.Series | np.ndarray) -> np.ndarray:
    """Rank of each value among the population, highest first, ties sharing the best rank
    (Excel's RANK.EQ): 1 + how many of the population are above it, compared without
    float noise (see NOISE_DECIMALS); NaN in the population is left out, a NaN value is
    unranked (NaN)."""
    ranked = noise_free(population)
    ranked = np.sort(ranked[~np.isnan(ranked)])
    values = noise_free(values)
    rank = (len(ranked) + 1 - np.searchsorted(ranked, values, side="right")).astype(float)
    return np.where(np.isnan(values), np.nan, rank)


def rank_eq(values: pd.Series | np.ndarray) -> pd.Series:
    """Rank, highest first, ties sharing the best rank (Excel's RANK.EQ); NaN unranked."""
    index = values.index if isinstance(values, pd.Series) else None
    return pd.Series(ranks_among(values, values), index=index)


def band_positions(scores: pd.Series | np.ndarray, lower: np.ndarray) -> np.ndarray:
    """The band of each score, as an index into bands sorted by their lower bounds: the
    highest lower bound at or below the score, compared without float noise (-1: none,
    or no score)."""
    values = noise_free(scores)
    position = np.searchsorted(lower, values, side="right") - 1
    return np.where(np.isnan(values), -1, position)


def level_labels(scores: pd.Series | np.ndarray, bands: pd.DataFrame) -> pd.DataFrame:
    """Thai and English level label of each score: the band with the highest lower bound
    at or below the score (bands sorted by `lower`), compared without float noise."""
    position = band_positions(scores, bands["lower"].to_numpy(float))
    valid = position >= 0
    index = scores.index if isinstance(scores, pd.Series) else None
    if not len(bands):   # a framework without bands shows no level
        return pd.DataFrame({"level_th": "", "level_en": ""}, index=index if index is not None
                            else range(len(position)))
    take = np.where(valid, position, 0)
    th = np.where(valid, bands["label_th"].to_numpy(object)[take], "")
    en = np.where(valid, bands["label_en"].to_numpy(object)[take], "")
    index = scores.index if isinstance(scores, pd.Series) else None
    return pd.DataFrame({"level_th": th, "level_en": en}, index=index)
