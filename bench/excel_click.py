"""The speed of an Excel click (issue 11, E): what Python imports before the button or a
function can run, and a warm click of **Recalculate all agencies** on N agencies.

- Imports are timed in fresh processes (each import alone, best of --reps), with what
  they pulled in: xlwings imports matplotlib.pyplot, pandas and more whenever they are
  installed (optional imports in xlwings/utils.py and main.py). In Excel's own Python
  xlwings' bootstrap imports xlwings before our code, so that cost is paid once per
  Python process: keeping Python running (USE UDF SERVER, written by `readiness-xl
  doctor --fix`) pays it once, not on every click. "xlwings without matplotlib" shows
  what matplotlib's share is.
- The warm click runs the button's code on a real xlwings Book (xlwings' remote engine,
  udfs/remote_book.py) in a process where everything is already imported: our reading,
  scoring and writing, without Excel's COM calls (about one read per sheet and two writes,
  which this does not measure).

Usage: .venv/bin/python bench/excel_click.py [--agencies 300] [--reps 3]
Prints a table and one JSON line; the integrator copies the figures into RESULTS.md."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
IMPORTS = {
    "udfs.functions (UDF module)": "import udfs.functions",
    "udfs.ribbon (button module)": "import udfs.ribbon",
    "button chain: xlwings + udfs.ribbon": "import xlwings, udfs.ribbon",
    "xlwings": "import xlwings",
    "xlwings without matplotlib": "import sys; sys.modules['matplotlib'] = None; import xlwings",
    "pandas": "import pandas",
}
HEAVY = ("matplotlib", "pandas", "openpyxl", "xlwings", "python_calamine", "polars", "plotly")


def cold_import(statement: str, reps: int) -> tuple[float, list[str]]:
    """Best wall time of `statement` in a fresh Python, and the heavy packages it loaded."""
    probe = (f"import time, sys; t = time.perf_counter(); {statement}; "
             f"print(time.perf_counter() - t); print(','.join(m for m in {HEAVY!r} "
             f"if sys.modules.get(m)))")
    env = {**os.environ, "XLWINGS_LICENSE_KEY": ""}  # the classic path: no key
    best, loaded = float("inf"), []
    for _ in range(reps):
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                             cwd=ROOT, env=env, check=True).stdout.split("\n")
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
        assert funcs == ["rangeClearContents", "setValues", "calculate"], funcs
    return {"agencies": agencies, "first_s": times[0], "warm_s": min(times[1:])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    results = {"imports": {}}
    print(f"{'cold import (fresh Python)':<42} {'best s':>7}  loaded")
    for label, statement in IMPORTS.items():
        seconds, loaded = cold_import(statement, args.reps)
        results["imports"][label] = {"s": seconds, "loaded": loaded}
        print(f"{label:<42} {seconds:7.3f}  {' '.join(loaded)}")
    click = warm_click(args.agencies, args.reps)
    results["click"] = click
    print(f"warm click, {click['agencies']} agencies (remote-engine Book): first "
          f"{click['first_s']:.3f} s, warm {click['warm_s']:.3f} s")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
