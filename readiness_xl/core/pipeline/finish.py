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
    key = -np.round(scores, NOISE_DECIMALS)
    missing = np.isnan(key)
    key[missing] = np.inf
    order = np.argsort(key, axis=-1)
    ordered = np.take_along_axis(key, order, axis=-1)
    position = np.broadcast_to(np.arange(key.shape[-1]), key.shape)
    starts = np.ones(key.shape, bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    first = np.maximum.accumulate(np.where(starts, position, 0), axis=-1)
    ranks = np.empty(key.shape, np.float32)
    np.put_along_axis(ranks, order, first + 1, axis=-1)
    ranks[missing] = np.nan
    return ranks


def band_index(scores: np.ndarray, lowers: np.ndarray) -> np.ndarray:
    """Index of the band of each score under sorted lower bounds (bands,), or per draw
    (draws x bands) for scores draws x units; -1 below every band or without a score."""
    lowers = np.asarray(lowers, float)
    bounds = lowers if lowers.ndim == 1 else lowers[:, None, :]
    return ((noise_free(scores)[..., None] >= bounds).sum(axis=-1) - 1).astype(np.int8)


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
        return state.but(scores=round_scores(state.scores, d), overall=round_scores(state.overall, d))

    def formula(self, key, cells: str) -> str:
        d = self.method.decimals
        return cells if d is None else f"ROUND({cells},{d})"

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
        return state.but(rank=rank_rows(state.overall), band=band_index(state.overall, self.method.lowers))

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
