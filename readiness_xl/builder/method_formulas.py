"""The method as plain Excel formulas, for the agency sheets' check column: the same
normalisation and power means as `core/normalisation.py` and `core/aggregation.py`, so a
workbook opened without the add-in (or in LibreOffice) still shows the right scores.

Means are written with SUMPRODUCT, which evaluates arrays in every Excel version without
Ctrl+Shift+Enter: the geometric mean PRODUCT(x^w)^(1/SUM(w)) as EXP(SUMPRODUCT(w,LN(x))/SUM(w)).
A zero value gives 0 for p <= 0, as the core does; `(x=0)` keeps LN and 1/x off zeros.
"""

from __future__ import annotations

import pandas as pd

UNIT_RELATIVE = ("minmax", "zscore", "rank")   # need every unit's values: no per-sheet formula


def mean_formula(values: str, weights: str, p: float) -> str:
    """Weighted power mean of a range (no leading '='); p = 1 is the B.E. 2560 formula."""
    w, x = weights, values
    if p == 1:
        return f"SUMPRODUCT({w},{x})/SUM({w})"
    has_zero = f"SUMPRODUCT(({x}=0)*({w}>0))>0"
    if p == 0:
        return f"IF({has_zero},0,EXP(SUMPRODUCT({w},LN({x}+({x}=0)))/SUM({w})))"
    if p < 0:
        return f"IF({has_zero},0,(SUMPRODUCT({w},({x}+({x}=0))^({p:g}))/SUM({w}))^(1/({p:g})))"
    return f"(SUMPRODUCT({w},{x}^{p:g})/SUM({w}))^(1/{p:g})"


def number_share_formula(answer: str, spec: pd.Series, low: str, high: str) -> str:
    """Share (0..1) of a raw `number` answer by its goalposts or target; unanswered is 0
    (the default missing policy). `low`/`high` are the Framework's min and max cells, so
    edited goalposts flow through. Unit-relative methods get a note instead."""
    if spec["normalise"] in UNIT_RELATIVE:
        return f'="{spec["normalise"]}: recalc"'
    if spec.get("denominator") or spec.get("impute", "none") != "none" or spec.get("treat", "none") != "none":
        return '="prepared from every unit (denominate, impute, treat): recalc"'
    value, lo, hi = answer, low, high
    if spec["transform"] == "log":
        value, lo, hi = f"LN({answer})", f"LN({low})", f"LN({high})"
    if spec["normalise"] == "target":
        share = (f"MIN(1,{value}/{hi})" if spec["direction"] == "higher"
                 else f"IF({value}<={hi},1,{hi}/{value})")
        return f"=IF(ISNUMBER({answer}),MAX(0,{share}),0)"
    share = f"MAX(0,MIN(1,({value}-{lo})/({hi}-{lo})))"
    if spec["direction"] == "lower":
        share = f"1-{share}"
    return f"=IF(ISNUMBER({answer}),{share},0)"
