"""Our UDFs registered in the `formulas` package (a Python Excel-formula engine), so a
workbook's UDF formulas can be computed without Excel: by the tests, the benchmark, or
an analyst on a server. Same functions as in Excel, only the value conversion differs."""

from __future__ import annotations

import numpy as np

from . import functions
from .catalogue import FUNCTIONS


def _to_xlwings(value):
    """What xlwings would pass: nested lists of rows, None for blank cells."""
    import schedula
    if isinstance(value, np.ndarray):
        return [[None if v is schedula.EMPTY or (isinstance(v, str) and v == "") else
                 (v.item() if isinstance(v, np.generic) else v) for v in row]
                for row in np.atleast_2d(value).tolist()]
    return None if value is schedula.EMPTY else value


def _adapter(udf):
    def call(*args):
        result = udf(*map(_to_xlwings, args))
        return np.asarray(result, dtype=object) if isinstance(result, list) else result
    call.__name__ = udf.__name__
    return call


def register() -> list[str]:
    """Make every catalogue function callable from formulas' ExcelModel."""
    import formulas
    table = formulas.get_functions()
    for entry in FUNCTIONS:
        table[entry.name] = formulas.functions.wrap_func(_adapter(getattr(functions, entry.name)))
    return [f.name for f in FUNCTIONS]
