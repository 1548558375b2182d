"""Scores: indicator values -> shares (normalised) -> dimension scores -> overall.

    share_i     = normalise_i(value_i)    yes/no, scale, percent: value / max (1, max, 100);
                                          numbers: goalposts, minmax, zscore, rank, target
    dimension_d = 100 * M_p(shares of d; points)       p = the dimension's aggregation
    parent_g    = M_p(sub-dimension scores of g; weights)   (optional level)
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

from readiness_xl.core.aggregation import grouped_power_means, is_arithmetic, power_mean
from readiness_xl.core.benchmarks import round_scores
from readiness_xl.core.framework import Framework
from readiness_xl.core.normalisation import normalise
from readiness_xl.core.policies import MISSING_POLICIES
from readiness_xl.core.preparation import Preparation, prepare
from readiness_xl.errors import ReadinessWarning


def member_powers(weights: np.ndarray, powers: np.ndarray) -> np.ndarray:
    """The power of the group each row of a k x m weight matrix belongs to (1 if none)."""
    belongs = weights > 0
    return np.where(belongs.any(axis=1), powers[np.argmax(belongs, axis=1)], 1.0)


def dimension_scores(shares: np.ndarray, points: np.ndarray, missing: str = "zero",
                     powers: np.ndarray | float = 1.0, names: list[str] | None = None) -> np.ndarray:
    """agencies x indicators shares (NaN = unanswered) and indicators x dimensions points
    -> agencies x dimensions scores in percent, each dimension by its power mean."""
    if missing not in MISSING_POLICIES:
        raise ValueError(f"missing policy {missing!r} is not one of {MISSING_POLICIES}")
    zero = missing == "zero"
    if is_arithmetic(powers):   # every member's power is 1 too (a worksheet call: no lookup)
        return grouped_power_means(shares, points, 1.0, 1.0, names, scale=100.0, nan_as_zero=zero)
    powers = np.broadcast_to(np.asarray(powers, float), points.shape[1:])
    return grouped_power_means(shares, points, member_powers(points, powers), powers,
                               names, scale=100.0, nan_as_zero=zero)


def overall_scores(dimensions: np.ndarray, weights: np.ndarray, p: float = 1.0,
                   names: list[str] | None = None) -> np.ndarray:
    """agencies x dimensions scores and dimension weights -> overall score per agency.
    A dimension with no score (NaN) drops out and the others are re-weighted."""
    return power_mean(np.atleast_2d(np.asarray(dimensions, float)), weights, p, names)


@dataclass(frozen=True)
class Scores:
    """Scores of many agencies: dimensions (agencies x dimension ids, %), overall (%),
    completeness (% of indicators answered), and what data preparation did (None when
    the framework asks for none)."""

    dimensions: pd.DataFrame
    overall: pd.Series
    completeness: pd.Series
    preparation: Preparation | None = None


def indicator_shares(framework: Framework, values: np.ndarray) -> np.ndarray:
    """units x indicators raw values -> shares by each indicator's normalisation, put on
    the indicator's range L..U (`minmax:L:U`) as L/100 + (U - L)/100 * share, so that a
    dimension score (100 x the mean of shares) is the mean of values on L..U, as COINr
    aggregates them."""
    shares = normalise(values, framework.indicators["normalise"].to_numpy(object), framework.normal_params)
    low, high = framework.output_range
    if (low != 0).any() or (high != 100).any():
        shares = (low + (high - low) * shares) / 100.0
    return shares


def unit_attributes(agencies: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """The agencies' numeric attribute columns (population, GDP ...) by name: every
    column that is not one of the agency fields or `ranked`."""
    from readiness_xl.core.agencies import AGENCY_FIELDS, ATTRIBUTE_EXCLUDED
    if agencies is None:
        return {}
    return {c: pd.to_numeric(agencies[c], errors="coerce").to_numpy(float) for c in agencies.columns
            if c not in AGENCY_FIELDS and c not in ATTRIBUTE_EXCLUDED}


def prepared_values(framework: Framework, values: np.ndarray,
                    agencies: pd.DataFrame | None = None, index=()) -> tuple[np.ndarray, Preparation | None]:
    """The values normalisation sees: the data-preparation steps of core/preparation.py
    (denominate, impute, screen, treat) when the framework asks for any, with their
    record; else the values as they are."""
    spec = framework.prep_spec
    if not spec.active:
        return values, None
    groups = agencies["ministry_th"].to_numpy(object) if agencies is not None and "ministry_th" in agencies \
        else None
    prep = prepare(values, spec, unit_attributes(agencies), groups, tuple(index))
    return prep.values, prep


def _parent_scores(framework: Framework, dims: np.ndarray) -> np.ndarray:
    """Fill the dimensions that have sub-dimensions from their sub-dimensions' scores."""
    table = framework.dimensions
    ids = table.index.to_numpy()
    groups = table["parent"].to_numpy()[:, None] == ids[None, :]
    if not groups.any():
        return dims
    matrix = groups * table["weight"].to_numpy(float)[:, None]
    powers = table["aggregation"].to_numpy(float)
    filled = grouped_power_means(dims, matrix, member_powers(matrix, powers), powers,
                                 [f"dimension {d}" for d in ids])
    return np.where(groups.any(axis=0), filled, dims)


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


def score(framework: Framework, answers: pd.DataFrame, missing: str | None = None,
          agencies: pd.DataFrame | None = None) -> Scores:
    """Score every agency. `answers` holds parsed answers in their own units, agencies
    as rows and the framework's indicator ids as columns (NaN = unanswered); `agencies`
    (same rows) gives the unit attributes and groups data preparation uses. Scores are
    rounded to the framework's `decimals` setting (the overall from unrounded dimension
    scores, as publishers do), so ranks, bands and benchmarks see the published values.
    A unit screened out by data preparation has no scores (NaN)."""
    missing = framework.missing_rule(missing)
    values = answers.reindex(columns=framework.indicator_ids).to_numpy(float)
    warn_percent_shares(framework, values)
    prepared, prep = prepared_values(framework, values, agencies, answers.index)
    shares = indicator_shares(framework, prepared)
    dims = dimension_scores(shares, framework.points_matrix, missing,
                            framework.dimensions["aggregation"].to_numpy(float),
                            [f"indicator {i}" for i in framework.indicator_ids])
    dims = _parent_scores(framework, dims)
    top = framework.weights * (framework.dimensions["parent"] == "").to_numpy()
    overall = overall_scores(dims, top, framework.settings.aggregation,
                             [f"dimension {d}" for d in framework.dimension_ids])
    decimals = framework.settings.decimals
    dims, overall = round_scores(dims, decimals), round_scores(overall, decimals)
    if prep is not None and prep.screened.any():
        dims = np.where(prep.screened[:, None], np.nan, dims)
        overall = np.where(prep.screened, np.nan, overall)
    completeness = 100.0 * (~np.isnan(values)).mean(axis=1) if values.shape[1] else np.zeros(len(values))
    index = answers.index
    return Scores(
        pd.DataFrame(dims, index=index, columns=framework.dimension_ids),
        pd.Series(overall, index=index, name="overall"),
        pd.Series(completeness, index=index, name="completeness"),
        prep,
    )
