"""A small mutation run: does the test suite notice when the method is computed wrongly?

Each mutant changes one thing in one module (a comparison, an arithmetic operator, a
number, an `and`/`or`, a `not`, `.all()`/`.any()`, `True`/`False`), is written into a
private copy of the project, and the named tests are run against it. A mutant the tests
fail on is *killed*; one they pass on *survived*: either a gap in the tests or a change
that means the same (an equivalent mutant), which a person has to judge. The run never
touches the working tree.

    python scripts/mutation_run.py readiness_xl/core/aggregation.py \
        --tests tests/test_scoring.py tests/test_method_by_hand.py --sample 40 --seed 1

prints each survivor (file:line:column, what was changed) and the score. `--only` re-runs named
mutants, as the run printed them (e.g. after adding the test that should kill them):

    python scripts/mutation_run.py readiness_xl/core/aggregation.py --tests ... \
        --only "readiness_xl/core/aggregation.py:80:11 Gt -> GtE"
"""

from __future__ import annotations

import argparse
import ast
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("readiness_xl", "udfs", "tests", "workbooks", "docs", "pyproject.toml")  # what the tests read
SWAPS: dict[type, type] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.And: ast.Or, ast.Or: ast.And, ast.Pow: ast.Mult,
}
METHOD_SWAPS = {"all": "any", "any": "all", "nanmin": "nanmax", "nanmax": "nanmin", "floor": "ceil"}


@dataclass(frozen=True)
class Mutant:
    path: Path
    index: int   # the index-th mutable site of the module, in ast.walk order
    line: int
    column: int  # where on the line (two mutants of a line may read alike)
    what: str


def _sites(tree: ast.AST):
    """(node, line, description) of every place one mutation can be made."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            if type(node.ops[0]) in SWAPS:   # the first comparison of a chain
                op = node.ops[0]
                yield node, node.lineno, f"{type(op).__name__} -> {SWAPS[type(op)].__name__}"
        elif isinstance(node, (ast.BinOp, ast.BoolOp)) and type(node.op) in SWAPS:
            yield node, node.lineno, f"{type(node.op).__name__} -> {SWAPS[type(node.op)].__name__}"
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
            yield node, node.lineno, f"drop {type(node.op).__name__}"
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float) and not isinstance(node.value, bool):
            yield node, node.lineno, f"{node.value!r} -> {node.value + 1!r}"
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            yield node, node.lineno, f"{node.value} -> {not node.value}"
        elif isinstance(node, ast.Attribute) and node.attr in METHOD_SWAPS:
            yield node, node.lineno, f".{node.attr} -> .{METHOD_SWAPS[node.attr]}"


def _in_docstring_or_annotation(tree: ast.AST) -> set[int]:
    """ids of nodes in annotations (mutating them changes nothing that runs)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        for annotation in (getattr(node, "annotation", None), getattr(node, "returns", None)):
            if annotation is not None:
                skip.update(id(n) for n in ast.walk(annotation))
    return skip


def mutants(path: Path) -> list[Mutant]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _in_docstring_or_annotation(tree)
    return [Mutant(path, i, line, node.col_offset, what)
            for i, (node, line, what) in enumerate(_sites(tree)) if id(node) not in skip]


def mutated_source(mutant: Mutant) -> str:
    tree = ast.parse(mutant.path.read_text(encoding="utf-8"))
    node = list(_sites(tree))[mutant.index][0]
    if isinstance(node, ast.Compare):
        node.ops = [SWAPS[type(node.ops[0])](), *node.ops[1:]]
    elif isinstance(node, (ast.BinOp, ast.BoolOp)):
        node.op = SWAPS[type(node.op)]()
    elif isinstance(node, ast.UnaryOp):
        return ast.unparse(_replace(tree, node, node.operand))
    elif isinstance(node, ast.Constant):
        node.value = (not node.value) if isinstance(node.value, bool) else node.value + 1
    elif isinstance(node, ast.Attribute):
        node.attr = METHOD_SWAPS[node.attr]
    return ast.unparse(tree)


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> ast.AST:
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
            elif isinstance(value, list):
                setattr(parent, field, [new if v is old else v for v in value])
    return tree


def _pytest(tests: list[str], copy: Path, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                           "-o", "addopts=", *tests], cwd=copy, capture_output=True, text=True,
                          timeout=timeout)


def run(mutant: Mutant, tests: list[str], copy: Path, timeout: float) -> bool:
    """True if the tests fail on the mutant (killed)."""
    target = copy / mutant.path.relative_to(ROOT)
    original = target.read_text(encoding="utf-8")
    target.write_text(mutated_source(mutant), encoding="utf-8")
    try:
        return _pytest(tests, copy, timeout).returncode != 0
    except subprocess.TimeoutExpired:
        return True   # an endless loop is noticed too
    finally:
        target.write_text(original, encoding="utf-8")


def baseline(tests: list[str], copy: Path, timeout: float) -> str | None:
    """Why the tests fail on the unmutated copy (a file the copy lacks, a broken test),
    or None: a failure there would count every mutant as killed."""
    done = _pytest(tests, copy, timeout)
    return None if done.returncode == 0 else (done.stdout + done.stderr)[-3000:]


def _name(mutant: Mutant) -> str:
    return f"{mutant.path.relative_to(ROOT)}:{mutant.line}:{mutant.column} {mutant.what}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="+", type=Path)
    parser.add_argument("--tests", nargs="+", required=True)
    parser.add_argument("--sample", type=int, default=0, help="mutants drawn at random (0 = all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--only", nargs="+", default=(), metavar="'PATH:LINE:COLUMN WHAT'",
                        help="run just these mutants, as printed by an earlier run")
    args = parser.parse_args(argv)
    pool = [m for module in args.modules for m in mutants(module.resolve())]
    if args.only:
        chosen = [m for m in pool if _name(m) in set(args.only)]
        missing = set(args.only) - {_name(m) for m in chosen}
        if missing:
            parser.error(f"no such mutant: {sorted(missing)[0]}")
    else:
        chosen = random.Random(args.seed).sample(pool, args.sample) if 0 < args.sample < len(pool) else pool
    survivors = []
    with tempfile.TemporaryDirectory(prefix="readiness-xl-mutants-") as tmp:
        copy = Path(tmp)
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
            else:
                shutil.copy(source, copy / name)
        failing = baseline(args.tests, copy, args.timeout)
        if failing:
            print(f"the tests fail without any mutant; nothing counted:\n{failing}", file=sys.stderr)
            return 2
        for number, mutant in enumerate(chosen, start=1):
            killed = run(mutant, args.tests, copy, args.timeout)
            print(f"{number:4d}/{len(chosen)} {'killed  ' if killed else 'SURVIVED'} {_name(mutant)}",
                  flush=True)
            if not killed:
                survivors.append(_name(mutant))
    killed = len(chosen) - len(survivors)
    print(f"\n{killed} of {len(chosen)} mutants killed ({100 * killed / max(len(chosen), 1):.0f}%); "
          f"{len(survivors)} survived (gaps in the tests or equivalent changes):")
    print("\n".join(f"  {s}" for s in survivors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
