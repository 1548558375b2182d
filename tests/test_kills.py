"""SIGKILL during `recalc` and `collect` on a 1,000-agency workbook: the target is always
either the original, byte for byte, or a complete result that openpyxl opens; the hidden
temporary file a kill leaves is removed by the next run.

Where the kills land does not depend on the machine's speed or load: each run is started
with READINESS_XL_STOP_AT naming a point of its write (the temporary file just created,
written and synced before the replace, just after the replace), stops itself there
(SIGSTOP) and is killed while stopped, so both outcomes are exercised on every machine.
KILLS (default 50) further kills at seeded random moments of a run's measured length add
variety (a kill mid-write); for those only "original or complete" is asserted, never which.
The workbook is built once (bench/workbooks.py). LibreOffice takes minutes to open 1,000
sheets, so it checks the complete results of kills after the replace on a 31-agency sample."""

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

from readiness_xl.workbook.locks import STOP_AT, TEMP_MARK
from readiness_xl.workbook.read import read_book
from tests.conftest import CLI, ROOT
from tests.outside_tools import libreoffice_convert

KILLS = int(os.environ.get("KILLS", "50"))
SEED = int(os.environ.get("KILL_SEED", "2560"))
AGENCIES = int(os.environ.get("KILL_AGENCIES", "1000"))
FORMS = 5
# Each stop point of a write (workbook.locks.stop_point) and what a kill there must leave.
POINTS = {"temp-created": "original", "before-replace": "original", "after-replace": "complete"}


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


def _start(argv: list[str], stop_at: str | None = None) -> subprocess.Popen:
    env = {**os.environ, STOP_AT: stop_at} if stop_at else None
    return subprocess.Popen([*CLI, *map(str, argv)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)


def _kill_at(argv: list[str], point: str) -> None:
    """Run until the write stops itself at `point`, then SIGKILL it there."""
    run = _start(argv, point)
    _, status = os.waitpid(run.pid, os.WUNTRACED)   # returns once it is stopped (or ended)
    if not os.WIFSTOPPED(status):
        run.wait()
        raise AssertionError(f"{argv[0]} ended before reaching {point}: {run.stderr.read().decode()}")
    run.kill()
    run.wait()


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
    seen = _kill_at_points(*big, tmp_path)
    assert seen == {command: list(POINTS.values()) for command in ("recalc", "collect")}
    seen = _kill(*big, KILLS, tmp_path)
    assert seen["original"] + seen["complete"] == KILLS


def test_results_of_killed_runs_open_in_libreoffice(small, tmp_path):
    seen = _kill_at_points(*small, tmp_path, points=["after-replace"], libreoffice=True)
    assert seen == {"recalc": ["complete"], "collect": ["complete"]}


def _argv(forms: list[Path], target: Path) -> dict[str, list]:
    return {"recalc": ["recalc", target, "--missing", "exclude"],
            "collect": ["collect", *forms, "--into", target]}


def _outcome(target: Path, inode: int, original: bytes, command: str, forms: list[Path],
             rows: int) -> str:
    """'original': the file copied in (`inode`), byte for byte; 'complete': a file put in
    its place (a recalc of a recalculated book may hold the same bytes), checked by
    _complete; anything else fails."""
    if target.stat().st_ino == inode:
        assert target.read_bytes() == original
        return "original"
    _complete(target, command, forms, rows)
    return "complete"


def _copy(master: Path, target: Path) -> int:
    target.unlink(missing_ok=True)
    shutil.copy(master, target)
    return target.stat().st_ino


def _kill_at_points(master: Path, forms: list[Path], tmp_path: Path, points=tuple(POINTS),
                    libreoffice: bool = False) -> dict[str, list[str]]:
    """Kill each command at each stop point of its write; what each kill left, in order.
    A kill before the replace leaves its temporary file, which the next run removes."""
    original = master.read_bytes()
    rows = len(read_book(master).agencies)
    target = tmp_path / "book.xlsx"
    argv = _argv(forms, target)
    seen: dict[str, list[str]] = {}
    for command in argv:
        for point in points:
            inode = _copy(master, target)
            _kill_at(argv[command], point)
            outcome = _outcome(target, inode, original, command, forms, rows)
            seen.setdefault(command, []).append(outcome)
            leftovers = [p for p in tmp_path.iterdir() if TEMP_MARK in p.name and p.suffix == ".tmp"]
            assert bool(leftovers) == (outcome == "original"), (command, point, leftovers)
            if libreoffice and outcome == "complete":
                libreoffice_convert(target, "csv", tmp_path / f"lo_{command}", tmp_path / "profile")
                assert list((tmp_path / f"lo_{command}").glob("*.csv")), command
            if leftovers:                              # the next run clears what the kill left
                shutil.copy(master, target)
                assert _start(argv["recalc"]).wait() == 0
                assert not [p for p in tmp_path.iterdir() if TEMP_MARK in p.name]
    return seen


def _kill(master: Path, forms: list[Path], kills: int, tmp_path: Path) -> dict:
    """Kills at seeded random moments of a run: each must leave the original or a complete
    result; which of the two depends on the machine's speed and is not asserted."""
    original = master.read_bytes()
    rows = len(read_book(master).agencies)
    target = tmp_path / "book.xlsx"
    argv = _argv(forms, target)
    lengths = {}
    for command, args in argv.items():                 # one whole run of each, timed
        shutil.copy(master, target)
        start = time.monotonic()
        run = _start(args)
        assert run.wait() in (0,), run.stderr.read().decode()
        lengths[command] = time.monotonic() - start
        _complete(target, command, forms, rows)
    rng = random.Random(SEED)
    seen = {"original": 0, "complete": 0}
    for kill in range(kills):
        command = ("recalc", "collect")[kill % 2]
        inode = _copy(master, target)
        run = _start(argv[command])
        time.sleep(rng.uniform(0, 1) * lengths[command])
        run.send_signal(signal.SIGKILL)
        run.wait()
        seen[_outcome(target, inode, original, command, forms, rows)] += 1
        leftovers = [p for p in tmp_path.iterdir() if TEMP_MARK in p.name and p.suffix == ".tmp"]
        if leftovers and kill % 10 == 0:              # the next run clears what a kill left
            shutil.copy(master, target)
            assert _start(argv["recalc"]).wait() == 0
            assert not [p for p in tmp_path.iterdir() if TEMP_MARK in p.name]
    print(f"kills: {kills} on {rows} agencies: {seen['original']} left the original, "
          f"{seen['complete']} a complete result; whole runs {lengths}")
    return seen
