"""xlwings UDFs. Each one converts what Excel gives (2-D lists, None for blanks) to plain
values, calls readiness_xl.core.worksheet_functions, and turns a bad value into a short text
starting with the Excel error name (classic xlwings cannot return real error values).
Every argument is read with err_to_str=True: without it xlwings passes an error cell
(#N/A) as None, which would count as a blank instead of being refused. Every function
refuses an error cell in any argument with the same text (`#VALUE!: answers, cell 2 holds
the Excel error #N/A`), an argument meant as one cell given as several, and a language
other than th or en.

Help texts, argument names and volatility come from udfs.catalogue, the one place they are kept."""

from __future__ import annotations

import functools

import xlwings as xw

from readiness_xl.core import worksheet_functions as wf
from readiness_xl.core.answers import EXCEL_ERRORS
from readiness_xl.errors import ReadinessError
from readiness_xl.workbook import layout as L

from .catalogue import BY_NAME, CATEGORY
from .workbook_context import framework_from_workbook, named_cells, national_row, sheet_rows


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
SCALAR_ARGUMENTS = ("lang", "missing", "unit_name")
LANGUAGES = ("th", "en")


def one(value, what: str):
    """The value of an argument meant as one cell; several cells are refused, not cut to
    the first."""
    values = cells(value)
    if len(values) != 1:
        raise wf.CellValueError(f"{what} is {len(values)} cells: give one cell")
    return values[0]


def language(value) -> str:
    """th (left out) or en; any other word is refused, not read as Thai."""
    if not _given(value):
        return "th"
    word = str(one(value, "lang")).strip().lower()
    if word not in LANGUAGES:
        raise wf.CellValueError(f"lang {word!r} is not th or en")
    return word


def _error_cell(names: tuple[str, ...], args: tuple) -> str | None:
    """The refusal of the first argument holding an Excel error (err_to_str gives its
    text, e.g. '#N/A'): the same words for every function and argument."""
    for name, value in zip(names, args):
        if value is None or isinstance(value, (int, float)):
            continue
        values = cells(value) if isinstance(value, (list, tuple)) else [value]
        for i, v in enumerate(values, 1):
            if type(v) is str and v[:1] == "#" and v.strip().upper() in EXCEL_ERRORS:
                where = f"{name}, cell {i}" if len(values) > 1 else name
                return f"#VALUE!: {where} holds the Excel error {v.strip().upper()}"
    return None


def excel_function(fn):
    """Register `fn` with xlwings using its catalogue entry, and turn bad input into an
    Excel-style error text instead of a traceback. Bad input is what the core says it is:
    a CellValueError (with its Excel error) or a ReadinessError (#VALUE!, with the cell
    where the core knows it). Anything else (TypeError, AttributeError, KeyError, ...) is a
    fault of ours and is raised as it is, never passed off as the user's #VALUE!."""
    entry = BY_NAME[fn.__name__]
    names = tuple(a.name for a in entry.arguments)

    @functools.wraps(fn)  # xlwings reads the argument names through __wrapped__
    def guarded(*args, **kwargs):
        refused = _error_cell(names, args) or _error_cell(tuple(kwargs), tuple(kwargs.values()))
        if refused:
            return refused
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
    return xw.func(category=CATEGORY, volatile=entry.volatile)(wrapped)


@excel_function
def DIMENSION_SCORE(answers, maxima, points=None, missing=None):
    return wf.dimension_score(cells(answers), cells(maxima),
                              cells(points) if _given(points) else None,
                              str(missing).strip().lower() if _given(missing) else wf.MISSING_BY_DEFAULT)


@excel_function
def READINESS_SCORE(dimension_scores, weights):
    return wf.readiness_score(cells(dimension_scores), cells(weights))


@excel_function
def READINESS_LEVEL(score, bands, lang=None):
    return wf.readiness_level(one(score, "score"), table(bands), language(lang))


@excel_function
def DIMENSION_GAP(dimension_scores, benchmark=None, caller=None):
    values = cells(dimension_scores)
    bench = cells(benchmark) if _given(benchmark) else national_row(caller, len(values), "benchmark")
    gaps = wf.dimension_gaps(values, bench)
    return [[g] for g in gaps] if is_column(dimension_scores) else [gaps]


@excel_function
def WEAK_DIMENSIONS(dimension_scores, dimension_ids=None, threshold=None):
    ids = cells(dimension_ids) if _given(dimension_ids) else None
    level = wf.benchmarks.WEAK_THRESHOLD if not _given(threshold) else number(one(threshold, "threshold"), "threshold")
    weak = wf.weak_dimensions(cells(dimension_scores), ids, float(level))
    return [[w] for w in weak] if weak else ""


@excel_function
def READINESS_RANK(score, scores):
    return wf.readiness_rank(one(score, "score"), cells(scores))


@excel_function
def IMPROVEMENT_PRIORITY(dimension_scores, weights=None, dimension_ids=None, caller=None):
    where = {}
    if not _given(weights):  # the Framework sheet's: a negative one is named by its cell
        weights, where["sheet"], where["cells"] = named_cells(caller, L.WEIGHTS_NAME, "weights")
    ids = cells(dimension_ids) if _given(dimension_ids) else None
    gains = wf.improvement_priority(cells(dimension_scores), cells(weights), ids, **where)
    return [[d, gain] for d, gain in gains]


@excel_function
def READINESS_NARRATIVE(unit_name, dimension_scores, national=None, lang=None, caller=None):
    values = cells(dimension_scores)
    lang = language(lang)
    bench = cells(national) if _given(national) else national_row(caller, len(values), "national")
    return wf.narrative(framework_from_workbook(caller), str(one(unit_name, "unit_name")), values,
                        bench, lang)


def _trend_rows(caller) -> list[list]:
    from readiness_xl.workbook.trend_layout import TREND_SHEET
    return sheet_rows(caller, TREND_SHEET, "build it with readiness-xl trend")


@excel_function
def READINESS_CHANGE(unit, from_round, to_round, dimension=None, caller=None):
    from readiness_xl.workbook.trend_layout import sheet_change
    return sheet_change(_trend_rows(caller), one(unit, "unit"), one(from_round, "from_round"),
                        one(to_round, "to_round"), one(dimension, "dimension") if _given(dimension) else None)


@excel_function
def RANK_CHANGE(unit, from_round, to_round, caller=None):
    from readiness_xl.workbook.trend_layout import sheet_change
    return int(sheet_change(_trend_rows(caller), one(unit, "unit"), one(from_round, "from_round"),
                            one(to_round, "to_round"), kind="rank"))


@excel_function
def RANK_INTERVAL(unit, percentile=None, caller=None):
    from readiness_xl.workbook.uncertainty_layout import rank_interval
    rows = sheet_rows(caller, L.UNCERTAINTY_SHEET, "run `readiness-xl robustness` first")
    found = rank_interval(rows, one(unit, "unit"), one(percentile, "percentile") if _given(percentile) else None)
    return [found] if isinstance(found, list) else found


@excel_function
def CRONBACH_ALPHA(answer_block):
    from readiness_xl.core.audit import cronbach_alpha_of_cells
    value = cronbach_alpha_of_cells(table(answer_block))
    if value != value:
        raise wf.CellValueError("needs two items and two complete rows that vary", "#N/A")
    return value


@excel_function
def NORMALISED_VALUE(raw_value, low, high, use_log=None, direction=None):
    return wf.normalised_value(one(raw_value, "raw_value"), one(low, "low"), one(high, "high"),
                               one(use_log, "use_log") if _given(use_log) else None,
                               one(direction, "direction") if _given(direction) else None)


@excel_function
def WEIGHTED_MEAN(values, weights, aggregation=None):
    # an unknown word is the core's InputValueError, shown as #VALUE! with its message
    word = one(aggregation, "aggregation") if _given(aggregation) else None
    return wf.weighted_mean(cells(values), cells(weights), word)

