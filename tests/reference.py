"""A plain-Python reference of the method, written from the formulas in docs/methods.md and
the README's "How scores are computed" and nothing else: no numpy, no code of the package.
Tests compare the product with it for a few fixed inputs, so a wrong step in the product
cannot also be wrong here by sharing its code.

    share      goalposts (x - min) / (max - min) capped to 0..1; minmax the same with the
               units' min and max (0.5 for a constant column); zscore 0.5 + 0.1 z with the
               population sd; rank (rank - 1) / (n - 1), ties at their mean rank; target
               x / target capped at 1, lower: 1 at or under the target, else target / x.
               Direction lower: 1 - share (not target). Log: ln of value and goalposts.
    mean       weighted power mean M_p = (sum w x^p / sum w)^(1/p), p = 0 the geometric
               mean exp(sum w ln x / sum w); for p <= 0 a zero value gives 0. A blank
               (None) drops out with its weight.
    dimension  100 x M_p(shares; points), missing `zero`: a blank share counts 0.
    parent     M_p(children's scores; weights), to any depth.
    overall    M_p(top-level scores; weights), p from the settings.
    round      half away from zero, as ROUND, on the 0..100 scale.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

POWERS = {"": 1.0, "arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}


def power(word) -> float:
    """The power of an aggregation word (or a power given as a number)."""
    if not isinstance(word, str):
        return float(word)
    return float(word.split(":")[1]) if word.startswith("power:") else POWERS[word]


def mean(values: list, weights: list, p: float):
    """Weighted power mean of the values that are not None (None if none is left)."""
    pairs = [(x, w) for x, w in zip(values, weights) if x is not None and w > 0]
    if not pairs:
        return None
    total = sum(w for _, w in pairs)
    if p == 1:
        return sum(w * x for x, w in pairs) / total
    if p <= 0 and any(x == 0 for x, _ in pairs):
        return 0.0
    if p == 0:
        return math.exp(sum(w * math.log(x) for x, w in pairs) / total)
    return (sum(w * x ** p for x, w in pairs) / total) ** (1 / p)


def goalposts(x, low: float, high: float, higher: bool = True, log: bool = False):
    if x is None:
        return None
    if log:
        x, low, high = math.log(x), math.log(low), math.log(high)
    share = min(1.0, max(0.0, (x - low) / (high - low)))
    return share if higher else 1 - share


def target(x, goal: float, higher: bool = True):
    if x is None:
        return None
    if higher:
        return min(1.0, max(0.0, x / goal))
    return 1.0 if x <= goal else min(1.0, goal / x)


def minmax(column: list, higher: bool = True, log: bool = False) -> list:
    seen = [math.log(x) if log else x for x in column if x is not None]
    low, high = min(seen), max(seen)
    out = []
    for x in column:
        if x is None:
            out.append(None)
            continue
        v = math.log(x) if log else x
        share = 0.5 if high == low else (v - low) / (high - low)
        out.append(share if higher else 1 - share)
    return out


def zscore(column: list, higher: bool = True) -> list:
    seen = [x for x in column if x is not None]
    mu = sum(seen) / len(seen)
    sd = math.sqrt(sum((x - mu) ** 2 for x in seen) / len(seen))
    out = []
    for x in column:
        if x is None:
            out.append(None)
            continue
        share = 0.5 if sd == 0 else 0.5 + 0.1 * (x - mu) / sd
        out.append(share if higher else 1 - share)
    return out


def rank(column: list, higher: bool = True) -> list:
    seen = [x for x in column if x is not None]
    n = len(seen)
    out = []
    for x in column:
        if x is None:
            out.append(None)
            continue
        below = sum(1 for y in seen if y < x)
        tied = sum(1 for y in seen if y == x)
        share = 0.5 if n <= 1 or min(seen) == max(seen) else (below + (tied - 1) / 2) / (n - 1)
        out.append(share if higher else 1 - share)
    return out


def round_half_away(x, decimals: int):
    if x is None:
        return None
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(x))).quantize(step, rounding=ROUND_HALF_UP))


def tree_scores(dimensions: dict, indicators: dict, shares: dict, missing: str = "zero") -> dict:
    """Every dimension's score, to any depth.
    dimensions: id -> (weight, aggregation word, parent id or ""); indicators: id ->
    (dimension id, points); shares: indicator id -> share 0..1 or None."""
    out: dict = {}

    def score(d):
        if d in out:
            return out[d]
        p = power(dimensions[d][1])
        own = [(i, pts) for i, (dim, pts) in indicators.items() if dim == d]
        if own:
            values = [shares[i] if shares[i] is not None else (0.0 if missing == "zero" else None)
                      for i, _ in own]
            m = mean(values, [pts for _, pts in own], p)
            out[d] = None if m is None else 100 * m
        else:
            kids = [k for k, (_, _, parent) in dimensions.items() if parent == d]
            out[d] = mean([score(k) for k in kids], [dimensions[k][0] for k in kids], p)
        return out[d]

    for d in dimensions:
        score(d)
    return out


def overall(dimensions: dict, scores: dict, aggregation: str = ""):
    top = [d for d, (_, _, parent) in dimensions.items() if parent == ""]
    return mean([scores[d] for d in top], [dimensions[d][0] for d in top], power(aggregation))


def rank_eq(values: list) -> list:
    """Excel's RANK.EQ, highest first, ties sharing the best rank; None has no rank."""
    return [None if v is None else 1 + sum(1 for w in values if w is not None and w > v) for v in values]
