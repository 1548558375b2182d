"""`readiness-xl doctor`: what an analyst's Excel setup is missing, in Thai and English.

The checks follow the steps of the README's Windows setup, in order: Python, the
packages, xlwings' add-in, Excel's trust setting for the VBA project, the settings
xlwings reads (the interpreter, also for our ribbon add-in's own `readyxl.conf`), the
installed xlwings against the version of the shipped VBA, and whether our add-in is
installed, its button runs a fixed command (an old build ran its file name, so a renamed
copy failed) and it reads our conf file (an old build read xlwings' template's myaddin.conf). Each check looks at
this computer only (files, the registry) and never starts Excel. What cannot be checked on this system
(the registry and Excel's folders outside Windows) is said so, not guessed.

`--fix` writes the two settings files xlwings reads, pointing at this Python (pythonw.exe
on Windows, which python.org's installer does not put on PATH): xlwings' own (for the
workbooks made from our template and xlwings' add-in) and our add-in's. `USE UDF SERVER`
(Python kept running between calls) goes into our add-in's file only, not into the
user-wide xlwings.conf every other xlwings workbook reads.

xlwings' VBA reads a conf file with `Open ... For Input` / `Input #`, which decode the
bytes in the system's ANSI code page (cp874 on Thai Windows, cp1252 on a Western one),
so the files are written in that code page, and a path it cannot hold (a Thai user name
on a Western-language Windows) is refused with the way round it. On macOS Excel is
sandboxed: xlwings' VBA reads `<project>.conf` straight in
~/Library/Containers/com.microsoft.Excel/Data (GetConfigFilePath), written there in
Mac VBA's file encoding (Mac Roman)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from importlib import metadata, util
from pathlib import Path

from readiness_xl.builder.addin import ADDIN_NAME, ADDIN_VBA_PROJECT
from readiness_xl.errors import Problem, ReadinessError

OK, MISSING, UNKNOWN = "ok", "missing", "cannot check here"
# The interpreter setting xlwings' VBA reads on each system (none where Excel does not run).
INTERPRETER_KEYS = {"win32": "INTERPRETER_WIN", "darwin": "INTERPRETER_MAC"}
INTERPRETER_KEY = INTERPRETER_KEYS.get(sys.platform)
# Where sandboxed Excel on macOS has its home: xlwings' VBA reads <project>.conf here.
MAC_EXCEL_HOME = Path("Library") / "Containers" / "com.microsoft.Excel" / "Data"
# Settings for our add-in only (its own conf file), never the user-wide xlwings.conf.
ADDIN_ONLY_SETTINGS = {"USE UDF SERVER": "True"}
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


def conf_paths(home: Path, platform: str | None = None) -> dict[str, Path]:
    """The user settings files xlwings' VBA reads (GetConfigFilePath), by VBA project:
    xlwings' own add-in and our template's workbooks (project xlwings) read xlwings.conf;
    our ribbon add-in reads <its project>.conf. On Windows each is in %USERPROFILE%\\.<project>\\;
    on macOS both are in Excel's sandbox home."""
    projects = ("xlwings", ADDIN_VBA_PROJECT)
    if (platform or sys.platform) == "darwin":
        return {project: home / MAC_EXCEL_HOME / f"{project}.conf" for project in projects}
    return {project: home / f".{project}" / f"{project}.conf" for project in projects}


def windows_code_page() -> str:
    """This Windows' ANSI code page (GetACP): cp874 on Thai Windows, cp1252 on a Western
    one; utf-8 where "Beta: Use Unicode UTF-8 for worldwide language support" is ticked."""
    import ctypes
    page = ctypes.windll.kernel32.GetACP()
    return "utf-8" if page == 65001 else f"cp{page}"


def conf_encoding(platform: str | None = None) -> str:
    """The encoding xlwings' VBA reads its conf files in: the ANSI code page on Windows,
    Mac Roman (Mac VBA's file statements) on macOS."""
    platform = platform or sys.platform
    if platform == "darwin":
        return "mac_roman"
    if platform == "win32":
        return windows_code_page()
    return "utf-8"


def _conf_value(path: Path, key: str, encoding: str = "utf-8") -> str | None:
    """A value of xlwings' conf format: lines of "KEY","value"."""
    if not path.exists():
        return None
    for line in path.read_text(encoding=encoding, errors="replace").splitlines():
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
    else whether its button works: ours runs a fixed command under any file name and reads
    our conf file; one built before from xlwings' template unchanged runs `import <file
    name>`, which works only when the file is named readiness_xl.xlam, and one built before
    the project was renamed reads myaddin.conf, which doctor --fix no longer writes."""
    import zipfile

    from readiness_xl.builder.addin import (BUTTON_COMMAND, CUSTOM_UI_PART, TAB, TEMPLATE_MACRO,
                                            VBA_PART)
    from readiness_xl.builder.vba import module_source
    try:
        with zipfile.ZipFile(path) as zf:
            if f'id="{TAB["id"]}"'.encode() not in zf.read(CUSTOM_UI_PART):
                return None
            vba = zf.read(VBA_PART)
            source = module_source(vba, TEMPLATE_MACRO.split(".")[0])
            settings = module_source(vba, "xlwings")
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    ours = f'PROJECT_NAME As String = "{ADDIN_VBA_PROJECT}"' in settings
    return ours and (BUTTON_COMMAND in source or path.name == ADDIN_NAME)


def vba_version_of(path: Path) -> str | None:
    """The xlwings version whose VBA (and DLL, xlwings64-<version>.dll) `path` carries."""
    import zipfile

    from readiness_xl.builder.addin import VBA_PART, vba_xlwings_version
    try:
        with zipfile.ZipFile(path) as zf:
            return vba_xlwings_version(zf.read(VBA_PART))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None


def pinned_xlwings() -> str | None:
    """The xlwings version readiness-xl pins: the one the shipped add-in's VBA comes from."""
    try:
        requires = metadata.requires("readiness-xl") or []
    except metadata.PackageNotFoundError:
        return None
    for line in requires:
        name, _, version = line.split(";")[0].partition("==")
        if name.strip().lower() == "xlwings" and version:
            return version.strip()
    return None


def version_check(installed: str | None, vba: str | None, where: str) -> Check:
    """One line naming a mismatch between the installed xlwings and the VBA of `where`,
    with the fix (Excel would say "Could not load xlwings64-<vba>.dll")."""
    name = f"xlwings {installed or '-'} / VBA of {where}"
    if installed is None or vba is None or installed == vba:
        return Check(name, OK if installed and vba else UNKNOWN, "", "")
    return Check(name, MISSING,
                 f"VBA ใน {where} เป็นของ xlwings {vba} แต่ติดตั้ง xlwings {installed} ไว้ (Excel จะแจ้ง "
                 f"Could not load xlwings64-{vba}.dll): {sys.executable} -m pip install xlwings=={vba}",
                 f"the VBA in {where} is xlwings {vba}'s but xlwings {installed} is installed (Excel "
                 f"would say Could not load xlwings64-{vba}.dll): "
                 f"{sys.executable} -m pip install xlwings=={vba}")


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


def checks(home: Path | None = None, env: dict | None = None, platform: str | None = None,
           encoding: str | None = None) -> list[Check]:
    env = dict(os.environ) if env is None else env
    home = Path(env.get("USERPROFILE") or env.get("HOME") or Path.home()) if home is None else home
    platform = platform or sys.platform
    windows = platform == "win32"
    encoding = encoding or conf_encoding(platform)
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
    installed = metadata.version("xlwings") if util.find_spec("xlwings") else None
    found.append(version_check(installed, pinned_xlwings(), f"{ADDIN_NAME} / readiness_template.xlsm"))

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
            th = (f"{stale[0].name} เป็น add-in รุ่นเก่า (ปุ่มใช้ชื่อไฟล์เป็นชื่อโมดูล หรืออ่านค่าจาก "
                  "myaddin.conf): สร้างใหม่ด้วย readiness-xl build-addin แล้วเพิ่มใน File > Options > "
                  "Add-ins (ตั้งชื่อใดก็ได้)")
            en = (f"{stale[0].name} is an old build (its button runs its file name as a module, or "
                  "it reads xlwings' template settings myaddin.conf): make a new one with "
                  "readiness-xl build-addin and add it in File > Options > Add-ins (any file name "
                  "works)")
        else:
            th = (f"ยังไม่ได้ติดตั้ง {ADDIN_NAME}: คัดลอกไปไว้ใน {folders[-1]} แล้วเพิ่มใน "
                  "File > Options > Add-ins")
            en = (f"{ADDIN_NAME} is not installed: copy it to {folders[-1]} and add it in "
                  "File > Options > Add-ins")
        found.append(Check(ADDIN_NAME, status, th, en))
        for path in ours:
            check = version_check(installed, vba_version_of(path), path.name)
            if check.status == MISSING:
                found.append(check)

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

    key = INTERPRETER_KEYS.get(platform)
    for project, path in conf_paths(home, platform).items():
        if key is None:
            found.append(Check(f"{path}", UNKNOWN, "ไม่มี Excel บนระบบนี้: ไม่ต้องตั้งค่า",
                               "Excel does not run on this system: nothing to set"))
            continue
        value = _conf_value(path, key, encoding)
        status = OK if value and Path(value).exists() else MISSING
        found.append(Check(f"{path}", status,
                           f"ยังไม่ได้ตั้ง Python ให้ {project}: รัน readiness-xl doctor --fix",
                           f"no Python set for {project} (Excel would look for 'python' on PATH, "
                           "absent with python.org's installer): run readiness-xl doctor --fix"))
    return found


def _refuse_unreadable(value: str, encoding: str, path: Path) -> None:
    """Refuse a setting that xlwings' VBA would read as other characters."""
    try:
        value.encode(encoding)
    except UnicodeEncodeError:
        raise ReadinessError(Problem(
            f"Excel would not find Python: {value} has letters the {encoding} code page of this "
            f"Windows cannot hold, and xlwings reads its settings in that code page / Excel จะหา "
            f"Python ไม่พบ: ชื่อ {value} มีตัวอักษรที่ code page {encoding} ของ Windows เครื่องนี้เก็บไม่ได้. "
            "Workaround / ทางแก้: install Python into a folder with only English letters "
            "(python.org installer: Customize installation > Install Python for all users, "
            "C:\\Program Files\\Python3xx) and run its readiness-xl doctor --fix, or set Control "
            "Panel > Region > Administrative > Language for non-Unicode programs to Thai "
            "(ติดตั้ง Python ในโฟลเดอร์ที่ชื่อเป็นอักษรอังกฤษ หรือตั้ง Language for non-Unicode "
            "programs เป็นภาษาไทย)", file=str(path))) from None


def write_conf(home: Path, platform: str | None = None, encoding: str | None = None,
               interpreter: Path | None = None) -> list[Path]:
    """Point both settings files at this Python, keeping every other line of an existing
    file, in the encoding xlwings' VBA reads them in; our add-in's file also keeps Python
    running between calls (USE UDF SERVER). Nothing is written when a path cannot be held."""
    from readiness_xl.workbook.atomic_write import atomic_target
    platform = platform or sys.platform
    encoding = encoding or conf_encoding(platform)
    interpreter = str(interpreter or _interpreter())
    key = INTERPRETER_KEYS[platform]
    planned = []
    for project, path in conf_paths(home, platform).items():
        settings = {key: interpreter, **(ADDIN_ONLY_SETTINGS if project == ADDIN_VBA_PROJECT else {})}
        _refuse_unreadable(interpreter, encoding, path)
        _refuse_unreadable(str(path), encoding, path)
        lines = path.read_text(encoding=encoding, errors="replace").splitlines() if path.exists() else []
        kept = [line for line in lines
                if line.partition(",")[0].strip().strip('"').upper() not in settings]
        kept += [f'"{k}","{v}"' for k, v in settings.items()]
        planned.append((path, ("\r\n".join(kept) + "\r\n").encode(encoding, errors="replace")))
    for path, data in planned:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_target(path) as tmp:
            tmp.write_bytes(data)
    return [path for path, _ in planned]
