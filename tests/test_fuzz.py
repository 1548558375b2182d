"""Fuzzing: a few hundred seeded mutants of a small workbook and of a returned form (bytes
flipped, XML damaged, parts deleted, duplicated, emptied or unpacking past their declared
size, hostile cell values (decimal commas, invisible characters, formula-looking text) and
defined names; see tests/mutants.py) through `recalc` and `collect`. Whatever the
mutant, the promises hold: exit 0, 1 or 2, never 70 (our own bug); one line on stderr
on error; every input unchanged on error; a workbook we wrote opens in openpyxl.

FUZZ_MUTANTS=2000 runs more; a failure names its seed, and mutate(seed) remakes it: the
bases are made byte for byte the same on any day (their zip dates and document times
fixed), so a seed that fails in CI fails here too."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from readiness_xl.cli.main import cli
from tests.mutants import mutate

MUTANTS = int(os.environ.get("FUZZ_MUTANTS", "320"))
AGENCIES = ["D01", "D02", "P01"]


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> tuple[Path, Path]:
    """A recalculated three-agency master and D01's prefilled questionnaire."""
    from readiness_xl.builder.template import build_workbook, save_workbook
    from readiness_xl.sample.source_data import load_agencies, load_answers, load_framework
    from readiness_xl.survey.forms import build_form
    from readiness_xl.workbook.read import read_book
    from readiness_xl.workbook.recalc import recalc_file
    folder = tmp_path_factory.mktemp("fuzz")
    master = folder / "master.xlsx"
    agencies = load_agencies().loc[AGENCIES]
    save_workbook(build_workbook(load_framework(), agencies, load_answers().loc[AGENCIES]), master)
    _same_bytes_any_day(master)
    recalc_file(master)
    form = folder / "D01.xlsx"
    save_workbook(build_form(read_book(master), "D01", prefill=True), form)
    _same_bytes_any_day(form)
    return master, form


def _same_bytes_any_day(path: Path) -> None:
    """The package with its parts' zip dates and the document's times (docProps/core.xml)
    fixed: the only bytes of a build that depend on when it ran."""
    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w") as zout:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2017-01-01T00:00:00Z", data)
            info.date_time = (2017, 1, 1, 0, 0, 0)
            zout.writestr(info, data)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


def _openpyxl_fails(path: Path) -> str | None:
    try:
        load_workbook(path, read_only=True, data_only=True)["Summary"].calculate_dimension()
    except Exception as err:  # noqa: BLE001 - any failure of openpyxl is the finding
        return repr(err)
    return None


def _remake(source: Path, seed: int, folder: Path) -> Path:
    again = folder / "again.xlsx"
    mutate(source, again, seed)
    return again


def _run(argv: list[str]):
    result = CliRunner().invoke(cli, [str(a) for a in argv], env={"COLUMNS": "200"})
    return result.exit_code, result.stderr


def test_mutants_never_crash_never_change_their_input(bases, tmp_path):
    master, form = bases
    failures, outcomes = [], {0: 0, 1: 0, 2: 0}
    for seed in range(MUTANTS):
        collect = seed % 4 == 3
        mutant = tmp_path / ("D01.xlsx" if collect else f"m{seed}.xlsx")
        what = mutate(form if collect else master, mutant, seed)
        into = tmp_path / "into.xlsx"
        shutil.copy(master, into)
        before = {p: _digest(p) for p in (mutant, into)}
        argv = ["collect", mutant, "--into", into] if collect else ["recalc", mutant]
        code, err = _run(argv)
        lines = err.strip().splitlines()
        where = f"seed {seed} ({what}), {argv[0]}"
        if code not in (0, 1, 2):
            failures.append(f"{where}: exit {code}: {err.strip()[:300]}")
        elif code and (len(lines) != 1 or not lines[0].startswith("readiness-xl: error: ")):
            failures.append(f"{where}: stderr is not one error line: {err[:300]!r}")
        elif what.startswith("sizelie") and code == 0:
            failures.append(f"{where}: a part unpacking past its declared size was accepted")
        elif code == 2 and {p: _digest(p) for p in before} != before:
            failures.append(f"{where}: an input changed although the command failed")
        elif code == 1 and _digest(mutant) != before[mutant]:
            failures.append(f"{where}: the rejected form changed")
        elif code in (0, 1) and seed % 4 in (0, 3):   # what we wrote opens elsewhere...
            written = into if collect else mutant
            why = _openpyxl_fails(written)
            if why and not (not collect and _openpyxl_fails(_remake(master, seed, tmp_path))):
                failures.append(f"{where}: openpyxl cannot open what we wrote: {why}")
            # ...unless it could not open the input either: parts we do not own pass as they are
        outcomes[code] = outcomes.get(code, 0) + 1
        mutant.unlink(missing_ok=True)
    print(f"fuzz: {MUTANTS} mutants, exit codes {outcomes}")
    assert not failures, "\n".join(failures[:15])
    assert outcomes[2] > MUTANTS // 10 and outcomes[0] > MUTANTS // 10, outcomes  # it bites both ways
