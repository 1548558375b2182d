"""Turning what people type into answers: yes/no words in Thai and English, numbers
with Thai digits, blanks as missing (never as zero), out-of-range values refused."""

from __future__ import annotations

import math
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
    if answer_type == "number":
        return number   # a raw value in its own units: normalisation caps it
    upper = 100.0 if answer_type == "percent" else maximum
    if not 0.0 <= number <= upper:
        raise ValueError(f"{number:g} is outside 0..{upper:g}")
    return number


def parse_answers(raw: pd.DataFrame, framework: Framework) -> tuple[pd.DataFrame, list[BadAnswer]]:
    """Parse a table of raw answers (agencies x indicator ids, any cell values).

    Works column by column on unique values, so the cost grows with distinct answers,
    not with agencies. Indicators missing from `raw` count as unanswered."""
    values = np.full((len(raw.index), len(framework.indicator_ids)), np.nan)
    bad: list[BadAnswer] = []
    for j, (ind, spec) in enumerate(framework.indicators.iterrows()):
        if ind not in raw.columns:
            continue
        column = raw[ind]
        if pd.api.types.is_float_dtype(column) or pd.api.types.is_integer_dtype(column):
            numbers = column.to_numpy(float)
            upper = 1.0 if spec["type"] == "yesno" else spec["max"]
            wrong = ~np.isnan(numbers) & ~((numbers >= 0) & (numbers <= upper))
            if spec["type"] == "number":
                wrong = ~np.isfinite(numbers) & ~np.isnan(numbers)
            if spec["type"] == "yesno":
                wrong |= ~np.isnan(numbers) & (numbers != 0) & (numbers != 1)
            if not wrong.any():
                values[:, j] = numbers
                continue
        cells = [None if is_blank(v) else (type(v), v) for v in column.to_numpy(object)]
        parsed: dict[object, float | str] = {None: math.nan}
        for key in set(cells) - {None}:
            try:
                parsed[key] = parse_answer(key[1], spec["type"], spec["max"])
            except ValueError as err:
                parsed[key] = str(err)
        mapped = [parsed[key] for key in cells]
        for i, result in enumerate(mapped):
            if isinstance(result, str):
                bad.append(BadAnswer(str(raw.index[i]), ind, result))
                mapped[i] = math.nan
        values[:, j] = np.asarray(mapped, float)
    return pd.DataFrame(values, index=raw.index, columns=framework.indicator_ids), bad
