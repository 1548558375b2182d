"""Step 3, aggregate level by level over the dimension tree, to any depth: indicators
into their dimensions (`Leaves`), then each level of parents from their children, deepest
first (`Parents`), then the top-level dimensions into the overall score (`Overall`).
Every level is a weighted power mean (`core/aggregation.py`), NaN dropping out:

    dimension_d = 100 * M_p(shares of d; points)      (missing `zero`: NaN counts 0)
    parent_g    = M_p(children's scores; weights)     p = the parent's aggregation
    overall     = M_p(top-level scores; weights)      p = the settings' aggregation

Weights and points may carry a draws axis: the leaves of many points sets are one matrix
product (the distinct sets side by side), parents and overall batched power means."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from readiness_xl.core.aggregation import (aggregation_name, grouped_power_means, is_arithmetic, power_mean,
                                           refuse_fitted_zeros)
from readiness_xl.core.pipeline.base import LogEntry, NoFormula, State, Step, columns_text
from readiness_xl.core.pipeline.method import Method
from readiness_xl.core.pipeline.normalise import Normalise, number
from readiness_xl.core.policies import checked_missing


def member_powers(weights: np.ndarray, powers: np.ndarray) -> np.ndarray:
    """The power of the group each row of a k x m weight matrix belongs to (1 if none)."""
    belongs = weights > 0
    return np.where(belongs.any(axis=1), powers[np.argmax(belongs, axis=1)], 1.0)


def dimension_scores(shares: np.ndarray, points: np.ndarray, missing: str = "zero",
                     powers: np.ndarray | float = 1.0, names: list[str] | None = None) -> np.ndarray:
    """agencies x indicators shares (NaN = unanswered) and indicators x dimensions points
    -> agencies x dimensions scores in percent, each dimension by its power mean."""
    zero = checked_missing(missing) == "zero"
    if is_arithmetic(powers):   # every member's power is 1 too (a worksheet call: no lookup)
        return grouped_power_means(shares, points, 1.0, 1.0, names, scale=100.0, nan_as_zero=zero)
    powers = np.broadcast_to(np.asarray(powers, float), points.shape[1:])
    return grouped_power_means(shares, points, member_powers(points, powers), powers,
                               names, scale=100.0, nan_as_zero=zero)


def mean_formula(values: str, weights: str, p: float, missing: str = "zero",
                 scale: str = "") -> str | NoFormula:
    """Weighted power mean of a range (no leading '='), times `scale` (e.g. "100*");
    p = 1 is the B.E. 2560 formula.
    SUMPRODUCT evaluates arrays in every Excel version without Ctrl+Shift+Enter; the
    geometric mean is EXP(SUMPRODUCT(w,LN(x))/SUM(w)). A zero value gives 0 for p <= 0,
    as the core does; `(x=0)` keeps LN and 1/x off zeros. Under `exclude` a blank ("")
    drops out with its weight: only the arithmetic mean can say so without array IFs;
    with no number left (nothing answered) the mean is blank, as the core's NaN."""
    w, x = weights, values
    if missing == "exclude":
        if p != 1:
            return NoFormula("a non-arithmetic mean that skips blanks needs an array IF, "
                             "which SUMPRODUCT does not evaluate in every program",
                             "ค่าเฉลี่ยที่ไม่ใช่เลขคณิตซึ่งข้ามช่องว่างต้องใช้ IF แบบอาร์เรย์ "
                             "ซึ่ง SUMPRODUCT ไม่คำนวณให้ในทุกโปรแกรม")
        counted = f"SUMPRODUCT({w}*ISNUMBER({x}))"
        return f'IF({counted}>0,{scale}SUMPRODUCT({w},{x})/{counted},"")'
    if p == 1:
        return f"{scale}SUMPRODUCT({w},{x})/SUM({w})"
    has_zero = f"SUMPRODUCT(({x}=0)*({w}>0))>0"
    q = number(p)
    if p == 0:
        return f"{scale}IF({has_zero},0,EXP(SUMPRODUCT({w},LN({x}+({x}=0)))/SUM({w})))"
    if p < 0:
        return f"{scale}IF({has_zero},0,(SUMPRODUCT({w},({x}+({x}=0))^({q}))/SUM({w}))^(1/({q})))"
    return f"{scale}(SUMPRODUCT({w},{x}^{q})/SUM({w}))^(1/{q})"


def means_as_formulas(method: Method) -> bool:
    """Whether every mean of the tree (dimensions, parents, overall) has a spreadsheet
    formula under the method's missing-answer rule (under `exclude` only arithmetic ones)."""
    return not any(isinstance(mean_formula("x", "w", float(p), method.missing), NoFormula)
                   for p in [*np.atleast_1d(method.powers), method.aggregation])


@dataclass(frozen=True)
class GroupCells:
    """A group's members in a workbook: their values' range and their weights' range."""

    values: str
    weights: str


@dataclass(frozen=True)
class Leaves(Step):
    """Indicators' shares -> the scores of the dimensions that hold indicators."""

    method: Method
    name: str = "aggregate:indicators"

    def apply(self, state: State, fitted) -> State:
        m = self.method
        member, names = m.membership, [f"indicator {i}" for i in state.indicators]
        points = np.asarray(m.points, float)
        if points.ndim == 1:
            if not is_arithmetic(m.powers) and m.normalise is not None:
                fitted = np.isin(Normalise(m).methods(), ("minmax", "rank"))
                if m.ranges is not None:   # minmax:1:100 and the like put the lowest above 0
                    fitted &= m.ranges[0] <= 0
                refuse_fitted_zeros(state.shares, fitted, m.powers[m.member],
                                    state.units.ids if state.units is not None else (), state.indicators)
            scores = dimension_scores(state.shares, points[:, None] * member, m.missing, m.powers, names)
            return state.but(scores=scores)
        units, dims = state.shares.shape[0], member.shape[1]
        sets, again = np.unique(points, axis=0, return_inverse=True)
        wide = (sets[:, :, None] * member[None]).transpose(1, 0, 2).reshape(len(member), len(sets) * dims)
        scores = dimension_scores(state.shares, wide, m.missing, np.tile(m.powers, len(sets)), names)
        return state.but(scores=scores.reshape(units, len(sets), dims).transpose(1, 0, 2)[again.ravel()])

    def formula(self, key: str, cells: GroupCells) -> str | NoFormula:
        """A dimension's score (key: its id) from its indicators' shares and points."""
        p = float(self.method.powers[list(self.method.dimension_ids).index(key)])
        return mean_formula(cells.values, cells.weights, p, self.method.missing, scale="100*")

    def describe(self, state: State, fitted) -> LogEntry:
        m = self.method
        leaves = np.unique(m.member)
        words = sorted({aggregation_name(p) for p in m.powers[leaves]})
        return LogEntry(self.name, f"indicators into their dimensions ({', '.join(words)} mean, "
                        f"missing answers {m.missing})",
                        f"scores[:, {columns_text(state.dimensions, leaves)}]")


@dataclass(frozen=True)
class Parents(Step):
    """The parents at one depth of the tree from their children's scores."""

    method: Method
    depth: int
    name: str = "aggregate:level"

    def _groups(self) -> np.ndarray:
        m = self.method
        at = m.depths() == self.depth
        return m.children() & at[None, :]

    def apply(self, state: State, fitted) -> State:
        m = self.method
        groups = self._groups()
        weights = np.asarray(m.weights, float)
        matrix = groups * (weights[:, None] if weights.ndim == 1 else weights[:, :, None])
        powers = m.powers
        filled = grouped_power_means(state.scores, matrix, member_powers(groups, powers), powers,
                                     [f"dimension {d}" for d in state.dimensions])
        return state.but(scores=np.where(groups.any(axis=0), filled, state.scores))

    def formula(self, key: str, cells: GroupCells) -> str | NoFormula:
        """A parent's score (key: its id) from its children's scores and weights."""
        p = float(self.method.powers[list(self.method.dimension_ids).index(key)])
        return mean_formula(cells.values, cells.weights, p, self.method.missing)

    def describe(self, state: State, fitted) -> LogEntry:
        parents = np.flatnonzero(self._groups().any(axis=0))
        return LogEntry(self.name, f"level {self.depth}: parents from their sub-dimensions",
                        f"scores[:, {columns_text(state.dimensions, parents)}]")


@dataclass(frozen=True)
class Overall(Step):
    """The top-level dimensions' scores -> the overall score."""

    method: Method
    name: str = "aggregate:overall"

    def apply(self, state: State, fitted) -> State:
        m = self.method
        top = np.asarray(m.weights, float) * (m.parent_of == "")
        overall = power_mean(state.scores, top, m.aggregation, [f"dimension {d}" for d in state.dimensions])
        return state.but(overall=overall)

    def formula(self, key, cells: GroupCells) -> str | NoFormula:
        return mean_formula(cells.values, cells.weights, float(self.method.aggregation), self.method.missing)

    def describe(self, state: State, fitted) -> LogEntry:
        top = np.flatnonzero(self.method.parent_of == "")
        return LogEntry(self.name, f"top-level dimensions "
                        f"({columns_text(state.dimensions, top)}) into the overall "
                        f"({aggregation_name(float(self.method.aggregation))} mean)", "overall")


@dataclass(frozen=True)
class LinearDraws(Step):
    """Leaves and Overall as one product, for many draws of weights and points at once,
    where the tree is linear: every mean arithmetic, missing answers counting 0, one level
    of dimensions. Then a draw's overall score is linear in the shares,

        overall = sum_d W_d * 100 * (sum_i s_i P_i [i in d]) / A_d / sum_d W_d
                = sum_i s_i * C_i,   C_i = 100 * P_i * W_d(i) / (A_d(i) * sum_d W_d)

    (A_d the points of dimension d), so every draw's overall is one product C @ shares.T
    with C draws x indicators (out come draws x units): a sixth of the memory the two steps move (no dimension
    scores per draw, which no draw keeps). The sums run in another order than Leaves and
    Overall (scores agree to ~1e-13, as between any two chunkings of the draws; ranks and
    bands compare scores at 9 decimals). Only for draws: a nominal score keeps its steps
    and every dimension score (`scores` is left None here)."""

    method: Method
    name: str = "aggregate:linear"

    @staticmethod
    def applies(method: Method) -> bool:
        points, weights = np.asarray(method.points, float), np.asarray(method.weights, float)
        if max(points.ndim, weights.ndim) < 2 or method.missing != "zero":
            return False
        if float(method.aggregation) != 1.0 or not is_arithmetic(method.powers):
            return False
        if method.children().any() or (method.parent_of != "").any():
            return False
        achievable = np.atleast_2d(points) @ method.membership
        top = np.atleast_2d(weights)
        # a dimension without points, or draws without weight, take the steps' own NaN rules
        return bool((achievable > 0).all() and (top.sum(axis=1) > 0).all() and (top >= 0).all())

    def apply(self, state: State, fitted) -> State:
        m = self.method
        member = m.membership
        points = np.atleast_2d(np.asarray(m.points, float))        # draws (or 1) x indicators
        weights = np.atleast_2d(np.asarray(m.weights, float))      # draws (or 1) x dimensions
        # elementwise, no matrix product: a draw's effective weights are the same bits
        # whichever row it takes (a product's rows may round differently by position)
        achievable = (points[:, None, :] * member.T[None]).sum(axis=2)          # draws x dimensions
        per_dimension = weights / (achievable * weights.sum(axis=1, keepdims=True))
        effective = 100.0 * points * per_dimension[:, np.asarray(m.member)]     # draws x indicators
        shares = state.shares
        values = np.where(np.isnan(shares), 0.0, shares) if np.isnan(shares).any() else shares
        draws = max(len(points), len(weights))
        effective = np.broadcast_to(effective, (draws, effective.shape[1]))
        # draws x units, the shape the draws are kept and ranked in; a draw that repeats an
        # earlier one takes that one's row (the same bits wherever a row sits in the product).
        # Mostly distinct (noisy weights): every row multiplied, the few repeats copied over;
        # mostly repeats (e.g. only the cut-offs vary): each distinct row multiplied once
        _, first, again = np.unique(effective, axis=0, return_index=True, return_inverse=True)
        again = first[again.ravel()]                                # each draw's first twin
        if 2 * len(first) > draws:
            overall = np.ascontiguousarray(effective) @ values.T
            repeats = np.flatnonzero(again != np.arange(draws))
            overall[repeats] = overall[again[repeats]]
        else:
            distinct = np.unique(again)                             # first appearances, in order
            where = np.empty(draws, int)
            where[distinct] = np.arange(len(distinct))
            overall = (effective[distinct] @ values.T)[where[again]]
        return state.but(scores=None, overall=overall)

    def formula(self, key, cells) -> NoFormula:
        return NoFormula("the draws of a robustness analysis only: a sheet scores by Leaves and Overall",
                         "ใช้เฉพาะการสุ่มของการวิเคราะห์ความทนทาน ชีตคำนวณคะแนนด้วย Leaves และ Overall")

    def describe(self, state: State, fitted) -> LogEntry:
        return LogEntry(self.name, "indicators into the overall, every draw at once (linear tree)",
                        "overall")


def tree_steps(method: Method) -> list:
    """Leaves, each level of parents deepest first, then the overall (for draws of a linear
    tree, LinearDraws: the same scores in one product)."""
    if LinearDraws.applies(method):
        return [LinearDraws(method)]
    depths = method.depths()
    has_children = method.children().any(axis=0)
    levels = sorted(set(depths[has_children].tolist()), reverse=True)
    return [Leaves(method), *(Parents(method, d, f"aggregate:level {d + 1}") for d in levels),
            Overall(method)]
