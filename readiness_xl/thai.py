"""Thai as a first-class language: Thai digits in and out, Buddhist Era years."""

from __future__ import annotations

import math
import re

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")
_TO_THAI = str.maketrans("0123456789", THAI_DIGITS)
BE_OFFSET = 543


def arabic_digits(text: str) -> str:
    """Replace Thai digits (๐-๙) with 0-9; everything else is kept."""
    return text.translate(_TO_ARABIC)


def thai_digits(text: object) -> str:
    """Write a number or text with Thai digits, as the survey reports do (มิติที่ ๔)."""
    return str(text).translate(_TO_THAI)


def parse_number(value: object) -> float:
    """A number from a cell value: int/float, or text with Thai or Arabic digits,
    thousands separators, a trailing % and surrounding spaces. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = arabic_digits(value).strip().replace(",", "").replace("\u00a0", "")
        if text.endswith("%"):
            text = text[:-1].strip()
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    else:
        raise ValueError(f"{value!r} is not a number")
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return number


def buddhist_year(ce_year: int) -> int:
    """B.E. year of a C.E. year (2017 -> 2560)."""
    return ce_year + BE_OFFSET


def common_era_year(be_year: int) -> int:
    """C.E. year of a B.E. year (2560 -> 2017)."""
    return be_year - BE_OFFSET


LATEST_CE_YEAR = 2300  # a year below this is C.E. (2017), above it B.E. (2560)


def as_buddhist_year(value: object) -> int:
    """A survey year typed either way (2560, ๒๕๖๐, 2017, 'B.E. 2560') as its B.E. year.
    Raises ValueError."""
    text = arabic_digits(str(value))
    match = re.search(r"\d{4}", text) if not isinstance(value, (int, float)) else None
    number = int(match.group(0)) if match else int(parse_number(value))
    return buddhist_year(number) if number < LATEST_CE_YEAR else number

