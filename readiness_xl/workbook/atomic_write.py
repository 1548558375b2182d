"""Writing a file so that it is either wholly written or untouched: the result goes to a
temporary file beside the target, which replaces the target in one step only when
complete. Before that, what must not be written over is refused: a workbook open in
Excel or LibreOffice, a read-only file, a file this command read as input (see
workbook.locks), with an error that names the target, never the temporary file."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager, nullcontext
from pathlib import Path

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook import locks


def owner_files(path: Path) -> list[Path]:
    """The files an office program keeps beside a workbook it has open: Excel's `~$name`
    (Word-style `~$` + name less its first two characters too) and LibreOffice's
    `.~lock.name#`."""
    name = path.name
    return [path.with_name(n) for n in
            dict.fromkeys(["~$" + name, "~$" + name[2:] if len(name) > 2 else "~$" + name,
                           f".~lock.{name}#"])]


def check_not_locked(path: Path) -> None:
    """Refuse a workbook that is open in Excel or LibreOffice: writing it would be lost
    when the program saves, or would fail on Windows."""
    path = Path(path)
    for candidate in owner_files(path):
        if candidate.exists():
            raise ReadinessError(Problem("the workbook is open in Excel or LibreOffice (owner "
                                         f"file {candidate.name} exists); close it and try again",
                                         file=path.name))


def _mode_for(target: Path) -> int:
    """The replaced file keeps its permissions; a new one gets the usual ones (umask),
    not the owner-only mode of a temporary file."""
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_PENDING: dict[Path, str] = {}   # a temporary file of ours -> the target it will become


@contextmanager
def atomic_target(target: Path):
    """Yield a temporary path beside `target`; move it over `target` only on success.

    What every write gets: a symlink is followed (the file it points to is replaced, the
    link stays); a workbook open in Excel, a read-only file or a file this command read
    as input (unless the command holds its lock: read-modify-write) is refused; the
    target is locked against a second run; an error names the target, never a temporary
    file. A temporary file of ours as `target` (a step of a larger write) skips the checks."""
    given = Path(target)
    shown = _PENDING.get(given)
    nested = shown is not None
    shown = shown or str(given)
    real = given if nested else Path(os.path.realpath(given))
    directory = real.parent
    if not nested:
        check_not_locked(given)
        check_not_locked(real)
        locks.check_not_input(real, shown)
    # The mode bits too: root may write anywhere, but a file marked read-only is meant to stay.
    if real.exists() and (not os.access(real, os.W_OK) or not real.stat().st_mode & 0o222):
        raise ReadinessError(Problem("the target file is read-only", file=shown))
    with (nullcontext() if nested else locks.exclusive(real, shown)):
        try:
            fd, tmp = tempfile.mkstemp(prefix=locks.temp_prefix(real.name), suffix=".tmp",
                                       dir=directory)
        except OSError as err:
            raise ReadinessError(Problem(f"cannot write in {directory} ({err.strerror})",
                                         file=shown)) from None
        os.close(fd)
        _PENDING[Path(tmp)] = shown
        try:
            stop = locks.stop_point if not nested else (lambda point: None)  # the outer write's points
            stop("temp-created")
            yield Path(tmp)
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.chmod(tmp, _mode_for(real))
            stop("before-replace")
            os.replace(tmp, real)
            stop("after-replace")
        except OSError as err:
            raise ReadinessError(Problem(f"could not write the file ({err.strerror}); "
                                         "the original is unchanged", file=shown)) from None
        finally:
            _PENDING.pop(Path(tmp), None)
            if os.path.exists(tmp):
                os.unlink(tmp)


def shown_name(path: Path) -> str:
    """How errors name `path`: the target a temporary file of ours will become, else itself."""
    return _PENDING.get(Path(path), str(path))
