"""The one description of the method: an ordered list of named steps over one dataset of
units x indicators, read by every consumer (`scoring.score`, robustness draws, the
agency-sheet formulas).

    parse -> [prepare: denominate, impute, screen, treat] -> normalise
          -> aggregate:indicators -> aggregate:level k ... level 1 -> aggregate:overall
          -> round -> rank and band

Each step (see `base.py`) fits over all units where it learns something, applies
vectorised, renders the spreadsheet formula of what it computes (or says why it cannot),
and logs what it did. `steps(method, framework)` builds the list; `PREPARE` is where the
data-preparation steps slot in, between parse and normalise (docs/pipeline.md)."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from readiness_xl.core.pipeline.aggregate import GroupCells, Leaves, Overall, Parents, means_as_formulas, tree_steps
from readiness_xl.core.pipeline.base import LogEntry, NoFormula, State, Step, is_formula, named, run
from readiness_xl.core.pipeline.finish import RankBand, Round, band_index, rank_rows
from readiness_xl.core.pipeline.method import NOMINAL, Method
from readiness_xl.core.pipeline.normalise import CROSS_UNIT, IndicatorCells, Normalise
from readiness_xl.core.pipeline.parse import Parse
from readiness_xl.core.pipeline.prepare import MAKERS as _PREPARATION

__all__ = ["CROSS_UNIT", "NOMINAL", "PREPARE", "GroupCells", "IndicatorCells", "Leaves", "LogEntry",
           "means_as_formulas", "Method", "NoFormula", "Normalise", "Overall", "Parents", "Parse", "RankBand", "Round",
           "State", "Step", "band_index", "is_formula", "named", "rank_rows", "run", "start", "steps"]

# Data-preparation step makers, in order (issue 24: denominate, impute, screen, treat):
# each takes (framework, method) and returns a Step, or None when the framework asks
# for none of it. They run after parse and before normalise, over `state.values`.
PREPARE: list[Callable[[object, Method], Step | None]] = list(_PREPARATION)


def steps(method: Method, framework=None, prepare: Sequence[Step] | None = None) -> list[Step]:
    """The method's steps, in order. `prepare` overrides the steps made by PREPARE."""
    if prepare is None:
        made = (make(framework, method) for make in PREPARE) if framework is not None else ()
        prepare = [s for s in made if s is not None]
    return [Parse(framework), *prepare, Normalise(method), *tree_steps(method),
            Round(method), RankBand(method)]


def start(method: Method, values: np.ndarray | None = None, raw=None, units=None,
          ranked: np.ndarray | None = None) -> State:
    """The state the first step reads: parsed values (units x indicators) or raw cells,
    the unit table data preparation reads (`prepare.Units`) and which units take a rank."""
    return State(tuple(method.indicator_ids), tuple(method.dimension_ids), raw=raw,
                 values=None if values is None else np.asarray(values, float), units=units,
                 ranked=None if ranked is None else np.asarray(ranked, bool))
