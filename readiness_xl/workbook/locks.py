"""One writer at a time per workbook, and no command writing over its own input.

Two `collect`s into one master at once would each read the master, merge their own
forms and replace it: the second replace loses the first's answers. So a write holds an
exclusive lock on its target, and a read-modify-write (recalc in place, collect) takes it
before reading. We refuse the second run at once, with a clear message, rather than
wait or re-read and merge: a survey round is run by one analyst, and a merge of two
ledgers is a decision that should be theirs, not ours.

The lock is an OS lock (flock, or msvcrt on Windows) on a hidden `.<name>.rxl-lock` file
beside the workbook, so a killed run never leaves it held. Holding the lock also means no
other run is writing the target, so temporary files of ours left beside it by a killed
run are removed then. Temporary names carry their process id, so any later run that reads
a workbook in that folder also removes what dead processes left (remove_dead_temps).

Within one command (`guard_inputs`), every package read is noted; writing over one of
them is refused unless the command holds its lock, i.e. declared a read-modify-write."""

from __future__ import annotations

import os
import re
import shutil
from contextlib import contextmanager, suppress
from pathlib import Path

from readiness_xl.errors import Problem, ReadinessError

TEMP_MARK = ".rxl-"      # temporary files: .<target name>.rxl-<process id>-<random>.tmp
LOCK_SUFFIX = ".rxl-lock"
_held: dict[Path, int] = {}
_inputs: set[Path] | None = None


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _try_lock(fd: int) -> bool:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _acquire(lock_path: Path, shown: str) -> int:
    """An fd holding the lock on `lock_path`, or ReadinessError naming the holder."""
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as err:
            raise ReadinessError(Problem(f"cannot write in {lock_path.parent} ({err.strerror})",
                                         file=shown)) from None
        if not _try_lock(fd):
            try:  # Windows refuses to read a locked byte
                holder = os.read(fd, 32).decode("ascii", "replace").strip()
            except OSError:
                holder = ""
            os.close(fd)
            raise ReadinessError(Problem(
                f"another readiness-xl run{f' (process {holder})' if holder else ''} is writing "
                "this workbook; try again when it has finished", file=shown))
        try:  # the holder before us may have removed the file: lock the one on disk
            same = os.fstat(fd).st_ino == os.stat(lock_path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            return fd
        os.close(fd)


def temp_prefix(name: str) -> str:
    """The start of a temporary name of ours beside `name`: hidden, the mark, this process's
    id (so a later run can tell a killed run's leftovers from a live run's files)."""
    return f".{name}{TEMP_MARK}{os.getpid()}-"


_OWNER = re.compile(rf"{re.escape(TEMP_MARK)}(\d+)-")
_SCRATCH = re.compile(r"^readiness-xl-[a-z]+-(\d+)-")
_swept: set[str] = set()


def _dead(pid: int) -> bool:
    """True only when no process `pid` exists (POSIX; elsewhere nothing is said dead)."""
    if os.name != "posix" or pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, run by another user
        return False
    return False


def _remove(path: str, is_dir: bool) -> None:
    with suppress(OSError):
        if is_dir:
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)


def remove_dead_temps(directory: Path) -> None:
    """Remove what killed runs of ours left in `directory` (once per process and folder):
    hidden temporary files and folders named by temp_prefix, and lock files, whose process
    no longer exists. A live run's files are never touched."""
    directory = os.path.realpath(directory)
    if directory in _swept or os.name != "posix":
        return
    _swept.add(directory)
    with suppress(OSError):
        for entry in os.scandir(directory):
            found = entry.name.startswith(".") and _OWNER.search(entry.name)
            if found and entry.name.endswith(".tmp") and _dead(int(found.group(1))):
                _remove(entry.path, entry.is_dir(follow_symlinks=False))
            elif entry.name.startswith(".") and entry.name.endswith(LOCK_SUFFIX):
                _remove_dead_lock(Path(entry.path))


def _remove_dead_lock(lock_path: Path) -> None:
    """Remove a lock file whose holder was killed: it names a process that no longer exists
    and its lock can be taken at once (then it is removed while held, as `exclusive` does;
    a run that opened the old file meanwhile notices and locks the new one)."""
    try:
        fd = os.open(lock_path, os.O_RDWR)
    except OSError:
        return
    try:
        holder = os.read(fd, 32).decode("ascii", "replace").strip()
        if holder.isdigit() and _dead(int(holder)) and _try_lock(fd) and \
                os.fstat(fd).st_ino == os.stat(lock_path).st_ino:
            os.unlink(lock_path)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def scratch_folder(kind: str):
    """A folder in the system's temporary directory, removed at the end; folders of this
    kind and any other left there by killed runs of ours (SIGKILL skips every clean-up)
    are removed first."""
    import tempfile
    top = tempfile.gettempdir()
    with suppress(OSError):
        for entry in os.scandir(top):
            found = _SCRATCH.match(entry.name)
            if found and entry.is_dir(follow_symlinks=False) and _dead(int(found.group(1))):
                _remove(entry.path, True)
    with tempfile.TemporaryDirectory(prefix=f"readiness-xl-{kind}-{os.getpid()}-") as folder:
        yield Path(folder)


STOP_AT = "READINESS_XL_STOP_AT"  # tests: a point of a write at which the process stops itself


def stop_point(name: str) -> None:
    """Stop this process (SIGSTOP) when the environment names this point of a write, so a
    test can kill it exactly there, on a machine of any speed. Points: temp-created (the
    temporary file exists, empty), before-replace (written and synced), after-replace."""
    if os.environ.get(STOP_AT) == name and os.name == "posix":
        import signal
        os.kill(os.getpid(), signal.SIGSTOP)


def remove_stale_temps(target: Path) -> None:
    """Remove temporary files of ours beside `target` (call only while holding its lock)."""
    mark = f"{target.name}{TEMP_MARK}"
    with suppress(OSError):
        for entry in os.scandir(target.parent):
            if entry.name.startswith(".") and mark in entry.name and entry.name.endswith(".tmp"):
                with suppress(OSError):
                    os.unlink(entry.path)


@contextmanager
def exclusive(path: Path, shown: str | None = None):
    """Hold the write lock of the workbook at `path` (a symlink's target); re-entrant."""
    real = _real(path)
    if real in _held:
        _held[real] += 1
        try:
            yield
        finally:
            _held[real] -= 1
        return
    lock_path = real.with_name(f".{real.name}{LOCK_SUFFIX}")
    fd = _acquire(lock_path, shown or str(path))
    _held[real] = 1
    try:
        remove_stale_temps(real)
        yield
    finally:
        del _held[real]
        with suppress(OSError):
            os.unlink(lock_path)
        os.close(fd)


@contextmanager
def guard_inputs():
    """Within this block, refuse to write over a package read in it (see check_not_input)."""
    global _inputs
    outer, _inputs = _inputs, set()
    try:
        yield
    finally:
        _inputs = outer


def note_input(path: Path) -> None:
    if _inputs is not None:
        _inputs.add(_real(path))


INPUT_OVERWRITE = ("is an input of this command: writing here would overwrite it; "
                   "give another file name")


def same_file(a: Path, b: Path) -> bool:
    """Whether two names reach one file: another spelling, a symlink or a hard link."""
    if _real(a) == _real(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # either does not exist (yet): not the same file
        return False


def check_not_input(target: Path, shown: str | None = None, inputs=None) -> None:
    """Refuse to write `target` over an input of this command. `inputs`: the files named
    on the command line, checked before any work; by default the packages read so far
    in `guard_inputs`, which a command may replace only when it holds their lock (recalc
    in place, collect): anything else (report -o book.xlsx, a form named like the
    master) would destroy its own input."""
    if inputs is None:
        if _inputs is None or _real(target) in _held:
            return
        inputs = _inputs
    if any(same_file(target, source) for source in inputs):
        raise ReadinessError(Problem(INPUT_OVERWRITE, file=shown or str(target)))
