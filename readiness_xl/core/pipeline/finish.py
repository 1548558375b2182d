"""Steps 4 and 5: round the scores to the framework's `decimals` (the overall from the
unrounded dimension scores, as publishers do), then rank (Excel's RANK.EQ, highest first,
ties sharing the best rank) and band (the highest lower bound at or below the score).
Both compare scores without float noise (`benchmarks.NOISE_DECIMALS`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from readiness_xl.core.benchmarks import NOISE_DECIMALS, noise_free, round_scores
from readiness_xl.core.pipeline.base import LogEntry, NoFormula, State
from readiness_xl.core.pipeline.method import Method


def rank_rows(scores: np.ndarray) -> np.ndarray:
    """RANK.EQ along the last axis (highest first, ties share the best rank); NaN
    unranked. One sort per row: a value's rank is 1 + the position of the first of its
    ties. float32 (exact for ranks up to 16 million)."""
    key = np.round(scores, NOISE_DECIMALS)
    np.negative(key, out=key)
    missing = np.isnan(key)
    unranked = missing.any()
    if unranked:
        key[missing] = np.inf
    order = np.argsort(key, axis=-1)
    ordered = np.take_along_axis(key, order, axis=-1)
    # the position of the first of each run of ties, carried along the run (in place:
    # the robustness draws rank thousands of rows of 10,000 units)
    n = key.shape[-1]
    first = np.empty(key.shape, np.int64)
    first[..., :1] = 0
    np.multiply(ordered[..., 1:] != ordered[..., :-1], np.arange(1, n), out=first[..., 1:])
    np.maximum.accumulate(first, axis=-1, out=first)
    first += 1
    ranks = np.empty(key.shape, np.float32)
    np.put_along_axis(ranks, order, first, axis=-1)
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
class Round:
    method: Method
    name: str = "round"

    def fit(self, state: State) -> None:
        return None

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
class RankBand:
    method: Method
    name: str = "rank and band"

    def fit(self, state: State) -> None:
        return None

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
