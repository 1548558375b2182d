"""`readiness-xl lite DIR`: the files for xlwings Lite (Excel on Windows, macOS and the
web, Python in the browser through Pyodide, nothing to install): `main.py` and
`requirements.txt`, to paste into xlwings Lite's editor tabs.

main.py reads as code, in two parts:
1. the functions and the script, first: one `@func` per catalogue function (help and
   argument docs from udfs.catalogue, err_to_str so an error cell is refused, not read as
   blank) calling the same function as classic Excel (udfs.functions), and the
   `recalculate_all_agencies` script running the ribbon button's code on the book xlwings
   Lite passes in. An analyst reads, changes or adds functions here.
2. below a marked line, the engine: the readiness-xl modules these call, carried as
   compressed text, and the loader (readiness_xl/lite_engine.py, copied) that imports them
   from memory. readiness-xl is not on PyPI, and xlwings Lite installs only from PyPI or
   Pyodide's repository, so requirements.txt cannot bring it.

Only the modules the functions and the script import are carried: the import closure of
ENTRY_MODULES, read from the source (every `import`, also inside functions), without
EXCLUDED. The requirements are only packages Pyodide builds (numpy, pandas) or
pure-Python wheels (xlwings, openpyxl, defusedxml); tests/test_lite.py checks the import
graph against Pyodide's package list and runs everything with nothing else importable."""

from __future__ import annotations

import ast
import base64
import hashlib
import inspect
import json
import zlib
from importlib import metadata
from pathlib import Path

import readiness_xl
from readiness_xl import lite_engine
from udfs.catalogue import FUNCTIONS
from udfs.functions import SCALAR_ARGUMENTS

# What the Lite module imports: xlwings (Lite installs it), packages Pyodide builds, and
# pure-Python wheels from PyPI.
REQUIREMENTS = ("numpy", "pandas", "openpyxl", "defusedxml")
# What main.py calls: the functions, the script, and the book the script leaves behind.
ENTRY_MODULES = ("udfs.functions", "udfs.ribbon", "udfs.workbook_context")
# Reached only from code Lite never runs, so not carried: the template builders (imported
# by workbook.responses' questionnaire writer; Lite writes through xlwings, never a file).
EXCLUDED = ("readiness_xl.builder",)
ENGINE_MARK = "# ===== The readiness-xl engine"


def _root() -> Path:
    return Path(readiness_xl.__file__).resolve().parent.parent


def _module_file(name: str) -> tuple[Path, bool] | None:
    path = _root().joinpath(*name.split("."))
    if (path / "__init__.py").exists():
        return path / "__init__.py", True
    if path.with_suffix(".py").exists():
        return path.with_suffix(".py"), False
    return None


def _imported_names(name: str, source: str, package: bool) -> set[str]:
    """Every module name an import statement of `source` may load (also imports inside
    functions; not those under `if TYPE_CHECKING:`); `from a import b` gives a and a.b."""
    found: set[str] = set()

    def visit(node) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", None) == "TYPE_CHECKING":
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = name.split(".") if package else name.split(".")[:-1]
                    parts = parts[:len(parts) - child.level + 1]
                    base = ".".join(parts + ([child.module] if child.module else []))
                found.add(base)
                found.update(f"{base}.{a.name}" for a in child.names)
            visit(child)
    visit(ast.parse(source))
    return found


def closure(entries=ENTRY_MODULES) -> dict[str, tuple[Path, bool]]:
    """Our modules that importing `entries` and calling their functions can load."""
    seen: dict[str, tuple[Path, bool]] = {}
    todo = list(entries)
    while todo:
        name = todo.pop()
        if (name in seen or name.split(".")[0] not in lite_engine.ENGINE_PACKAGES
                or any(name == e or name.startswith(e + ".") for e in EXCLUDED)):
            continue
        found = _module_file(name)
        if found is None:   # `from package import a_name` that is not a module
            continue
        seen[name] = found
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]
        todo += _imported_names(name, found[0].read_text(encoding="utf-8"), found[1])
    return dict(sorted(seen.items()))


def engine_bytes(changed: dict[str, str] | None = None) -> bytes:
    """The carried modules as lite_engine reads them (same code, same bytes); `changed`
    gives other source text for some modules (a newer engine, in tests)."""
    root = _root()
    modules = {name: {"package": package, "path": path.relative_to(root).as_posix(),
                      "source": path.read_text(encoding="utf-8")}
               for name, (path, package) in closure().items()}
    for name, source in (changed or {}).items():
        modules[name]["source"] = source
    return zlib.compress(json.dumps(modules, ensure_ascii=False, sort_keys=True).encode("utf-8"), 9)


def _wrapper(entry) -> str:
    params = ", ".join(f"{a.name}=None" if a.optional else a.name for a in entry.arguments)
    names = ", ".join(a.name for a in entry.arguments)
    lines = ["@func(volatile=True)" if entry.volatile else "@func"]
    for a in entry.arguments:
        ndim = "" if a.name in SCALAR_ARGUMENTS else "ndim=2, "
        lines.append(f"@arg({a.name!r}, {ndim}err_to_str=True, doc={a.help!r})")
    lines += [f"def {entry.name}({params}):", f"    {entry.help!r}",
              f"    return _functions.{entry.name}({names})", "", "", ""]
    return "\n".join(lines)


def _loader_source() -> str:
    """lite_engine's code without its module docstring (main.py's comment says what it is)."""
    source = inspect.getsource(lite_engine)
    tree = ast.parse(source)
    first = tree.body[1].lineno if isinstance(getattr(tree.body[0], "value", None), ast.Constant) else 1
    return "\n".join(source.splitlines()[first - 1:]).strip() + "\n"


def main_py(data: bytes | None = None) -> str:
    """main.py's text, carrying engine_bytes() (or `data`)."""
    data = engine_bytes() if data is None else data
    encoded = base64.b64encode(data).decode("ascii")
    chunks = "\n".join(f'    "{encoded[i:i + 96]}"' for i in range(0, len(encoded), 96))
    wrappers = "".join(_wrapper(entry) for entry in FUNCTIONS)
    digest = hashlib.sha256(data).hexdigest()
    return f'''"""readiness-xl {readiness_xl.__version__} for xlwings Lite: the Excel functions
(type =READINESS_SCORE( in a cell) and the script "recalculate_all_agencies".
Generated by `readiness-xl lite`.

This first part is the code you may read and change: each function below is a thin
wrapper that converts nothing itself and calls readiness-xl's function of the same name
(udfs/functions.py), which classic Excel runs too. The readiness-xl code they call is the
engine at the end of this file (after the line "{ENGINE_MARK}"),
imported from memory.

In xlwings Lite a function is given its arguments only, not the workbook: give every
argument that classic Excel would read from the workbook when left out (weights, the
national row). READINESS_NARRATIVE (the framework's names and bands) and the functions
reading the Trend and Uncertainty sheets read the workbook as the last run of
recalculate_all_agencies saw it, and say so until that script has run once."""

import xlwings as xw
from xlwings import arg, func, script


{wrappers}@script
def recalculate_all_agencies(book: xw.Book):
    """คำนวณใหม่ทุกหน่วยงาน / Recalculate all agencies: score every agency sheet and
    rewrite the Summary, as the ribbon button and `readiness-xl recalc` do."""
    _context.remember(book)
    _ribbon.recalculate_all_agencies(book)


{ENGINE_MARK} (generated; `readiness-xl lite` writes it again) =====
# readiness-xl's own modules (engine {digest[:12]}), zlib-compressed JSON in
# base64, and the loader that imports them from memory (readiness_xl/lite_engine.py):
# nothing is written to disk, and a newer main.py run in the same Python replaces them.

import base64  # noqa: E402
{_loader_source()}

_ENGINE = (
{chunks}
)

install_engine(base64.b64decode("".join(_ENGINE)))

from udfs import functions as _functions  # noqa: E402
from udfs import ribbon as _ribbon  # noqa: E402
from udfs import workbook_context as _context  # noqa: E402
'''


def requirements_txt() -> str:
    pins = [f"xlwings=={metadata.version('xlwings')}"]
    return "\n".join(pins + list(REQUIREMENTS)) + "\n"


def write_lite(directory: Path) -> list[Path]:
    """Write main.py and requirements.txt into `directory` (created if missing)."""
    from readiness_xl.workbook.atomic_write import atomic_target
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (("main.py", main_py()), ("requirements.txt", requirements_txt())):
        path = directory / name
        with atomic_target(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
        written.append(path)
    return written
