"""The shape every step of the method shares (COINr's verbs over one object with a log;
scikit-learn's fit/apply with learned state apart from parameters).

A step is a named object with four methods:

    fit(state)              -> learned state (None when the step learns nothing): what it
                               needs from all units (min and max, mean and sd, ranks)
    apply(state, fitted)    -> the next State, vectorised over units (and over draws)
    formula(key, cells)     -> the spreadsheet formula computing the same value over the
                               given cell references (text, no leading '='), or a
                               NoFormula saying why it cannot be one
    describe(state, fitted) -> a LogEntry: what it did, to which cells

`run` threads a State through a list of steps and appends each step's log entry. The
State is one dataset of units x indicators as it moves: raw cells -> values -> shares ->
dimension scores -> overall -> rank and band. Arrays may carry a leading axis of draws
(robustness runs many methods over the same units at once)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Protocol, Sequence

import numpy as np


@dataclass(frozen=True)
class LogEntry:
    """One step's record: its name, what it did, and to which cells (array columns)."""

    step: str
    did: str
    cells: str

    def __str__(self) -> str:
        return f"{self.step}: {self.did} [{self.cells}]"


@dataclass(frozen=True)
class NoFormula:
    """A renderer's honest answer where no spreadsheet formula computes the value: why,
    in English and in Thai (the cell shows both, Thai first, as every bilingual cell)."""

    reason: str
    reason_th: str = ""

    def __str__(self) -> str:
        english = f"cannot be a formula: {self.reason}"
        return f"{NO_FORMULA_TH}: {self.reason_th} / {english}" if self.reason_th else english


NO_FORMULA_TH = "ไม่มีสูตรใดคำนวณได้"


def is_formula(rendered: object) -> bool:
    return isinstance(rendered, str)


@dataclass(frozen=True)
class State:
    """One dataset as the steps see it. `indicators` and `dimensions` name the columns;
    `raw` holds cell values as typed (None once parsed upstream), `values` parsed numbers
    (NaN = unanswered), `shares` 0..1, `scores` dimension scores in %, `overall` the
    overall score, `rank` RANK.EQ of the overall, `band` the index of its band (-1 none).
    `active` marks the units the fitted steps learn from (None = all; a screening step
    clears units it leaves out); `ranked` the units that take a rank (the others are
    scored but neither take a rank nor move anyone's). Arrays are units x columns, with an optional leading
    draws axis from `scores` on."""

    indicators: tuple[str, ...]
    dimensions: tuple[str, ...]
    raw: Any = None
    values: np.ndarray | None = None
    shares: np.ndarray | None = None
    scores: np.ndarray | None = None
    overall: np.ndarray | None = None
    rank: np.ndarray | None = None
    band: np.ndarray | None = None
    active: np.ndarray | None = None
    log: tuple[LogEntry, ...] = ()
    units: Any = None          # the unit table data preparation reads (prepare.Units)
    preparation: Any = None    # what data preparation did (preparation.Preparation)
    ranked: np.ndarray | None = None   # units that take a rank (None = all; `ranked` no)

    def but(self, **changes) -> "State":
        return replace(self, **changes)


class Step(Protocol):
    """What `run` calls. A step that learns nothing from the units subclasses Step and
    keeps its `fit` (None)."""

    name: str

    def fit(self, state: State) -> Any:
        return None

    def apply(self, state: State, fitted: Any) -> State: ...

    def formula(self, key: Any, cells: Any) -> "str | NoFormula": ...

    def describe(self, state: State, fitted: Any) -> LogEntry: ...


def run(steps: Sequence[Step], state: State, keep_log: bool = True) -> State:
    """Every step in order: fit over all units, apply, log. `keep_log` False skips the
    log text (the robustness hot path runs the same steps thousands of times)."""
    for step in steps:
        fitted = step.fit(state)
        out = step.apply(state, fitted)
        if keep_log:
            out = out.but(log=state.log + (step.describe(out, fitted),))
        state = out
    return state


def named(steps: Sequence[Step], first: str | None = None, last: str | None = None) -> list[Step]:
    """The steps from the one named `first` to the one named `last` (both included;
    names match exactly or as the part before ':')."""
    names = [s.name for s in steps]
    heads = [n.split(":")[0] for n in names]

    def where(name: str, default: int, pick) -> int:
        if name is None:
            return default
        hits = [i for i, (n, h) in enumerate(zip(names, heads)) if name in (n, h)]
        if not hits:
            raise KeyError(f"no step named {name!r} (steps: {', '.join(names)})")
        return pick(hits)

    return list(steps[where(first, 0, min):where(last, len(steps) - 1, max) + 1])


def columns_text(ids: Sequence[str], columns: np.ndarray | None = None, limit: int = 6) -> str:
    """A short list of the columns a step touched, for its log entry."""
    chosen = list(ids) if columns is None else [ids[j] for j in np.asarray(columns).tolist()]
    shown = ", ".join(map(str, chosen[:limit]))
    return shown + (f" (+{len(chosen) - limit} more)" if len(chosen) > limit else "")
