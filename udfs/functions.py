"""xlwings UDFs. Each one converts what Excel gives (2-D lists, None for blanks) to plain
values, calls readiness_xl.core.worksheet_functions, and turns a bad value into a short text
starting with the Excel error name (classic xlwings cannot return real error values).
Every argument is read with err_to_str=True: without it xlwings passes an error cell
(#N/A) as None, which would count as a blank instead of being refused.

Help texts and argument docs come from udfs.catalogue, the one place they are kept."""

from __future__ import annotations

import functools

import xlwings as xw

from readiness_xl.core import worksheet_functions as wf
from readiness_xl.errors import ReadinessError
from readiness_xl.workbook import layout as L

from .catalogue import BY_NAME, CATEGORY
from .workbook_context import framework_from_workbook, named_cells, named_rows, national_row, sheet_rows


def cells(value) -> list:
    """A range's values as one flat list, whichever way it lies (row or column); a
    single cell gives a one-item list. Accepts lists, numpy arrays and pandas objects."""
    if type(value) is list and value and type(value[0]) is list:
        return [v for row in value for v in row]  # what xlwings passes (ndim=2): rows of cells
    if hasattr(value, "to_numpy"):
        value = value.to_numpy()
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return [value]
    flat = []
    for item in value:
        flat.extend(item if isinstance(item, (list, tuple)) else [item])
    return flat


def table(value) -> list[list]:
    """A range's values as rows (a block such as the level bands)."""
    if type(value) is list and value and type(value[0]) is list:
        return value  # what xlwings passes (ndim=2): rows of cells
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return [[value]]
    return [list(r) if isinstance(r, (list, tuple)) else [r] for r in value]


def is_column(value) -> bool:
    return isinstance(value, (list, tuple)) and len(value) > 1 and all(
        isinstance(r, (list, tuple)) and len(r) == 1 for r in value)


def _given(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def number(value, what: str) -> float:
    """One argument as a number (Thai digits too), refused as #VALUE! naming `what`."""
    from readiness_xl.thai import parse_number
    try:
        return parse_number(value)
    except ValueError:
        raise wf.CellValueError(f"{what} {value!r} is not a number") from None


# Arguments read as one value; every other argument is a range, read as rows (ndim=2).
SCALAR_ARGUMENTS = ("lang", "missing", "name")


def excel_function(fn):
    """Register `fn` with xlwings using its catalogue entry, and turn bad input into an
    Excel-style error text instead of a traceback. Bad input is what the core says it is:
    a CellValueError (with its Excel error) or a ReadinessError (#VALUE!, with the cell
    where the core knows it). Anything else (TypeError, AttributeError, KeyError, ...) is a
    fault of ours and is raised as it is, never passed off as the user's #VALUE!."""
    entry = BY_NAME[fn.__name__]

    @functools.wraps(fn)  # xlwings reads the argument names through __wrapped__
    def guarded(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except wf.CellValueError as err:
            return f"{err.excel_error}: {err}"
        except ReadinessError as err:
            return f"#VALUE!: {err.one_line()}"

    guarded.__doc__ = entry.help
    wrapped = guarded
    for arg in entry.arguments:
        wrapped = xw.arg(arg.name, ndim=None if arg.name in SCALAR_ARGUMENTS else 2,
                         err_to_str=True, doc=arg.help)(wrapped)
    return xw.func(category=CATEGORY)(wrapped)


@excel_function
def DIMENSION_SCORE(answers, maxima, points=None, missing=None):
    return wf.dimension_score(cells(answers), cells(maxima),
                              cells(points) if _given(points) else None,
                              str(missing).strip().lower() if _given(missing) else wf.MISSING_BY_DEFAULT)


@excel_function
def READINESS_SCORE(dimension_scores, weights=None, caller=None):
    weights = cells(weights) if _given(weights) else cells(named_rows(caller, L.WEIGHTS_NAME))
    return wf.readiness_score(cells(dimension_scores), weights)


@excel_function
def READINESS_LEVEL(score, bands=None, lang=None, caller=None):
    rows = table(bands) if _given(bands) else named_rows(caller, L.LEVEL_BANDS_NAME)
    return wf.readiness_level(cells(score)[0], rows, str(lang or "th").strip().lower())


@excel_function
def DIMENSION_GAP(dimension_scores, benchmark=None, caller=None):
    values = cells(dimension_scores)
    bench = cells(benchmark) if _given(benchmark) else national_row(caller, len(values))
    gaps = wf.dimension_gaps(values, bench)
    return [[g] for g in gaps] if is_column(dimension_scores) else [gaps]


@excel_function
def WEAK_DIMENSIONS(dimension_scores, dimension_ids=None, threshold=None):
    ids = cells(dimension_ids) if _given(dimension_ids) else None
    level = wf.benchmarks.WEAK_THRESHOLD if not _given(threshold) else number(cells(threshold)[0], "threshold")
    weak = wf.weak_dimensions(cells(dimension_scores), ids, level)
    return [[w] for w in weak] if weak else ""


@excel_function
def READINESS_RANK(score, scores):
    return wf.readiness_rank(cells(score)[0], cells(scores))


@excel_function
def IMPROVEMENT_PRIORITY(dimension_scores, weights=None, dimension_ids=None, caller=None):
    where = {}
    if not _given(weights):  # the Framework sheet's: a negative one is named by its cell
        weights, where["sheet"], where["cells"] = named_cells(caller, L.WEIGHTS_NAME)
    ids = cells(dimension_ids) if _given(dimension_ids) else None
    gains = wf.improvement_priority(cells(dimension_scores), cells(weights), ids, **where)
    return [[d, gain] for d, gain in gains]


@excel_function
def READINESS_NARRATIVE(name, dimension_scores, national=None, lang=None, caller=None):
    values = cells(dimension_scores)
    bench = cells(national) if _given(national) else national_row(caller, len(values))
    return wf.narrative(framework_from_workbook(caller), str(name), values, bench,
                        str(lang or "th").strip().lower())



def _trend_rows(caller) -> list[list]:
    from readiness_xl.workbook.trend_layout import TREND_SHEET
    return sheet_rows(caller, TREND_SHEET, "build it with readiness-xl trend")


@excel_function
def READINESS_CHANGE(unit, from_round, to_round, dimension=None, caller=None):
    from readiness_xl.workbook.trend_layout import sheet_change
    return sheet_change(_trend_rows(caller), cells(unit)[0], cells(from_round)[0], cells(to_round)[0],
                        cells(dimension)[0] if _given(dimension) else None)


@excel_function
def RANK_CHANGE(unit, from_round, to_round, caller=None):
    from readiness_xl.workbook.trend_layout import sheet_change
    return int(sheet_change(_trend_rows(caller), cells(unit)[0], cells(from_round)[0],
                            cells(to_round)[0], kind="rank"))


@excel_function
def RANK_INTERVAL(unit, percentile=None, caller=None):
    from readiness_xl.workbook.uncertainty_layout import rank_interval
    rows = sheet_rows(caller, L.UNCERTAINTY_SHEET, "run `readiness-xl robustness` first")
    found = rank_interval(rows, cells(unit)[0], cells(percentile)[0] if _given(percentile) else None)
    return [found] if isinstance(found, list) else found


@excel_function
def CRONBACH_ALPHA(range):  # noqa: A002 (the argument's name in Excel's function wizard)
    from readiness_xl.core.audit import cronbach_alpha_of_cells
    value = cronbach_alpha_of_cells(table(range))
    if value != value:
        raise wf.CellValueError("needs two items and two complete rows that vary", "#N/A")
    return value


@excel_function
def NORMALISED_VALUE(value, min, max, log=None, direction=None):  # noqa: A002 (Excel's argument names)
    return wf.normalised_value(cells(value)[0], cells(min)[0], cells(max)[0],
                               cells(log)[0] if _given(log) else None,
                               cells(direction)[0] if _given(direction) else None)


@excel_function
def WEIGHTED_MEAN(values, weights, aggregation=None):
    word = cells(aggregation)[0] if _given(aggregation) else None
    if word is not None:   # an unknown word is refused by parse_aggregation as a plain ValueError
        from readiness_xl.core.aggregation import parse_aggregation
        try:
            parse_aggregation(word)
        except ValueError as err:
            raise wf.CellValueError(str(err)) from None
    return wf.weighted_mean(cells(values), cells(weights), word)

