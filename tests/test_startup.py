"""Start-up is paid on every Excel click and every command: `--version` imports nothing
heavy, and a command imports only its own module's dependencies."""

from __future__ import annotations

import json
import os
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


# Which of the heavy modules were loaded when the first sheet's XML was checked: recalc
# checks the workbook and starts reading it before they load (they load while calamine
# parses), so none may be there yet.
ORDER_PROBE = """
import json, sys
from readiness_xl.workbook import fast_read
first = []
scan = fast_read.FastWorkbook._scan
def noted(self, name):
    first.append(sorted(m for m in {heavy} if m in sys.modules)) if not first else None
    return scan(self, name)
fast_read.FastWorkbook._scan = noted
from readiness_xl.cli.main import cli
try:
    cli(sys.argv[1:], prog_name="readiness-xl")
except SystemExit as end:
    assert not end.code, end.code
print(json.dumps(first[0]))
"""


def test_recalc_begins_reading_before_the_heavy_imports(sample_path, tmp_path):
    from readiness_xl.builder.responses_sheet import save_long_workbook
    from readiness_xl.workbook.read import read_book
    sample = read_book(sample_path)
    long_form = tmp_path / "long.xlsx"
    save_long_workbook(sample.framework, sample.agencies, sample.raw_answers, long_form)
    for book in (sample_path, long_form):
        out = subprocess.run([sys.executable, "-c", ORDER_PROBE.format(heavy=("pandas", "numpy", "openpyxl")),
                              "recalc", str(book), "-o", str(tmp_path / "out.xlsx")],
                             capture_output=True, text=True, check=True).stdout
        assert json.loads(out.strip().splitlines()[-1]) == [], book.name


def test_help_still_lists_every_command():
    out = subprocess.run([sys.executable, "-m", "readiness_xl", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for name in ("demo", "recalc", "sample", "new-template", "forms", "collect", "report", "build-addin"):
        assert f"  {name} " in out, name


# What Excel's Python imports: xlwings' bootstrap (which imports numpy, pandas and, when
# they are installed, matplotlib and PIL), then the UDF module, or on a click the button's
# module. Ours must add nothing heavy to that.
EXCEL_HEAVY = HEAVY + ("scipy", "SALib", "PIL", "defusedxml")
IMPORT_PROBE = ("import json, sys\n{statement}\n"
                "print(json.dumps(sorted(m for m in {heavy} if sys.modules.get(m))))")


def _loaded_by(statement: str) -> set[str]:
    env = {**os.environ, "XLWINGS_LICENSE_KEY": ""}   # the classic path: no xlwings PRO
    out = subprocess.run([sys.executable, "-c", IMPORT_PROBE.format(statement=statement,
                                                                   heavy=EXCEL_HEAVY)],
                         capture_output=True, text=True, check=True, env=env).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_button_module_and_its_command_import_nothing_heavy():
    """`import readiness_xl; readiness_xl.main` (the add-in's command) and udfs.ribbon load
    their readers and pandas only when the button is pressed."""
    assert _loaded_by("import readiness_xl; readiness_xl.main") == set()
    assert _loaded_by("import udfs.ribbon") == set()


def test_udf_module_adds_nothing_heavy_to_what_xlwings_loads():
    xlwings_alone = _loaded_by("import xlwings")
    assert {"xlwings", "pandas", "numpy"} <= xlwings_alone
    assert _loaded_by("import udfs.functions") == xlwings_alone
    without = _loaded_by("sys.modules['matplotlib'] = None\nimport udfs.functions")
    assert without == xlwings_alone - {"matplotlib"}
    assert not {"openpyxl", "python_calamine", "scipy", "SALib", "defusedxml"} & without


def test_only_the_report_pages_need_matplotlib_to_import():
    """matplotlib is the optional `report` extra: every module but the report's page and
    chart modules imports without it (what an analyst's Excel install has)."""
    import pkgutil

    import readiness_xl
    import udfs
    names = [m.name for package in (readiness_xl, udfs)
             for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    charts = {f"readiness_xl.report.{m}" for m in ("charts", "html", "robustness_section",
                                                   "trend_section")}
    charts.add("readiness_xl.__main__")  # runs the command line
    statement = ("sys.modules['matplotlib'] = None\nimport importlib\nfailed = []\n"
                 f"for name in {sorted(set(names) - charts)!r}:\n"
                 "    try:\n        importlib.import_module(name)\n"
                 "    except ImportError as err:\n        failed.append((name, str(err)))\n"
                 "print(json.dumps(failed))\nsys.exit(0)")
    out = subprocess.run([sys.executable, "-c", "import json, sys\n" + statement],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "XLWINGS_LICENSE_KEY": ""}).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []


def test_the_command_runs_numpy_blas_in_one_thread_unless_told_otherwise():
    """Set by run() before numpy loads (robustness runs threads of its own; OpenBLAS's
    would spin beside them): an environment that names a thread count keeps it; importing
    the command line (tests, Excel's Python) changes nothing."""
    probe = ("import os, sys; from readiness_xl.cli import main; "
             "print(os.environ.get('OPENBLAS_NUM_THREADS'), end=' '); "
             "main.cli = lambda **_: print(os.environ.get('OPENBLAS_NUM_THREADS'), 'numpy' in sys.modules); "
             "main.run()")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == ["None", "1", "False"]
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**env, "OPENBLAS_NUM_THREADS": "4"})
    assert out.stdout.split() == ["4", "4", "False"]
