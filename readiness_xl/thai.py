"""Thai as a first-class language: Thai digits in and out, Buddhist Era years."""

from __future__ import annotations

import math
import re
import unicodedata

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


# A number as typed: digits (Thai digits already turned into 0-9), an optional sign,
# a decimal point, an exponent; commas only as thousands separators between groups of
# exactly three digits ('1,234' and '1,234.5'; never '5,0', '1,2' or '12,34'). Digits are
# 0-9 and Thai digits only.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?"
                     r"|[+-]?\.\d+(?:[eE][+-]?\d+)?", re.ASCII)
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+", re.ASCII)


def parse_number(value: object) -> float:
    """A number from a cell value: int/float, or text with Thai or Arabic digits,
    thousands separators (groups of three digits), a trailing % and surrounding spaces.
    A decimal comma ('5,0'), a comma in any other place and an underscore ('1_0') are
    refused, never read as 50 or 10 (docs/input-rules.md). Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = arabic_digits(value).strip().replace("\u00a0", ",")  # a no-break space groups too
        if text.endswith("%"):
            text = text[:-1].strip()
        if text.upper() in MISSING_MARKS:   # 'NaN', 'NA', '-': a blank marks a missing value
            raise ValueError(not_a_number(value))
        if not _NUMBER.fullmatch(text):
            if _DECIMAL_COMMA.fullmatch(text):
                raise ValueError(f"{value!r} is not a number: a comma only separates thousands "
                                 f"(1,234); write the decimal with a point ({text.replace(',', '.')})")
            raise ValueError(not_a_number(value))
        number = float(text.replace(",", ""))
    else:
        raise ValueError(f"{value!r} is not a number")
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return number


# Characters that show nothing: zero-width space, non-joiner, joiner, byte-order mark
# (zero-width no-break space) and word joiner. Thai text copied from web pages and PDFs
# carries them (U+200B marks word breaks), so two names that look alike may differ by one.
INVISIBLE = "\u200b\u200c\u200d\ufeff\u2060"
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
# SARA AM typed as NIKHAHIT + SARA AA (U+0E4D U+0E32), a tone mark on either side of the
# NIKHAHIT: the same text as SARA AM (U+0E33) after the tone mark. NFC does not join them.
_SPLIT_SARA_AM = re.compile("([\u0e48-\u0e4b]?)\u0e4d([\u0e48-\u0e4b]?)\u0e32")


def text_key(text: object) -> str:
    """The form in which two ids or names that look the same compare equal: NFC, SARA AM
    as one character (U+0E33), zero-width characters removed, outer spaces stripped.
    For comparing and grouping only; what is shown keeps the text as typed. ASCII text
    (most ids) has none of these: it is only stripped."""
    if type(text) is str and text.isascii():
        return text.strip()
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", str(text)))
    if "\u0e4d" in text:
        text = _SPLIT_SARA_AM.sub(lambda m: m.group(1) + m.group(2) + "\u0e33", text)
    return text.strip()


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


# Columns of a Thai dimension name per line on a radar's axis: as wide as English names
# under a bar chart's axis at the sides, the chart's own width at the top and bottom.
THAI_SIDE_WIDTH = 20
THAI_CENTRE_WIDTH = 40


def display_width(text: str) -> int:
    """Columns a line of text takes: Thai vowels above and below and tone marks (combining
    marks) sit on their consonant and take none."""
    return sum(unicodedata.category(c) != "Mn" for c in text)


def name_lines(name: str, width: int, most: int = 2) -> list[str] | None:
    """`name` in at most `most` lines of `width` columns, broken only at spaces (Thai
    writes no space between words, and a break inside a word misreads); None when it does
    not fit so."""
    lines: list[str] = []
    for word in name.split():
        if lines and display_width(lines[-1]) + 1 + display_width(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if not lines or len(lines) > most or any(display_width(line) > width for line in lines):
        return None
    return lines


def radar_labels(shorts: list[str], names: list[str]) -> list[str]:
    """Each radar axis's label: its short label ('มิติที่ ๑') over its name where the name
    fits beside the axis in two lines (more room at the top and bottom, where a label
    spreads both ways, than at the sides, where it widens the chart), the short label
    alone where it does not. Axes run clockwise from the top, as Excel and our report
    draw them."""
    out = []
    for i, (short, name) in enumerate(zip(shorts, names)):
        angle = 2 * math.pi * i / len(shorts)
        width = THAI_CENTRE_WIDTH if abs(math.sin(angle)) <= 0.1 else THAI_SIDE_WIDTH
        out.append("\n".join([short, *(name_lines(name, width) or [])]))
    return out
