"""The benchmark behind bench/RESULTS.md (run it with bench/run; --quick for small sizes).

Generates workbooks with 60 indicators into bench/out/ (1,000 agency sheets; 1,000 and
10,000 agencies in the long Responses layout; --quick: 100 sheets and 1,000 long) and
measures in one run, each figure the median of several repetitions, every process fresh:
  1. `readiness-xl recalc` end to end, as a user runs it, with its peak memory;
  2. side by side on the same workbook, alternating with `recalc` run by run (wall and
     CPU time of each whole process): the floor (bench/floor.py: python-calamine reading
     every cell, no other import), a vectorised pandas script and a polars script that
     compute the same scores (checked against ours), the old per-agency pandas loop (each
     a script importing only its own libraries: bench/peer_*.py); then LibreOffice
     headless and the `formulas` engine (agency sheets only);
  3. 100,000 units (6 million answers) in process: a Responses sheet cannot hold them
     (Excel stops at 1,048,576 rows), so everything after reading is timed on answers in
     memory: parsing, scoring, narratives, the Summary XML and its compression;
  4. `collect` of 300 returned forms into a 1,000-agency master;
  5. start-up: `readiness-xl --version`, importing the UDF and ribbon modules;
  6. the scoring core alone and the Python cost of one UDF call;
  7. the other benchmarks in bench/ (excel_click, method, robustness, trend, and steps.py:
     every step of the method pipeline and of data preparation, timed on their own),
     each printing its own lines.
Where a target of issue 17 is missed, a cProfile says where the time goes."""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import workbooks  # noqa: E402
from readiness_xl.core.answers import parse_answers  # noqa: E402
from readiness_xl.core.scoring import score  # noqa: E402
from readiness_xl.workbook.read import read_book  # noqa: E402
from readiness_xl.workbook.recalc import recalc_file  # noqa: E402
from tests.outside_tools import RECALC_ALWAYS, soffice  # noqa: E402

OUT = HERE / "out"
SLOW_S = 120  # a figure whose runs already took this long is not repeated further
INDICATORS = workbooks.DIMENSIONS * workbooks.PER_DIMENSION
TARGETS = {"recalc_sheets_1000_s": 1.5, "recalc_long_10000_s": 3.0, "rss_long_10000_mb": 1024.0,
           "vs_floor": 2.0, "vs_floor_wall": 1.5, "vs_floor_cpu": 2.0, "units_100000_s": 30.0, "start_s": 0.3, "collect_300_s": 10.0,
           "core_answers_per_s": 20e6, "udf_us": 20.0}
OTHER_BENCHES = ("excel_click.py", "method_bench.py", "robustness_bench.py", "trend_bench.py", "steps.py")
# What --quick passes each of them (an option its script does not know is left out).
QUICK_OPTIONS = {"excel_click.py": ["--agencies", "30"], "method_bench.py": ["--units", "1000"],
                 "robustness_bench.py": ["--units", "1000"], "trend_bench.py": ["--units", "1000"],
                 "steps.py": ["--units", "1000"]}
# The processes measured side by side with `recalc`, each a script of its own that imports
# only what it needs (the floor: python-calamine alone).
PEERS = {"floor": "floor.py", "vectorised": "peer_pandas.py", "polars": "peer_polars.py",
         "pandas": "peer_pandas_loop.py"}


@dataclass
class Run:
    seconds: float | None      # median wall time; None = not finished within the cap
    rss_mb: float | None       # peak resident memory of the process and its children
    runs: int
    note: str = ""
    cpu: float | None = None   # median CPU time (user + system) of the process and its children


# Each measured command runs under this small launcher. A child forked straight from the
# bench would start with the bench's own memory high-water mark, which Linux keeps across
# exec; forked from the launcher it starts from the launcher's few megabytes.
LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{time.perf_counter() - start} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)} "
              f"{usage.ru_utime + usage.ru_stime}")
"""


def timed(cmd: list[str], timeout: float, cpu: bool = False):
    """Wall time and peak RSS (MB) of one process (with its children), from wait4's own
    accounting, and with `cpu` its CPU time (user + system, all its threads and children);
    time None when stopped at `timeout`."""
    errors = tempfile.TemporaryFile()
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as report:
        proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, report.name, *cmd],
                                stdout=subprocess.DEVNULL, stderr=errors, cwd=ROOT,
                                start_new_session=True)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
            return (None, None, None) if cpu else (None, None)
        seconds, rss_kb, code, cpu_s = report.read().split()
    if int(code) != 0:
        errors.seek(0)
        raise RuntimeError(f"{' '.join(cmd)} failed: {errors.read().decode()[-2000:]}")
    return (float(seconds), int(rss_kb) / 1024, float(cpu_s)) if cpu else (float(seconds), int(rss_kb) / 1024)


def repeat(cmd: list[str], reps: int, timeout: float, warmup: bool = False) -> Run:
    if warmup:
        timed(cmd, timeout)
    times, rss = [], []
    for _ in range(reps):
        seconds, mb = timed(cmd, timeout)
        if seconds is None:
            return Run(None, max(rss, default=None), len(times) + 1,
                       f"stopped at the {timeout:.0f} s cap")
        rss.append(mb)
        times.append(seconds)
        if sum(times) > SLOW_S:
            break
    return Run(statistics.median(times), max(rss), len(times))


def side_by_side(cmds: dict[str, list[str]], reps: int, timeout: float) -> dict[str, Run]:
    """Each command run `reps` times, alternating: every repetition runs each once, in
    turn, the order reversed every other repetition, so that a drift of the machine (other
    work, its clock) falls on all of them alike; medians of wall and CPU time. A command
    stopped at `timeout` (or past SLOW_S in all) is not run again."""
    times = {name: [] for name in cmds}
    cpus = {name: [] for name in cmds}
    rss = {name: [] for name in cmds}
    stopped: dict[str, Run] = {}
    for rep in range(reps):
        for name in (list(cmds) if rep % 2 == 0 else list(reversed(cmds))):
            if name in stopped or (times[name] and sum(times[name]) > SLOW_S):
                continue
            seconds, mb, cpu = timed(cmds[name], timeout, cpu=True)
            if seconds is None:
                stopped[name] = Run(None, max(rss[name], default=None), len(times[name]) + 1,
                                    f"stopped at the {timeout:.0f} s cap")
                continue
            times[name].append(seconds)
            cpus[name].append(cpu)
            rss[name].append(mb)
    return {name: stopped.get(name) or Run(statistics.median(times[name]), max(rss[name]),
                                           len(times[name]), cpu=statistics.median(cpus[name]))
            for name in cmds}


def recalc_cmd(book: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "readiness_xl", "recalc", str(book), "-o", str(out)]


def libreoffice_cmd(book: Path, outdir: Path, profile: Path) -> list[str]:
    return [soffice(), "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to", "xlsx", "--outdir", str(outdir), str(book)]


def core_speed(book_path: Path, reps: int) -> tuple[float, float]:
    """Seconds per scoring.score over every agency, and answers per second."""
    book = read_book(book_path)
    answers, _ = parse_answers(book.raw_answers, book.framework)
    timer = timeit.Timer(lambda: score(book.framework, answers))
    loops = max(1, int(0.2 / max(timer.timeit(1), 1e-6)))
    seconds = statistics.median(t / loops for t in timer.repeat(reps, loops))
    return seconds, answers.size / seconds


def udf_cost() -> dict[str, float]:
    """Microseconds of Python per UDF call, arguments as xlwings passes them (2-D lists,
    numbers as floats, text as str), best of 7 x 2,000: every function of udfs/catalogue.py
    that computes from the cell values it is given, with every argument given. Not timed
    here, because each call reads the workbook through xlwings' `caller` and that read
    (COM round trips in desktop Excel, milliseconds) is the cost, not our Python:
    READINESS_NARRATIVE (reads the framework), READINESS_CHANGE and RANK_CHANGE (the
    Trend sheet), RANK_INTERVAL (the Uncertainty sheet), and the Weights and national-row
    defaults of DIMENSION_GAP and IMPROVEMENT_PRIORITY when those arguments are left out."""
    from udfs import functions as xl
    dims = [[63.3, 57.8, 59.9, 49.3, 55.5, 47.0]]
    national = [[61.2, 58.0, 55.1, 52.4, 50.0, 49.9]]
    weights = [[20.0, 20.0, 30.0, 10.0, 10.0, 10.0]]
    ids = [["1", "2", "3", "4", "5", "6"]]
    answers = [[1.0], [0.0], [3.0], [75.0], [1.0], [2.0], [None], [1.0], [0.0], [50.0]] * 2
    maxima = [[1.0], [1.0], [4.0], [100.0], [1.0], [4.0], [1.0], [1.0], [1.0], [100.0]] * 2
    bands = [[0.0, "ต่ำมาก", "Very low"], [60.0, "ดี", "Good"], [65.0, "ดีมาก", "Very good"],
             [80.0, "ดีเยี่ยม", "Excellent"]]
    # the overall scores of a 31-agency column (as the template's $M$2:$M$32), one tie
    overalls = [[round(40.0 + (i * 37 % 31) * 1.3, 1)] for i in range(30)] + [[53.0]]
    block = [[float(i % 5), float((i + 1) % 5), float(i % 4), float(i * 2 % 5)] for i in range(30)]
    calls = {
        "DIMENSION_SCORE (20 answers and maxima)": lambda: xl.DIMENSION_SCORE(answers, maxima),
        "READINESS_SCORE (6 dimension scores, weights given)": lambda: xl.READINESS_SCORE(dims, weights),
        "READINESS_LEVEL (a score, 4 bands given)": lambda: xl.READINESS_LEVEL(62.0, bands),
        "DIMENSION_GAP (6 dimension scores, benchmark given)": lambda: xl.DIMENSION_GAP(dims, national),
        "WEAK_DIMENSIONS (6 dimension scores, ids given)": lambda: xl.WEAK_DIMENSIONS(dims, ids),
        "READINESS_RANK (a score among 31)": lambda: xl.READINESS_RANK([[53.0]], overalls),
        "IMPROVEMENT_PRIORITY (6 dimension scores, weights and ids given)":
            lambda: xl.IMPROVEMENT_PRIORITY(dims, weights, ids),
        "CRONBACH_ALPHA (30 units x 4 indicators)": lambda: xl.CRONBACH_ALPHA(block),
        "NORMALISED_VALUE (a value, goalposts, log)":
            lambda: xl.NORMALISED_VALUE([[5200.0]], [[100.0]], [[75000.0]], [[True]]),
        "WEIGHTED_MEAN (6 values and weights)": lambda: xl.WEIGHTED_MEAN(dims, weights)}
    for name, call in calls.items():
        result = call()
        if isinstance(result, str) and result.startswith("#"):
            raise RuntimeError(f"{name} gave {result}")
    out = {}
    for name, call in calls.items():
        timer = timeit.Timer(call)
        out[name] = 1e6 * min(timer.repeat(7, 2000)) / 2000
    return out


def profile(call, top: int = 14) -> str:
    """A call's cumulative cProfile, trimmed to the largest entries."""
    prof = cProfile.Profile()
    prof.enable()
    call()
    prof.disable()
    text = io.StringIO()
    stats = pstats.Stats(prof, stream=text).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    lines = text.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return bound_by(stats) + "\n\n" + "\n".join(lines[start:start + top + 1])


def bound_by(stats: pstats.Stats, top: int = 4) -> str:
    """What bounds a run: the functions with the most own time, as shares of the total."""
    own = sorted(((tt, f"{name} ({file}:{line})" if file != "~" else name)
                  for (file, line, name), (_, _, tt, _, _) in stats.stats.items()), reverse=True)
    total = sum(tt for tt, _ in own) or 1
    return "Bound by (own time): " + "; ".join(f"{name} {100 * tt / total:.0f}%" for tt, name in own[:top])


STAGES = ("read and validate", "parse answers and score",
          "Summary cells (live formulas with cached values, narratives)",
          "write the workbook (its Summary XML included)", "of which: the Summary XML",
          "write again over the full Summary", "floor: zip the Summary part alone")


def summary_xml(rows: list[list]) -> bytes:
    """The Summary part of plain value rows (the units in memory have no workbook)."""
    from readiness_xl.workbook.sheet_xml import empty_sheet_xml, render_sheet_data
    return render_sheet_data(empty_sheet_xml(None, len(rows[0])), rows).encode("utf-8")


def summary_cells_xml(cells: list[list]) -> bytes:
    """The Summary part as recalc renders it: its formulas written with their cached values."""
    from readiness_xl.workbook.sheet_xml import empty_sheet_xml, render_sheet_data
    return render_sheet_data(empty_sheet_xml(None, len(cells[0])), cells).encode("utf-8")


def zip_alone(xml: bytes) -> None:
    """The write floor: the Summary part deflated into a zip of its own, nothing else."""
    import zipfile
    with zipfile.ZipFile(io.BytesIO(), "w") as zf:
        zf.writestr("xl/worksheets/sheet.xml", xml, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


def stages(book: Path, out: Path) -> dict[str, float]:
    """Seconds of each step of one in-process recalculation, as `recalc_file` takes them
    after Python has started and imported (the collector paused; the Summary's cells by
    `summary_cells`: live formulas with their values cached in the agency-sheet layout,
    values and the live answers check in the long one; written by `write_summary_rows`),
    the Summary XML alone (rendered again, as the write renders it), the write of a
    second recalculation, over the Summary the first wrote (what every later click of the
    button costs), and the floor of the write."""
    from readiness_xl.workbook.fast_read import paused_gc
    from readiness_xl.workbook.formula_cells import write_summary_rows
    from readiness_xl.workbook.layout import SUMMARY_SHEET
    from readiness_xl.workbook.recalc import score_book, summary_cells
    with paused_gc():
        marks = [time.perf_counter()]
        loaded = read_book(book)
        marks.append(time.perf_counter())
        results = score_book(loaded)
        marks.append(time.perf_counter())
        cells = summary_cells(loaded, results)
        marks.append(time.perf_counter())
        if results.preparation is not None:
            raise SystemExit(f"{book}: data preparation writes a Preparation sheet too; the step "
                             "table times the Summary write alone")
        write_summary_rows(book, out, SUMMARY_SHEET, cells)
        marks.append(time.perf_counter())
        xml = summary_cells_xml(cells)
        marks.append(time.perf_counter())
        write_summary_rows(out, out.with_name("again.xlsx"), SUMMARY_SHEET, cells)
        marks.append(time.perf_counter())
        zip_alone(xml)
        marks.append(time.perf_counter())
    return {name: b - a for name, a, b in zip(STAGES, marks, marks[1:])}


READ_STAGES = ("check the package", "open the workbook and begin reading (a Responses sheet's byte checks)",
               "wait for sheet values (unzip, byte checks, calamine)",
               "framework, agencies and answers matched", "merged answer cells")


def read_stages(book: Path) -> dict[str, float]:
    """Seconds of each step of read_book (the 'read and validate' step), the package
    checked afresh as in a new process. Sheets are read (unzipped, checked, parsed by
    calamine) in a thread ahead of the Python that matches their rows, so the third step
    is the time spent waiting for them: FastWorkbook.values, timed around each call."""
    from readiness_xl.workbook import fast_read, package, read
    package._CHECKED.clear()
    marks = [time.perf_counter()]
    package.check_package(book)
    marks.append(time.perf_counter())
    wb = fast_read.begin_reading(book)
    marks.append(time.perf_counter())
    waited, values = [0.0], wb.values

    def timed_values(*args, **kwargs):
        start = time.perf_counter()
        try:
            return values(*args, **kwargs)
        finally:
            waited[0] += time.perf_counter() - start
    wb.values = timed_values
    try:
        loaded = read.read_open_book(wb, book)
    finally:
        wb.close()
    marks.append(time.perf_counter())
    read._refuse_merged_answers(book, wb.merges, loaded.answer_cells)
    marks.append(time.perf_counter())
    check, opened, python, merged = (b - a for a, b in zip(marks, marks[1:]))
    return dict(zip(READ_STAGES, (check, opened, waited[0], python - waited[0], merged)))


UNIT_STAGES = ("parse answers", "score", "Summary rows (with narratives)", "Summary XML",
               "compress the Summary part")


def units_in_memory(n: int) -> dict[str, float]:
    """Everything after reading, for `n` units whose answers are in memory (a Responses
    sheet holds at most 1,048,576 rows): seconds per step."""
    import zlib

    from readiness_xl.core.results import compute_results
    from readiness_xl.workbook.summary import rows as summary_rows
    fw, table = workbooks.framework(), workbooks.agencies(n)
    raw = workbooks.answers(fw, table.index)
    marks = [time.perf_counter()]
    parsed, _ = parse_answers(raw, fw)
    marks.append(time.perf_counter())
    results = compute_results(fw, table, parsed)
    marks.append(time.perf_counter())
    rows = summary_rows(results)
    marks.append(time.perf_counter())
    xml = summary_xml(rows)
    marks.append(time.perf_counter())
    zlib.compress(xml, 1)
    marks.append(time.perf_counter())
    return {name: b - a for name, a, b in zip(UNIT_STAGES, marks, marks[1:])}


def units_run(n: int, cap: float) -> tuple[dict[str, float], float | None]:
    """units_in_memory in a process of its own: its steps, and the process's peak RSS (MB,
    generating the answers included)."""
    import json
    out = OUT / f"units_{n}.json"
    _, rss = timed([sys.executable, str(HERE / "bench.py"), "--units-only", str(n), str(out)], cap)
    return json.loads(out.read_text()), rss


def collect_setup(scratch: Path, forms: int = 300, agencies: int = 1000) -> tuple[Path, list[Path]]:
    """A 1,000-agency master (agency sheets) and `forms` returned questionnaires."""
    from readiness_xl.builder.template import save_workbook
    from readiness_xl.survey.forms import build_form
    master = workbooks.build(OUT / f"sheets_{agencies}.xlsx", agencies, "sheets")
    folder = OUT / f"forms_{forms}"
    book = read_book(master)
    folder.mkdir(exist_ok=True)
    paths = []
    for agency in book.agencies.index[:forms]:
        path = folder / f"{agency}.xlsx"
        if not path.exists():
            save_workbook(build_form(book, agency, prefill=True), path)
        paths.append(path)
    return master, paths


def collect_run(master: Path, forms: list[Path], scratch: Path, reps: int, cap: float) -> Run:
    """`collect` as a process, each time into a fresh copy of the master."""
    times, rss = [], []
    for _ in range(reps):
        target = scratch / "master.xlsx"
        shutil.copy(master, target)
        seconds, mb = timed([sys.executable, "-m", "readiness_xl", "collect", *map(str, forms),
                             "--into", str(target)], cap)
        if seconds is None:
            return Run(None, None, len(times) + 1, f"stopped at the {cap:.0f} s cap")
        times.append(seconds)
        rss.append(mb)
    return Run(statistics.median(times), max(rss), len(times))


ANALYST = "analyst install"
# What Excel's Python has loaded before it imports the UDF module (xlwings' UDF server is
# xlwings; xlwings imports pandas when it is installed, and ours needs it): alone, it
# bounds the cold import of udfs.functions, and what our module adds is the difference.
XLWINGS_ALONE = "`import xlwings` alone (pandas with it)"
# A module import is timed from the start of Python to the module imported: the process
# then ends without Python's finalisation (0.05-0.1 s once pandas is loaded), which Excel's
# Python, running on after the import, does not pay then (the CLI does not pay it either:
# cli.main.run ends the same way).
IMPORTED = "import {}; import os; os._exit(0)"


def startup(reps: int) -> dict[str, Run]:
    """Python start and our imports, no workbook, as whole processes (an import's up to the
    module imported, see IMPORTED): in an analyst's install (`pip install .`, no extras:
    what the targets are about, see bench/excel_click.py) and in this .venv, where every
    extra is installed and xlwings therefore also imports matplotlib."""
    from excel_click import analyst_python
    runs = {}
    for install, python in ((ANALYST, str(analyst_python())),
                            ("dev .venv, all extras", sys.executable)):
        for name, args in (("Python alone (`python -c pass`)", ["-c", "pass"]),
                           ("`readiness-xl --version`", ["-m", "readiness_xl", "--version"]),
                           ("`import udfs.functions`", ["-c", IMPORTED.format("udfs.functions")]),
                           (XLWINGS_ALONE, ["-c", IMPORTED.format("xlwings")]),
                           ("`import udfs.ribbon`", ["-c", IMPORTED.format("udfs.ribbon")])):
            runs[f"{name}, {install}"] = repeat([python, *args], reps, 60)
    return runs


def ours_overall(book: Path) -> dict[str, float]:
    from readiness_xl.workbook.recalc import score_book
    return score_book(read_book(book)).agencies["overall"].to_dict()


def peer_check(peer: str, book: Path, expected: dict[str, float], scratch: Path) -> str:
    """Do the peer's scores equal ours? Its per-agency overall, written by one run."""
    out = scratch / f"{peer}.json"
    subprocess.run([sys.executable, str(HERE / PEERS[peer]), str(book), str(out)], check=True,
                   capture_output=True, cwd=ROOT)
    import json
    theirs = json.loads(out.read_text())
    worst = max(abs(theirs[a] - v) for a, v in expected.items())
    return "same numbers" if worst < 1e-9 else f"**differs by up to {worst:.3g} points**"


def other_benches(quick: bool) -> list[tuple[str, str]]:
    """(command, what it printed) of each other helper's benchmark found in bench/."""
    out = []
    for name in OTHER_BENCHES:
        script = HERE / name
        if not script.exists():
            continue
        cmd = [sys.executable, str(script)]
        options = QUICK_OPTIONS.get(name, [])
        if quick and options and f'"{options[0]}"' in script.read_text(encoding="utf-8"):
            cmd += options
        print(f"other: {name}", flush=True)
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        text = done.stdout.strip() or "(no output)"
        if done.returncode:
            text += f"\n(exit {done.returncode}: {done.stderr.strip()[-500:]})"
        out.append((" ".join(["bench/" + name, *cmd[2:]]), text))
    return out


def import_profile(module: str, top: int = 12) -> str:
    """The modules that cost most to import (cumulative microseconds), from -X importtime,
    in the analyst's install (the one the start-up targets are about)."""
    from excel_click import analyst_python
    done = subprocess.run([str(analyst_python()), "-X", "importtime", "-c", f"import {module}"],
                          capture_output=True, text=True, cwd=ROOT)
    rows = [line.split("|") for line in done.stderr.splitlines() if line.startswith("import time:")]
    rows = [(int(cumulative), name.rstrip()) for _, cumulative, name in rows[1:] if cumulative.strip().isdigit()]
    width = max((len(name) for _, name in rows), default=0)
    return "\n".join(f"{name:<{width}} {us / 1e6:6.2f} s"
                     for us, name in sorted(rows, reverse=True)[:top])


def udf_profile() -> str:
    from udfs.functions import DIMENSION_SCORE
    answers = [[1], [0], [3], [75.0], [1], [2], [None], [1], [0], [50.0]] * 2
    maxima = [[1], [1], [4], [100], [1], [4], [1], [1], [1], [100]] * 2
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(20000):
        DIMENSION_SCORE(answers, maxima)
    prof.disable()
    text = io.StringIO()
    pstats.Stats(prof, stream=text).strip_dirs().sort_stats("tottime").print_stats(10)
    lines = text.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(lines[start:start + 11])


def fmt(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.2f}"


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    lo = subprocess.run([soffice(), "--version"], capture_output=True, text=True).stdout.strip()
    names = ("pandas", "numpy", "openpyxl", "python-calamine", "polars", "fastexcel", "formulas")
    versions = []
    for name in names:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} not installed")
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.1f} GiB memory, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, {', '.join(versions)}, {lo}")


LOAD_AT_START = ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5, help="repetitions per figure (median)")
    parser.add_argument("--cap", type=float, default=600, help="seconds before a peer run is stopped")
    parser.add_argument("--units-only", nargs=2, metavar=("N", "JSON"), help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true",
                        help="small sizes (100 agency sheets, 1,000 long, 10,000 units in memory, "
                             "30 forms into 100 agencies), 3 reps, no formulas engine")
    args = parser.parse_args()
    if args.units_only:
        import json
        Path(args.units_only[1]).write_text(json.dumps(units_in_memory(int(args.units_only[0]))))
        return
    started = time.perf_counter()
    reps = 3 if args.quick else args.reps
    cases = [("sheets", 100), ("long", 1000)] if args.quick else \
        [("sheets", 1000), ("long", 1000), ("long", 10000)]
    OUT.mkdir(exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="readiness-bench-"))
    profile_dir = scratch / "lo-profile"
    (profile_dir / "user").mkdir(parents=True)
    (profile_dir / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    # the same LibreOffice told never to recalculate on load: opening and saving alone
    keep_dir = scratch / "lo-profile-keep"
    (keep_dir / "user").mkdir(parents=True)
    (keep_dir / "user" / "registrymodifications.xcu").write_text(
        RECALC_ALWAYS.replace("<value>0</value>", "<value>1</value>"))
    try:
        import polars  # noqa: F401
        peers = tuple(PEERS)
    except ImportError:
        peers = tuple(p for p in PEERS if p != "polars")

    rows, steps, checks = [], {}, {}
    for layout, n in cases:
        book = workbooks.build(OUT / f"{layout}_{n}.xlsx", n, layout)
        big = n >= 10000
        print(f"{layout} {n}: recalc, {', '.join(peers)}, side by side", flush=True)
        cmds = {"ours": recalc_cmd(book, scratch / "ours.xlsx")}
        cmds.update((peer, [sys.executable, str(HERE / PEERS[peer]), str(book)]) for peer in peers)
        measured = side_by_side(cmds, reps, args.cap)
        expected = ours_overall(book)
        for peer in peers:
            if peer != "floor":
                checks[(layout, n, peer)] = peer_check(peer, book, expected, scratch)
        print(f"{layout} {n}: LibreOffice", flush=True)
        measured["LibreOffice"] = repeat(libreoffice_cmd(book, scratch / "lo", profile_dir),
                                         3 if big else reps, args.cap, warmup=not rows)
        if layout == "sheets":  # what the recalculation on load adds to opening and saving
            measured["LibreOffice, no recalculation"] = repeat(
                libreoffice_cmd(book, scratch / "lo-keep", keep_dir), 1,
                args.cap, warmup=not rows)
        if layout == "sheets" and not args.quick:
            print(f"{layout} {n}: formulas", flush=True)
            measured["formulas"] = repeat([sys.executable, str(HERE / "peer_formulas.py"), str(book)],
                                          1, args.cap)
        core_s, per_s = core_speed(book, reps)
        rows.append((layout, n, measured, core_s, per_s))
        steps[(layout, n)] = stages(book, scratch / "stages.xlsx") | read_stages(book)

    units = 10_000 if args.quick else 100_000
    print(f"{units:,} units in memory", flush=True)
    unit_steps, unit_peak = units_run(units, args.cap)
    forms, agencies = (30, 100) if args.quick else (300, 1000)
    print(f"collect {forms} forms into {agencies} agencies", flush=True)
    master, form_paths = collect_setup(scratch, forms, agencies)
    collect = (forms, agencies, collect_run(master, form_paths, scratch, 3, args.cap))
    print("start-up", flush=True)
    start = startup(reps)
    udf = udf_cost()

    profiles = {}
    for layout, n, measured, *_ in rows:
        target = TARGETS.get(f"recalc_{layout}_{n}_s", 1e9)
        ours, floor = measured["ours"].seconds, measured["floor"].seconds
        if (ours or 1e9) > target or (ours or 1e9) > TARGETS["vs_floor"] * (floor or 0):
            path = OUT / f"{layout}_{n}.xlsx"
            profiles[f"recalc, {layout} {n:,}"] = profile(
                lambda: recalc_file(path, scratch / "p.xlsx"))
    if sum(unit_steps.values()) > TARGETS["units_100000_s"] * units / 100_000:
        profiles[f"{units:,} units in memory"] = profile(lambda: units_in_memory(units))
    if collect[2].seconds is None or collect[2].seconds > TARGETS["collect_300_s"] * forms / 300:
        from readiness_xl.survey.collect import collect_forms
        target = scratch / "master.xlsx"
        shutil.copy(master, target)
        profiles[f"collect {forms} forms"] = profile(lambda: collect_forms(form_paths, target))
    for name, run in start.items():
        if "import" in name and ANALYST in name and (run.seconds or 1e9) > TARGETS["start_s"]:
            profiles[f"{name} (python -X importtime, largest cumulative)"] = import_profile(
                name.split("`")[1].split()[-1])
    if max(udf.values()) > TARGETS["udf_us"]:
        profiles["DIMENSION_SCORE, 20,000 calls (cProfile, by own time)"] = udf_profile()
    others = other_benches(args.quick)
    elapsed = time.perf_counter() - started
    (HERE / "RESULTS.md").write_text(report(rows, checks, steps, (units, unit_steps, unit_peak), collect,
                                            start, udf, profiles, others, args, reps, elapsed))
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"wrote {HERE / 'RESULTS.md'} in {elapsed / 60:.0f} min")


def report(rows, checks, steps, units, collect, start, udf, profiles, others, args, reps, elapsed) -> str:
    # the command as it was typed: `make bench` (which runs bench/run), or bench/run and its options
    cmd = ("make bench" if os.environ.get("MAKELEVEL") and len(sys.argv) == 1 else
           "bench/run" + "".join(f" {a}" for a in sys.argv[1:]))
    columns = ["ours", "floor", "vectorised", "polars", "pandas", "LibreOffice",
               "LibreOffice, no recalculation", "formulas"]
    titles = {"ours": "`recalc` s", "floor": "floor: calamine reads s", "vectorised": "pandas vectorised s",
              "polars": "polars s", "pandas": "pandas loop s",
              "LibreOffice": "LibreOffice: open, recalculate every formula, save s",
              "LibreOffice, no recalculation": "LibreOffice told never to recalculate on load s",
              "formulas": "formulas s"}
    out = [
        "# Benchmark results", "",
        f"Produced by `{cmd}` on {time.strftime('%Y-%m-%d %H:%M')} UTC from commit "
        f"{_commit()}, in {elapsed / 60:.0f} minutes; every figure below comes from this one run.", "",
        f"Machine: {machine()}.", "",
        f"Workbooks: {INDICATORS} indicators in {workbooks.DIMENSIONS} dimensions, answers typed as "
        "people type them (ใช่/ไม่ใช่, whole numbers, ~2% blank), built by `bench/workbooks.py` "
        "with the product's template builder. `sheets` = one sheet per agency (the template's "
        "agency sheets, with their share and check formulas); `long` = the `Responses` sheet.", "",
        f"Each time is the median of {reps} runs (3 for LibreOffice at 10,000 agencies, 1 for "
        "`formulas`) of a fresh process, timed from start to exit. `recalc`, the floor and the "
        "script peers run side by side: each repetition runs every one of them once, in turn, "
        "the order reversed every other repetition, so that what else the machine does falls "
        "on all alike. CPU time is user + system time of the process and its children (every "
        "thread), and peak RSS the process's own, both from `wait4`, measured by a small "
        "launcher so that the bench's memory does not count.", "",
        f"Load when the run began (1, 5, 15 min): {LOAD_AT_START}; when it ended: "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}.", "",
        "## End to end, side by side", "",
        "| workbook | agencies | answers | " + " | ".join(titles[c] for c in columns)
        + " | `recalc` peak RSS MB | ours ÷ floor, wall | ours ÷ floor, CPU |",
        "|---|---:|---:|" + "---:|" * (len(columns) + 3),
    ]
    for layout, n, measured, *_ in rows:
        cells = []
        for c in columns:
            run = measured.get(c)
            cells.append("—" if run is None else f"> {args.cap:g}" if run.seconds is None else fmt(run.seconds))
        ours, floor = measured["ours"], measured["floor"]
        ratio = f"{ours.seconds / floor.seconds:.2f}×" if ours.seconds and floor.seconds else "—"
        cpu_ratio = f"{ours.cpu / floor.cpu:.2f}×" if ours.cpu and floor.cpu else "—"
        out.append(f"| {layout} | {n:,} | {n * INDICATORS:,} | " + " | ".join(cells)
                   + f" | {ours.rss_mb:.0f} | {ratio} | {cpu_ratio} |")
    side = [c for c in columns if c in ("ours", *PEERS)]
    out += ["", "CPU time of the same runs (s, user + system, all threads; the process's wall time "
            "can be below it where two cores work at once):", "",
            "| workbook | agencies | " + " | ".join(titles[c].replace(" s", " CPU s") for c in side) + " |",
            "|---|---:|" + "---:|" * len(side)]
    for layout, n, measured, *_ in rows:
        out.append(f"| {layout} | {n:,} | " + " | ".join(
            "—" if measured.get(c) is None or measured[c].cpu is None else f"{measured[c].cpu:.2f}"
            for c in side) + " |")
    out += ["", "Peak RSS of every process (MB):", "",
            "| workbook | agencies | " + " | ".join(columns) + " |", "|---|---:|" + "---:|" * len(columns)]
    for layout, n, measured, *_ in rows:
        out.append(f"| {layout} | {n:,} | " + " | ".join(
            "—" if measured.get(c) is None or measured[c].rss_mb is None else f"{measured[c].rss_mb:.0f}"
            for c in columns) + " |")
    out += ["", "The peers' numbers against ours (every agency's overall score, to 1e-9):", ""]
    out += [f"- {layout} {n:,}, {peer}: {verdict}" for (layout, n, peer), verdict in checks.items()]
    out += ["", "The floor is python-calamine turning every sheet of the workbook into Python "
            "values and nothing else, in a process that imports nothing but python-calamine "
            "(`bench/floor.py`). Each peer is a script of its own importing only its own "
            "libraries: the vectorised pandas script (`bench/peer_pandas.py`) "
            "reads with pandas' calamine engine, pivots the answers to agencies x indicators, "
            "scores with one matrix product and groups the ministries; the polars script "
            "(`bench/peer_polars.py`) reads with `polars.read_excel` (fastexcel: calamine into "
            "Arrow, no Python object per cell, nothing checked) and scores with joins and group_by; "
            "the pandas loop (`bench/peer_pandas_loop.py`) is the earlier peer, one small "
            "DataFrame per agency. LibreOffice opens "
            "the workbook with a private profile told to recalculate every formula on load and "
            "saves it as .xlsx, and for the agency-sheet layout once more with a profile told "
            "never to recalculate on load (it computes the formulas anyway: the workbook asks "
            "for a full calculation on load, fullCalcOnLoad, and the agency sheets' formulas "
            "carry no cached values, so the two times are alike: opening and saving 1,000 "
            "sheets is most of it); the `formulas` engine computes every formula of the agency sheets "
            "(our UDFs registered through `udfs.formulas_bridge`); neither applies to scores of "
            "the long layout, which has no per-agency formulas, so their long-layout times are "
            "merely opening and saving.", ""]
    out += ["## Where the time goes", "",
            "One in-process recalculation, step by step (single run each), as `recalc` does it: "
            "the Summary's cells are live formulas with their values cached (agency sheets; the "
            "long layout: values and its live answers check), the write renders the "
            "Summary XML, zips the workbook (parts we do not change are copied still compressed), "
            "reads every written part back (CRC-32, the same bytes, well-formed XML) and replaces "
            "the target; the Summary XML is also timed alone, the write once more over the full "
            "Summary the first one wrote (every later recalculation of a workbook), and the floor "
            "of the write is the Summary part deflated into a zip of its own:", "",
            "| workbook | agencies | " + " | ".join(STAGES) + " |", "|---|---:|" + "---:|" * len(STAGES)]
    for (layout, n), parts in steps.items():
        out.append(f"| {layout} | {n:,} | " + " | ".join(f"{parts[k]:.2f}" for k in STAGES) + " |")
    out += ["", "Reading and validating, step by step (one more in-process read, the package "
            "checked afresh):", "",
            "| workbook | agencies | " + " | ".join(READ_STAGES) + " | total |",
            "|---|---:|" + "---:|" * (len(READ_STAGES) + 1)]
    for (layout, n), parts in steps.items():
        out.append(f"| {layout} | {n:,} | " + " | ".join(f"{parts[k]:.2f}" for k in READ_STAGES)
                   + f" | {sum(parts[k] for k in READ_STAGES):.2f} |")
    count, unit_steps, peak = units
    out += ["", f"## {count:,} units ({count * INDICATORS:,} answers)", "",
            "A Responses sheet holds at most 1,048,576 rows (Excel's limit) and our package limit is "
            "500 MB unpacked, so this many answers cannot come from one workbook; everything after "
            "reading is timed on answers in memory (as typed: words, numbers, blanks):", "",
            "| " + " | ".join(UNIT_STAGES) + " | total | process peak RSS MB |",
            "|" + "---:|" * (len(UNIT_STAGES) + 2),
            "| " + " | ".join(f"{unit_steps[k]:.2f}" for k in UNIT_STAGES)
            + f" | {sum(unit_steps.values()):.2f} | {'—' if peak is None else f'{peak:.0f}'} |"]
    forms, agencies, run = collect
    out += ["", "## collect", "",
            f"`readiness-xl collect` of {forms} returned forms (prefilled, as `forms --prefill` "
            f"writes them) into a {agencies:,}-agency master of agency sheets, each run into a fresh "
            f"copy: {fmt(run.seconds)} s (median of {run.runs}), peak RSS "
            f"{'—' if run.rss_mb is None else f'{run.rss_mb:.0f}'} MB."]
    out += ["", "## Start-up", "",
            "Whole processes; an import is timed from the start of Python to the module imported "
            "(the process then ends without Python's finalisation, which Excel's Python, running on, "
            "does not pay at that moment; `readiness-xl` itself ends the same way).", "",
            "| process | s (median) | peak RSS MB |", "|---|---:|---:|"]
    out += [f"| {name} | {fmt(r.seconds)} | {r.rss_mb:.0f} |" for name, r in start.items()]
    out += ["", "## Scoring core and UDF calls", "",
            "| workbook | agencies | `scoring.score` ms | answers per second |", "|---|---:|---:|---:|"]
    for layout, n, _, core_s, per_s in rows:
        out.append(f"| {layout} | {n:,} | {core_s * 1e3:.2f} | {per_s / 1e6:.1f} million |")
    out += ["", "| UDF call | µs of Python per call (best of 7 × 2,000) |", "|---|---:|"]
    out += [f"| {name} | {us:.1f} |" for name, us in udf.items()]
    out += ["", "## Targets (issues 17 and 28)", "",
            "Every target missed has its profile in the next section, and a note of what bounds it.", ""]
    out += targets(rows, units, collect, start, udf, args)
    if profiles:
        out += ["", "## Profiles of the targets missed", "",
                "cProfile of one in-process run, sorted by cumulative time (the UDF's by own time)."]
    for name, text in profiles.items():
        note, _, table = text.partition("\n\n") if text.startswith("Bound by") else ("", "", text)
        out += ["", f"### {name}", ""] + ([note, ""] if note else []) + ["```", table, "```"]
    if others:
        out += ["", "## The other benchmarks in bench/", ""]
    for command, text in others:
        out += [f"`{command}`:", "", "```", text, "```", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                           text=True, cwd=ROOT).stdout.strip()
    return (done.stdout.strip() or "unknown") + (" with uncommitted changes" if dirty else "")


def targets(rows, units, collect, start, udf, args) -> list[str]:
    lines = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    for layout, n, m, *_ in rows:  # issue 28: on 10,000 long, within 1.5x wall and 2x CPU, ahead of every peer
        if (layout, n) != ("long", 10000) or not (m["ours"].seconds and m["floor"].seconds):
            continue
        wall, cpu = m["ours"].seconds / m["floor"].seconds, (m["ours"].cpu or 0) / (m["floor"].cpu or 1)
        lines.append(f"- 10,000 long within {TARGETS['vs_floor_wall']:g}× the floor in wall time: {wall:.2f}×, "
                     f"{verdict(wall <= TARGETS['vs_floor_wall'])}; within {TARGETS['vs_floor_cpu']:g}× in CPU "
                     f"time: {cpu:.2f}×, {verdict(cpu <= TARGETS['vs_floor_cpu'])}.")
        for peer in ("vectorised", "polars", "pandas"):
            theirs = m.get(peer)
            if theirs and theirs.seconds:
                lines.append(f"- 10,000 long ahead of the {peer} script (wall): {m['ours'].seconds:.2f} s "
                             f"against {theirs.seconds:.2f} s, {verdict(m['ours'].seconds < theirs.seconds)}.")

    by = {(r[0], r[1]): r[2] for r in rows}
    if ("sheets", 1000) in by:
        t = by[("sheets", 1000)]["ours"].seconds
        lines.append(f"- recalc, 1,000 agency sheets, under {TARGETS['recalc_sheets_1000_s']:g} s: "
                     f"{fmt(t)} s, {verdict(t is not None and t <= TARGETS['recalc_sheets_1000_s'])}.")
    if ("long", 10000) in by:
        m = by[("long", 10000)]
        t, mb = m["ours"].seconds, m["ours"].rss_mb
        lines.append(f"- recalc, 10,000 agencies long form, under {TARGETS['recalc_long_10000_s']:g} s: "
                     f"{fmt(t)} s, {verdict(t is not None and t <= TARGETS['recalc_long_10000_s'])}; "
                     f"under {TARGETS['rss_long_10000_mb']:g} MB: {mb:.0f} MB, "
                     f"{verdict(mb <= TARGETS['rss_long_10000_mb'])}.")
        if ("long", 1000) in by and t:
            growth = t / by[("long", 1000)]["ours"].seconds
            lines.append(f"- Growth 1,000 → 10,000 long: ×{growth:.1f} for ×10 agencies, "
                         f"{verdict(growth <= 10)}.")
    for layout, n, m, *_ in rows:
        if m["ours"].seconds and m["floor"].seconds:
            ratio = m["ours"].seconds / m["floor"].seconds
            lines.append(f"- Within {TARGETS['vs_floor']:g}× the floor, {layout} {n:,}: {ratio:.1f}×, "
                         f"{verdict(ratio <= TARGETS['vs_floor'])}.")
    count, unit_steps, peak = units
    total = sum(unit_steps.values())
    if count == 100_000:
        lines.append(f"- 100,000 units after reading, under {TARGETS['units_100000_s']:g} s: {total:.1f} s, "
                     f"{verdict(total <= TARGETS['units_100000_s'])}; process peak "
                     f"{'—' if peak is None else f'{peak:.0f}'} MB (with generating the answers), "
                     f"under 4096 MB: {verdict(peak is not None and peak <= 4096)}.")
    forms, agencies, run = collect
    if forms == 300:
        lines.append(f"- collect 300 forms into 1,000 agencies under {TARGETS['collect_300_s']:g} s: "
                     f"{fmt(run.seconds)} s, {verdict(run.seconds is not None and run.seconds <= TARGETS['collect_300_s'])}.")
    xlwings = start.get(f"{XLWINGS_ALONE}, {ANALYST}")
    for name, r in start.items():
        if "alone" not in name and ANALYST in name:
            lines.append(f"- {name} under {TARGETS['start_s']:g} s: {fmt(r.seconds)} s, "
                         f"{verdict(r.seconds is not None and r.seconds <= TARGETS['start_s'])}.")
            if "udfs.functions" in name and xlwings and r.seconds and xlwings.seconds:
                added = r.seconds - xlwings.seconds
                lines.append(f"  - of it, xlwings (which imports pandas) alone: {fmt(xlwings.seconds)} s, "
                             f"{'over' if xlwings.seconds > TARGETS['start_s'] else 'within'} the target "
                             f"by itself; what udfs.functions adds to it (Excel's UDF server has xlwings "
                             f"loaded when it imports our module): {added:.2f} s, "
                             f"{verdict(added <= TARGETS['start_s'])}.")
    largest = max(rows, key=lambda r: r[1])
    lines.append(f"- Scoring core at least 20 million answers per second: {largest[4] / 1e6:.0f} million "
                 f"at {largest[1]:,} agencies, {verdict(largest[4] >= TARGETS['core_answers_per_s'])}.")
    worst = max(udf.values())
    lines.append(f"- One UDF call under {TARGETS['udf_us']:g} µs: {worst:.1f} µs at the slowest, "
                 f"{verdict(worst <= TARGETS['udf_us'])}.")
    return lines


if __name__ == "__main__":
    main()
