"""SIGKILL at random moments of `recalc` and `collect` on a 1,000-agency workbook: the
target is always either the original, byte for byte, or a complete result that openpyxl
(and, for one of each, LibreOffice) opens; the hidden temporary file a kill leaves is
removed by the next run. The workbook is built once (bench/workbooks.py); each kill
falls at a uniform random moment of a run's measured length, so the test costs about
KILLS x half a run. KILLS (default 50) and the seed are in the environment."""

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
from tests.conftest import CLI, ROOT
from tests.outside_tools import libreoffice_convert

KILLS = int(os.environ.get("KILLS", "50"))
SEED = int(os.environ.get("KILL_SEED", "2560"))
AGENCIES = int(os.environ.get("KILL_AGENCIES", "1000"))
FORMS = 5


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> tuple[Path, list[Path]]:
    """A 1,000-agency master (agency sheets, recalculated) and FORMS returned forms."""
    sys.path.insert(0, str(ROOT / "bench"))
    import workbooks
    from readiness_xl.builder.template import save_workbook
    from readiness_xl.survey.forms import build_form
    from readiness_xl.workbook.read import read_book
    from readiness_xl.workbook.recalc import recalc_file
    folder = tmp_path_factory.mktemp("kills")
    master = workbooks.build(folder / "master.xlsx", AGENCIES, "sheets")
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


def _start(argv: list[str]) -> subprocess.Popen:
    return subprocess.Popen([*CLI, *map(str, argv)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def _summary(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        names = {n: zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/")}
    return b"".join(v for k, v in sorted(names.items()))


def _complete(path: Path, command: str, forms: list[Path]) -> None:
    """The result opens in openpyxl and holds what the command writes."""
    wb = load_workbook(path, read_only=True)
    try:
        assert wb["Summary"].max_row > AGENCIES
        if command == "collect":
            merged = [r[1] for r in wb["Validation"].iter_rows(min_row=2, values_only=True)
                      if r[5] == "merged"]
            assert sorted(merged) == sorted(f.name for f in forms)
    finally:
        wb.close()


def test_sigkill_leaves_the_original_or_a_complete_result(big, tmp_path):
    master, forms = big
    original = master.read_bytes()
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
        _complete(target, command, forms)
    rng = random.Random(SEED)
    seen = {"original": 0, "complete": 0}
    checked_by_libreoffice = set()
    for kill in range(KILLS):
        command = ("recalc", "collect")[kill % 2]
        shutil.copy(master, target)
        run = _start(argv[command])
        time.sleep(rng.uniform(0, lengths[command]))
        run.send_signal(signal.SIGKILL)
        run.wait()
        if target.read_bytes() == original:
            seen["original"] += 1
        else:
            _complete(target, command, forms)
            seen["complete"] += 1
            if command not in checked_by_libreoffice:
                checked_by_libreoffice.add(command)
                libreoffice_convert(target, "csv", tmp_path / f"lo_{command}", tmp_path / "profile")
        leftovers = [p for p in tmp_path.iterdir() if TEMP_MARK in p.name and p.suffix == ".tmp"]
        if leftovers and kill % 10 == 0:              # the next run clears what a kill left
            shutil.copy(master, target)
            assert _start(argv["recalc"]).wait() == 0
            assert not [p for p in tmp_path.iterdir() if TEMP_MARK in p.name]
    print(f"kills: {KILLS} ({seen}), whole runs {lengths}")
    assert seen["original"] + seen["complete"] == KILLS
    assert seen["original"] and seen["complete"]       # kills fell both before and after the replace
