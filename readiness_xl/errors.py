"""Errors that tell an analyst exactly where the bad input is (file, sheet, cell)."""

from __future__ import annotations

from dataclasses import dataclass


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
        return f"{', '.join(where)}: {self.message}" if where else self.message


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

    def in_file(self, file: str) -> "ReadinessError":
        """The same error with the file name filled in where it was unknown."""
        return ReadinessError(
            [p if p.file else Problem(p.message, p.sheet, p.cell, file) for p in self.problems]
        )


class ReadinessWarning(UserWarning):
    """Input that scores but is probably not what was meant (the command line prints it
    as one `readiness-xl: warning:` line)."""
