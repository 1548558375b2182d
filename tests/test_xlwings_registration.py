"""Excel's Import Functions, run with xlwings' own Windows code (xlwings.udfs): the
decorators Windows binds to xw.func/xw.arg, the VBA xlwings generates for udfs.functions
and the function wizard's help it registers. Only pywin32 is stood in for, at the COM
boundary: the modules xlwings.udfs imports and the workbook object Excel would pass."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import pytest

import udfs
from udfs.catalogue import CATEGORY, FUNCTIONS

MODULE = "udfs.functions"   # what the template's xlwings.conf names under UDF Modules


class ComError(Exception):
    """pywintypes.com_error"""


def _pywin32() -> dict[str, types.ModuleType]:
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = ComError
    win32com = types.ModuleType("win32com")
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda obj: obj
    win32com.client = client
    return {"pythoncom": pythoncom, "pywintypes": pywintypes, "win32com": win32com,
            "win32com.client": client}


class Workbook:
    """The COM workbook Excel hands to ImportUDFs: records the VBA module imported and
    each Application.MacroOptions call."""

    def __init__(self, name: str):
        self.Name = name
        self.imported: list[str] = []
        self.macro_options: list[tuple[str, dict]] = []
        book = self

        class Components:
            def __call__(self, name):
                raise ComError("no such component")

            def Remove(self, component):  # noqa: N802
                pass

            def Import(self, path):  # noqa: N802
                book.imported.append(Path(path).read_text())

        class Application:
            Version = "16.0"

            def MacroOptions(self, macro, **options):  # noqa: N802
                book.macro_options.append((macro, options))

        self.VBProject = types.SimpleNamespace(VBComponents=Components())
        self.Application = Application()


@pytest.fixture(scope="module")
def windows():
    """xlwings.udfs imported as on Windows, and udfs/functions.py decorated by it (what
    `xlwings/__init__.py` binds on Windows: func = udfs.xlfunc, arg = udfs.xlarg)."""
    import xlwings
    saved = {name: sys.modules.get(name) for name in [*_pywin32(), "xlwings.udfs"]}
    sys.modules.update(_pywin32())
    sys.modules.pop("xlwings.udfs", None)
    xl_udfs = importlib.import_module("xlwings.udfs")
    bound = {name: getattr(xlwings, name) for name in ("func", "arg", "ret")}
    xlwings.func, xlwings.arg, xlwings.ret = xl_udfs.xlfunc, xl_udfs.xlarg, xl_udfs.xlret
    try:
        spec = importlib.util.spec_from_file_location(
            "udfs._functions_on_windows", Path(udfs.__file__).parent / "functions.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for name, value in bound.items():
            setattr(xlwings, name, value)
    # xlwings caches the UDF module after its first import (udf_modules); putting the
    # Windows-decorated copy there is that state. __pro__ False: the classic path, no key.
    xl_udfs.udf_modules[MODULE] = {"filename": module.__file__, "filetime": None, "module": module}
    pro = xl_udfs.__pro__
    xl_udfs.__pro__ = False
    yield xl_udfs, module
    xl_udfs.__pro__ = pro
    for name, value in saved.items():
        if value is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = value


@pytest.fixture(scope="module")
def imported(windows):
    xl_udfs, _ = windows
    book = Workbook("readiness_template.xlsm")
    xl_udfs.import_udfs(MODULE, book)
    return book


def test_every_catalogue_function_is_registered_with_its_help(windows, imported):
    _, module = windows
    registered = sorted(name for name in dir(module) if hasattr(getattr(module, name), "__xlfunc__"))
    assert registered == sorted(f.name for f in FUNCTIONS)
    options = dict(imported.macro_options)
    for entry in FUNCTIONS:
        got = options[f"'readiness_template.xlsm'!{entry.name}"]
        assert got["Description"] == entry.help and len(entry.help) <= 255
        assert got["Category"] == CATEGORY
        assert got["ArgumentDescriptions"] == [a.help for a in entry.arguments]
        assert all(len(a.help) <= 255 for a in entry.arguments)


def test_generated_vba_calls_our_module_with_every_argument(imported):
    (vba,) = imported.imported
    assert vba.startswith('Attribute VB_Name = "xlwings_udfs"')
    for entry in FUNCTIONS:
        params = ", ".join(("Optional " if a.optional else "") + a.name for a in entry.arguments)
        assert f"Function {entry.name}({params})" in vba, entry.name
        caller = ", Nothing" if _takes_caller(entry.name) else ""
        args = ", ".join(a.name for a in entry.arguments) + caller
        assert (f'{entry.name} = XLPy.CallUDF("{MODULE}", "{entry.name}", Array({args}), '
                "ThisWorkbook, Application.Caller)") in vba, entry.name


def _takes_caller(name: str) -> bool:
    import inspect

    import udfs.functions as functions
    return "caller" in inspect.signature(getattr(functions, name)).parameters


def test_every_range_argument_reads_error_cells_as_text(windows):
    """err_to_str: without it xlwings passes #N/A as None, a blank."""
    _, module = windows
    for entry in FUNCTIONS:
        for arg in getattr(module, entry.name).__xlfunc__["args"]:
            if arg["name"] != "caller":
                assert arg["options"].get("err_to_str") is True, (entry.name, arg["name"])


def test_xlwings_call_path_refuses_na_in_a_real_range(windows, sample_path):
    """call_udf's step: conversion.read(range, None, the argument's options), then the
    function; the range is a real xlwings Range (remote engine) holding #N/A."""
    from xlwings import conversion

    from udfs.remote_book import book_json
    xlwings = pytest.importorskip("xlwings")
    _, module = windows
    data = book_json(sample_path)
    d01 = next(s for s in data["sheets"] if s["name"] == "D01")["values"]
    d01[6][6] = "#N/A"                                # G7
    sheet = xlwings.Book(json=data).sheets["D01"]
    fn = module.DIMENSION_SCORE
    info = {a["name"]: a for a in fn.__xlfunc__["args"]}
    answers = conversion.read(sheet.range("G5:G8"), None, info["answers"]["options"])
    # F5:F8 are formulas, which a file written by openpyxl holds no value of: typed maxima
    maxima = [[1.0], [1.0], [1.0], [100.0]]
    assert answers == [["ใช่"], ["ใช่"], ["#N/A"], [30.0]]
    assert fn(answers, maxima).startswith("#VALUE!: answers, cell 3 holds the Excel error #N/A")


def _body(vba: str, name: str) -> str:
    start = vba.index(f"Function {name}(")
    return vba[start:vba.index("End Function", start)]


def test_functions_reading_the_workbook_themselves_are_volatile_and_no_other(imported):
    """Excel tracks only the cells given as arguments: a function that reads a sheet or a
    name itself recalculates at every calculation (Application.Volatile in the VBA xlwings
    generates), so it never shows a value older than the workbook."""
    (vba,) = imported.imported
    volatile = {entry.name for entry in FUNCTIONS if "Application.Volatile" in _body(vba, entry.name)}
    assert volatile == {name for name in map(lambda e: e.name, FUNCTIONS) if _takes_caller(name)}
    assert volatile == {"DIMENSION_GAP", "IMPROVEMENT_PRIORITY", "READINESS_NARRATIVE",
                        "READINESS_CHANGE", "RANK_CHANGE", "RANK_INTERVAL"}


# VBA's keywords and the built-in names a parameter of the same name would shadow in the
# wrapper xlwings generates (VBA language reference: keywords, functions; Excel's objects).
VBA_NAMES = set("""
and as boolean byref byte byval call case const currency date debug declare dim do double each
else elseif empty end enum eqv erase error event exit false for friend function get global gosub
goto if imp implements in integer is let lib like long loop lset me mod new next not nothing null
object on option optional or paramarray preserve private property public raiseevent redim rem
resume return rset select set single static step stop string sub then to true type typeof until
variant wend while with withevents xor
abs array asc atn cbool cbyte ccur cdate cdbl chr cint clng cos csng cstr cvar dir eof exp filelen
fix format hex instr int isarray isdate isempty iserror ismissing isnull isnumeric left len
loc lof log mid month now oct replace right rnd round sgn sin space split sqr str strcomp tan
time timer trim ubound lbound val weekday year
application cells columns name names range rows sheets value value2 workbook worksheet min max
""".split())


def test_argument_names_shadow_no_vba_name(imported):
    (vba,) = imported.imported
    for entry in FUNCTIONS:
        for arg in entry.arguments:
            assert arg.name.lower() not in VBA_NAMES, (entry.name, arg.name)
        assert f"Function {entry.name}(" in vba
