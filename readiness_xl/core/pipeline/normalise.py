"""Step 2, normalise: values in their own units -> shares 0..1, each indicator by its
method (goalposts, minmax, zscore, rank, target; `core/normalisation.py` holds the maths).
Fitted over the active units: minmax learns each column's min and max, zscore its mean
and population sd, rank the column itself; goalposts and target learn nothing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from readiness_xl.core import normalisation as N
from readiness_xl.core.pipeline.base import LogEntry, NoFormula, State, columns_text
from readiness_xl.core.pipeline.method import NOMINAL, Method

CROSS_UNIT = ("minmax", "zscore", "rank")   # learn from every unit's value
Z_CENTRE, Z_SPREAD = N.Z_CENTRE, N.Z_SPREAD


@dataclass(frozen=True)
class IndicatorCells:
    """Where one unit's indicator lives in a workbook, for the formula renderer: `value`
    the expression of its parsed value; `low`/`high` the goalpost cells (the target in
    `high`); `column` the range holding every unit's transformed value (the Calc sheet)
    and `own` this unit's cell in it (both for the cross-unit methods)."""

    value: str
    low: str = ""
    high: str = ""
    column: str = ""
    own: str = ""


def number(p: float) -> str:
    """A number as a formula literal, exactly."""
    return f"{float(p):.17g}"


@dataclass(frozen=True)
class Normalise:
    method: Method
    name: str = "normalise"

    def methods(self) -> np.ndarray:
        count = len(self.method.params.min)
        if self.method.normalisation == NOMINAL:
            return np.asarray(self.method.normalise, object)
        return np.full(count, self.method.normalisation, object)

    def fit(self, state: State) -> dict:
        """{method: (columns, params, fitted state or None)}."""
        values = state.values if state.active is None else state.values[state.active]
        methods = self.methods()
        own = self.method.normalisation == NOMINAL        # else one word for every indicator
        N.check_normalisers(methods, self.method.params.names if own else ())
        out = {}
        for name in dict.fromkeys(methods):
            columns = np.flatnonzero(methods == name)
            params = self.method.params.take(columns)
            learned = None
            if name == "minmax":
                learned = N.fit_minmax(values[:, columns], params)
            elif name == "zscore":
                learned = N.fit_zscore(values[:, columns], params)
            out[name] = (columns, params, learned)
        return out

    def apply(self, state: State, fitted: dict) -> State:
        values = state.values
        shares = np.full_like(values, np.nan)   # a column no method wrote stays visibly empty
        for name, (columns, params, learned) in fitted.items():
            x = values[:, columns]
            if name in ("minmax",):
                shares[:, columns] = N.apply_goalposts(x, params, learned)
            elif name == "zscore":
                shares[:, columns] = N.apply_zscore(x, params, learned)
            else:   # goalposts and target learn nothing; rank ranks among the column
                shares[:, columns] = N.NORMALISERS[name](x, params)
        if self.method.ranges is not None:   # minmax:L:U: shares on L/100 .. U/100 (COINr's n_minmax l_u)
            low, high = self.method.ranges
            ranged = self.methods() == "minmax"
            shares = np.where(ranged, (low + (high - low) * shares) / 100.0, shares)
        return state.but(shares=shares)

    def formula(self, key: int, cells: IndicatorCells) -> str | NoFormula:
        """The share (0..1) of indicator `key` (its position) over `cells`, for an answered
        value (the caller wraps the unanswered case)."""
        name = self.methods()[key]
        higher = bool(self.method.params.higher[key])
        log = bool(self.method.params.log[key])
        if name in CROSS_UNIT:
            if not cells.column:
                return NoFormula(f"{name} needs every unit's value (a column of them)",
                                 f"{name} ต้องใช้ค่าของทุกหน่วยงาน (ทั้งคอลัมน์)")
            if self.method.ranges is not None and name == "minmax":
                low, high = (float(r[key]) for r in self.method.ranges)
                if (low, high) != (0.0, 100.0):
                    base = Normalise(self.method.but(ranges=None)).formula(key, cells)
                    return f"({number(low / 100)}+{number((high - low) / 100)}*({base}))"
            col, own = cells.column, cells.own
            low, high = f"MIN({col})", f"MAX({col})"
            if name == "minmax":
                share = f"IF({high}={low},0.5,MAX(0,MIN(1,({own}-{low})/({high}-{low}))))"
            elif name == "zscore":
                # STDEVP / STDEV: STDEV.P's and STDEV.S's compatibility names (no _xlfn. prefix)
                sd = f"STDEV({col})" if self.method.params.sample_sd else f"STDEVP({col})"
                share = f"IF({sd}=0,0.5,{number(Z_CENTRE)}+{number(Z_SPREAD)}*(({own}-AVERAGE({col}))/{sd}))"
            else:   # ties take the lowest rank (COINr's "min"); lower ranks -x: the units above
                beaten = f"SUMPRODUCT(ISNUMBER({col})*({col}{'<' if higher else '>'}{own}))"
                return f"IF({high}={low},0.5,{beaten}/(COUNT({col})-1))"
            return share if higher else f"1-{share}"
        x, lo, hi = cells.value, cells.low or "0", cells.high
        if log:
            x, lo, hi = f"LN({x})", f"LN({lo})", f"LN({hi})"
        if name == "target":
            return f"MAX(0,MIN(1,{x}/{hi}))" if higher else f"IF({x}<={hi},1,MAX(0,MIN(1,{hi}/{x})))"
        share = f"MAX(0,MIN(1,({x}-{lo})/({hi}-{lo})))"
        return share if higher else f"1-{share}"

    def column_formula(self, key: int, value: str) -> str:
        """What the Calc column holds for a cross-unit method: the value as the step
        compares it (logged where the transform says so)."""
        return f"LN({value})" if self.method.params.log[key] else value

    def describe(self, state: State, fitted: dict) -> LogEntry:
        parts = []
        for name, (columns, _, learned) in fitted.items():
            what = {"minmax": "min and max learned over the units",
                    "zscore": "mean and population sd learned over the units",
                    "rank": "percentile ranks among the units"}.get(name, "fixed goalposts")
            parts.append(f"{name} ({what}) on {columns_text(state.indicators, columns)}")
        return LogEntry(self.name, "; ".join(parts), "shares[:, every indicator]")
