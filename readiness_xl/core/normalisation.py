"""Raw indicator values -> shares of the indicator achieved (0..1), chosen by name per
indicator (COINr's n_goalposts, n_minmax, n_zscore, n_rank; JRC/OECD Handbook).

Every normaliser takes the same shape: `(values, params) -> shares`, values units x
indicators (NaN = missing, kept as NaN), `params` a `NormalParams` with one entry per
indicator column. All of them work on whole columns at once.

    goalposts  (x - min) / (max - min), capped to 0..1 beyond the goalposts. The answer
               types are goalposts with min 0: yes/no max 1, scale its max, percent 100.
    minmax     goalposts fitted on the units: min and max of the column.
    zscore     a T-score share: 0.5 + 0.1 z, z = (x - mean) / sd over the units (population
               sd, or the sample sd with settings zscore_sd = sample), so the mean unit scores 50 and one sd is 10 points; not capped (a unit
               beyond 5 sd leaves 0..100, as z-scores do).
    rank       the unit's percentile rank, (rank - 1) / (n - 1), ties taking the lowest
               rank of the tie (COINr's default, ties.method = "min").
    target     x / target capped at 1 (the target in `max`); for `lower` direction,
               target / x capped at 1 (at or under the target scores 1).

Direction `lower` turns a share s into 1 - s (goalposts, minmax, zscore); rank ranks -x. The log
transform takes the natural log of the value and of both goalposts first (values and
goalposts must be above 0). Fitted state (minmax bounds, z mean and sd) is kept apart from
the parameters, as sklearn's MinMaxScaler does: `fit_*` learns it, `apply_goalposts` and
`apply_zscore` use it, so goalposts fitted on a reference round can score a later one.
A column with zero range (every unit equal) gets the middle share 0.5 for the fitted
methods (`zero_range`), never a division by zero.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from readiness_xl.core.words import DIRECTIONS, NORMALISATIONS, TRANSFORMS  # noqa: F401 (re-exported)
from readiness_xl.errors import InputValueError, Problem, ReadinessError
Z_CENTRE, Z_SPREAD = 0.5, 0.1


class NormalisationError(ReadinessError):
    """Values a normalisation cannot take (a log of a value at or below zero)."""


@dataclass(frozen=True)
class NormalParams:
    """Per indicator column: goalposts `min`/`max` (max is the target for `target`),
    `higher` (direction), `log` (transform) and the indicator `names` for errors."""

    min: np.ndarray
    max: np.ndarray
    higher: np.ndarray
    log: np.ndarray
    names: tuple[str, ...] = ()
    sample_sd: bool = False   # zscore: the sample sd (n - 1, COINr, STDEV.S) instead of the population one

    @classmethod
    def of(cls, count: int, *, min=0.0, max=1.0, higher=True, log=False, names=(),
           sample_sd=False) -> "NormalParams":
        """Parameters broadcast to `count` columns (scalars allowed)."""
        def full(v, dtype):
            return np.broadcast_to(np.asarray(v, dtype), (count,)).copy()
        return cls(full(min, float), full(max, float), full(higher, bool), full(log, bool),
                   tuple(names), bool(sample_sd))

    def take(self, columns: np.ndarray) -> "NormalParams":
        names = tuple(self.names[j] for j in columns) if self.names else ()
        return NormalParams(self.min[columns], self.max[columns], self.higher[columns],
                            self.log[columns], names, self.sample_sd)


@dataclass(frozen=True)
class Fitted:
    """Learned state of a fitted normaliser, per column (sklearn's trailing-underscore
    attributes): `low_`/`high_` for goalposts and minmax, `mean_`/`sd_` for zscore."""

    low_: np.ndarray
    high_: np.ndarray


def zero_range(scale: np.ndarray) -> np.ndarray:
    """The scale with zeros (a constant column) replaced by inf, so (x - low) / scale is 0
    and the caller can place such columns at the middle share (sklearn's
    _handle_zeros_in_scale, with the middle instead of the bottom)."""
    scale = np.asarray(scale, float)
    return np.where(scale == 0, np.inf, scale)


def _logged(values: np.ndarray, params: NormalParams) -> np.ndarray:
    """The values, natural-logged in the columns whose transform is log."""
    if not params.log.any():
        return values
    bad = params.log & (values <= 0).any(axis=0)  # NaN compares False: missing is no bad value
    if bad.any():
        names = params.names or tuple(f"#{j + 1}" for j in range(values.shape[-1]))
        raise NormalisationError([Problem(
            f"indicator '{names[j]}' has a value at or below 0, which has no logarithm; use "
            "transform none or correct the value") for j in np.flatnonzero(bad)])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(params.log, np.log(np.where(params.log, values, 1.0)), values)


def _goalposts_logged(params: NormalParams) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(params.log, np.log(np.where(params.log, params.min, 1.0)), params.min)
        high = np.where(params.log, np.log(np.where(params.log, params.max, 1.0)), params.max)
    return low, high


def _column_stat(stat, values: np.ndarray) -> np.ndarray:
    """A NaN-ignoring statistic of each column; an all-NaN (unanswered) column gives NaN
    without numpy's warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return stat(values, axis=0)


def _direct(shares: np.ndarray, params: NormalParams) -> np.ndarray:
    return np.where(params.higher, shares, 1.0 - shares) if not params.higher.all() else shares


def fit_goalposts(values: np.ndarray, params: NormalParams) -> Fitted:
    """The goalposts as given (after the log transform where asked)."""
    return Fitted(*_goalposts_logged(params))


def fit_minmax(values: np.ndarray, params: NormalParams) -> Fitted:
    """Goalposts learned from the units: each column's min and max (NaN ignored)."""
    logged = _logged(np.asarray(values, float), params)
    return Fitted(_column_stat(np.nanmin, logged), _column_stat(np.nanmax, logged))


def apply_goalposts(values: np.ndarray, params: NormalParams, fitted: Fitted) -> np.ndarray:
    """(x - low) / (high - low), capped to 0..1, direction applied. A zero-range column
    gets 0.5."""
    logged = _logged(np.asarray(values, float), params)
    scale = fitted.high_ - fitted.low_
    shares = np.clip((logged - fitted.low_) / zero_range(scale), 0.0, 1.0)
    flat = scale == 0
    if flat.any():  # a test costs a worksheet function less than the masks it spares
        shares = np.where(flat & ~np.isnan(logged), 0.5, shares)
    return _direct(shares, params)


def fit_zscore(values: np.ndarray, params: NormalParams) -> Fitted:
    """Mean (`low_`) and sd (`high_`) of each column, NaN ignored: the population sd, or
    the sample one (n - 1) where `params.sample_sd` (settings `zscore_sd` = `sample`)."""
    logged = _logged(np.asarray(values, float), params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(logged, axis=0, ddof=1 if params.sample_sd else 0)
    return Fitted(_column_stat(np.nanmean, logged), sd)


def apply_zscore(values: np.ndarray, params: NormalParams, fitted: Fitted) -> np.ndarray:
    logged = _logged(np.asarray(values, float), params)
    z = (logged - fitted.low_) / zero_range(fitted.high_)
    return _direct(Z_CENTRE + Z_SPREAD * z, params)


def goalposts(values: np.ndarray, params: NormalParams) -> np.ndarray:
    """Shares between the given goalposts. With min 0 and no log this is exactly
    value / max: the yes/no, scale and percent answer types."""
    values = np.asarray(values, float)
    if not params.log.any() and params.higher.all() and not params.min.any():
        return np.clip(values / params.max, 0.0, 1.0)   # the answer types' exact path
    return apply_goalposts(values, params, fit_goalposts(values, params))


def minmax(values: np.ndarray, params: NormalParams) -> np.ndarray:
    return apply_goalposts(values, params, fit_minmax(values, params))


def zscore(values: np.ndarray, params: NormalParams) -> np.ndarray:
    return apply_zscore(values, params, fit_zscore(values, params))


def rank(values: np.ndarray, params: NormalParams) -> np.ndarray:
    """Percentile rank per column, (rank - 1) / (n - 1), ties taking the lowest rank of
    their group (COINr's n_prank default, ties.method = "min"; sport ranking); direction
    `lower` ranks the negated values, as COINr does, so tied units again share the
    lowest rank. A single unit or a constant column gets 0.5."""
    import pandas as pd

    values = np.asarray(values, float)
    signed = values if params.higher.all() else np.where(params.higher, values, -values)
    ranks = pd.DataFrame(signed).rank(method="min", axis=0).to_numpy(float)
    count = (~np.isnan(values)).sum(axis=0)
    shares = (ranks - 1.0) / zero_range(count - 1.0)
    constant = np.nanmax(values, axis=0, initial=-np.inf) == np.nanmin(values, axis=0, initial=np.inf)
    return np.where((count <= 1) | constant, np.where(np.isnan(values), np.nan, 0.5), shares)


def target(values: np.ndarray, params: NormalParams) -> np.ndarray:
    """x / target capped at 1 (higher), target / x capped at 1 (lower; 0 scores 1)."""
    logged = _logged(np.asarray(values, float), params)
    _, goal = _goalposts_logged(params)
    with np.errstate(divide="ignore", invalid="ignore"):
        up = logged / goal
        down = np.where(logged <= goal, 1.0, goal / logged)
    return np.clip(np.where(params.higher, up, down), 0.0, 1.0)


NORMALISERS = {"goalposts": goalposts, "minmax": minmax, "zscore": zscore, "rank": rank,
               "target": target}


def check_normalisers(methods, names=()) -> None:
    """Refuse a normalisation the core has no function for (an InputValueError), naming
    the first indicator that asks for it when `names` (indicator ids) are given."""
    for j, name in enumerate(methods):
        if name not in NORMALISERS:
            of = f"indicator '{names[j]}': " if len(names) > j else ""
            raise InputValueError(f"{of}normalisation {name!r} is not one of {', '.join(NORMALISERS)}")


def normalise(values: np.ndarray, methods: list[str] | np.ndarray, params: NormalParams) -> np.ndarray:
    """units x indicators raw values -> shares, each column by its method's name; one
    call per method used (not per indicator or unit)."""
    values = np.asarray(values, float)
    methods = np.asarray(methods, dtype=object)
    check_normalisers(methods, params.names)
    out = np.empty_like(values)
    for name in dict.fromkeys(methods):
        columns = np.flatnonzero(methods == name)
        out[..., columns] = NORMALISERS[name](values[..., columns], params.take(columns))
    return out
