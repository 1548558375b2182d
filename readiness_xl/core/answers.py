"""Turning what people type into answers: yes/no words in Thai and English, numbers
with Thai digits, blanks as missing (never as zero), out-of-range values refused."""

from __future__ import annotations

import math
from itertools import repeat
from dataclasses import dataclass

import numpy as np
import pandas as pd

from readiness_xl.core.framework import Framework
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
    Raises ValueError with a reason an analyst understands."""
    if is_blank(value):
        return math.nan
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        raise ValueError(f"cell holds the Excel error {value.strip().upper()}")
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
        raise ValueError(f"{value!r} is not a yes/no answer (ใช่/ไม่ใช่, มี/ไม่มี, Y/N, 1/0)")
    number = parse_number(value)
    lower, upper = _bounds(answer_type, maximum)
    if not (math.isfinite(number) and lower <= number <= upper):
        raise ValueError(f"{number:g} is outside {lower:g}..{upper:g}")
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
    except ValueError as err:
        return str(err)


# Cell values by exact type (True is an int, but a yes/no word, so not a number here).
_BLANK, _NUMBER, _TEXT, _OTHER = 0, 1, 2, 3
_KINDS = {type(None): _BLANK, float: _NUMBER, int: _NUMBER, str: _TEXT}


def parse_column(values: np.ndarray, answer_type: str, maximum: float
                 ) -> tuple[np.ndarray, dict[int, str]]:
    """One indicator's answers (any cell values) -> numbers (NaN = blank) and the
    positions of bad answers with the reason, exactly as parse_answer cell by cell.
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


def parse_answers(raw: pd.DataFrame, framework: Framework) -> tuple[pd.DataFrame, list[BadAnswer]]:
    """Parse a table of raw answers (agencies x indicator ids, any cell values), one
    indicator column at a time (see parse_column). Indicators missing from `raw` count
    as unanswered; bad answers are listed indicator by indicator, agencies in order."""
    values = np.full((len(raw.index), len(framework.indicator_ids)), np.nan)
    bad: list[BadAnswer] = []
    agencies = raw.index
    for j, (ind, kind, maximum) in enumerate(zip(framework.indicator_ids, framework.indicators["type"],
                                                 framework.indicators["max"])):
        if ind not in raw.columns:
            continue
        values[:, j], reasons = parse_column(raw[ind].to_numpy(object), kind, maximum)
        bad += [BadAnswer(str(agencies[i]), ind, reasons[i]) for i in sorted(reasons)]
    return pd.DataFrame(values, index=raw.index, columns=framework.indicator_ids), bad
