"""Start-up is paid on every Excel click and every command: `--version` imports nothing
heavy, and a command imports only its own module's dependencies."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("pandas", "numpy", "openpyxl", "matplotlib", "rich", "xlwings", "python_calamine")

PROBE = """
import json, sys
from readiness_xl.cli.main import cli
try:
    cli(sys.argv[1:], prog_name="readiness-xl")
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy} if m in sys.modules)))
"""


def _imported(*args: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_version_imports_nothing_heavy():
    assert _imported("--version") == []


def test_recalc_does_not_load_charts_or_excel(sample_path, tmp_path):
    loaded = _imported("recalc", str(sample_path), "-o", str(tmp_path / "out.xlsx"))
    assert "pandas" in loaded and "matplotlib" not in loaded and "xlwings" not in loaded


def test_help_still_lists_every_command():
    out = subprocess.run([sys.executable, "-m", "readiness_xl", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for name in ("demo", "recalc", "sample", "new-template", "forms", "collect", "report", "build-addin"):
        assert f"  {name} " in out, name
