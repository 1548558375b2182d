"""`readiness-xl doctor`: what an analyst's Excel setup is missing, in Thai and English.

The checks follow the steps of the README's Windows setup, in order: Python, the
packages, xlwings' add-in, Excel's trust setting for the VBA project, the settings
xlwings reads (the interpreter, for our ribbon add-in's `myaddin.conf`, which is not
xlwings' own conf), and whether our add-in is installed and its button runs a fixed
command (an old build ran its file name, so a renamed copy failed). Each check looks at
this computer only (files, the registry) and never starts Excel. What cannot be checked on this system
(the registry and Excel's folders outside Windows) is said so, not guessed.

`--fix` writes the two settings files xlwings reads, pointing at this Python (pythonw.exe
on Windows, which python.org's installer does not put on PATH)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from importlib import util
from pathlib import Path

from readiness_xl.builder.addin import ADDIN_NAME, ADDIN_VBA_PROJECT

OK, MISSING, UNKNOWN = "ok", "missing", "cannot check here"
# The interpreter setting xlwings' VBA reads on each system (none where Excel does not run).
INTERPRETER_KEY = {"win32": "INTERPRETER_WIN", "darwin": "INTERPRETER_MAC"}.get(sys.platform)
XLWINGS_ADDIN = "xlwings.xlam"
# Excel's "Trust access to the VBA project object model" (Import Functions needs it).
TRUST_KEY = r"Software\Microsoft\Office\16.0\Excel\Security"
TRUST_VALUE = "AccessVBOM"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    th: str   # what to do, in Thai
    en: str   # what to do, in English


def _interpreter() -> Path:
    """The Python Excel should start: pythonw.exe beside python.exe on Windows (no console)."""
    exe = Path(sys.executable)
    windowed = exe.with_name("pythonw.exe")
    return windowed if sys.platform == "win32" and windowed.exists() else exe


def conf_paths(home: Path) -> dict[str, Path]:
    """The user settings files xlwings' VBA reads: xlwings' own add-in and standalone
    workbooks read .xlwings\\xlwings.conf; our ribbon add-in (VBA project myaddin) reads
    .myaddin\\myaddin.conf."""
    return {project: home / f".{project}" / f"{project}.conf"
            for project in ("xlwings", ADDIN_VBA_PROJECT)}


def _conf_value(path: Path, key: str) -> str | None:
    """A value of xlwings' conf format: lines of "KEY","value"."""
    if not path.exists():
        return None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        name, _, value = line.partition(",")
        if name.strip().strip('"').upper() == key.upper():
            return value.strip().strip('"')
    return None


def _excel_folders(env: dict) -> list[Path]:
    """Where Excel on Windows keeps add-ins it loads (XLSTART and the AddIns folder)."""
    appdata = env.get("APPDATA")
    if not appdata:
        return []
    return [Path(appdata) / "Microsoft" / "Excel" / "XLSTART", Path(appdata) / "Microsoft" / "AddIns"]


def _addin_works(path: Path) -> bool | None:
    """None if `path` is not our add-in (no readiness tab in its ribbon, or not a package);
    else whether its button works: ours runs a fixed command under any file name; one built
    before from xlwings' template unchanged runs `import <file name>`, which works only
    when the file is named readiness_xl.xlam."""
    import zipfile

    from readiness_xl.builder.addin import (BUTTON_COMMAND, CUSTOM_UI_PART, TAB, TEMPLATE_MACRO,
                                            VBA_PART)
    from readiness_xl.builder.vba import module_source
    try:
        with zipfile.ZipFile(path) as zf:
            if f'id="{TAB["id"]}"'.encode() not in zf.read(CUSTOM_UI_PART):
                return None
            source = module_source(zf.read(VBA_PART), TEMPLATE_MACRO.split(".")[0])
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    return BUTTON_COMMAND in source or path.name == ADDIN_NAME


def _trust_setting() -> str:
    if sys.platform != "win32":
        return UNKNOWN
    import winreg
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, TRUST_KEY) as key:
            value, _ = winreg.QueryValueEx(key, TRUST_VALUE)
    except OSError:
        return MISSING
    return OK if value == 1 else MISSING


def checks(home: Path | None = None, env: dict | None = None) -> list[Check]:
    env = dict(os.environ) if env is None else env
    home = Path(env.get("USERPROFILE") or env.get("HOME") or Path.home()) if home is None else home
    windows = sys.platform == "win32"
    found = []

    version = ".".join(map(str, sys.version_info[:3]))
    found.append(Check("Python", OK if sys.version_info >= (3, 10) else MISSING,
                       f"Python {version} ที่ {sys.executable}; ต้องเป็น 3.10 ขึ้นไป จาก python.org",
                       f"Python {version} at {sys.executable}; 3.10 or later from python.org"))
    for package in ("xlwings", "openpyxl", "pandas"):
        present = util.find_spec(package) is not None
        found.append(Check(package, OK if present else MISSING,
                           f"ติดตั้งด้วย: {sys.executable} -m pip install {package}",
                           f"install with: {sys.executable} -m pip install {package}"))
    udfs_ok = util.find_spec("udfs") is not None
    found.append(Check("udfs.functions", OK if udfs_ok else MISSING,
                       "โมดูลฟังก์ชันของ readiness-xl: pip install . ในโฟลเดอร์ของ readiness-xl",
                       "readiness-xl's function module: run pip install . in readiness-xl's folder"))

    folders = _excel_folders(env)
    if not windows or not folders:
        for name, th, en in (
                (XLWINGS_ADDIN, "ตรวจ add-in ของ xlwings ได้บน Windows เท่านั้น",
                 "xlwings' add-in is checked on Windows only"),
                (ADDIN_NAME, "ตรวจ add-in ของเราได้บน Windows เท่านั้น",
                 "our add-in is checked on Windows only")):
            found.append(Check(name, UNKNOWN, th, en))
    else:
        has_xlwings = any((f / XLWINGS_ADDIN).exists() for f in folders)
        found.append(Check(XLWINGS_ADDIN, OK if has_xlwings else MISSING,
                           "ติดตั้ง add-in ของ xlwings: xlwings addin install",
                           "install xlwings' add-in: xlwings addin install"))
        works = {p: _addin_works(p) for f in folders if f.exists() for p in f.glob("*.xlam")}
        ours = [p for p, state in works.items() if state is not None]
        stale = [p for p in ours if not works[p]]
        status = MISSING if stale or not ours else OK
        if stale:
            th = (f"{stale[0].name} เป็น add-in รุ่นเก่าที่ปุ่มใช้ชื่อไฟล์เป็นชื่อโมดูล: สร้างใหม่ด้วย "
                  "readiness-xl build-addin แล้วเพิ่มใน File > Options > Add-ins (ตั้งชื่อใดก็ได้)")
            en = (f"{stale[0].name} is an old build whose button runs its file name as a module: "
                  "make a new one with readiness-xl build-addin and add it in File > Options > "
                  "Add-ins (any file name works)")
        else:
            th = (f"ยังไม่ได้ติดตั้ง {ADDIN_NAME}: คัดลอกไปไว้ใน {folders[-1]} แล้วเพิ่มใน "
                  "File > Options > Add-ins")
            en = (f"{ADDIN_NAME} is not installed: copy it to {folders[-1]} and add it in "
                  "File > Options > Add-ins")
        found.append(Check(ADDIN_NAME, status, th, en))

    trust = _trust_setting()
    if trust == UNKNOWN:
        found.append(Check("Trust access to the VBA project object model", trust,
                           "ตรวจได้บน Windows เท่านั้น (registry)", "checked on Windows only (the registry)"))
    else:
        found.append(Check("Trust access to the VBA project object model", trust,
                           "Excel: File > Options > Trust Center > Trust Center Settings > Macro "
                           "Settings > ติ๊ก Trust access to the VBA project object model",
                           "Excel: File > Options > Trust Center > Trust Center Settings > Macro "
                           "Settings > tick Trust access to the VBA project object model"))

    for project, path in conf_paths(home).items():
        if INTERPRETER_KEY is None:
            found.append(Check(f"{path}", UNKNOWN, "ไม่มี Excel บนระบบนี้: ไม่ต้องตั้งค่า",
                               "Excel does not run on this system: nothing to set"))
            continue
        value = _conf_value(path, INTERPRETER_KEY)
        status = OK if value and Path(value).exists() else MISSING
        found.append(Check(f"{path}", status,
                           f"ยังไม่ได้ตั้ง Python ให้ {project}: รัน readiness-xl doctor --fix",
                           f"no Python set for {project} (Excel would look for 'python' on PATH, "
                           "absent with python.org's installer): run readiness-xl doctor --fix"))
    return found


def write_conf(home: Path) -> list[Path]:
    """Point both settings files at this Python and keep it running between calls
    (USE UDF SERVER), keeping every other line of an existing file."""
    from readiness_xl.workbook.atomic_write import atomic_target
    settings = {INTERPRETER_KEY: str(_interpreter()), "USE UDF SERVER": "True"}
    written = []
    for path in conf_paths(home).values():
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        kept = [line for line in lines
                if line.partition(",")[0].strip().strip('"').upper() not in settings]
        kept += [f'"{key}","{value}"' for key, value in settings.items()]
        with atomic_target(path) as tmp:
            tmp.write_text("\n".join(kept) + "\n", encoding="utf-8")
        written.append(path)
    return written

