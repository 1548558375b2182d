"""Weighted means chosen by name, one calling shape (COINr's a_amean, a_gmean, a_hmean,
a_genmean): every level of the framework (indicators -> dimension, dimensions -> overall)
is a weighted power mean

    M_p(x; w) = (sum w_i x_i^p / sum w_i) ^ (1/p)      p = 1 arithmetic, -1 harmonic
    M_0(x; w) = exp(sum w_i ln x_i / sum w_i)          geometric

over the values that are present: a NaN value drops out and the remaining weights are
re-weighted (a unit with nothing present gets NaN). Weights are any non-negative numbers,
used as shares of their sum.

Zeros and negatives (where COINr refuses values <= 0 for the geometric and harmonic
means, we differ on zero): for p <= 0 a zero value gives the mean's limit, 0, because a
"no" answer or a unit at the lower goalpost is a real zero, not bad data; the mean is then
fully non-compensatory, as intended. A negative value is refused for every p other than 1
(it has no real power or logarithm), with a Problem naming the indicator and the fix.
"""

from __future__ import annotations

import numpy as np

from readiness_xl.core.words import AGGREGATIONS, canonical
from readiness_xl.errors import InputValueError, Problem, ReadinessError

NAMED_POWERS = {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}


class AggregationError(ReadinessError):
    """Values a mean cannot take (negative values for a geometric, harmonic or power mean)."""


# Scores of 0..100 raised to this power stay far inside a float (100**100 = 1e200); a mean
# of power 100 is already within 5% of the largest value.
MAX_POWER = 100.0


def parse_aggregation(text: object) -> float:
    """The power p of an aggregation word: arithmetic 1, geometric 0, harmonic -1,
    `power:P` P (any finite number). Blank means arithmetic. Raises InputValueError
    listing the accepted words (the caller that knows the cell adds it)."""
    named = canonical("aggregation", text)
    if named is not None:
        return NAMED_POWERS[named]
    word = str(text).strip().lower()
    if word.startswith(("power:", "power ")):
        try:
            p = float(word[6:].strip())
        except ValueError:
            p = float("nan")
        if np.isfinite(p) and abs(p) > MAX_POWER:
            raise InputValueError(f"aggregation {text!r}: the power must be between -{MAX_POWER:g} "
                                  f"and {MAX_POWER:g} (a larger one overflows and means the maximum anyway)")
        if np.isfinite(p):
            return p
    raise InputValueError(f"aggregation {text!r} is not one of {', '.join(AGGREGATIONS)} "
                          "(power:P with a number P, e.g. power:2)")


def aggregation_name(p: float) -> str:
    """The word for a power, the inverse of parse_aggregation."""
    for word, power in NAMED_POWERS.items():
        if p == power:
            return word
    return f"power:{p:g}"


def _refuse_negative(values: np.ndarray, p: np.ndarray, names: list[str] | None) -> None:
    if not np.fmin.reduce(values, axis=None, initial=0.0) < 0:   # NaN-ignoring: nothing negative
        return
    bad = (values < 0) & (p != 1.0)
    if not bad.any():
        return
    columns = np.flatnonzero(bad.reshape(-1, bad.shape[-1]).any(axis=0))
    label = [names[j] if names else f"value #{j + 1}" for j in columns]
    raise AggregationError([Problem(
        f"{n} has negative values, which a geometric, harmonic or power mean "
        "cannot take; normalise it onto 0..1 (goalposts, minmax) or use the arithmetic mean")
        for n in label])


def is_arithmetic(p: np.ndarray | float) -> bool:
    """Every power is 1: the means are plain weighted sums, nothing to transform or refuse.
    (count_nonzero: the cheapest test of a small array, for worksheet functions' speed.)"""
    if type(p) is float:
        return p == 1.0
    return not np.count_nonzero(np.asarray(p) != 1.0)


def _transform(values: np.ndarray, p: np.ndarray, missing: np.ndarray | None,
               own: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """x^p (ln x for p = 0) in the columns whose mean needs it, 0 where a value is missing
    (`missing`: None when none is), and the mask of the zeros that force a group's limit 0
    (p <= 0; None if no column has such a power). A zero is transformed as 1 (ln 1 = 0,
    1^p = 1: finite, so it cannot poison the other groups' sums), by adding the mask:
    exact, and cheaper than a masked copy. Arithmetic columns are left untouched, so p = 1
    stays bit-exact. Works in place when `values` is the caller's own copy (`own`)."""
    one = (p == p[0]).all()   # one mean for every column: no column selection to copy
    zero = None
    if (p <= 0).any():
        zero = values == 0 if one else (values == 0) & (p <= 0)
    out = values if own else np.empty_like(values)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if zero is not None:
            np.add(values, zero, out=out)
        elif not own:
            np.copyto(out, values)
        if one:
            np.log(out, out=out) if p[0] == 0 else np.power(out, p[0], out=out)
        else:
            for power in np.unique(p[p != 1]):
                columns = p == power
                out[..., columns] = np.log(out[..., columns]) if power == 0 else \
                    np.power(out[..., columns], power)
    if missing is not None:
        np.copyto(out, 0.0, where=missing)
    return out, zero


def _invert(mean: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The inverse of _transform on the per-group means."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if (p == p[0]).all():
            return np.exp(mean) if p[0] == 0 else np.power(mean, 1.0 / p[0])
        out = mean.copy()
        for power in np.unique(p[p != 1]):
            columns = p == power
            out[..., columns] = np.exp(mean[..., columns]) if power == 0 else \
                np.power(mean[..., columns], 1.0 / power)
    return out


def _geometric_sums(values: np.ndarray, weights: np.ndarray, dropped: np.ndarray | None,
                    nan_as_zero: bool) -> np.ndarray | None:
    """sum w ln x per group when every mean is geometric, with a zero (and a NaN that
    counts as one) logged as the floor -1e300 / max(w) instead of -inf: in the group that
    holds it, w * floor outweighs any sum of logs (|ln x| < 746), so exp of the mean
    underflows to exactly 0, the limit; a group that weighs it 0 gets -0.0 from it, so
    its sum is bit-identical to the masked way's. One log and one in-place clamp, no mask:
    the geometric mean costs about what the arithmetic one does. None (use the masked
    way) when the weights spread so wide (max * group sum / group minimum >= 1e290) that
    the floor might not win, or when a value is infinite."""
    top = weights.max(initial=0.0)
    least = np.where(weights > 0, weights, np.inf).min(axis=-2)
    with np.errstate(over="ignore"):
        if not (0 < top < np.inf and (np.add.reduce(weights, axis=-2) * top < 1e290 * least).all()):
            return None
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(values)
    # fmax takes the floor for a NaN too (a missing answer scored 0); maximum keeps it
    (np.fmax if nan_as_zero else np.maximum)(logs, -1e300 / top, out=logs)
    if dropped is not None:
        np.copyto(logs, 0.0, where=dropped)
    earned = logs @ weights
    return earned if np.isfinite(earned).all() else None


def grouped_power_means(values: np.ndarray, weights: np.ndarray, p_in: np.ndarray,
                        p_out: np.ndarray, names: list[str] | None = None,
                        scale: float = 1.0, nan_as_zero: bool = False) -> np.ndarray:
    """Many power means at once: values (..., units, k), a weight matrix k x m (column g
    holds the weights of the values that make up group g, zero elsewhere), the power of
    each value's group `p_in` (k,) and of each group `p_out` (m,) -> (..., units, m).
    `scale` multiplies arithmetic means before dividing (100 * earned / achievable, as
    the published B.E. 2560 scores are computed). `nan_as_zero`: a NaN value counts as a
    present 0 (the missing policy `zero`) instead of dropping out.

    Every group is done by one matrix product over the whole matrix: sum w x^p is
    (x^p) @ weights, the weights present are present @ weights, the groups that hold a
    zero are (zeros) @ (weights > 0) (or, geometric throughout, see _geometric_sums).
    Only whole-matrix passes and few fresh temporaries: at 10,000 units a fresh
    temporary costs more in page faults than the arithmetic it holds."""
    values = np.asarray(values, float)
    weights = np.asarray(weights, float)
    missing = np.isnan(values)
    if not missing.any():
        missing = None
    dropped = None if nan_as_zero else missing   # the NaNs that drop out of their group
    total = np.add.reduce(weights, axis=-2)[..., None, :] if dropped is None else ~dropped @ weights
    hits_zero = earned = None
    if is_arithmetic(p_in):   # x^1: no negative to refuse, nothing to transform
        earned = (values if missing is None else np.where(missing, 0.0, values)) @ weights
    else:
        p_in = np.broadcast_to(np.asarray(p_in, float), values.shape[-1:])
        _refuse_negative(values, p_in, names)
        if not (p_in.any() or np.any(p_out)):   # geometric throughout
            earned = _geometric_sums(values, weights, dropped, nan_as_zero)
    if earned is None:   # any mix of powers, zeros found by a mask
        own = nan_as_zero and missing is not None
        if own:   # the NaNs become zeros, in a copy of our own
            values = np.where(missing, 0.0, values)
        powered, zero = _transform(values, p_in, dropped, own)
        if zero is not None and zero.any():   # counts of 0/1 are exact in float32, at half the bytes
            hits_zero = np.asarray(zero, np.float32) @ (weights > 0).astype(np.float32) > 0
        earned = powered @ weights
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if is_arithmetic(p_out):   # the B.E. 2560 path, exactly as published: 100 * earned / achievable
            # in place: `earned` is a fresh product of ours; the same operations in the same
            # order as scale * earned / total, without two temporaries as large as the result
            # (at 10,000 units x many draws' groups, their page faults cost more than the sums)
            mean = earned if scale == 1.0 else np.multiply(earned, scale, out=earned)
            np.divide(mean, total, out=mean)
            positive = total > 0
            if not positive.all():
                np.copyto(mean, np.nan, where=~positive)
            return mean
        else:
            p_out = np.asarray(p_out, float)
            mean = scale * _invert(earned / total, p_out)
            arithmetic = p_out == 1.0
            if arithmetic.any():
                mean = np.where(arithmetic, scale * earned / total, mean)
            if hits_zero is not None:
                np.copyto(mean, 0.0, where=hits_zero & ~arithmetic)
        return np.where(total > 0, mean, np.nan)


def power_mean(values: np.ndarray, weights: np.ndarray, p: float,
               names: list[str] | None = None) -> np.ndarray:
    """Weighted power mean over the last axis: values (..., units, k), weights (..., k)
    (leading batch dimensions allowed, e.g. Monte Carlo replications, each with its own
    weights) -> (..., units). NaN values drop out and the rest are re-weighted; `names`
    (of the k columns, e.g. "indicator 1.1") name the column in the error for negative
    values."""
    values = np.asarray(values, float)
    weights = np.asarray(weights, float)
    if weights.ndim == 1:
        return grouped_power_means(values, weights[:, None], p, np.asarray([p]), names)[..., 0]
    return grouped_power_means(values, weights[..., :, None], p, np.asarray([p]), names)[..., 0]


def refuse_fitted_zeros(shares: np.ndarray, fitted: np.ndarray, powers: np.ndarray,
                        units=(), names=()) -> None:
    """A geometric or harmonic mean (power <= 0, per indicator: its dimension's) over an
    indicator normalised on the units (minmax, rank onto 0..1) meets a 0 for the unit
    with the lowest value, which makes that unit's dimension 0 whatever else it scores.
    COINr stops there; so do we, naming the first units and indicators, with the fix. A
    0 of a fixed-goalpost indicator (a "no" answer) is a real zero and stays allowed."""
    hits = (shares == 0) & (np.asarray(fitted, bool) & (np.asarray(powers, float) <= 0))[None, :]
    if not hits.any():
        return
    rows, cols = np.nonzero(hits)
    problems = [Problem(f"indicator '{names[j] if len(names) else j + 1}': unit "
                        f"'{units[i] if len(units) else i + 1}' is normalised to 0 (the lowest "
                        "value among the units), and a geometric or harmonic mean of it is 0 "
                        "whatever its other indicators; normalise onto minmax:1:100 or use "
                        "the arithmetic mean") for i, j in list(zip(rows, cols))[:5]]
    raise AggregationError(problems)
