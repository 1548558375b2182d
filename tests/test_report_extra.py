"""matplotlib is the optional `report` extra: an analyst's Excel install (`pip install .`)
has no matplotlib, and then the report commands refuse in one line saying what to install,
while everything else (recalc, doctor, the Excel modules) works. Its absence is simulated
in a fresh Python by `sys.modules['matplotlib'] = None` (import fails, find_spec finds
nothing), as a Python without the package behaves."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

from readiness_xl.cli.report_commands import MATPLOTLIB_MISSING

WITHOUT_MATPLOTLIB = """
import sys
sys.modules["matplotlib"] = None
from readiness_xl.cli.main import cli
cli(sys.argv[1:], prog_name="readiness-xl")
"""


def without_matplotlib(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WITHOUT_MATPLOTLIB, *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("command", [
    ["report", "{book}", "-o", "{out}/r.html"],
    ["report", "{book}", "-o", "{out}/r.html", "--robustness"],
    ["trend", "{book}", "{book2}", "--report", "{out}/t.html"],
])
def test_report_commands_say_what_to_install(command, sample_path, tmp_path):
    import shutil
    book2 = shutil.copy(sample_path, tmp_path / "sample_b.xlsx")
    args = [a.format(book=sample_path, book2=book2, out=tmp_path) for a in command]
    result = without_matplotlib(*args)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert MATPLOTLIB_MISSING in line
    assert 'pip install ".[report]"' in line and "ยังไม่ได้ติดตั้ง" in line
    assert not list(tmp_path.glob("*.html"))


def test_recalc_and_doctor_work_without_matplotlib(sample_path, tmp_path):
    recalc = without_matplotlib("recalc", sample_path, "-o", tmp_path / "out.xlsx", "--json")
    assert recalc.returncode == 0, recalc.stderr
    assert (tmp_path / "out.xlsx").exists()
    doctor = without_matplotlib("doctor")
    assert doctor.returncode == 0, doctor.stderr
    assert "matplotlib" not in doctor.stdout


def test_excel_modules_import_without_matplotlib():
    probe = ("import sys; sys.modules['matplotlib'] = None; import xlwings, udfs.functions, "
             "udfs.ribbon, readiness_xl.lite; print('ok')")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.stdout.strip() == "ok", result.stderr
