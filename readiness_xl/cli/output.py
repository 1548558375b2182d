"""What the commands hand to the outside: JSON on stdout, and output file names checked
before any work is done (a .pdf name gets a PDF or a refusal, never HTML inside)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import click

from readiness_xl.core.policies import MISSING_POLICIES
from readiness_xl.errors import Problem, ReadinessError

SIGNIFICANT_DIGITS = 12  # beyond this a float only carries binary noise (50.199999999999996)
# What our builders write (openpyxl, no macros): an .xlsm or .xls name would not open in Excel.
BUILT_WORKBOOK_SUFFIXES = (".xlsx",)


def rounded(value):
    """`value` with every float rounded to SIGNIFICANT_DIGITS (lists and dicts walked);
    NaN and infinities become null: JSON has no such numbers (json_text refuses any left)."""
    if isinstance(value, float):
        return None if not math.isfinite(value) else float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(item) for item in value]
    return value


def json_text(data, indent: bool) -> str:
    """JSON without float noise: indented for a person, compact for a program."""
    if indent:
        return json.dumps(rounded(data), ensure_ascii=False, indent=2, allow_nan=False)
    return json.dumps(rounded(data), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def echo_json(data) -> None:
    """Print `data` as JSON on stdout: indented on a terminal, one compact line otherwise.
    Every command's --json goes through here."""
    click.echo(json_text(data, indent=sys.stdout.isatty()))


def output_kind(out: Path, kinds: dict[str, str], what: str) -> str:
    """The kind of file `out` names by its extension (a key of `kinds`: suffix -> kind),
    or a refusal that lists the extensions that work, before anything is written."""
    suffix = out.suffix.lower()
    if suffix in kinds:
        return kinds[suffix]
    names = " or ".join(kinds)
    given = f"'{out.suffix}'" if out.suffix else "no extension"
    raise ReadinessError(Problem(f"{what} is written as {names}, not {given}: "
                                 f"name the output e.g. {out.stem or 'out'}{next(iter(kinds))}",
                                 file=str(out)))


def workbook_output(out: Path, what: str = "the workbook") -> None:
    """Refuse an output name Excel would not open as what we build (.xls, .csv, ...)."""
    output_kind(out, {s: s for s in BUILT_WORKBOOK_SUFFIXES}, what)


MISSING_HELP = "Unanswered indicators: 'zero' = not met; 'exclude' = left out of the score."


def missing_option(help: str = MISSING_HELP):
    """The --missing option of every command that scores (one of MISSING_POLICIES,
    'zero' by default), with its own help where it means something narrower."""
    return click.option("--missing", type=click.Choice(MISSING_POLICIES), default=None,
                        help=help + " [default: the framework's `missing` setting, else zero]")
