"""Shared fixtures: the B.E. 2560 sample built once per test session from source data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# xlwings' remote/Office.js engines (PolyForm Noncommercial, free for noncommercial and
# government use) load only with a key, read when xlwings is first imported. The tests
# run xlwings' own code through them; the product's classic path needs no key.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
CLI = [sys.executable, "-m", "readiness_xl"]


def run_cli(*args: str, check: bool = True, columns: int = 200) -> subprocess.CompletedProcess:
    """Run `readiness-xl` in a subprocess, as a user would, in a terminal `columns` wide."""
    env = {**os.environ, "COLUMNS": str(columns)}
    result = subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, env=env,
                            cwd=ROOT)
    if check and result.returncode != 0:
        raise AssertionError(f"readiness-xl {' '.join(map(str, args))} failed:\n{result.stderr}")
    return result


def long_book(folder: Path, agencies: tuple[str, ...] = ("D01", "P01")) -> Path:
    """A template of the Responses layout with these agencies' B.E. 2560 answers loaded,
    through the command line as an analyst makes one."""
    book = folder / "long.xlsx"
    run_cli("new-template", book, "--layout", "long")
    answers = folder / "answers.csv"
    source = (ROOT / "readiness_xl" / "data" / "be2560" / "answers.csv").read_text(encoding="utf-8")
    answers.write_text("\n".join(line for line in source.splitlines()
                                 if line.startswith(("agency", *agencies))) + "\n", encoding="utf-8")
    run_cli("load-answers", answers, "--into", book)
    return book


@pytest.fixture(scope="session")
def sample_path(tmp_path_factory) -> Path:
    """A freshly built and recalculated sample workbook (do not modify: copy it)."""
    from readiness_xl.sample.build import build_sample
    path = tmp_path_factory.mktemp("sample") / "sample_2560.xlsx"
    build_sample(path)
    return path


@pytest.fixture
def sample_copy(sample_path, tmp_path) -> Path:
    """A private copy of the sample that a test may change."""
    target = tmp_path / "book.xlsx"
    shutil.copy(sample_path, target)
    return target


@pytest.fixture(scope="session")
def sample_json(sample_path, tmp_path_factory) -> dict:
    """`readiness-xl recalc --json` of the sample (written to a copy)."""
    out = tmp_path_factory.mktemp("recalc") / "out.xlsx"
    return json.loads(run_cli("recalc", sample_path, "-o", out, "--json").stdout)
