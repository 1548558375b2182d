"""The core refuses bad input with a ReadinessError that says what is wrong and where
(file, sheet, cell or line) as far as it knows, never with a bare ValueError."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import numpy as np
import pytest

from readiness_xl.core import robustness as R
from readiness_xl.core.aggregation import parse_aggregation
from readiness_xl.core.answers import parse_answer
from readiness_xl.core.audit import cronbach_alpha_of_cells
from readiness_xl.core.framework import build_framework, located
from readiness_xl.core.normalisation import check_normalisers
from readiness_xl.core.policies import checked_missing
from readiness_xl.core.worksheet_functions import CellValueError
from readiness_xl import errors
from readiness_xl.errors import InputValueError, ReadinessError

CORE = Path(__file__).resolve().parent.parent / "readiness_xl" / "core"
# Faults of ours, not of the input: raised as they are (the UDF guard shows them to no
# analyst as #VALUE!). Anything else a core module raises is one of the project's input
# errors (a ReadinessError or a CellValueError).
FAULTS = {("narrative.py", "AssertionError"),     # a phrase table written wrong
          ("pipeline/base.py", "KeyError")}       # a step asked for by a name no step has


def raised_names(path: Path) -> list[tuple[int, str | None]]:
    """(line, name of the exception class) of every `raise` in a module; None for a
    bare re-raise or an exception that is not a plain name (raise err)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise):
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            found.append((node.lineno, exc.id if isinstance(exc, ast.Name) else None))
    return sorted(found)


def bare_value_errors(path: Path) -> list[int]:
    """Lines of `raise ValueError` / `raise ValueError(...)` in a module."""
    return [line for line, name in raised_names(path) if name == "ValueError"]


def core_modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def test_the_scan_finds_a_bare_value_error(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f(x):\n    if x:\n        raise ValueError('no')\n    raise ValueError\n")
    assert bare_value_errors(module) == [3, 4]


def test_the_scan_reaches_the_pipeline_package():
    assert CORE / "pipeline" / "normalise.py" in core_modules()


def test_the_core_raises_no_bare_value_error():
    found = {p.relative_to(CORE).as_posix(): bare_value_errors(p) for p in core_modules()}
    assert {name: lines for name, lines in found.items() if lines} == {}


def project_error(module: str, name: str | None) -> bool:
    """Whether `name`, as module `module` of the core sees it, is one of the input errors
    the core documents (a ReadinessError or a CellValueError, subclasses included)."""
    if name is None:
        return False
    dotted = "readiness_xl.core." + module.removesuffix(".py").replace("/", ".")
    # a name imported inside the function that raises it is one of errors.py's
    cls = getattr(importlib.import_module(dotted), name, None) or getattr(errors, name, None)
    return isinstance(cls, type) and issubclass(cls, (ReadinessError, CellValueError))


def test_every_raise_in_the_core_is_an_input_error_of_the_project_or_a_listed_fault():
    odd = {}
    for path in core_modules():
        module = path.relative_to(CORE).as_posix()
        for line, name in raised_names(path):
            if (module, name) not in FAULTS and not project_error(module, name):
                odd.setdefault(module, []).append((line, name))
    assert odd == {}
    assert {(m, n) for m, n in FAULTS
            if n not in {name for _, name in raised_names(CORE / m)}} == set(), "a fault left: unlist it"


@pytest.mark.parametrize("call, message", [
    (lambda: parse_aggregation("median"), "aggregation 'median' is not one of arithmetic, geometric"),
    (lambda: parse_aggregation("power:500"), "aggregation 'power:500': the power must be between -100 and 100"),
    (lambda: checked_missing("sometimes"), "missing 'sometimes' is not one of zero, exclude"),
    (lambda: check_normalisers(["goalposts", "median"], ("1.1", "1.2")),
     "indicator '1.2': normalisation 'median' is not one of goalposts, minmax, zscore, rank, target"),
    (lambda: R.choices((), np.zeros((3, 2))), "draws have shape (3, 2); expected (n, 0)"),
    (lambda: R.sobol_indices(np.zeros((7, 1)), 1), "7 runs is not a multiple of inputs + 2 = 3"),
])
def test_the_method_refuses_with_an_input_value_error_that_says_what(call, message):
    with pytest.raises(InputValueError) as err:
        call()
    assert err.value.one_line().startswith(message)


def test_an_unknown_aggregation_in_the_framework_is_named_by_its_cell():
    dims = located([{"id": "A", "name_th": "ก", "name_en": "A", "weight": 1, "aggregation": "median"}],
                   "Framework", {"id": "A", "name_th": "B", "name_en": "C", "weight": "D",
                                 "aggregation": "E"}, 5)
    inds = located([{"id": "a1", "dimension": "A", "question_th": "", "question_en": "", "type": "yesno",
                     "max": 1, "points": 1}], "Framework",
                   {"id": "A", "dimension": "B", "question_th": "C", "question_en": "D", "type": "E",
                    "max": "F", "points": "G"}, 20)
    with pytest.raises(ReadinessError) as err:
        build_framework(dims, inds, None, "test")
    [problem] = err.value.problems
    assert (problem.sheet, problem.cell) == ("Framework", "E5")
    assert problem.message.startswith("aggregation 'median' is not one of arithmetic")


@pytest.mark.parametrize("value, kind, message", [
    ("#REF!", "scale", "cell holds the Excel error #REF!"), ("abc", "scale", "not a number"),
    (9, "scale", "9 is outside 0..4"), ("maybe", "yesno", "'maybe' is not a yes/no answer"),
])
def test_a_bad_answer_is_a_readiness_error(value, kind, message):
    with pytest.raises(ReadinessError) as err:
        parse_answer(value, kind, 4)
    assert isinstance(err.value, InputValueError) and message in err.value.one_line()


def test_a_bad_cell_of_a_block_is_named_by_its_place():
    with pytest.raises(ReadinessError, match=r"row 2, column 1: 'n/a' is not a number"):
        cronbach_alpha_of_cells([[1.0, 2.0], ["n/a", 3.0], [2.0, 2.0]])


@pytest.mark.parametrize("decimals", ["2.5", "-1", "two", "inf"])
def test_a_bad_decimals_setting_is_named_by_its_cell(decimals):
    dims = located([{"id": "A", "name_th": "ก", "name_en": "A", "weight": 1}], "Framework",
                   {"id": "A", "name_th": "B", "name_en": "C", "weight": "D"}, 5)
    inds = located([{"id": "a1", "dimension": "A", "question_th": "", "question_en": "", "type": "yesno",
                     "max": 1, "points": 1}], "Framework",
                   {"id": "A", "dimension": "B", "question_th": "C", "question_en": "D", "type": "E",
                    "max": "F", "points": "G"}, 20)
    bands = located([{"lower": 0, "label_th": "ต่ำ", "label_en": "Low"}], "Framework",
                    {"lower": "A", "label_th": "B", "label_en": "C"}, 10)
    settings = located([{"key": "decimals", "value": decimals}], "Framework", {"key": "A", "value": "B"}, 30)
    assert build_framework(dims, inds, bands, "test").settings.decimals is None   # the baseline builds
    with pytest.raises(ReadinessError) as err:
        build_framework(dims, inds, bands, "test", settings=settings)
    [problem] = err.value.problems
    assert (problem.sheet, problem.cell) == ("Framework", "B30")
    assert problem.message.startswith(f"decimals {decimals!r} is not a whole number")
