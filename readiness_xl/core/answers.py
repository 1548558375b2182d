"""Turning what people type into answers: yes/no words in Thai and English, numbers
with Thai digits, blanks as missing (never as zero), out-of-range values refused."""

from __future__ import annotations

import math
from itertools import repeat
from dataclasses import dataclass

import numpy as np
import pandas as pd

from readiness_xl.core.framework import Framework
from readiness_xl.errors import InputValueError
from readiness_xl.thai import arabic_digits, parse_number

YES_WORDS = {"ใช่", "มี", "y", "yes", "1", "true", "จริง"}
NO_WORDS = {"ไม่ใช่", "ไม่มี", "n", "no", "0", "false", "ไม่จริง"}
EXCEL_ERRORS = {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!",
                "#SPILL!", "#CALC!", "#GETTING_DATA"}


@dataclass(frozen=True)
class BadAnswer:
    """An answer that cannot be used, by agency and indicator (the reader adds the cell)."""

    agency: str
    indicator: str
    message: str


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def parse_answer(value: object, answer_type: str, maximum: float) -> float:
    """One answer in its own units (1/0 for yes/no, 0..max, 0..100, any number for a raw
    `number`); NaN when blank.
    Raises InputValueError (a ReadinessError) with a reason an analyst understands."""
    if is_blank(value):
        return math.nan
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        raise InputValueError(f"cell holds the Excel error {value.strip().upper()}")
    if answer_type == "yesno":
        if isinstance(value, bool):
            return 1.0 if value else 0.0
        word = arabic_digits(str(value)).strip().lower()
        if isinstance(value, (int, float)):
            word = f"{value:g}"
        if word in YES_WORDS:
            return 1.0
        if word in NO_WORDS:
            return 0.0
        raise InputValueError(f"{value!r} is not a yes/no answer (ใช่/ไม่ใช่, มี/ไม่มี, Y/N, 1/0)")
    try:
        number = parse_number(value)
    except ValueError as err:   # thai.parse_number's plain refusal, said again as ours
        raise InputValueError(str(err)) from None
    lower, upper = _bounds(answer_type, maximum)
    if not (math.isfinite(number) and lower <= number <= upper):
        raise InputValueError(f"{number:g} is outside {lower:g}..{upper:g}")
    return number


def _bounds(answer_type: str, maximum: float) -> tuple[float, float]:
    """The range a numeric answer must lie in (yes/no: 0 or 1, checked apart; a raw
    `number` is any finite value in its own units: normalisation caps it)."""
    if answer_type == "number":
        return -math.inf, math.inf
    return 0.0, 1.0 if answer_type == "yesno" else 100.0 if answer_type == "percent" else maximum


def _parse_or_reason(value: object, answer_type: str, maximum: float) -> float | str:
    try:
        return parse_answer(value, answer_type, maximum)
    except InputValueError as err:
        return err.one_line()


# Cell values by exact type (True is an int, but a yes/no word, so not a number here).
_BLANK, _NUMBER, _TEXT, _OTHER = 0, 1, 2, 3
_KINDS = {type(None): _BLANK, float: _NUMBER, int: _NUMBER, str: _TEXT}


def parse_column(values: np.ndarray, answer_type: str, maximum: float
                 ) -> tuple[np.ndarray, dict[int, str]]:
    """Answers of one kind of indicator (any cell values; parse_answers gives each
    distinct value once) -> numbers (NaN = blank) and the positions of bad answers with
    the reason, exactly as parse_answer cell by cell.
    Numbers are checked as whole arrays and text is parsed once per distinct value, so
    the cost grows with distinct answers, not with agencies; only the rare other cells
    (True/False, dates, bad numbers) go through parse_answer one by one."""
    values = np.asarray(values, dtype=object)
    kinds = np.fromiter(map(_KINDS.get, map(type, values), repeat(_OTHER, len(values))),
                        dtype=np.int8, count=len(values))
    out = np.full(len(values), np.nan)
    reasons: dict[int, str] = {}

    numeric = np.flatnonzero(kinds == _NUMBER)
    numbers = values[numeric].astype(float)
    lower, upper = _bounds(answer_type, maximum)
    fine = np.isnan(numbers) | (np.isfinite(numbers) & (numbers >= lower) & (numbers <= upper))
    if answer_type == "yesno":  # -0.0 reads '-0', which is not a yes/no word
        fine &= np.isnan(numbers) | (numbers == 1) | ((numbers == 0) & ~np.signbit(numbers))
    out[numeric[fine]] = numbers[fine]

    text = np.flatnonzero(kinds == _TEXT)
    if len(text):
        codes, uniques = pd.factorize(values[text])
        parsed = [_parse_or_reason(u, answer_type, maximum) for u in uniques]
        bad = np.fromiter((isinstance(x, str) for x in parsed), dtype=bool, count=len(parsed))
        out[text] = np.where(bad, np.nan, np.asarray([np.nan if b else x for x, b in
                                                      zip(parsed, bad)], float))[codes]
        wrong = np.flatnonzero(bad[codes])
        reasons.update((int(i), parsed[c]) for i, c in zip(text[wrong], codes[wrong]))

    others = np.concatenate([numeric[~fine], np.flatnonzero(kinds == _OTHER)])
    for i in others.tolist():
        result = _parse_or_reason(values[i], answer_type, maximum)
        if isinstance(result, str):
            reasons[i] = result
        else:
            out[i] = result
    return out, reasons


# Cell types among which equal values parse alike (an int equal to a float is that float).
_PLAIN = frozenset({type(None), float, int, str})


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of cell values (-1 = blank) and one value per code, such that every cell
    parses as its code's value does. pd.factorize alone would not do: it takes True for
    1 and -0.0 for 0.0, which parse differently; so cells of any type but text and plain
    numbers are kept apart by type (a rare input: one more pass), and -0.0 from 0.0."""
    codes, uniques = pd.factorize(values)
    if not set(map(type, values)) <= _PLAIN:
        kinds, _ = pd.factorize(np.fromiter(map(type, values), dtype=object, count=len(values)))
        given = np.flatnonzero(codes >= 0)
        codes[given], _ = pd.factorize(codes[given] * (kinds.max() + 1) + kinds[given])
        first = ~pd.Series(codes[given]).duplicated().to_numpy()   # codes in order of first cell
        uniques = values[given[first]]
    zeros = [k for k, u in enumerate(uniques.tolist())
             if isinstance(u, (float, int, np.floating, np.integer)) and u == 0]
    for k in zeros:
        cells = np.flatnonzero(codes == k)
        negative = np.signbit(values[cells].astype(float))
        if negative.any() and not negative.all():
            codes[cells[negative]] = len(uniques)
            uniques = np.append(uniques, values[cells[negative][:1]])
            uniques[k] = values[cells[~negative][0]]
    return codes, np.asarray(uniques, dtype=object)


def parse_answers(raw: pd.DataFrame, framework: Framework) -> tuple[pd.DataFrame, list[BadAnswer]]:
    """Parse a table of raw answers (agencies x indicator ids, any cell values): the
    whole table is factorized once (see _distinct) and each distinct value is parsed once
    per kind of indicator (type and maximum; see parse_column), then looked up, so the
    cost grows with the cells only through array steps. Indicators missing from `raw`
    count as unanswered; bad answers are listed indicator by indicator, agencies in order."""
    ids = framework.indicator_ids
    out = np.full((len(raw.index), len(ids)), np.nan)
    given = [j for j, ind in enumerate(ids) if ind in raw.columns]
    codes, uniques = _distinct(raw[[ids[j] for j in given]].to_numpy(dtype=object).ravel())
    codes = codes.reshape(len(raw.index), len(given))
    kinds = pd.DataFrame({"type": framework.indicators["type"].to_numpy()[given],
                          "max": framework.indicators["max"].to_numpy(dtype=float)[given]})
    bad_cells, reasons = [], []
    for (kind, maximum), columns in kinds.groupby(["type", "max"], dropna=False, sort=False).indices.items():
        sub = codes[:, columns]
        used = np.zeros(len(uniques) + 1, bool)               # the last slot: blank (-1)
        used[sub] = True
        which = np.flatnonzero(used[:-1])
        numbers, why = parse_column(uniques[which], kind, maximum)
        lookup = np.full(len(uniques) + 1, np.nan)
        lookup[which] = numbers
        out[:, np.asarray(given)[columns]] = lookup[sub]
        if why:
            reason = np.full(len(uniques) + 1, None, dtype=object)
            reason[which[list(why)]] = list(why.values())
            agency, column = np.nonzero(np.isin(sub, which[list(why)]))
            bad_cells.append(np.column_stack([np.asarray(given)[columns][column], agency]))
            reasons.append(reason[sub[agency, column]])
    bad: list[BadAnswer] = []
    if bad_cells:
        cells, why = np.concatenate(bad_cells), np.concatenate(reasons)
        order = np.lexsort((cells[:, 1], cells[:, 0]))     # indicator by indicator, agencies in order
        bad = [BadAnswer(str(raw.index[a]), ids[j], w)
               for (j, a), w in zip(cells[order].tolist(), why[order].tolist())]
    return pd.DataFrame(out, index=raw.index, columns=ids), bad + _no_logarithm(out, raw.index, framework)


def _no_logarithm(values: np.ndarray, units, framework: Framework) -> list[BadAnswer]:
    """Answers at or below 0 of an indicator the framework log-transforms (and does not
    divide by a unit attribute first): they have no logarithm, so they are refused here,
    with their cell, by recalc and load-answers alike."""
    table = framework.indicators
    logged = (table["transform"] == "log").to_numpy()
    if "denominator" in table:
        logged = logged & (table["denominator"] == "").to_numpy()
    if not logged.any():
        return []
    columns = np.flatnonzero(logged)
    units_at, cols_at = np.nonzero(values[:, columns] <= 0)
    order = np.lexsort((units_at, cols_at))
    return [BadAnswer(str(units[a]), framework.indicator_ids[columns[c]],
                      f"{values[a, columns[c]]:g} has no logarithm (the indicator's transform is log); "
                      "give a value above 0, or leave the cell blank for a missing value")
            for c, a in zip(cols_at[order], units_at[order])]
