"""The xlwings Lite module that `readiness-xl lite` writes, run through xlwings' own
Office.js code (xlwings.server: custom_functions_meta, custom_functions_call,
custom_scripts_call), as xlwings Lite runs it in Pyodide; and its import graph checked
against Pyodide's package list (tests/pyodide_packages.txt, from the npm package)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest
import xlwings
import xlwings.server as server  # xlwings' Office.js code, as xlwings Lite runs it
from conftest import ROOT, run_cli
from openpyxl import load_workbook

from readiness_xl.lite import REQUIREMENTS
from readiness_xl.sample.source_data import load_framework
from readiness_xl.workbook import layout as L
from udfs.catalogue import FUNCTIONS
from udfs.remote_book import apply_actions, book_json

FRAMEWORK = load_framework()
DIMS = FRAMEWORK.dimension_ids
PYODIDE = ROOT / "tests" / "pyodide_packages.txt"


@pytest.fixture(scope="module")
def lite_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lite")
    run_cli("lite", out)
    return out


@pytest.fixture(scope="module")
def lite(lite_dir):
    """main.py loaded as xlwings Lite loads it: xlwings' func/arg/script are the Office.js
    ones (what xlwings/__init__.py binds when XLWINGS_ON_SERVER is true, as in Lite).
    Its engine replaces this checkout's readiness_xl and udfs modules while it loads; they
    are put back after, so the rest of the suite imports the checkout (main.py keeps the
    engine's modules it imported)."""
    bound = {name: getattr(xlwings, name) for name in ("func", "arg", "ret", "script")}
    ours = {n: m for n, m in sys.modules.items() if n.split(".")[0] in ("readiness_xl", "udfs")}
    finders = list(sys.meta_path)
    xlwings.func, xlwings.arg, xlwings.ret, xlwings.script = (
        server.func, server.arg, server.ret, server.script)
    try:
        spec = importlib.util.spec_from_file_location("lite_main", lite_dir / "main.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for name, value in bound.items():
            setattr(xlwings, name, value)
        for name in [n for n in sys.modules if n.split(".")[0] in ("readiness_xl", "udfs")]:
            del sys.modules[name]
        sys.modules.update(ours)
        sys.meta_path[:] = finders
    yield module
    module._context._remembered.clear()


def call(module, name: str, *args):
    """One call as Excel sends it: every argument a 2-D array, a left-out one null."""
    data = {"func_name": name, "args": list(args), "version": "dev", "client": "Office.js",
            "runtime": "1.4", "caller_address": "[book.xlsx]D01!N11"}
    return asyncio.run(server.custom_functions_call(data, module))


def column(values):
    return [[v] for v in values]


def test_meta_has_every_catalogue_function_with_help_and_argument_docs(lite):
    meta = server.custom_functions_meta(lite)
    by_id = {f["id"]: f for f in meta["functions"]}
    assert sorted(by_id) == sorted(f.name for f in FUNCTIONS)
    for entry in FUNCTIONS:
        got = by_id[entry.name]
        assert got["name"] == entry.name and got["description"] == entry.help
        assert [p["name"] for p in got["parameters"]] == [a.name for a in entry.arguments]
        assert [p["description"] for p in got["parameters"]] == [a.help for a in entry.arguments]
        assert [p.get("optional", False) for p in got["parameters"]] == [a.optional for a in entry.arguments]


def test_scripts_meta_has_the_recalculate_script(lite):
    (meta,) = server.custom_scripts_meta(lite)
    assert meta["function_name"] == "recalculate_all_agencies"


def test_functions_give_recalc_figures(lite, sample_path, sample_json):
    d01 = next(a for a in sample_json["agencies"] if a["id"] == "D01")
    dims = [[d01["dimensions"][d] for d in DIMS]]
    weights = column(FRAMEWORK.weights)
    bands = [[b.lower, b.label_th, b.label_en] for b in FRAMEWORK.bands.itertuples()]
    sheet = load_workbook(sample_path, read_only=True)["D01"]
    rows = [r for r in sheet.iter_rows(min_row=L.AGENCY_FIRST_ROW, values_only=True) if r[0]]
    first = [r for r in rows if str(r[1]) == DIMS[0]]
    answers = [[r[6]] for r in first]
    maxima = column(FRAMEWORK.indicators.loc[[str(r[0]) for r in first], "max"].astype(float))
    assert call(lite, "DIMENSION_SCORE", answers, maxima, None, None) == \
        [[pytest.approx(d01["dimensions"][DIMS[0]])]]
    assert call(lite, "READINESS_SCORE", dims, weights) == [[pytest.approx(d01["overall"])]]
    assert call(lite, "READINESS_LEVEL", [[d01["overall"]]], bands, None) == [[d01["level_th"]]]
    assert call(lite, "READINESS_LEVEL", [[d01["overall"]]], bands, [["en"]]) == [[d01["level_en"]]]
    overalls = column(a["overall"] for a in sample_json["agencies"])
    assert call(lite, "READINESS_RANK", [[d01["overall"]]], overalls) == [[d01["rank"]]]
    national = [[sample_json["national"]["dimensions"][d] for d in DIMS]]
    assert call(lite, "DIMENSION_GAP", dims, national) == [pytest.approx(
        [d01["dimensions"][d] - national[0][i] for i, d in enumerate(DIMS)])]
    assert call(lite, "WEAK_DIMENSIONS", dims, None, [[62]]) == [["5"], ["4"]]
    assert call(lite, "IMPROVEMENT_PRIORITY", dims, weights, None)[0] == \
        ["3", pytest.approx(0.30 * (100 - 68.4))]


def test_error_cell_is_refused_not_read_as_blank(lite):
    na = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
    (result,), = call(lite, "DIMENSION_SCORE", [["ใช่"], [na]], [[1], [1]], None, None)
    assert result.startswith("#VALUE!: answers, cell 2 holds the Excel error #N/A"), result


def test_script_writes_the_summary_of_recalc_and_functions_then_read_the_book(
        lite, sample_copy, sample_json, tmp_path):
    lite._context._remembered.clear()
    d01 = next(a for a in sample_json["agencies"] if a["id"] == "D01")
    dims = [[d01["dimensions"][d] for d in DIMS]]
    national = [[sample_json["national"]["dimensions"][d] for d in DIMS]]
    name = [["กรมส่งเสริมอุตสาหกรรม"]]
    (before,), = call(lite, "READINESS_NARRATIVE", name, dims, national, [["en"]])
    assert before.startswith("#N/A: no workbook to read the framework"), before   # no book seen yet
    assert "run the script recalculate_all_agencies once" in before

    data = book_json(sample_copy)
    book = xlwings.Book(json=data)
    returned = asyncio.run(server.custom_scripts_call(
        lite, "recalculate_all_agencies", typehint_to_value={xlwings.Book: book}))
    actions = returned.json()["actions"]
    assert [a["func"] for a in actions] == ["rangeClearContents", "setValues", "setFormula", "calculate"]
    summary = apply_actions(data, actions)[L.SUMMARY_SHEET]
    out = tmp_path / "cli.xlsx"
    run_cli("recalc", sample_copy, "-o", out)
    expected = [list(r) for r in load_workbook(out, data_only=True)[L.SUMMARY_SHEET].iter_rows(values_only=True)]
    for want, have in zip(expected, summary):
        assert [None if v == "" else v for v in have[:len(want)]] == [
            pytest.approx(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
            for v in want]

    # after the script the narrative, given every argument, reads the framework it saw
    (text,), = call(lite, "READINESS_NARRATIVE", name, dims, national, None)
    assert "66.2" in text and d01["level_th"] in text and "57.8" in text
    (english,), = call(lite, "READINESS_NARRATIVE", name, dims, national, [["en"]])
    assert "66.2" in english and d01["level_en"] in english
    # an argument left out is refused, never taken from the script's snapshot of Weights
    # or the Summary (stale as soon as the analyst edits them)
    (weights,), = call(lite, "IMPROVEMENT_PRIORITY", dims, None, None)
    assert weights.startswith("#N/A: give weights: without a calling cell (xlwings Lite)"), weights
    (gap,), = call(lite, "DIMENSION_GAP", dims, None)
    assert gap.startswith("#N/A: give benchmark"), gap
    (left_out,), = call(lite, "READINESS_NARRATIVE", name, dims, None, None)
    assert left_out.startswith("#N/A: give national"), left_out


def test_functions_reading_the_workbook_are_volatile_in_lite_too(lite):
    meta = {f["id"]: f for f in server.custom_functions_meta(lite)["functions"]}
    volatile = {name for name, f in meta.items() if f.get("options", {}).get("volatile")}
    assert volatile == {f.name for f in FUNCTIONS if f.volatile}


def _pyodide_packages() -> dict[str, dict]:
    packages = {}
    for line in PYODIDE.read_text().splitlines():
        if not line.startswith("#"):
            name, version, imports, depends = line.split()
            packages[name] = {"imports": [] if imports == "-" else imports.split(","),
                              "depends": [] if depends == "-" else depends.split(",")}
    return packages


def test_requirements_are_pyodide_packages_or_pure_python_wheels(lite_dir):
    packages = _pyodide_packages()
    lines = (lite_dir / "requirements.txt").read_text().split()
    assert lines[0] == f"xlwings=={metadata.version('xlwings')}"   # installed by xlwings Lite
    assert lines[1:] == list(REQUIREMENTS)
    for name in REQUIREMENTS:
        wheel = metadata.distribution(name).read_text("WHEEL") or ""
        assert name in packages or "Root-Is-Purelib: true" in wheel, name
    assert "python-calamine" not in lines and "matplotlib" not in lines


def _allowed_imports() -> list[str]:
    """Top-level modules xlwings Lite has after installing requirements.txt: each
    requirement's and its dependencies' (Pyodide's lock for the packages it builds,
    the wheel's metadata for pure-Python ones)."""
    packages = _pyodide_packages()
    by_dist = {}
    for module, dists in metadata.packages_distributions().items():
        for dist in dists:
            by_dist.setdefault(dist.lower().replace("_", "-"), []).append(module)
    allowed, todo = set(), ["xlwings", *REQUIREMENTS]
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in allowed:
            continue
        allowed.add(name)
        if name in packages:
            todo += packages[name]["depends"]
        else:
            todo += [r.split(";")[0].split("[")[0].split(">")[0].split("<")[0].split("=")[0]
                     .split("!")[0].strip() for r in metadata.requires(name) or []
                     if "extra ==" not in r and "platform_system" not in r
                     and "sys_platform" not in r]
    modules = set()
    for name in allowed:
        modules.update(packages.get(name, {}).get("imports", []) or by_dist.get(name, []))
    return sorted(modules)


# A fresh Python as xlwings Lite has it (Pyodide): only the standard library, xlwings and
# the requirements import; readiness_xl and udfs only from the engine inside main.py (this
# checkout's installed copy is refused); the temporary directory an empty one of the
# test's. LOAD(path) runs a main.py as Lite does; RUN(module) runs the script on the
# sample's book (xlwings' remote engine) and returns the names of the actions it sent.
_PYODIDE_PYTHON = """
import asyncio, importlib.abc, importlib.util, json, os, sys
ALLOWED = set({allowed!r}) | set(sys.stdlib_module_names)
class Pyodide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in ALLOWED:
            return None
        raise ModuleNotFoundError(f"not in Pyodide: {{name}}", name=name)
sys.meta_path.insert(0, Pyodide())
import xlwings, xlwings.server as server
xlwings.func, xlwings.arg, xlwings.script = server.func, server.arg, server.script
BOOK = json.load(open({book!r}))

def LOAD(path, name="main"):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

def RUN(module):
    book = xlwings.Book(json=json.loads(json.dumps(BOOK)))
    done = asyncio.run(server.custom_scripts_call(module, "recalculate_all_agencies",
                                                  typehint_to_value={{xlwings.Book: book}}))
    return done.json()["actions"]

def CALL(module, name, args):
    data = {{"func_name": name, "args": args, "version": "dev", "client": "Office.js",
            "runtime": "1.4", "caller_address": "D01!N11"}}
    return asyncio.run(server.custom_functions_call(data, module))
"""


def run_in_pyodide_like_python(book: Path, body: str, tmp_path: Path) -> dict:
    """Run `body` after _PYODIDE_PYTHON in a fresh `python -I`; it prints one JSON line.
    Returns that, with "temp" the files left in the temporary directory it was given."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    driver = _PYODIDE_PYTHON.format(allowed=_allowed_imports(), book=str(book)) + textwrap.dedent(body)
    env = {**os.environ, "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp)}
    result = subprocess.run([sys.executable, "-I", "-c", driver], capture_output=True, text=True,
                            cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.splitlines()[-1])
    out["temp"] = sorted(p.name for p in temp.iterdir())
    return out


def test_main_py_runs_with_only_what_pyodide_has(lite_dir, sample_path, tmp_path):
    """Load main.py, call every function and run the script with nothing else importable."""
    book = tmp_path / "book.json"
    book.write_text(json.dumps(book_json(sample_path)))
    out = run_in_pyodide_like_python(book, f"""
        lite = LOAD({str(lite_dir / "main.py")!r})
        out = {{"actions": [a["func"] for a in RUN(lite)]}}
        for f in server.custom_functions_meta(lite)["functions"]:
            out[f["id"]] = CALL(lite, f["id"], [[[70.0, 60.0]]] + [None] * (len(f["parameters"]) - 1))
        out["modules"] = sorted({{m.split(".")[0] for m in sys.modules}})
        out["readiness_from"] = sys.modules["readiness_xl.core.scoring"].__spec__.origin
        print(json.dumps(out, default=str))
    """, tmp_path)
    assert out["actions"] == ["rangeClearContents", "setValues", "setFormula", "calculate"]
    assert out["readiness_from"].startswith("readiness-xl-engine-")
    assert out["readiness_from"].endswith("/readiness_xl/core/scoring.py")
    assert out["temp"] == []
    assert not {"python_calamine", "matplotlib", "scipy", "SALib"} & set(out["modules"])
    assert out["READINESS_LEVEL"][0][0].startswith("#VALUE!: score is 2 cells: give one cell")
    assert out["READINESS_SCORE"][0][0].startswith("#VALUE!: dimension scores has 2 cells")
    assert out["DIMENSION_GAP"][0][0].startswith("#N/A: give benchmark")
    assert out["WEIGHTED_MEAN"][0][0].startswith("#VALUE!: values has 2 cells but weights has 1")


def test_a_second_different_main_py_runs_its_own_engine_and_writes_no_file(
        sample_path, tmp_path):
    """Two main.py in one Python, as when an analyst pastes a newer one into the Lite
    editor: the second's engine (here its ribbon code also writes a mark in ZZ1) runs,
    not a mix, with no alert; loading the same main.py again keeps the engine and the book
    the script left; nothing is written to the temporary directory."""
    from readiness_xl import lite as lite_files
    first, second, again = (tmp_path / f"{n}.py" for n in ("first", "second", "again"))
    first.write_text(lite_files.main_py(), encoding="utf-8")
    again.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    ribbon = (ROOT / "udfs" / "ribbon.py").read_text(encoding="utf-8")
    marked = ribbon.replace("        recalculate(book)\n",
                            "        recalculate(book)\n        book.sheets[0]['ZZ1'].value = 'v2'\n")
    assert marked != ribbon
    second.write_text(lite_files.main_py(lite_files.engine_bytes({"udfs.ribbon": marked})),
                      encoding="utf-8")
    book = tmp_path / "book.json"
    book.write_text(json.dumps(book_json(sample_path)))
    dims = [[74.2, 70.0, 66.4, 62.9, 59.0, 60.6]]
    out = run_in_pyodide_like_python(book, f"""
        def actions(found):
            return [(a["func"], a["values"]) for a in found]
        out = {{}}
        one = LOAD({str(first)!r}, "main")
        out["first"] = actions(RUN(one))
        scoring = sys.modules["readiness_xl.core.scoring"]
        one_again = LOAD({str(again)!r}, "main")
        out["same_engine_kept"] = sys.modules["readiness_xl.core.scoring"] is scoring
        out["score_after_reload"] = CALL(one_again, "READINESS_NARRATIVE", [[["X"]], {dims!r}, {dims!r}, [["en"]]])
        two = LOAD({str(second)!r}, "main")
        out["second"] = actions(RUN(two))
        out["engines"] = sorted({{m.__spec__.origin.split("/")[0] for n, m in sys.modules.items()
                                 if n.split(".")[0] in ("readiness_xl", "udfs")}})
        out["finders"] = sum(hasattr(f, "engine_packages") for f in sys.meta_path)
        out["score_second"] = CALL(two, "READINESS_NARRATIVE", [[["X"]], {dims!r}, {dims!r}, [["en"]]])
        print(json.dumps(out, default=str))
    """, tmp_path)
    assert [f for f, _ in out["first"]] == ["rangeClearContents", "setValues", "setFormula", "calculate"]
    assert out["same_engine_kept"] is True
    assert out["score_after_reload"][0][0].startswith("X met ")   # the framework the script left
    funcs = [f for f, _ in out["second"]]
    assert "alert" not in funcs
    assert funcs == ["rangeClearContents", "setValues", "setFormula", "calculate", "setValues"]
    assert out["second"][-1][1] == [["v2"]] and all(v != [["v2"]] for _, v in out["first"])
    assert len(out["engines"]) == 1 and out["finders"] == 1    # only the second engine's modules
    assert out["score_second"] == out["score_after_reload"]
    assert out["temp"] == []


def test_main_py_reads_as_code_functions_first_engine_after_a_marked_line(lite_dir):
    """Every @func and @script, with its help, within the first 400 lines, before the line
    that starts the engine; the engine carries no module the functions never import."""
    import ast
    from readiness_xl.lite import ENGINE_MARK, closure
    text = (lite_dir / "main.py").read_text(encoding="utf-8")
    tree = ast.parse(text)
    decorated = [node for node in tree.body if isinstance(node, ast.FunctionDef) and any(
        getattr(getattr(d, "func", d), "id", None) in ("func", "script") for d in node.decorator_list)]
    assert sorted(n.name for n in decorated) == sorted(
        [f.name for f in FUNCTIONS] + ["recalculate_all_agencies"])
    mark = next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(ENGINE_MARK))
    assert all(n.end_lineno < mark <= 400 for n in decorated)
    assert all(ast.get_docstring(n) for n in decorated)
    carried = closure()
    assert {"readiness_xl.cli", "readiness_xl.builder", "readiness_xl.report", "readiness_xl.sample",
            "readiness_xl.survey", "readiness_xl.lite", "udfs.formulas_bridge"}.isdisjoint(carried)
