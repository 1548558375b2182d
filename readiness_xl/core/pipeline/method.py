"""The method as data: every choice the steps read, kept apart from the steps (SALib's
problem as data; robustness draws replace fields of it and run the same steps).

Array fields may carry a leading draws axis (`weights` draws x dimensions, `points`
draws x indicators, `lowers` draws x bands): the steps then score every draw at once."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from readiness_xl.core.normalisation import NormalParams
from readiness_xl.core.policies import checked_missing

NOMINAL = "framework"        # the framework's own normalisation per indicator


@dataclass(frozen=True)
class Method:
    """Weights per dimension (shares of their level's sum), points per indicator, the
    missing-answer policy, the band lower bounds (sorted), the power of the overall mean,
    the normalisation (NOMINAL: each indicator's own; or one name for all), each
    dimension's power and parent ("" = top level), and `decimals` to round to.
    The rest names the columns and holds each indicator's normalisation."""

    weights: np.ndarray
    points: np.ndarray
    missing: str
    lowers: np.ndarray
    aggregation: float = 1.0
    normalisation: str = NOMINAL
    dimension_powers: np.ndarray | None = None
    parents: np.ndarray | None = None
    decimals: int | None = None
    dimension_ids: tuple[str, ...] = ()
    indicator_ids: tuple[str, ...] = ()
    member: np.ndarray | None = None     # per indicator, the position of its dimension
    normalise: np.ndarray | None = None  # per indicator, its normalisation's name
    params: NormalParams | None = None
    types: tuple[str, ...] = ()
    prep: object = None                  # preparation.PrepSpec: the data-preparation steps' choices
    ranges: tuple | None = None          # per indicator (low, high) in points: minmax:L:U (None: 0..100)

    @classmethod
    def of(cls, framework, missing: str = "zero") -> "Method":
        """The framework's own method."""
        checked_missing(missing)
        dims, inds = framework.dimensions, framework.indicators
        position = {d: k for k, d in enumerate(dims.index)}
        return cls(framework.weights.astype(float), inds["points"].to_numpy(float), missing,
                   framework.bands["lower"].to_numpy(float), float(framework.settings.aggregation),
                   NOMINAL, dims["aggregation"].to_numpy(float), dims["parent"].to_numpy(object),
                   framework.settings.decimals, tuple(dims.index), tuple(inds.index),
                   np.array([position[d] for d in inds["dimension"]], int),
                   inds["normalise"].to_numpy(object), framework.normal_params,
                   tuple(inds["type"]), framework.prep_spec, _ranges(framework))

    def but(self, **changes) -> "Method":
        return replace(self, **changes)

    # ------------------------------------------------------------------ the tree
    @property
    def parent_of(self) -> np.ndarray:
        count = len(self.weights if np.ndim(self.weights) == 1 else self.weights[0])
        return np.full(count, "", object) if self.parents is None else np.asarray(self.parents, object)

    @property
    def powers(self) -> np.ndarray:
        count = len(self.parent_of)
        return np.ones(count) if self.dimension_powers is None else np.asarray(self.dimension_powers, float)

    @property
    def membership(self) -> np.ndarray:
        """indicators x dimensions, 1 where the indicator belongs to the dimension."""
        count = len(self.parent_of)
        out = np.zeros((len(self.member), count))
        out[np.arange(len(self.member)), self.member] = 1.0
        return out

    def depths(self) -> np.ndarray:
        """Each dimension's depth in the tree (0 = top level), to any depth."""
        parents = self.parent_of
        ids = list(self.dimension_ids) or [str(k) for k in range(len(parents))]
        where = {d: k for k, d in enumerate(ids)}
        depth = np.zeros(len(parents), int)
        for k in range(len(parents)):
            j, steps = k, 0
            while parents[j] != "" and steps <= len(parents):
                j, steps = where[parents[j]], steps + 1
            depth[k] = steps
        return depth

    def children(self) -> np.ndarray:
        """dimensions x dimensions, True where row is a child of column."""
        ids = np.asarray(self.dimension_ids, object)
        return self.parent_of[:, None] == ids[None, :]


def _ranges(framework) -> tuple | None:
    """The indicators' (low, high) ranges of `minmax:L:U`, None when every one is 0..100."""
    low, high = framework.output_range
    if not ((low != 0).any() or (high != 100).any()):
        return None
    return np.asarray(low, float), np.asarray(high, float)
