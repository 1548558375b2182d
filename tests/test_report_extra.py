"""matplotlib and SALib (which requires matplotlib) are the optional `report` extra: an
analyst's Excel install (`pip install .`) has neither, and then the report and robustness
commands refuse in one line saying what to install, while everything else (recalc,
doctor, audit, the Excel modules) works. Their absence is simulated in a fresh Python by
`sys.modules[name] = None` (import fails, find_spec finds nothing), as a Python without
the packages behaves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from readiness_xl.cli.extras import INSTALL

WITHOUT_MATPLOTLIB = """
import sys
sys.modules["matplotlib"] = sys.modules["SALib"] = None
from readiness_xl.cli.main import cli
cli(sys.argv[1:], prog_name="readiness-xl")
"""


def without_matplotlib(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WITHOUT_MATPLOTLIB, *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize(("command", "needs"), [
    (["report", "{book}", "-o", "{out}/r.html"], "matplotlib"),
    (["report", "{book}", "-o", "{out}/r.html", "--robustness"], "matplotlib"),
    (["trend", "{book}", "{book2}", "--report", "{out}/t.html"], "matplotlib"),
    (["robustness", "{book}", "-o", "{out}/r.xlsx"], "SALib"),
    (["recalc", "{book2}", "--robustness"], "SALib"),
])
def test_report_commands_say_what_to_install(command, needs, sample_path, tmp_path):
    import shutil
    book2 = Path(shutil.copy(sample_path, tmp_path / "sample_b.xlsx"))
    args = [a.format(book=sample_path, book2=book2, out=tmp_path) for a in command]
    before = book2.read_bytes()
    result = without_matplotlib(*args)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert INSTALL in line and "ยังไม่ได้ติดตั้ง" in line
    assert f"needs {needs}, which is not installed" in line
    assert not list(tmp_path.glob("*.html")) and not list(tmp_path.glob("r.xlsx"))
    assert book2.read_bytes() == before   # refused before any work


def test_recalc_audit_and_doctor_work_without_the_extra(sample_path, tmp_path):
    recalc = without_matplotlib("recalc", sample_path, "-o", tmp_path / "out.xlsx", "--json")
    assert recalc.returncode == 0, recalc.stderr
    assert (tmp_path / "out.xlsx").exists()
    audit = without_matplotlib("audit", tmp_path / "out.xlsx")
    assert audit.returncode == 0, audit.stderr
    doctor = without_matplotlib("doctor")
    assert doctor.returncode == 0, doctor.stderr
    assert "matplotlib" not in doctor.stdout


def test_excel_modules_import_without_matplotlib():
    probe = ("import sys; sys.modules['matplotlib'] = sys.modules['SALib'] = None; "
             "import xlwings, udfs.functions, "
             "udfs.ribbon, readiness_xl.lite; print('ok')")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.stdout.strip() == "ok", result.stderr


def test_the_test_extra_installs_what_the_suite_imports():
    """The suite tests the report and the robustness analysis, so `pip install ".[test]"`
    (what a contributor runs) must bring the report extra too, not only `make`'s
    `.[report,test]`."""
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    name = project["name"]

    def packages(extra: str) -> set[str]:
        found = set()
        for requirement in extras[extra]:
            base = requirement.split(";")[0].split(">")[0].split("=")[0].split("<")[0].strip()
            if base.startswith(f"{name}["):
                for inner in base[len(name) + 1:-1].split(","):
                    found |= packages(inner.strip())
            else:
                found.add(base.lower())
        return found
    assert packages("report") <= packages("test")
