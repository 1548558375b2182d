"""The scoring core seen one unit at a time, as worksheet functions see it: plain
sequences of cell values in, plain values out. No Excel here: the xlwings UDFs in
`udfs/` and the `formulas`-engine bridge are adapters over these functions, which in
turn call the same array functions as `readiness-xl recalc`.

Conventions shared by every function (they are what a worksheet range gives):
blank cells (None, "", NaN) are missing, numbers may be text with Thai digits, and a
bad value raises `CellValueError` naming its position so the adapter can show an
Excel-style error with a reason."""

from __future__ import annotations

import functools
import math
from typing import Sequence

import numpy as np
import pandas as pd

from readiness_xl.core import benchmarks
from readiness_xl.core.answers import NO_WORDS, YES_WORDS, is_blank, parse_answer
from readiness_xl.core.narrative import describe
from readiness_xl.core.scoring import dimension_scores, overall_scores
from readiness_xl.core.words import canonical, refusal
from readiness_xl.thai import parse_number

MISSING_BY_DEFAULT = "zero"
# The drop-down's words as typed: answered without the general parser.
_PLAIN_YES_NO = {**{w: 1.0 for w in YES_WORDS}, **{w: 0.0 for w in NO_WORDS}}
# Cell values taken as they are (bool is a type of its own, so TRUE is never a number here).
_NUMBERS = frozenset({float, int})
_NUMBERS_OR_BLANK = _NUMBERS | {type(None)}


class CellValueError(ValueError):
    """A value a worksheet function cannot use; `excel_error` is the error it shows."""

    def __init__(self, message: str, excel_error: str = "#VALUE!"):
        super().__init__(message)
        self.excel_error = excel_error


def _numbers(values: Sequence[object], what: str, allow_blank: bool = True) -> np.ndarray:
    """Floats of a range's values (NaN for blanks); position is 1-based in messages."""
    if set(map(type, values)) <= _NUMBERS:  # the usual range of numbers
        out = np.array(values, dtype=float)
        if np.isfinite(out).all():
            return out
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        if is_blank(value):
            if not allow_blank:
                raise CellValueError(f"{what} {i + 1} is blank", "#N/A")
            continue
        try:
            out[i] = parse_number(value)
        except ValueError as err:
            raise CellValueError(f"{what} {i + 1}: {err}") from None
    return out


def _same_length(a: Sequence, b: Sequence, what_a: str, what_b: str) -> None:
    if len(a) != len(b):
        raise CellValueError(f"{what_a} has {len(a)} cells but {what_b} has {len(b)}")


def answer_shares(answers: Sequence[object], maxima: Sequence[object]) -> np.ndarray:
    """Share of each indicator achieved (0..1, NaN when unanswered). An indicator whose
    maximum is 1 takes yes/no words (ใช่/ไม่ใช่, Y/N, TRUE/FALSE, 1/0); others take a
    number from 0 to their maximum (100 for a percentage)."""
    _same_length(answers, maxima, "answers", "maxima")
    tops = _numbers(maxima, "maximum", allow_blank=False)
    if np.count_nonzero(tops <= 0):
        raise CellValueError(f"maximum {int(np.argmax(tops <= 0)) + 1} must be above 0")
    if set(map(type, answers)) <= _NUMBERS_OR_BLANK:   # the usual range, in whole-array steps
        values = np.array(answers, dtype=float)          # blanks -> NaN (unanswered), kept
        if not np.count_nonzero((values < 0) | (values > tops)):
            return values / tops
    shares = []
    for i, (value, top) in enumerate(zip(answers, tops)):
        if (type(value) is float or type(value) is int) and 0 <= value <= top:
            shares.append(value / top)  # a number in range: nothing to parse
            continue
        if top == 1 and value in _PLAIN_YES_NO:
            shares.append(_PLAIN_YES_NO[value])
            continue
        typed_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        kind = "yesno" if top == 1 and not typed_number else "scale"
        try:
            shares.append(parse_answer(value, kind, top) / top)
        except ValueError as err:
            raise CellValueError(f"answer {i + 1}: {err}") from None
    return np.array(shares, dtype=float)


def dimension_score(answers: Sequence[object], maxima: Sequence[object],
                    points: Sequence[object] | None = None,
                    missing: str = MISSING_BY_DEFAULT) -> float:
    """One dimension's score in % from its indicators' answers, maxima and points."""
    shares = answer_shares(answers, maxima)
    if points is None:
        weights = np.ones(len(shares))
    else:
        _same_length(answers, points, "answers", "points")
        weights = _numbers(points, "points", allow_blank=False)
    try:
        value = dimension_scores(shares[None, :], weights[:, None], missing)[0, 0]
    except ValueError as err:
        raise CellValueError(str(err)) from None
    if math.isnan(value):
        raise CellValueError("no indicator answered", "#N/A")
    return float(value)


def _weights(weights: Sequence[object]) -> np.ndarray:
    """Weights as numbers: none blank, none negative."""
    w = _numbers(weights, "weight", allow_blank=False)
    if (w < 0).any():
        raise CellValueError("weights must not be negative")
    return w


def readiness_score(dimension_values: Sequence[object], weights: Sequence[object]) -> float:
    """Overall score: weighted mean of the dimension scores (blank dimensions drop out)."""
    _same_length(dimension_values, weights, "dimension scores", "weights")
    scores = _numbers(dimension_values, "dimension score")
    w = _weights(weights)
    value = overall_scores(scores, w)[0]
    if math.isnan(value):
        raise CellValueError("no dimension score to combine", "#N/A")
    return float(value)


def _bands(rows: Sequence[Sequence[object]]) -> tuple[np.ndarray, list[str], list[str]]:
    """Level bands from rows of (lower bound, Thai label, English label): the lower bounds
    in order, and the labels in the same order (plain arrays: a table costs a UDF call
    half a millisecond)."""
    kept = [r for r in rows if r and not is_blank(r[0])]
    if not kept:
        raise CellValueError("level bands are empty", "#N/A")
    lower = _numbers([r[0] for r in kept], "band")
    order = np.argsort(lower, kind="stable").tolist()
    return (lower[order], [str(kept[i][1]) if len(kept[i]) > 1 else "" for i in order],
            [str(kept[i][2]) if len(kept[i]) > 2 else "" for i in order])


def readiness_level(value: object, bands: Sequence[Sequence[object]], lang: str = "th") -> str:
    """The level word of a score from the band table."""
    number = _numbers([value], "score", allow_blank=False)
    lower, label_th, label_en = _bands(bands)
    position = int(benchmarks.band_positions(number, lower)[0])
    label = "" if position < 0 else (label_en if lang == "en" else label_th)[position]
    if not label:
        raise CellValueError("score is below the lowest band", "#N/A")
    return label


def dimension_gaps(dimension_values: Sequence[object], benchmark: Sequence[object]) -> list[float | None]:
    """Each dimension minus the benchmark's (negative = behind); blank where either is."""
    _same_length(dimension_values, benchmark, "dimension scores", "benchmark")
    gap = benchmarks.gaps(_numbers(dimension_values, "dimension score"), _numbers(benchmark, "benchmark"))
    return [None if v != v else v for v in gap.tolist()]


def _labels(count: int, ids: Sequence[object] | None) -> list[str]:
    """Dimension ids as given, or 1, 2, 3, ... when left out."""
    return [str(i + 1) for i in range(count)] if ids is None else [str(v).strip() for v in ids]


def _dimension_row(dimension_values: Sequence[object], ids: Sequence[object] | None) -> tuple[np.ndarray, list[str]]:
    """One unit's dimension scores (NaN for blanks) and their ids."""
    if ids is not None:
        _same_length(dimension_values, ids, "dimension scores", "dimension ids")
    return _numbers(dimension_values, "dimension score"), _labels(len(dimension_values), ids)


def weak_dimensions(dimension_values: Sequence[object], ids: Sequence[object] | None = None,
                    threshold: float = benchmarks.WEAK_THRESHOLD) -> list[str]:
    """Ids of the dimensions below the threshold, weakest first (empty when none)."""
    values, labels = _dimension_row(dimension_values, ids)
    return [labels[i] for i in benchmarks.weak_order(values, float(threshold)).tolist()]


def improvement_priority(dimension_values: Sequence[object], weights: Sequence[object],
                         ids: Sequence[object] | None = None, sheet: str | None = None,
                         cells: list[str] | None = None) -> list[tuple[str, float]]:
    """(dimension id, overall points gained if it reached 100), largest gain first;
    `sheet` and `cells` say where the weights were read, for the refusal of a negative one."""
    _same_length(dimension_values, weights, "dimension scores", "weights")
    values, labels = _dimension_row(dimension_values, ids)
    w = _numbers(weights, "weight", allow_blank=False)
    benchmarks.refuse_negative_weights(w, labels, sheet, cells)
    if len(set(labels)) < len(labels):
        raise CellValueError("dimension ids repeat: each dimension needs its own id")
    order, gains = benchmarks.priority_positions(values, w)
    gain = gains.tolist()
    return [(labels[i], gain[i]) for i in order.tolist()]


def readiness_rank(value: object, population: Sequence[object]) -> int:
    """Rank of a score among scores, highest first, ties sharing (Excel's RANK.EQ)."""
    number = _numbers([value], "score", allow_blank=False)
    scores = _numbers(population, "score")
    if not np.count_nonzero(np.abs(scores - number) <= 1e-12):  # NaN (blank) is never close
        raise CellValueError("the score is not among the scores ranked", "#N/A")
    return int(benchmarks.ranks_among(number, scores)[0])


def narrative(framework, name: str, dimension_values: Sequence[object],
              national_values: Sequence[object], lang: str = "th") -> str:
    """The narrative paragraph of one unit, from its dimension scores and the nation's."""
    ids = framework.dimension_ids
    _same_length(dimension_values, ids, "dimension scores", "the framework's dimensions")
    dims = pd.Series(_numbers(dimension_values, "dimension score"), index=ids)
    national = _numbers(national_values, "national score")
    overall = readiness_score(list(dims), list(framework.weights))
    national_overall = readiness_score(list(national), list(framework.weights))
    return describe(framework, name, name, dims, overall, national_overall, lang)


def normalised_value(value: object, low: object, high: object, log: object = None,
                     direction: object = None) -> float:
    """Share (0..1) of a raw value between goalposts, capped beyond them; `log` TRUE takes
    the natural log of the value and both goalposts first; `direction` "lower" when lower
    is better. The scoring core's `goalposts` normaliser on one value (fitted, then applied)."""
    from readiness_xl.core.normalisation import NormalisationError, apply_goalposts

    number, lo, hi = _numbers([value, low, high], "argument", allow_blank=False)
    way = canonical("direction", "" if is_blank(direction) else direction)
    if way is None:
        raise CellValueError(refusal("direction", direction))
    transform = None if is_blank(log) else canonical("transform", log)
    take_log = transform == "log" if transform is not None else (
        not is_blank(log) and str(log).strip().lower() not in ("0", "false", "no"))
    if not hi > lo:
        raise CellValueError(f"max {hi:g} must be above min {lo:g}")
    if take_log and lo <= 0:
        raise CellValueError("a log needs goalposts above 0", "#NUM!")
    try:
        return float(apply_goalposts(np.array([[number]]), *_goalposts(lo, hi, way == "higher", take_log))[0, 0])
    except NormalisationError:
        raise CellValueError(f"{number:g} has no logarithm", "#NUM!") from None


@functools.lru_cache(maxsize=256)
def _goalposts(low: float, high: float, higher: bool, log: bool):
    """One column's goalpost parameters and their fitted bounds, kept for the next call:
    a column of NORMALISED_VALUE cells shares its goalposts, and fitting them (the log
    taken) is a quarter of a call. Goalposts are fitted from the parameters alone (no
    values); the arrays are only read."""
    from readiness_xl.core.normalisation import NormalParams, fit_goalposts

    params = NormalParams(np.array([low]), np.array([high]), np.array([higher]), np.array([log]))
    return params, fit_goalposts(None, params)


def weighted_mean(values: Sequence[object], weights: Sequence[object],
                  aggregation: object = None) -> float:
    """Weighted mean by name (arithmetic, geometric, harmonic, power:P) with blanks left
    out and the other weights re-weighted: the aggregation of every framework level."""
    from readiness_xl.core.aggregation import AggregationError, parse_aggregation, power_mean

    _same_length(values, weights, "values", "weights")
    x = _numbers(values, "value")
    w = _weights(weights)
    try:
        value = power_mean(x[None, :], w, parse_aggregation(aggregation))[0]
    except AggregationError as err:
        raise CellValueError(err.one_line(), "#NUM!") from None
    if math.isnan(value):
        raise CellValueError("no value to combine", "#N/A")
    return float(value)
