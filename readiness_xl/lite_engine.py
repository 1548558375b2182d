"""The loader at the end of the xlwings Lite `main.py` (`readiness-xl lite`), copied there
as text: it makes the readiness-xl modules carried in main.py importable from memory.

The modules are a zlib-compressed JSON object {module name: {"package": bool, "path":
str, "source": str}}. A finder on sys.meta_path serves them by name, so nothing is
written to disk (Pyodide's file system, or a temporary directory another main.py shares).
The finder is keyed by the SHA-256 of the bytes: loading the same engine again changes
nothing (the modules and their state, such as the book the script left for the
functions, stay), while a different engine (a newer main.py run in the same Python)
removes the old finder and every readiness_xl/udfs module already imported, so the
second main.py runs its own code, not a mix.

This module imports only the standard library and defines no names main.py must avoid."""

import hashlib
import importlib.abc
import importlib.util
import json
import sys
import zlib

ENGINE_PACKAGES = ("readiness_xl", "udfs")


class EngineFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds and runs the carried modules (source compiled from memory)."""

    def __init__(self, modules: dict, digest: str):
        self.modules = modules
        self.digest = digest
        self.engine_packages = ENGINE_PACKAGES   # how a later main.py knows this finder
        self.origin = f"readiness-xl-engine-{digest[:12]}"

    def find_spec(self, name, path=None, target=None):
        entry = self.modules.get(name)
        if entry is None:
            return None
        return importlib.util.spec_from_loader(name, self, origin=f"{self.origin}/{entry['path']}",
                                               is_package=entry["package"])

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__engine__ = self.digest
        code = compile(self.modules[module.__name__]["source"], module.__spec__.origin, "exec",
                       dont_inherit=True)
        exec(code, module.__dict__)  # noqa: S102 (the carried modules are what this loader is for)

    def get_source(self, name):
        """For tracebacks (linecache asks the module's loader)."""
        return self.modules[name]["source"]


def _ours(name: str) -> bool:
    return name.split(".")[0] in ENGINE_PACKAGES


def install_engine(data: bytes) -> str:
    """Make the modules in `data` importable; returns its SHA-256. Repeating it with the same
    bytes does nothing; other bytes replace the engine loaded before."""
    digest = hashlib.sha256(data).hexdigest()
    finders = [f for f in sys.meta_path if getattr(f, "engine_packages", None) == ENGINE_PACKAGES]
    if finders and finders[0].digest == digest and all(
            getattr(m, "__engine__", None) == digest for n, m in list(sys.modules.items()) if _ours(n)):
        return digest
    modules = json.loads(zlib.decompress(data).decode("utf-8"))
    sys.meta_path[:] = [f for f in sys.meta_path if f not in finders]
    for name in [n for n in sys.modules if _ours(n)]:
        del sys.modules[name]
    importlib.invalidate_caches()
    sys.meta_path.insert(0, EngineFinder(modules, digest))
    return digest
