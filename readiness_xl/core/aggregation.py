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

from readiness_xl.errors import Problem, ReadinessError

AGGREGATIONS = ("arithmetic", "geometric", "harmonic", "power:P")
NAMED_POWERS = {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}
_WORDS = {"mean": "arithmetic", "amean": "arithmetic", "gmean": "geometric",
          "hmean": "harmonic", "เลขคณิต": "arithmetic", "เรขาคณิต": "geometric",
          "ฮาร์มอนิก": "harmonic"}


class AggregationError(ReadinessError):
    """Values a mean cannot take (negative values for a geometric, harmonic or power mean)."""


def parse_aggregation(text: object) -> float:
    """The power p of an aggregation word: arithmetic 1, geometric 0, harmonic -1,
    `power:P` P (any finite number). Blank means arithmetic. Raises ValueError listing
    the accepted words."""
    word = str(text if text is not None else "").strip().lower()
    if word in ("", "nan", "none"):
        return 1.0
    word = _WORDS.get(word, word)
    if word in NAMED_POWERS:
        return NAMED_POWERS[word]
    if word.startswith(("power:", "power ")):
        try:
            p = float(word[6:].strip())
        except ValueError:
            p = float("nan")
        if np.isfinite(p):
            return p
    raise ValueError(f"aggregation {text!r} is not one of {', '.join(AGGREGATIONS)} "
                     "(power:P with a number P, e.g. power:2)")


def aggregation_name(p: float) -> str:
    """The word for a power, the inverse of parse_aggregation."""
    for word, power in NAMED_POWERS.items():
        if p == power:
            return word
    return f"power:{p:g}"


def _refuse_negative(values: np.ndarray, p: np.ndarray, names: list[str] | None) -> None:
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


def _transform(values: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x^p (ln x for p = 0) in the columns whose mean needs it, one pass per distinct
    power, and where a zero forces the limit 0 (p <= 0). Arithmetic columns are left
    untouched, so p = 1 stays bit-exact (grouped_power_means does not call this when
    every power is 1)."""
    zero = (values == 0) & (p <= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if (p == p[0]).all():   # one mean for every column: no column selection to copy
            x = np.where(zero, 1.0, values) if p[0] <= 0 else values
            return (np.log(x) if p[0] == 0 else np.power(x, p[0])), zero
        out = values.copy()
        for power in np.unique(p[p != 1]):
            columns = p == power
            x = np.where(zero[..., columns], 1.0, values[..., columns])
            out[..., columns] = np.log(x) if power == 0 else np.power(x, power)
    return out, zero


def _invert(mean: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The inverse of _transform on the per-group means."""
    out = mean.copy()
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for power in np.unique(p[p != 1]):
            columns = p == power
            out[..., columns] = np.exp(mean[..., columns]) if power == 0 else \
                np.power(mean[..., columns], 1.0 / power)
    return out


def grouped_power_means(values: np.ndarray, weights: np.ndarray, p_in: np.ndarray,
                        p_out: np.ndarray, names: list[str] | None = None,
                        scale: float = 1.0) -> np.ndarray:
    """Many power means at once: values (..., units, k), a weight matrix k x m (column g
    holds the weights of the values that make up group g, zero elsewhere), the power of
    each value's group `p_in` (k,) and of each group `p_out` (m,) -> (..., units, m).
    `scale` multiplies arithmetic means before dividing (100 * earned / achievable, as
    the published B.E. 2560 scores are computed)."""
    values = np.asarray(values, float)
    weights = np.asarray(weights, float)
    present = ~np.isnan(values)
    complete = present.all()   # every value present (missing answers scored 0)
    hits_zero = False
    if is_arithmetic(p_in):   # x^1: no negative to refuse, nothing to transform
        powered = values if complete else np.where(present, values, 0.0)
    else:
        p_in = np.broadcast_to(np.asarray(p_in, float), values.shape[-1:])
        _refuse_negative(values, p_in, names)
        powered, zero = _transform(np.where(present, values, 0.0), p_in)
        powered = np.where(present, powered, 0.0)
        if zero.any():
            hits_zero = np.asarray(zero & present, float) @ (weights > 0) > 0
    total = np.add.reduce(weights, axis=-2)[..., None, :] if complete else present @ weights
    earned = powered @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        if is_arithmetic(p_out):   # the B.E. 2560 path, exactly as published: 100 * earned / achievable
            mean = scale * earned / total
        else:
            p_out = np.asarray(p_out, float)
            mean = np.where(p_out == 1.0, scale * earned / total,
                            np.where(hits_zero, 0.0, scale * _invert(earned / total, p_out)))
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
