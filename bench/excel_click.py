"""The speed of an Excel click (issue 11, E): what Python imports before the button or a
function can run, and a warm click of **Recalculate all agencies** on N agencies.

- Cold imports are timed in fresh processes (each statement alone, best of --reps, the
  time inside the process, without the interpreter's own start), with the heavy packages
  each pulled in, in two installs:
  * **analyst**: what an analyst's Excel install has, `pip install .` without extras (no
    matplotlib, no SALib: they are the `report` extra), in a venv built and kept in
    .cache/analyst-venv/ (rebuilt when pyproject.toml or the package's sources change).
    This is the figure the target (under 0.3 s) is about.
  * **dev**: this .venv, with every extra (report, test, bench): xlwings then imports
    matplotlib.pyplot and PIL because they are installed.
  Excel's Python imports xlwings first (xlwings' bootstrap: `import xlwings.utils` before
  the button's command, `import xlwings` in the UDF server), so the button's chain and the
  UDF module include xlwings. Keeping Python running (USE UDF SERVER, written by
  `readiness-xl doctor --fix`) pays all of it once per Excel session, not per click.
- The warm click runs the button's code on a real xlwings Book (xlwings' remote engine,
  udfs/remote_book.py) in a process where everything is already imported: our reading,
  scoring and writing, without Excel's COM calls (about one read per sheet and two writes,
  which this does not measure).

Usage: .venv/bin/python bench/excel_click.py [--agencies 300] [--reps 3]
Prints a table and one JSON line; bench/bench.py copies them into RESULTS.md."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
ANALYST_VENV = ROOT / ".cache" / "analyst-venv"
# What a click makes Python import, in the order Excel's Python imports it.
CHAIN = "import xlwings.utils; import readiness_xl; readiness_xl.main"   # the button's command
READERS = ("import readiness_xl.workbook.read, readiness_xl.workbook.recalc, "
           "readiness_xl.workbook.summary, udfs.xlwings_book")            # what recalculate() adds
# label: (untimed set-up, timed statement)
IMPORTS = {
    "udfs.functions (UDF module, with xlwings)": ("", "import udfs.functions"),
    "udfs.functions once xlwings is imported": ("import xlwings", "import udfs.functions"),
    "udfs.ribbon (button module alone)": ("", "import udfs.ribbon"),
    "button command: xlwings.utils + readiness_xl": ("", CHAIN),
    "first click: command + the readers it loads": ("", f"{CHAIN}; {READERS}"),
    "xlwings": ("", "import xlwings"),
    "pandas": ("", "import pandas"),
}
HEAVY = ("matplotlib", "PIL", "pandas", "numpy", "openpyxl", "xlwings", "python_calamine", "scipy",
         "SALib", "polars")


def _sources_digest() -> str:
    """What the analyst venv was installed from: pyproject.toml and the package's files."""
    digest = hashlib.sha256()
    files = [ROOT / "pyproject.toml", *sorted((ROOT / "readiness_xl").rglob("*")),
             *sorted((ROOT / "udfs").rglob("*.py"))]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()


def analyst_python() -> Path:
    """The Python of a venv with `pip install .` and no extras (built once, kept in .cache/)."""
    python = ANALYST_VENV / "bin" / "python"
    stamp = ANALYST_VENV / ".installed-from"
    digest = _sources_digest()
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        return python
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(ANALYST_VENV)], check=True)
    for options in (["--force-reinstall", "--no-deps"], []):  # our code anew, then what it needs
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", *options, str(ROOT)],
                              capture_output=True, text=True, cwd=ANALYST_VENV)
        if done.returncode:
            raise SystemExit(f"pip install . into {ANALYST_VENV} failed:\n{done.stderr[-2000:]}")
    stamp.write_text(digest)
    return python


def cold_import(python: Path, setup: str, statement: str, reps: int,
                cwd: Path) -> tuple[float, list[str]]:
    """Best wall time of `statement` (after `setup`) in a fresh Python, and the heavy
    packages loaded in all."""
    probe = (f"import time, sys; {setup}; t = time.perf_counter(); {statement}; "
             f"print(time.perf_counter() - t); print(','.join(m for m in {HEAVY!r} "
             f"if sys.modules.get(m)))")
    env = {**os.environ, "XLWINGS_LICENSE_KEY": ""}  # the classic path: no key
    best, loaded = float("inf"), []
    for _ in range(reps):
        out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True,
                             cwd=cwd, env=env, check=True).stdout.split("\n")
        best, loaded = min(best, float(out[0])), out[1].split(",") if out[1] else []
    return best, loaded


def warm_click(agencies: int, reps: int) -> dict:
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # xlwings' remote engine
    import workbooks
    import xlwings as xw

    from udfs.remote_book import book_json
    from udfs.ribbon import recalculate_all_agencies
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    path = workbooks.build(out / f"click_{agencies}.xlsx", agencies, "sheets")
    data = book_json(path)
    times = []
    for _ in range(reps + 1):  # the first click warms caches
        book = xw.Book(json=data)
        start = time.perf_counter()
        recalculate_all_agencies(book)
        times.append(time.perf_counter() - start)
        funcs = [a["func"] for a in book.json()["actions"]]
        assert funcs == ["rangeClearContents", "setValues", "setFormula", "calculate"], funcs
    return {"agencies": agencies, "first_s": times[0], "warm_s": min(times[1:])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    analyst = analyst_python()
    # The analyst's install runs outside the repository, so the installed copy is imported.
    installs = {"analyst": (analyst, ANALYST_VENV), "dev": (Path(sys.executable), ROOT)}
    results = {"imports": {name: {} for name in installs}}
    print("Cold imports, best of a fresh Python each (seconds inside the process).")
    print("analyst = `pip install .` without extras, as an Excel install has it "
          f"({ANALYST_VENV.relative_to(ROOT)}); dev = .venv with the report, test and bench extras.")
    print(f"{'cold import':<46} {'analyst':>7} {'dev':>7}  loaded (analyst | dev)")
    for label, (setup, statement) in IMPORTS.items():
        row = {}
        for name, (python, cwd) in installs.items():
            row[name] = cold_import(python, setup or "pass", statement, args.reps, cwd)
            results["imports"][name][label] = {"s": row[name][0], "loaded": row[name][1]}
        print(f"{label:<46} {row['analyst'][0]:7.3f} {row['dev'][0]:7.3f}  "
              f"{' '.join(row['analyst'][1])} | {' '.join(row['dev'][1])}")
    for label in ("udfs.functions (UDF module, with xlwings)",
                  "udfs.functions once xlwings is imported", "udfs.ribbon (button module alone)",
                  "button command: xlwings.utils + readiness_xl"):
        seconds = results["imports"]["analyst"][label]["s"]
        print(f"target: {label} under 0.3 s in the analyst's install: "
              f"{seconds:.3f} s, {'met' if seconds < 0.3 else 'missed'}")
    click = warm_click(args.agencies, args.reps)
    results["click"] = click
    print(f"warm click, {click['agencies']} agencies (remote-engine Book, dev install): first "
          f"{click['first_s']:.3f} s, warm {click['warm_s']:.3f} s")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
