"""A large sheet parsed by calamine in two pieces, each in a thread of its own.

calamine parses one sheet in one thread: the 75 MB Responses sheet of 10,000 agencies
takes a second, while the second core waits. The reader holds the sheet's XML already
(unpacked once, checked, scanned: fast_read), so it can cut the rows in two at a row tag
and give calamine each half as a sheet of its own: the sheet's opening (up to and with
`<sheetData>`) with the first half of the rows, closed; and the same opening with the rest
of the rows and the sheet's end. Each half goes, stored (not deflated again), into a small
package of its own beside the workbook's other parts, which calamine opens from a
temporary file (removed as soon as calamine holds it open, where the system allows). The
two halves parse at once, and the first one starts while the second is still being checked.

The rows joined are what calamine gives for the whole sheet:
- a cut is made only before a row tag that says its row (`<row r="`), inside an
  unprefixed `<sheetData>` of an unprefixed `<worksheet>`, in XML without CDATA sections
  or comments (where a `<row` could be text): calamine places every cell by its
  reference, or, where a cell or row has none, by counting on from the one before, which
  the row at the cut then restarts as the whole sheet would;
- the second half's grid starts at its first cell; it is padded back to column A, and the
  rows between the halves are blank rows, as in the whole sheet's grid; the two grids are
  padded to the same width;
- a second half whose first row is not below the first half's last one (rows written out
  of order) is not joined: the whole sheet is parsed instead.
Each half is checked for the cells calamine would hide or allocate too much for, by the
same bounds as the whole sheet (fast_read), before calamine parses it."""

from __future__ import annotations

import os
import tempfile
import zipfile

from readiness_xl.workbook.zip_copy import copy_stored

SHEET_DATA = b"<sheetData>"
ROW_TAG = b'<row r="'
CLOSE = b"</sheetData></worksheet>"


def cut_at(xml: bytes) -> tuple[int, int] | None:
    """(end of the opening `<sheetData>`, where the second half of the rows begins), or
    None where the sheet may not be cut (see the module's text)."""
    opening = xml.find(SHEET_DATA)
    if opening < 0 or not xml.rstrip().endswith(b"</worksheet>") or _marked_section(xml):
        return None
    head = opening + len(SHEET_DATA)
    cut = xml.find(ROW_TAG, max(head, len(xml) // 2))
    if cut < 0 or xml.find(b"</sheetData>", cut) < 0:
        return None
    return head, cut


def _marked_section(xml: bytes) -> bool:
    """Whether the XML holds a CDATA section or a comment. Both begin with '<!', and a sheet
    seldom holds a '!' at all: one search for that byte (memchr, a tenth of the time of a
    search for either opening) mostly answers for both."""
    return b"!" in xml and (b"<![CDATA[" in xml or b"<!--" in xml)


def write_piece(zf: zipfile.ZipFile, sheet_part: str, other_sheets: set[str], chunks) -> str:
    """A temporary package holding the workbook's parts as they are stored (none of the
    other sheets) and the piece (`chunks`, joined) stored as the sheet's part; its path."""
    handle, path = tempfile.mkstemp(prefix="readiness-piece-", suffix=".xlsx")
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w") as out:
            for info in zf.infolist():
                if info.filename != sheet_part and info.filename not in other_sheets:
                    copy_stored(zf, info, out)
            with out.open(zipfile.ZipInfo(sheet_part, (1980, 1, 1, 0, 0, 0)), "w") as part:
                for chunk in chunks:
                    part.write(chunk)
    except BaseException:
        remove(path)
        raise
    return path


def remove(path: str) -> bool:
    """Remove a temporary file; False where the system keeps it while it is open (Windows)."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return True


def joined_rows(first, second) -> list[list] | None:
    """The rows of the whole sheet from its two halves' calamine sheets (grids), as
    `to_python(skip_empty_area=False)` of the whole sheet gives them; None where the
    halves overlap (rows out of order): then only the whole sheet can say."""
    rows = first.to_python(skip_empty_area=False)
    start = second.start
    if start is None:  # the second half holds no cell
        return rows
    if first.end is not None and start[0] <= first.end[0]:
        return None
    tail = second.to_python(skip_empty_area=True)
    width = max(len(rows[0]) if rows else 0, start[1] + (len(tail[0]) if tail else 0))
    if rows and len(rows[0]) < width:
        rows = [[*row, *[""] * (width - len(row))] for row in rows]
    if tail and (start[1] or start[1] + len(tail[0]) < width):
        before, after = [""] * start[1], [""] * (width - start[1] - len(tail[0]))
        tail = [[*before, *row, *after] for row in tail]
    rows.extend([""] * width for _ in range(start[0] - len(rows)))
    rows.extend(tail)
    return rows
