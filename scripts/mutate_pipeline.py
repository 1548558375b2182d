"""A small mutation run over the method's steps (readiness_xl/core/pipeline): each
mutant changes one operator or constant (== and !=, < and <=, + and -, * and /, and/or,
.all() and .any(), a number n to n + 1, `not` dropped), is written into a copy of the
project and run against the method's tests; a mutant the tests do not fail survived.

    .venv/bin/python scripts/mutate_pipeline.py --sample 60 --seed 22

Prints the score and every surviving mutant (module, line, the change), so a person
can tell an equivalent mutant from a gap in the tests."""

from __future__ import annotations

import argparse
import ast
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ["aggregate.py", "normalise.py", "finish.py", "method.py", "parse.py"]
TESTS = ["tests/test_pipeline.py", "tests/test_method.py", "tests/test_scoring.py",
         "tests/test_sheet_formulas.py", "-k", "not random and not libreoffice"]
SWAPS = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE,
         ast.GtE: ast.Gt, ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
         ast.And: ast.Or, ast.Or: ast.And}


class Mutate(ast.NodeTransformer):
    """Walks a module; `found` lists (line, change) of every mutation point in walk
    order, and the point numbered `target` (None: none) is changed."""

    def __init__(self, target: int | None = None):
        self.target, self.found = target, []

    def hit(self, node, what: str) -> bool:
        self.found.append((node.lineno, what))
        return len(self.found) - 1 == self.target

    def visit(self, node):
        if isinstance(node, ast.Compare):
            ops = []
            for op in node.ops:
                swap = SWAPS.get(type(op))
                ops.append(swap() if swap and self.hit(node, f"{type(op).__name__} -> {swap.__name__}") else op)
            node.ops = ops
        elif isinstance(node, (ast.BinOp, ast.BoolOp)) and type(node.op) in SWAPS:
            swap = SWAPS[type(node.op)]
            if self.hit(node, f"{type(node.op).__name__} -> {swap.__name__}"):
                node.op = swap()
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
            if self.hit(node, f"{node.value!r} -> {node.value + 1!r}"):
                node.value = node.value + 1
        elif isinstance(node, ast.Attribute) and node.attr in ("all", "any"):
            other = "any" if node.attr == "all" else "all"
            if self.hit(node, f".{node.attr}() -> .{other}()"):
                node.attr = other
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            if self.hit(node, "not dropped"):
                return self.generic_visit(node.operand) or node.operand
        return self.generic_visit(node)


def walk_order(tree: ast.AST) -> list[tuple[int, str]]:
    finder = Mutate()
    finder.visit(tree)
    return finder.found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=60)
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mutants-"))
    copy = work / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "bench", "workbooks", "*.pyc"))
    shutil.copytree(ROOT / "workbooks", copy / "workbooks")
    every, pristine = [], {}
    for name in MODULES:
        source = pristine[name] = (copy / "readiness_xl/core/pipeline" / name).read_text()
        every += [(name, k, line, what) for k, (line, what) in enumerate(walk_order(ast.parse(source)))]
    chosen = sorted(random.Random(args.seed).sample(every, min(args.sample, len(every))))
    survived, killed = [], 0
    for name, k, line, what in chosen:
        target = copy / "readiness_xl/core/pipeline" / name
        original = pristine[name]
        target.write_text(ast.unparse(Mutate(k).visit(ast.parse(original))))
        try:
            result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                     *TESTS], cwd=copy, capture_output=True, timeout=args.timeout)
            dead = result.returncode != 0
        except subprocess.TimeoutExpired:
            dead = True
        finally:
            target.write_text(original)
        killed += dead
        print(f"{'killed  ' if dead else 'SURVIVED'} {name}:{line} {what}", flush=True)
        if not dead:
            survived.append((name, line, what))
    print(f"\n{killed} of {len(chosen)} mutants killed ({100 * killed / max(len(chosen), 1):.0f}%); "
          f"{len(every)} mutation points in {', '.join(MODULES)}")
    for name, line, what in survived:
        print(f"  survived: {name}:{line} {what}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
