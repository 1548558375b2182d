"""SIGKILL at random moments of `recalc` and `collect` on a 1,000-agency workbook: the
target is always either the original, byte for byte, or a complete result that openpyxl
opens; the hidden temporary file a kill leaves is removed by the next run. The workbook
is built once (bench/workbooks.py); each kill falls at a uniform random moment of a
run's measured length, so the test costs about KILLS x half a run. KILLS (default 50)
and the seed are in the environment. LibreOffice takes minutes to open 1,000 sheets, so
it checks the complete results of a few kills of the same runs on a 31-agency sample."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from readiness_xl.workbook.locks import TEMP_MARK
from readiness_xl.workbook.read import read_book
from tests.conftest import CLI, ROOT
from tests.outside_tools import libreoffice_convert

KILLS = int(os.environ.get("KILLS", "50"))
SEED = int(os.environ.get("KILL_SEED", "2560"))
AGENCIES = int(os.environ.get("KILL_AGENCIES", "1000"))
FORMS = 5


def _with_forms(master: Path, folder: Path) -> tuple[Path, list[Path]]:
    """The master (recalculated) and FORMS of its agencies' returned forms, each changed."""
    from readiness_xl.builder.template import save_workbook
    from readiness_xl.survey.forms import build_form
    from readiness_xl.workbook.recalc import recalc_file
    recalc_file(master)
    book = read_book(master)
    forms = []
    for agency in book.agencies.index[:FORMS]:
        wb = build_form(book, agency, prefill=True)
        sheet = wb[agency]
        cell = book.answer_cells[(agency, book.framework.indicator_ids[1])][1]
        sheet[cell].value = None                      # a change the master must take
        save_workbook(wb, folder / f"{agency}.xlsx")
        forms.append(folder / f"{agency}.xlsx")
    return master, forms


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> tuple[Path, list[Path]]:
    """A 1,000-agency master (agency sheets) and its returned forms."""
    sys.path.insert(0, str(ROOT / "bench"))
    import workbooks
    folder = tmp_path_factory.mktemp("kills")
    return _with_forms(workbooks.build(folder / "master.xlsx", AGENCIES, "sheets"), folder)


@pytest.fixture(scope="module")
def small(tmp_path_factory, sample_path) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("kills_small")
    shutil.copy(sample_path, folder / "master.xlsx")
    return _with_forms(folder / "master.xlsx", folder)


def _start(argv: list[str]) -> subprocess.Popen:
    return subprocess.Popen([*CLI, *map(str, argv)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def _summary(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        names = {n: zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/")}
    return b"".join(v for k, v in sorted(names.items()))


def _complete(path: Path, command: str, forms: list[Path], rows: int) -> None:
    """The result opens in openpyxl and holds what the command writes."""
    wb = load_workbook(path, read_only=True)
    try:
        assert wb["Summary"].max_row > rows
        if command == "collect":
            merged = [r[1] for r in wb["Validation"].iter_rows(min_row=2, values_only=True)
                      if r[5] == "merged"]
            assert sorted(merged) == sorted(f.name for f in forms)
    finally:
        wb.close()


def test_sigkill_leaves_the_original_or_a_complete_result(big, tmp_path):
    seen = _kill(*big, KILLS, tmp_path, libreoffice=False)
    assert seen["original"] and seen["complete"]       # kills fell both before and after the replace


def test_results_of_killed_runs_open_in_libreoffice(small, tmp_path):
    # Kills from half a whole run to past its end: with 8 kills over the whole run, all of
    # them could fall before the replace (it happened), leaving LibreOffice nothing to open.
    seen = _kill(*small, 8, tmp_path, libreoffice=True, window=(0.5, 1.5))
    assert seen["libreoffice"] and seen["libreoffice"] == seen["completed"]


def _kill(master: Path, forms: list[Path], kills: int, tmp_path: Path, libreoffice: bool,
          window: tuple[float, float] = (0, 1)) -> dict:
    original = master.read_bytes()
    rows = len(read_book(master).agencies)
    target = tmp_path / "book.xlsx"
    argv = {"recalc": ["recalc", target, "--missing", "exclude"],
            "collect": ["collect", *forms, "--into", target]}
    lengths = {}
    for command, args in argv.items():                 # one whole run of each, timed
        shutil.copy(master, target)
        start = time.monotonic()
        run = _start(args)
        assert run.wait() in (0,), run.stderr.read().decode()
        lengths[command] = time.monotonic() - start
        _complete(target, command, forms, rows)
    rng = random.Random(SEED)
    seen = {"original": 0, "complete": 0, "libreoffice": set(), "completed": set()}
    for kill in range(kills):
        command = ("recalc", "collect")[kill % 2]
        shutil.copy(master, target)
        run = _start(argv[command])
        time.sleep(rng.uniform(*window) * lengths[command])
        run.send_signal(signal.SIGKILL)
        run.wait()
        if target.read_bytes() == original:
            seen["original"] += 1
        else:
            _complete(target, command, forms, rows)
            seen["complete"] += 1
            seen["completed"].add(command)
            if libreoffice and command not in seen["libreoffice"]:
                seen["libreoffice"].add(command)
                libreoffice_convert(target, "csv", tmp_path / f"lo_{command}", tmp_path / "profile")
        leftovers = [p for p in tmp_path.iterdir() if TEMP_MARK in p.name and p.suffix == ".tmp"]
        if leftovers and kill % 10 == 0:              # the next run clears what a kill left
            shutil.copy(master, target)
            assert _start(argv["recalc"]).wait() == 0
            assert not [p for p in tmp_path.iterdir() if TEMP_MARK in p.name]
    print(f"kills: {kills} on {rows} agencies: {seen['original']} left the original, "
          f"{seen['complete']} a complete result; whole runs {lengths}")
    assert seen["original"] + seen["complete"] == kills
    return seen
