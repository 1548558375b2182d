"""The xlwings Lite module that `readiness-xl lite` writes, run through xlwings' own
Office.js code (xlwings.server: custom_functions_meta, custom_functions_call,
custom_scripts_call), as xlwings Lite runs it in Pyodide; and its import graph checked
against Pyodide's package list (tests/pyodide_packages.txt, from the npm package)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
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
from udfs import workbook_context
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
    ones (what xlwings/__init__.py binds when XLWINGS_ON_SERVER is true, as in Lite)."""
    bound = {name: getattr(xlwings, name) for name in ("func", "arg", "ret", "script")}
    xlwings.func, xlwings.arg, xlwings.ret, xlwings.script = (
        server.func, server.arg, server.ret, server.script)
    try:
        spec = importlib.util.spec_from_file_location("lite_main", lite_dir / "main.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for name, value in bound.items():
            setattr(xlwings, name, value)
    yield module
    workbook_context._remembered.clear()


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
    assert result.startswith("#VALUE!: answer 2: cell holds the Excel error #N/A"), result


def test_script_writes_the_summary_of_recalc_and_functions_then_read_the_book(
        lite, sample_copy, sample_json, tmp_path):
    workbook_context._remembered.clear()
    d01 = next(a for a in sample_json["agencies"] if a["id"] == "D01")
    dims = [[d01["dimensions"][d] for d in DIMS]]
    (before,), = call(lite, "READINESS_SCORE", dims, None)
    assert before.startswith("#N/A: give this argument"), before   # no book seen yet

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

    # after the script, functions read the workbook it saw (Weights, the national row)
    assert call(lite, "READINESS_SCORE", dims, None) == [[pytest.approx(d01["overall"])]]
    (text,), = call(lite, "READINESS_NARRATIVE", [["กรมส่งเสริมอุตสาหกรรม"]], dims, None, None)
    assert "66.2" in text and d01["level_th"] in text


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


def test_main_py_runs_with_only_what_pyodide_has(lite_dir, sample_path, tmp_path):
    """A fresh Python where importing anything else fails, as in Pyodide: load main.py,
    call every function and run the script."""
    book = tmp_path / "book.json"
    book.write_text(json.dumps(book_json(sample_path)))
    driver = textwrap.dedent(f"""
        import asyncio, importlib.abc, importlib.machinery, json, sys
        ALLOWED = set({_allowed_imports()!r}) | set(sys.stdlib_module_names)
        BUNDLE = []
        class Pyodide(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                top = name.split(".")[0]
                if top in ("readiness_xl", "udfs"):
                    if path is None:  # only from the bundle inside main.py, not this checkout
                        return importlib.machinery.PathFinder.find_spec(name, BUNDLE)
                    return None
                if top in ALLOWED or top == "main":
                    return None
                raise ModuleNotFoundError(f"not in Pyodide: {{name}}", name=name)
        sys.meta_path.insert(0, Pyodide())
        import tempfile, pathlib
        BUNDLE.append(str(pathlib.Path(tempfile.gettempdir()) / "readiness_xl_bundle.zip"))
        import xlwings, xlwings.server as server
        xlwings.func, xlwings.arg, xlwings.script = server.func, server.arg, server.script
        sys.path.insert(0, {str(lite_dir)!r})
        import main as lite
        book = xlwings.Book(json=json.load(open({str(book)!r})))
        done = asyncio.run(server.custom_scripts_call(lite, "recalculate_all_agencies",
                                                      typehint_to_value={{xlwings.Book: book}}))
        out = {{"actions": [a["func"] for a in done.json()["actions"]]}}
        for f in server.custom_functions_meta(lite)["functions"]:
            args = [[[70.0, 60.0]]] + [None] * (len(f["parameters"]) - 1)
            data = {{"func_name": f["id"], "args": args, "version": "dev", "client": "Office.js",
                    "runtime": "1.4", "caller_address": "D01!N11"}}
            out[f["id"]] = asyncio.run(server.custom_functions_call(data, lite))
        out["modules"] = sorted({{m.split(".")[0] for m in sys.modules}})
        out["readiness_from"] = sys.modules["readiness_xl"].__file__
        print(json.dumps(out, default=str))
    """)
    result = subprocess.run([sys.executable, "-I", "-c", driver], capture_output=True, text=True,
                            cwd=lite_dir)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.splitlines()[-1])
    assert out["actions"] == ["rangeClearContents", "setValues", "setFormula", "calculate"]
    assert "readiness_xl_bundle.zip" in out["readiness_from"]
    assert not {"python_calamine", "matplotlib", "scipy", "SALib"} & set(out["modules"])
    assert out["READINESS_LEVEL"] == [["ดีมาก"]]   # 70 against the book's LevelBands
    assert out["READINESS_SCORE"][0][0].startswith("#VALUE!: dimension scores has 2 cells")
