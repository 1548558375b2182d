"""Step 1, parse: cell values as typed -> numbers in each indicator's own units (yes/no
words 1/0, Thai digits, blanks as missing), as `core/answers.py` reads them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from readiness_xl.core.answers import NO_WORDS, YES_WORDS
from readiness_xl.core.pipeline.base import LogEntry, NoFormula, State, Step, columns_text
from readiness_xl.thai import thai_digits


def yes_test(cell: str) -> str:
    """A native test of a yes answer, from the word list the reader accepts."""
    words = sorted(YES_WORDS | {thai_digits("1")})
    return f"OR({','.join(f'{cell}={chr(34)}{w}{chr(34)}' for w in words)},{cell}=1,{cell}=TRUE)"


def no_test(cell: str) -> str:
    words = sorted(NO_WORDS | {thai_digits("0")})
    return f"OR({','.join(f'{cell}={chr(34)}{w}{chr(34)}' for w in words)},{cell}=0,{cell}=FALSE)"


@dataclass(frozen=True)
class Parse(Step):
    """Raw cells (units x indicators, any values; `state.raw`) -> `state.values`. Bad
    answers are refused with their agency and indicator (the workbook reader adds the
    cell) by `core.answers.parse_answers`. When the values arrive parsed (`raw` None),
    the step passes them on and says so."""

    framework: object = None
    name: str = "parse"

    def apply(self, state: State, fitted) -> State:
        if state.raw is None:
            return state
        from readiness_xl.core.answers import parse_answers
        from readiness_xl.errors import Problem, ReadinessError

        parsed, bad = parse_answers(state.raw, self.framework)
        if bad:
            raise ReadinessError([Problem(f"agency '{b.agency}', indicator '{b.indicator}': "
                                          f"{b.message}") for b in bad])
        return state.but(values=parsed.to_numpy(float), raw=None)

    def formula(self, key: tuple[str, str], cells: str) -> str | NoFormula:
        """key (answer type, "value" | "answered") over the answer cell: the parsed number,
        or the test that the cell holds an answer. Numbers typed as text (Thai digits)
        are not read by the formula: only `recalc` parses them."""
        answer_type, part = key
        if answer_type == "yesno":
            if part == "answered":   # a blank cell equals 0 and FALSE: it is no "no"
                return f"AND(NOT(ISBLANK({cells})),OR({yes_test(cells)},{no_test(cells)}))"
            return f"IF({yes_test(cells)},1,0)"
        return f"ISNUMBER({cells})" if part == "answered" else cells

    def describe(self, state: State, fitted) -> LogEntry:
        answered = 0 if state.values is None else int(np.count_nonzero(~np.isnan(state.values)))
        return LogEntry(self.name, f"answers read as numbers ({answered} answered)",
                        f"values[:, {columns_text(state.indicators)}]")
