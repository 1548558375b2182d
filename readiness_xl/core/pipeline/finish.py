"""Steps 4 and 5: round the scores to the framework's `decimals` (the overall from the
unrounded dimension scores, as publishers do), then rank (Excel's RANK.EQ, highest first,
ties sharing the best rank) and band (the highest lower bound at or below the score).
Both compare scores without float noise (`benchmarks.NOISE_DECIMALS`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from readiness_xl.core.benchmarks import NOISE_DECIMALS, noise_free, round_scores
from readiness_xl.core.pipeline.base import LogEntry, NoFormula, State, Step
from readiness_xl.core.pipeline.method import Method


PACKED_LIMIT = 1e14   # |score| * 10**NOISE_DECIMALS below this: the compared integers are exact
                      # in a double and distinct after np.round's division (scores within 10**5)


def rank_rows(scores: np.ndarray) -> np.ndarray:
    """RANK.EQ along the last axis (highest first, ties share the best rank); NaN
    unranked. float32 (exact for ranks up to 16 million).

    Scores compare at NOISE_DECIMALS, that is as the integers rint(score * 10**9) (what
    np.round computes before it divides back). Each row is sorted once: a value's rank is
    1 + the position of the first of its ties. Where those integers, less the least of
    them, leave room for a unit's position in the low bits (every score within 10**5, as
    0..100 is), key and position are packed into one int64 and sorted as plain integers:
    a sort instead of an argsort, the positions come out of the low bits."""
    scores = np.asarray(scores, float)
    n = scores.shape[-1]
    if n < 2:
        return np.where(np.isnan(scores), np.float32(np.nan), np.float32(1.0)).astype(np.float32)
    key = np.multiply(scores, -(10.0 ** NOISE_DECIMALS))    # negated: highest first
    np.rint(key, out=key)
    missing = np.isnan(key)
    unranked = bool(missing.any())
    low, high = (float(np.fmin.reduce(key, axis=None)), float(np.fmax.reduce(key, axis=None))) \
        if key.size and not missing.all() else (0.0, 0.0)
    bits = max(int(n - 1).bit_length(), 1)
    if max(-low, high) < PACKED_LIMIT and (high - low + 2) * 2.0 ** bits < 2.0 ** 62:
        if unranked:
            key[missing] = high + 1                          # after every score
        packed = key.astype(np.int64)
        packed -= int(low)
        packed <<= bits
        packed += np.arange(n)
        packed.sort(axis=-1)
        order = packed & ((1 << bits) - 1)
        ordered = np.right_shift(packed, bits, out=packed)
        blank = int(high + 1 - low)
    else:
        if unranked:
            key[missing] = np.inf
        order = np.argsort(key, axis=-1)
        ordered = np.take_along_axis(key, order, axis=-1)
        blank = None
    tied = ordered[..., 1:] == ordered[..., :-1]
    if unranked and blank is not None:        # the blanks tie among themselves only: no run to carry
        tied &= ordered[..., 1:] != blank
    rows = tied.reshape(-1, n - 1).any(axis=-1)
    positions = np.arange(1, n + 1, dtype=np.float32)
    if rows.any():
        # in the rows with ties: the position of the first of each run, carried along it
        first = np.empty((int(rows.sum()), n), np.int64)
        first[:, :1] = 0
        np.multiply(~tied.reshape(-1, n - 1)[rows], np.arange(1, n), out=first[:, 1:])
        np.maximum.accumulate(first, axis=-1, out=first)
        first += 1
        values = np.empty((rows.size, n), np.float32)
        values[:] = positions
        values[rows] = first
        values = values.reshape(key.shape)
    else:
        values = np.broadcast_to(positions, key.shape)
    ranks = np.empty(key.shape, np.float32)
    np.put_along_axis(ranks, order, values, axis=-1)
    if unranked:
        ranks[missing] = np.nan
    return ranks


def band_index(scores: np.ndarray, lowers: np.ndarray) -> np.ndarray:
    """Index of the band of each score under sorted lower bounds (bands,), or per draw
    (draws x bands) for scores draws x units; -1 below every band or without a score."""
    lowers = np.asarray(lowers, float)
    values = noise_free(scores)
    # one comparison per band, counted in place: no scores x bands temporary
    out = np.full(np.broadcast_shapes(values.shape, lowers.shape[:-1] + (1,) * (values.ndim - 1))
                  if lowers.ndim > 1 else values.shape, -1, np.int8)
    for k in range(lowers.shape[-1]):
        bound = lowers[k] if lowers.ndim == 1 else lowers[:, k].reshape((-1,) + (1,) * (values.ndim - 1))
        out += values >= bound
    return out


@dataclass(frozen=True)
class Round(Step):
    method: Method
    name: str = "round"

    def apply(self, state: State, fitted) -> State:
        d = self.method.decimals
        if d is None:
            return state
        scores = None if state.scores is None else round_scores(state.scores, d)  # None: LinearDraws
        return state.but(scores=scores, overall=round_scores(state.overall, d))

    def formula(self, key, cells: str) -> str:
        """`cells` rounded; under `exclude` a blank score (nothing answered) stays blank."""
        d = self.method.decimals
        if d is None:
            return cells
        if self.method.missing == "exclude":
            return f'IF(ISNUMBER({cells}),ROUND({cells},{d}),"")'
        return f"ROUND({cells},{d})"

    def describe(self, state: State, fitted) -> LogEntry:
        d = self.method.decimals
        return LogEntry(self.name, "not rounded" if d is None else
                        f"rounded to {d} decimals, half away from zero", "scores, overall")


@dataclass(frozen=True)
class RankBand(Step):
    method: Method
    name: str = "rank and band"

    def apply(self, state: State, fitted) -> State:
        takes = state.ranked if state.active is None else \
            state.active if state.ranked is None else state.ranked & state.active
        among = state.overall if takes is None else np.where(takes, state.overall, np.nan)
        return state.but(rank=rank_rows(among), band=band_index(state.overall, self.method.lowers))

    def formula(self, key: str, cells: tuple[str, str, str]) -> str | NoFormula:
        """key "rank": (score cell, every unit's scores) -> RANK; key "band": (score
        cell, band lower bounds, band labels) -> INDEX/MATCH."""
        if key == "rank":
            score, population = cells[:2]
            return f"RANK({score},{population},0)"
        score, lowers, labels = cells
        return f"INDEX({labels},MATCH({score},{lowers},1))"

    def describe(self, state: State, fitted) -> LogEntry:
        return LogEntry(self.name, "RANK.EQ of the overall, band by lower bounds", "rank, band")
