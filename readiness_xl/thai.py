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


MISSING_MARKS = ("NA", "N/A", "N.A.", "NAN", "-", "--", "..", "NULL", "NONE", "#N/A")
MISSING_HINT = "; a blank cell marks a missing value"


def not_a_number(value: object) -> str:
    """Why a cell value is not a number; a mark such as NA or '-' is told that a blank
    marks a missing value."""
    text = arabic_digits(str(value)).strip().upper()
    return f"{value!r} is not a number" + (MISSING_HINT if text in MISSING_MARKS else "")


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
        if text.upper() in MISSING_MARKS:   # float() would read 'NaN' as a number
            raise ValueError(not_a_number(value))
        try:
            number = float(text)
        except ValueError:
            raise ValueError(not_a_number(value)) from None
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
# A B.E. year in a text (2400-2699, not part of a longer number): C.E. years (19xx-20xx)
# never match, and Thai letters around it do not hide it ('ปี2560').
BE_YEAR = re.compile(r"(?<!\d)(2[4-6]\d\d)(?!\d)")
_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")


def buddhist_years_in(text: object) -> list[int]:
    """The B.E. years written in a text, Thai digits too ('2559→2560 (2016)' -> [2559, 2560])."""
    return [int(y) for y in BE_YEAR.findall(arabic_digits(str(text)))]


def as_buddhist_year(value: object) -> int:
    """A survey year typed either way (2560, ๒๕๖๐, 2017, 'B.E. 2560', 'ฉบับปี2017') as its
    B.E. year: in a text the B.E. year named, else the first four-digit number. Raises
    ValueError when there is no four-digit year (a version 'v1' is not the year 544)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = int(parse_number(value))
    else:
        text = arabic_digits(str(value))
        named = BE_YEAR.search(text) or _FOUR_DIGITS.search(text)
        if named is None:
            raise ValueError(f"{value!r} names no year")
        number = int(named.group(0))
    if not 1000 <= number <= 9999:
        raise ValueError(f"{value!r} is not a four-digit year")
    return buddhist_year(number) if number < LATEST_CE_YEAR else number
