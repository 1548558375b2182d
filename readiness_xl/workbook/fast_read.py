"""Reading cell values fast, for workbooks of thousands of agency sheets or a
600,000-row Responses sheet.

calamine (Rust) reads worksheets 10-40 times faster than openpyxl's read-only mode
(measured in bench/RESULTS.md), so it reads the values and a few lines here read the
defined names from xl/workbook.xml. calamine has two blind spots, and a sheet that hits
one is read with openpyxl instead, which streams rows and keeps error values:
- error cells (#N/A, #DIV/0! ...) come back empty, and a blank must never hide an error;
- calamine holds a sheet as a dense grid from A1 to its farthest cell, so one value far
  away (Z999999, XFD1048576) costs gigabytes and minutes. A sheet is read by calamine
  only when that grid is within a few times the rows and columns that hold values (see
  `_far_cell`); otherwise openpyxl streams it and the readers stop at the end of their
  table, so time and memory follow the cells with values, not the farthest address.
Both are found by byte searches of the sheet's XML before calamine sees it, in the same
read that lists the sheet's merged ranges (workbook.read refuses merged answer cells).

`FastWorkbook` answers the few calls workbook.read makes of an openpyxl read-only
workbook (sheetnames, defined_names, wb[name].iter_rows, ws[ref].value), with openpyxl's
conventions: empty cells are None and whole numbers are int."""

from __future__ import annotations

import functools
import gc
import os
import re
import threading
import zipfile
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook import layout as L
from readiness_xl.workbook import sheet_pieces
from readiness_xl.workbook.package import (check_package, defined_names, not_a_package, sheet_parts,
                                           unpack_checked)

_ERROR_CELL = b' t="e"'
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
# calamine's grid may reach this many times the rows the sheet holds (plus a margin),
# and hold at most a cell per 4 bytes of the sheet's XML (at least a million cells).
_ROW_FACTOR, _ROW_MARGIN, _GRID_FLOOR, _BYTES_PER_CELL = 4, 1024, 1_000_000, 4


def _merges(xml: bytes) -> list[str]:
    """A sheet's merged ranges. They follow the cells (the schema's order): searched for
    after them only."""
    first = xml.find(b"mergeCell", max(xml.rfind(b"sheetData>"), 0))
    return [] if first < 0 else \
        [ref.decode() for ref in _MERGE.findall(xml, xml.rfind(b"<", 0, first))]


def _readable(xml: bytes) -> bool:
    """May calamine read this sheet: no error cell it would hide, no far cell it would
    allocate too much for."""
    return not (_ERROR_CELL in xml or _far_cell(xml))


def _far_cell(xml: bytes) -> bool:
    """Would calamine's dense grid of this sheet be far larger than what it holds? True
    when a reference (row or cell) has more row digits than 4x the sheet's rows (+1024)
    needs, or more column letters than keep that grid within the cell budget. Rows are
    counted by their tags (text saying 'row' only loosens the bound a little); bounds go
    by digits and letters (powers of 10 and 26), so each test is one byte scan. The rows
    are counted only when a reference passes the bounds of a sheet without rows (a sheet
    of a few hundred rows never needs the count)."""
    if not _near_pattern(xml).search(xml):
        return False  # within the bounds of a sheet with no rows at all: no need to count them
    return _far_pattern_of(xml).search(xml) is not None


def _near_pattern(xml: bytes) -> re.Pattern:
    """The far-cell expression of _far_cell's first test: the bounds of a sheet with no rows."""
    return _far_pattern(*_bounds(_ROW_MARGIN, max(_GRID_FLOOR, len(xml) // _BYTES_PER_CELL)))


def _bounds(rows: int, budget: int) -> tuple[int, int]:
    """The column letters and row digits a sheet of `rows` rows may use within `budget` cells."""
    digits = len(str(rows))
    return next((n for n in (3, 2) if 10 ** digits * 26 ** n <= budget), 1), digits


@functools.lru_cache(maxsize=None)
def _far_pattern(letters: int, digits: int) -> re.Pattern:
    """A reference (r="...") with more than `letters` column letters, or more than `digits`
    row digits after at most that many letters. The letters are taken possessively, so
    the expression never backtracks into them: a third faster than the alternation
    r="(?:[A-Z]{letters+1}|[A-Z]*\\d{digits+1}), which finds the same references."""
    return re.compile(rb'r="[A-Z]{0,%d}+(?:[A-Z]|\d{%d})' % (letters, digits + 1))


@contextmanager
def paused_gc(freeze: bool = False):
    """Python's cyclic garbage collector held off while a workbook is read (and, in
    recalc, scored and written). Reading a 600,000-row Responses sheet makes millions
    of Python objects (calamine's rows and cells), none of them in a reference cycle; the
    collector, started by every 700 allocations, would walk them again and again: 10-15%
    of the CPU time of a recalculation (py-spy). Memory is still freed as objects go (by
    reference counting); only cycles wait until the collector is back on. Nested uses
    leave it to the outermost; a collector already off stays off.

    With `freeze`, what was made meanwhile and is still alive (the modules imported, the
    results) goes to the collector's permanent generation before it is back on: for a
    process that ends right after (cli.main.run), which would otherwise walk all of it once
    more at its next allocation (0.1-0.2 s after a 10,000-agency recalc, py-spy)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            if freeze:
                gc.freeze()
            gc.enable()


def openpyxl_value(value):
    """A value as openpyxl gives it: None for an empty cell, int for a whole number
    (so an id typed as 1 reads as '1', not '1.0'). The xlwings adapter uses it too."""
    if value == "":
        return None
    if type(value) is float and value.is_integer():
        return int(value)
    return value


class Cell:
    """A cell as workbook.read asks for it: just its value."""

    def __init__(self, value):
        self.value = value


class FastSheet:
    """One worksheet, read on first use."""

    def __init__(self, book: "FastWorkbook", title: str):
        self.book, self.title = book, title

    def iter_rows(self, min_row: int = 1, max_row: int | None = None, max_col: int | None = None,
                  values_only: bool = True):
        rows = self.book.values(self.title, max_col, min_row, max_row)
        if isinstance(rows, list):
            rows = rows[min_row - 1:max_row]
        for row in rows:  # openpyxl_value inlined: this runs once per cell read
            yield tuple([None if v == "" else int(v) if type(v) is float and v.is_integer() else v
                         for v in row[:max_col]])

    def picked_rows(self, min_row: int, indices: list[int]):
        """The values of these columns (0-based) in every row from `min_row` on, as lists,
        with openpyxl's conventions: only the cells asked for are converted (an agency
        sheet is read for two of its fifteen columns)."""
        rows = self.book.values(self.title, max(indices) + 1, min_row)
        if not isinstance(rows, list):  # streamed by openpyxl: its values already
            return ([values[i] if i < len(values) else None for i in indices] for values in rows)
        rows = rows[min_row - 1:]
        if min(map(len, rows), default=0) <= max(indices):  # calamine's rows are as wide as the sheet
            value = openpyxl_value
            return [[value(values[i]) if i < len(values) else None for i in indices] for values in rows]
        # column by column (openpyxl_value inlined): a few passes, not a call per cell
        columns = [[None if v == "" else int(v) if type(v) is float and v.is_integer() else v
                    for v in map(itemgetter(i), rows)] for i in indices]
        return list(map(list, zip(*columns)))

    def __getitem__(self, ref: str) -> Cell:
        from readiness_xl.workbook.cell_refs import coordinate_to_tuple
        row, col = coordinate_to_tuple(ref)
        values = next(self.iter_rows(row, row, col), ())
        return Cell(values[col - 1] if col <= len(values) else None)


class NameRange:
    """A defined name as workbook.read asks for it: openpyxl's `destinations`, built from
    the reference text ('Sheet'!$A$1:$B$2, with or without a leading '=')."""

    def __init__(self, reference: str):
        sheet, _, ref = reference.lstrip("=").rpartition("!")
        if sheet.startswith("'"):
            sheet = sheet[1:-1].replace("''", "'")
        self.sheet = sheet
        self.destinations = [(sheet, ref)]


def name_ranges(references: dict[str, str]) -> dict[str, NameRange]:
    """The names that refer to a range on a sheet (constants such as FormAgency are left out)."""
    ranges = {name: NameRange(text) for name, text in references.items()}
    return {name: r for name, r in ranges.items() if r.sheet}


class FastWorkbook:
    """A workbook opened for reading values; close() when done.

    Sheets the reader will need in turn can be read ahead (`prefetch`) by threads of
    their own: calamine releases the GIL while it parses, so the parsing of the next
    sheets overlaps the Python work on this one. A calamine workbook takes one call at a
    time and a ZipFile's count of open members is not locked, so each thread opens its own
    of both, and every read goes through them once they exist."""

    # Read ahead at most this much XML (what the zip directory says the sheets unpack to),
    # and this many sheets: what is held stays calamine's grids of some tens of megabytes
    # of sheets, yet the threads can go on while a command's imports load (a thousand
    # agency sheets: 60 MB of XML).
    AHEAD_BYTES = 64 * 1024 ** 2
    AHEAD = 2048
    READERS = 2  # threads that read ahead
    # A sheet checked ahead with at least this much XML (a Responses sheet of some 2,000
    # agencies) is parsed in two pieces by the two threads (_pieces_here), where the process
    # may use this many cores. On 75 MB of XML the pieces cost 0.05-0.1 s more CPU (written
    # and read again) and, on two cores with one free, take 0.3 s off the wall time; with
    # both cores busy with other work they only cost (docs/speed.md).
    PIECES_FROM = 16 * 1024 ** 2
    PIECES_CORES = 2

    def __init__(self, path: Path, unchecked: set[str] | None = None):
        self.path = Path(path)
        # sheet parts check_package left for this reader to check as it unpacks them
        self._unchecked = unchecked if unchecked is not None else set()
        self._zip = zipfile.ZipFile(self.path)
        self._parts = sheet_parts(self._zip)
        self._sizes = {info.filename: info.file_size for info in self._zip.infolist()}
        from python_calamine import CalamineWorkbook  # not needed by the xlwings paths
        self._calamine = CalamineWorkbook.from_path(str(self.path))
        self._owner = threading.get_ident()       # the thread that uses self._zip and self._calamine
        self._local = threading.local()
        self._handles = [(self._zip, self._calamine)]  # every zip and calamine workbook opened, to close
        self._openpyxl = None
        self._cache: dict[str, list[list]] = {}  # the last sheet read: header, then body
        self._streamed: set[str] = set()          # sheets openpyxl streams (see values)
        self._pool = None                         # the thread that reads ahead
        self._wanted: deque[str] = deque()        # sheets to read ahead, in order
        self._ahead: dict[str, Future] = {}       # sheets being read ahead
        self._held = 0                            # the XML bytes of those sheets
        self._taken: set[str] = set()             # sheets whose values were asked for
        self.merges: dict[str, list[str]] = {}    # merged ranges of every sheet read
        self._piece_books: list = []              # calamine workbooks of sheets' pieces
        self._piece_files: list[str] = []         # their temporary files not yet removed
        self._sheet_part_set = set(self._parts.values())
        self.sheetnames = list(self._parts)
        self.defined_names = name_ranges(defined_names(self._zip))

    def _scan(self, name: str) -> tuple[bool, list[str]]:
        """Whether calamine may read a sheet (no error cell it would hide, no far cell that
        would make it allocate too much) and the sheet's merged ranges: one read of its XML,
        let go before calamine parses the sheet."""
        xml = self._unpacked(name)
        return _readable(xml), _merges(xml)

    def _unpacked(self, name: str) -> bytes:
        """A sheet's XML; a part check_package left to this reader is checked as it unpacks."""
        zf, _ = self._thread_handles()
        part = self._parts[name]
        if part in self._unchecked:  # unpacked once: checked as check_package would, and scanned
            xml = unpack_checked(zf, part, self.path.name)
            self._unchecked.discard(part)
            return xml
        return zf.read(part)

    def _load(self, name: str, scanned: tuple[bool, list[str]] | None = None):
        """calamine's parse of a sheet (its grid, not yet Python values), or None where
        calamine may not read it, and the sheet's merged ranges (`scanned`: what _scan
        found, when it ran already). The parse runs without the GIL; turning the grid into
        Python values needs it, and is left to the thread that asks for the values."""
        readable, merges = scanned or self._scan(name)
        if not readable:
            return None, merges
        _, calamine = self._thread_handles()
        return calamine.get_sheet_by_name(name), merges

    def _thread_handles(self):
        """This thread's zip file and calamine workbook."""
        if threading.get_ident() == self._owner:
            return self._zip, self._calamine
        if not hasattr(self._local, "handles"):
            from python_calamine import CalamineWorkbook
            self._local.handles = (zipfile.ZipFile(self.path), CalamineWorkbook.from_path(str(self.path)))
            self._handles.append(self._local.handles)
        return self._local.handles

    def prefetch(self, names, scan_here: bool = False) -> None:
        """Read these sheets ahead, in this order; the list replaces any given before
        (sheets not in the workbook, already read or being read are skipped). With
        `scan_here` their XML is checked in this thread before the call returns (as many as
        the read-ahead holds; the rest are checked by the threads as they come) and the
        threads are left calamine's parse alone, which runs without the GIL: what the caller
        does next (importing pandas, say) then overlaps it instead of taking turns with the
        checks for the GIL."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.READERS, thread_name_prefix="readiness-read")
        names = [n for n in dict.fromkeys(names) if n in self._parts and n not in self._ahead
                 and n not in self._taken]
        self._wanted = deque(names)
        while scan_here and self._wanted and self._room():
            name = self._wanted.popleft()
            self._ahead[name] = self._scanned_here(name)
            self._held += self._size(name)
        self._top_up()

    def _scanned_here(self, name: str) -> Future:
        try:
            if self.READERS > 1 and self._size(name) >= self.PIECES_FROM \
                    and _cores() >= self.PIECES_CORES:
                return self._pieces_here(name)
            scanned = self._scan(name)
        except Exception as err:  # raised where the sheet's values are asked for, as for the others
            failed = Future()
            failed.set_exception(err)
            return failed
        return self._pool.submit(self._load, name, scanned)

    def _pieces_here(self, name: str) -> Future:
        """_load's answer for a large sheet, with calamine's parse in two pieces, each in a
        thread (workbook.sheet_pieces): the first half of the rows is checked and handed to
        a thread before the second half is checked. The verdict (error cells, far cells)
        is the whole sheet's, as _scan gives it: _far_cell's two tests, each true when it
        is true of a piece; and a piece is parsed only when it is within bounds on its own."""
        xml = self._unpacked(name)
        merges = _merges(xml)
        cut = sheet_pieces.cut_at(xml)
        if cut is None:
            return self._pool.submit(self._load, name, (_readable(xml), merges))
        head, middle = cut
        spans = ([(0, middle)], [(0, head), (middle, len(xml))])
        whole = memoryview(xml)
        chunks = ((whole[:middle], sheet_pieces.CLOSE), (whole[:head], whole[middle:]))
        near = _near_pattern(xml)
        counted: list[re.Pattern] = []

        def far() -> re.Pattern:  # the rows are counted once, and only if a test needs them
            if not counted:
                counted.append(_far_pattern_of(xml))
            return counted[0]

        found_near, parses = [], []
        for span, chunk in zip(spans, chunks):
            if any(xml.find(_ERROR_CELL, a, b) >= 0 for a, b in span):
                return _unread(parses, merges)
            found_near.append(any(near.search(xml, a, b) for a, b in span))
            if found_near[-1] and any(far().search(xml, a, b) for a, b in span):
                return _unread(parses, merges)  # far in this piece, so in the whole sheet
            zf, _ = self._thread_handles()
            try:
                path = sheet_pieces.write_piece(zf, self._parts[name], self._sheet_part_set, chunk)
            except OSError:  # no room for the temporary copy (a full disk, say): whole, as stored
                _unread(parses, merges)
                return self._pool.submit(self._load, name, (_readable(xml), merges))
            self._piece_files.append(path)
            parses.append(self._pool.submit(self._parse_piece, path, name))
        if any(found_near) and any(far().search(xml, a, b) for span, near_found in zip(spans, found_near)
                                   if not near_found for a, b in span):
            return _unread(parses, merges)
        return _done((_Pieces(self, name, parses), merges))

    def _parse_piece(self, path: str, name: str):
        """calamine's parse of a piece of a sheet (its own package, see _pieces_here)."""
        from python_calamine import CalamineWorkbook
        book = CalamineWorkbook.from_path(path)
        self._piece_books.append(book)
        if sheet_pieces.remove(path):  # calamine holds it open: nothing is left behind
            self._piece_files.remove(path)
        return book.get_sheet_by_name(name)

    def _size(self, name: str) -> int:
        return self._sizes.get(self._parts[name], 0)

    def _room(self) -> bool:
        return len(self._ahead) < self.AHEAD and (self._held < self.AHEAD_BYTES or not self._ahead)

    def _top_up(self) -> None:
        while self._wanted and self._room():
            name = self._wanted.popleft()
            if name not in self._ahead and name not in self._taken:
                self._ahead[name] = self._pool.submit(self._load, name)
                self._held += self._size(name)

    def values(self, name: str, max_col: int | None = None, min_row: int = 1,
               max_row: int | None = None):
        """Rows of a sheet: calamine's list of all rows from A1 ('' = empty cell), or,
        where calamine would hide an error or allocate too much, openpyxl's rows from
        `min_row` to `max_row` and up to `max_col`, streamed (None = empty cell)."""
        if name not in self._cache and name not in self._streamed:
            ahead = self._ahead.pop(name, None)
            if ahead is not None:
                self._held -= self._size(name)
            self._taken.add(name)
            try:  # a sheet not read ahead is read here: the threads' queue may be long
                sheet, self.merges[name] = ahead.result() if ahead else self._load(name)
                rows = None if sheet is None else sheet.to_python(skip_empty_area=False)
            except Exception as err:  # a damaged sheet: read_book names it in its error
                err.sheet = name
                raise
            if self._pool:
                self._top_up()
            if rows is None:
                self._streamed.add(name)
            else:
                self._cache = {name: rows}
        if name in self._streamed:
            if self._openpyxl is None:
                from openpyxl import load_workbook
                self._openpyxl = load_workbook(self.path, read_only=True, data_only=True,
                                               keep_links=False)
            return _naming(name, self._openpyxl[name].iter_rows(min_row=min_row, max_row=max_row,
                                                                max_col=max_col, values_only=True))
        return self._cache[name]

    def __getitem__(self, name: str) -> FastSheet:
        if name not in self._parts:
            raise KeyError(name)
        return FastSheet(self, name)

    def close(self) -> None:
        if self._pool is not None:  # a sheet being read is finished first: calamine is in use
            self._pool.shutdown(wait=True, cancel_futures=True)
        # The rows read go now, not with the workbook object (a caller may keep it for its
        # merges): a Responses sheet's are millions of objects, which the garbage collector
        # would otherwise walk again once paused_gc lets it run.
        self._cache, self._ahead = {}, {}
        for zf, calamine in self._handles:
            zf.close()
            calamine.close()
        for book in self._piece_books:
            book.close()
        for path in self._piece_files:
            sheet_pieces.remove(path)
        self._piece_books, self._piece_files = [], []
        if self._openpyxl is not None:
            self._openpyxl.close()


class _Pieces:
    """A sheet parsed in pieces (FastWorkbook._pieces_here): its rows, joined, as the
    whole sheet's calamine parse gives them."""

    def __init__(self, book: FastWorkbook, name: str, parses: list[Future]):
        self.book, self.name, self.parses = book, name, parses

    def to_python(self, skip_empty_area: bool = False):
        try:
            first, second = (parse.result() for parse in self.parses)
        except Exception:  # damaged XML a piece cannot take (an unmatched tag, say) the whole
            rows = None    # sheet may still take or refuse: it answers, as it would have
        else:
            rows = sheet_pieces.joined_rows(first, second)
        if rows is None:  # or rows out of order: the whole sheet, as it is stored
            _, calamine = self.book._thread_handles()
            rows = calamine.get_sheet_by_name(self.name).to_python(skip_empty_area=False)
        return rows


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _done(value) -> Future:
    done = Future()
    done.set_result(value)
    return done


def _unread(parses: list[Future], merges: list[str]) -> Future:
    """A sheet calamine may not read after all: its pieces' parses cancelled (one already
    running is within bounds, and is let finish)."""
    for parse in parses:
        parse.cancel()
    return _done((None, merges))


def _far_pattern_of(xml: bytes) -> re.Pattern:
    """The far-cell expression of _far_cell's second test, the sheet's rows counted (<row>
    and </row>, any prefix)."""
    rows = _ROW_FACTOR * xml.count(b"row") // 2 + _ROW_MARGIN
    return _far_pattern(*_bounds(rows, max(_GRID_FLOOR, len(xml) // _BYTES_PER_CELL)))


def _naming(sheet: str, rows):
    """Rows openpyxl streams, an error met on the way marked with the sheet (read_book
    names it, as it does for a sheet calamine reads)."""
    try:
        yield from rows
    except Exception as err:
        err.sheet = sheet
        raise


def open_workbook(path: Path):
    """The workbook opened for reading values (FastWorkbook), with a clear error for files
    that are not workbooks and the package checked for bombs before anything is unpacked."""
    if not path.exists():
        raise ReadinessError(Problem("file not found", file=str(path)))
    if path.is_dir():
        raise ReadinessError(Problem("is a folder, not a workbook", file=str(path)))
    try:
        reason = not_a_package(path)
    except OSError as err:
        raise ReadinessError(Problem(f"cannot be read ({err.strerror})", file=path.name)) from None
    if reason:
        raise ReadinessError(Problem(reason, file=path.name))
    unchecked = check_package(path, defer_sheets=True)  # each sheet checked as it is unpacked
    try:
        return FastWorkbook(path, unchecked)
    except Exception as err:  # zipfile, the XML parser and calamine raise many types for damaged files
        raise ReadinessError(Problem(f"cannot be read as a workbook ({err.__class__.__name__}: "
                                     f"{' '.join(str(err).split())})", file=path.name)) from None


def begin_reading(path: Path) -> FastWorkbook:
    """open_workbook, with the sheets a readiness workbook is read for already being read:
    its Agencies sheet, then its Responses sheet or its other sheets in order (the agency
    sheets, normally), checked before this returns (see FastWorkbook.prefetch).
    A command calls this before it imports pandas and the rest, which then load while
    calamine parses; workbook.read.read_open_book corrects the order once it knows the
    agencies."""
    wb = open_workbook(Path(path))
    if L.RESPONSES_SHEET in wb.sheetnames:
        wb.prefetch([L.AGENCIES_SHEET])
        wb.prefetch([L.RESPONSES_SHEET], scan_here=True)
    else:
        wb.prefetch([L.FRAMEWORK_SHEET, L.AGENCIES_SHEET])
        wb.prefetch([s for s in wb.sheetnames if s not in L.RESERVED_SHEETS], scan_here=True)
    return wb
