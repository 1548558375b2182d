"""The core refuses bad input with a ReadinessError that says what is wrong and where
(file, sheet, cell or line) as far as it knows, never with a bare ValueError."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from readiness_xl.core.answers import parse_answer
from readiness_xl.core.audit import cronbach_alpha_of_cells
from readiness_xl.core.framework import build_framework, located
from readiness_xl.errors import InputValueError, ReadinessError

CORE = Path(__file__).resolve().parent.parent / "readiness_xl" / "core"
# Modules whose refusals the method pipeline (one description of the method) rewrites;
# each is to leave this list when its last `raise ValueError` goes.
PENDING = {"aggregation.py", "normalisation.py", "robustness.py"}


def bare_value_errors(path: Path) -> list[int]:
    """Lines of `raise ValueError` / `raise ValueError(...)` in a module."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name) and exc.id == "ValueError":
                lines.append(node.lineno)
    return sorted(lines)


def test_the_scan_finds_a_bare_value_error(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f(x):\n    if x:\n        raise ValueError('no')\n    raise ValueError\n")
    assert bare_value_errors(module) == [3, 4]


def test_the_core_raises_no_bare_value_error():
    found = {p.name: bare_value_errors(p) for p in sorted(CORE.glob("*.py"))}
    assert {name: lines for name, lines in found.items() if lines and name not in PENDING} == {}
    assert {name for name in PENDING if not found.get(name)} == set(), "remove them from PENDING"


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
