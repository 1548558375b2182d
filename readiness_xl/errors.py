"""Errors that tell an analyst exactly where the bad input is (file, sheet, cell)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_CONTROL = re.compile("[\x00-\x1f\x7f\u2028\u2029\x85]")
SUGGESTIONS = 5  # nearest valid values named when one is unknown


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we know."""

    message: str
    sheet: str | None = None
    cell: str | None = None
    file: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.cell:
            where.append(self.cell if self.cell.startswith("line ") else f"cell {self.cell}")
        return visible(f"{', '.join(where)}: {self.message}" if where else self.message)


def visible(text: str) -> str:
    """The text on one line: a line break or other control character taken from a cell
    is shown as its escape (\\n, \\x0b), so an error stays one line that a script can read."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class ReadinessError(Exception):
    """Bad input or a refused write; carries every problem found, not only the first."""

    def __init__(self, problems: Problem | list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.one_line())

    def one_line(self) -> str:
        first = str(self.problems[0]) if self.problems else "unknown problem"
        more = len(self.problems) - 1
        return (f"{first} (and {more} more problem{'s' if more > 1 else ''}; "
                "run readiness-xl --all-problems … to list them)") if more else first

    def in_file(self, file: str, sheet: str | None = None) -> "ReadinessError":
        """The same error with the file name (and `sheet`, when given) filled in where it
        was unknown."""
        return ReadinessError(
            [p if p.file and (p.sheet or not sheet) else
             Problem(p.message, p.sheet or sheet, p.cell, p.file or file) for p in self.problems]
        )


class InputValueError(ReadinessError, ValueError):
    """One value that cannot be used (an answer, a number where a number belongs), said in
    words an analyst understands; the caller that knows the cell adds it (see
    `core.answers.BadAnswer`). A ValueError too, so that code converting a single value
    catches it as it catches float()'s."""


class ReadinessWarning(UserWarning):
    """Input that scores but is probably not what was meant (the command line prints it
    as one `readiness-xl: warning:` line)."""


def _folded(text: str) -> str:
    """Case and leading zeros of numbers ignored: 'd1', 'D01' and 'd01' are alike."""
    return re.sub(r"(?<!\d)0+(?=\d)", "", text.casefold())


def nearest(word: str, choices, n: int = SUGGESTIONS) -> list[str]:
    """The valid choices closest to a mistyped `word`: the one that differs only in case
    or leading zeros if there is one, else the most similar ones (difflib), at most `n`."""
    folded = {_folded(str(c)): str(c) for c in choices}
    if _folded(word) in folded:
        return [folded[_folded(word)]]
    return [folded[s] for s in difflib.get_close_matches(_folded(word), list(folded), n=n, cutoff=0.5)]


def unknown_choice(what: str, word: str, choices) -> Problem:
    """'no agency 'd01': did you mean 'D01'?' with the nearest valid values, or the first
    few of them when none is near."""
    choices = [str(c) for c in choices]
    close = nearest(word, choices)
    if close:
        hint = "did you mean " + ", ".join(f"'{c}'" for c in close) + "?"
    else:
        shown = ", ".join(choices[:SUGGESTIONS]) + (", ..." if len(choices) > SUGGESTIONS else "")
        hint = f"valid ids: {shown} ({len(choices)} in all)"
    return Problem(f"no {what} '{word}' in the workbook; {hint}")
