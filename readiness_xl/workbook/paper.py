"""Paper: A4 sizes, margins, the printed width of a column and the height of wrapped
text, shared by the sheets the template builder makes (openpyxl) and the sheets written
straight into a package (`sheet_writer`), so both print alike."""

from __future__ import annotations

import math
import unicodedata

# A4 in points, and the printed width of a column: Excel's width unit is the width of
# the Normal font's digit (7 px in Calibri 11) plus 5 px of padding, 96 px to the inch.
A4_POINTS = {"portrait": (595.3, 841.9), "landscape": (841.9, 595.3)}
SIDE_MARGIN, TOP_MARGIN = 0.4, 0.5     # inches
MIN_PRINT_POINTS = 8                   # smallest body text we print
FIT_SLACK = 0.97                       # programs measure fonts a little differently
LINE_POINTS = 17.0  # a line of 11-point Thai: Thai fonts need more height than Latin ones
WRAP_FILL = 0.8     # characters per line of wrapped text, per unit of column width
PAGE_FOOTER = "หน้า &P / &N  Page &P of &N"


def column_points(width: float) -> float:
    """Printed width of a column `width` characters wide."""
    return (width * 7 + 5) * 0.75


def printable_points(landscape: bool) -> float:
    page = A4_POINTS["landscape" if landscape else "portrait"][0]
    return page - 2 * SIDE_MARGIN * 72


def fitted_scale(widest: float, landscape: bool, body_points: float) -> tuple[int, int]:
    """(scale %, smallest allowed scale %) that fits `widest` points of columns on the
    page width, the smallest being the scale that prints the body at MIN_PRINT_POINTS."""
    smallest = math.ceil(100 * MIN_PRINT_POINTS / body_points)
    return math.floor(100 * FIT_SLACK * printable_points(landscape) / widest), smallest


def visible_length(text: str) -> int:
    """Characters that take width: Thai vowel and tone marks above or below a letter do not."""
    return sum(1 for ch in text if unicodedata.category(ch) != "Mn")


def text_height(text: str, width_chars: float, line_points: float = LINE_POINTS) -> float:
    """Row height that shows wrapped text whole: spreadsheet programs do not grow rows
    on opening a file. Thai vowel and tone marks sit above or below a letter and take
    no width of their own, so they are not counted; a Thai letter is a little wider than
    the digit a column width counts, and lines break at words, hence WRAP_FILL."""
    per_line = max(1, int(width_chars * WRAP_FILL))

    def lines(part: str) -> int:
        return max(1, -(-visible_length(part) // per_line))
    return line_points * sum(lines(part) for part in str(text).split("\n"))


def wrapped_lines(text: str, width_chars: float, fill: float = WRAP_FILL) -> int:
    """Lines `text` takes in a wrapped cell `width_chars` wide, breaking at spaces as
    spreadsheet programs do (a run longer than a line is broken inside: Thai has no
    spaces and is broken by dictionary). For short texts such as headers, where a
    word that does not fit moves whole to the next line."""
    per_line = max(1, int(width_chars * fill))
    total = 0
    for part in str(text).split("\n"):
        lines, used = 1, 0
        for word in part.split():
            n = visible_length(word)
            if used and used + 1 + n > per_line:
                lines, used = lines + 1, 0
            if n > per_line:
                lines, used = lines + (n - 1) // per_line, (n - 1) % per_line + 1
            else:
                used += (1 if used else 0) + n
        total += lines
    return total
