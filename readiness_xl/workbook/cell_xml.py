"""Cell values as SpreadsheetML: what a cell can hold (`stored`), one <c> element
(`cell_xml`), and whole rows and columns of them rendered in a few passes over each
column rather than one call per cell (`rows_xml`). Text goes inline or, given a
workbook.shared_strings table, as an index into it; either way it stays text, never a
formula. A formula is written only from a workbook.formula.Formula: `<c><f>…</f><v>…</v></c>`
with its cached value (a text result `t="str"`, a blank result an empty string); a run
of a column's formulas that are the same relative to their row is one shared formula,
as Excel saves them."""

from __future__ import annotations

import itertools
import math
import numbers
import re
from itertools import chain, repeat
from typing import Iterable, Iterator

import numpy as np

from readiness_xl.workbook.formula import Formula
from readiness_xl.workbook.xml_escape import escape


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def stored(value: object) -> object:
    """What a cell holds once `value` is written: None (blank) for None, NaN and infinity
    (a cell cannot hold them), bool, float for any real number (numpy's too), else text
    without the characters XML cannot carry."""
    if value is None:
        return None
    kind = type(value)  # the common exact types first: this runs twice per cell written
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is str:
        return _ILLEGAL_XML.sub("", value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    return _ILLEGAL_XML.sub("", str(value))


def cell_xml(ref: str, value: object, style: str | None, p: str = "", strings=None) -> str:
    """One <c> element; text goes inline, or into `strings` (a SharedStrings) when given."""
    s = f' s="{style}"' if style else ""
    if type(value) is Formula:
        kind, cached = _cached_xml(value.cached, p)
        return f'<{p}c r="{ref}"{s}{kind}><{p}f>{escape(value.text)}</{p}f>{cached}</{p}c>'
    value = stored(value)
    if value is None:
        return f'<{p}c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<{p}c r="{ref}"{s} t="b"><{p}v>{int(value)}</{p}v></{p}c>'
    if isinstance(value, float):
        return f'<{p}c r="{ref}"{s}><{p}v>{value!r}</{p}v></{p}c>'
    # Inline strings are always text: a value starting with = + - @ never becomes a formula.
    text = escape(value).replace("\r", "&#13;")  # a bare CR would be read back as LF
    if strings is not None:  # a shared string (t="s") is text too
        return f'<{p}c r="{ref}"{s} t="s"><{p}v>{strings.indices([text])[0]}</{p}v></{p}c>'
    return f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">{text}</{p}t></{p}is></{p}c>'


def _cached_xml(cached: object, p: str) -> tuple[str, str]:
    """The type attribute and <v> element of a formula's cached value."""
    value = stored(cached)
    if value is None or isinstance(value, str):
        return ' t="str"', f"<{p}v>{escape('' if value is None else value)}</{p}v>"
    if isinstance(value, bool):
        return ' t="b"', f"<{p}v>{int(value)}</{p}v>"
    return "", f"<{p}v>{value!r}</{p}v>"


# Cell values a column may hold to be rendered as one block of numbers or of texts.
_NUMBER_TYPES = frozenset({float, int, type(None), np.float64, np.float32, np.int64, np.int32})


_TEXT_TYPES = frozenset({str, type(None)})
_SEPARATOR = "\x00"   # joins a column's texts: XML cannot carry it, so a cleaned text never holds it
_ILLEGAL_BUT_SEPARATOR = re.compile(_ILLEGAL_XML.pattern.replace("\x00", "\x01", 1))


def escape_texts(texts: list[str]) -> list[str]:
    """What stored() and escape() make of many texts, in a few passes over one string."""
    joined = _SEPARATOR.join(texts)
    if _ILLEGAL_BUT_SEPARATOR.search(joined) or joined.count(_SEPARATOR) != len(texts) - 1:
        joined = _SEPARATOR.join([_ILLEGAL_XML.sub("", t) for t in texts])
    joined = joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return joined.split(_SEPARATOR) if texts else []


def _reprs(floats: np.ndarray) -> list[str]:
    """repr() of each float, computed once per distinct value (scores repeat: 10,000
    agencies' dimension scores take some 1,600 values); distinct by bit pattern, so that
    -0.0 keeps its sign."""
    bits, where = np.unique(floats.view(np.int64), return_inverse=True)
    return np.array(list(map(repr, bits.view(float).tolist())), dtype=object)[where].tolist()


def column_cells(letter: str, numbers: list[str], values: list, style: str | None, p: str,
                  strings=None, shared_ids: Iterator[int] | None = None) -> list[str]:
    """The <c> elements of one column, one string per row (`numbers`: the rows' numbers
    as text), exactly as cell_xml writes each cell; a column of numbers, of texts or of
    formulas is built in a few passes over the whole column rather than one call per cell
    (`shared_ids`: the sheet's numbering of shared formulas)."""
    kinds = set(map(type, values))
    s = f' s="{style}"' if style else ""
    head = f'<{p}c r="{letter}'
    if Formula in kinds and kinds <= _FORMULA_TYPES:
        return _formula_cells(letter, numbers, values, s, p, shared_ids or itertools.count())
    if kinds <= _NUMBER_TYPES:
        floats = np.array(values, dtype=float)   # None -> NaN, every number -> a float
        texts, blanks = _reprs(floats), np.flatnonzero(~np.isfinite(floats)).tolist()
        middle, tail = f'"{s}><{p}v>', f"</{p}v></{p}c>"
    elif kinds <= _TEXT_TYPES:
        blanks = [i for i, v in enumerate(values) if v is None] if type(None) in kinds else []
        texts = escape_texts([v for v in values if v is not None])
        if strings is not None:
            texts = strings.indices(texts)
        if blanks:
            escaped = iter(texts)
            texts = ["" if v is None else next(escaped) for v in values]
        middle, tail = (f'"{s} t="s"><{p}v>', f"</{p}v></{p}c>") if strings is not None else \
            (f'"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">', f"</{p}t></{p}is></{p}c>")
    else:
        return [cell_xml(f"{letter}{r}", v, style, p, strings) for r, v in zip(numbers, values)]
    cells = list(map("".join, zip(repeat(head), numbers, repeat(middle), texts, repeat(tail))))
    for i in blanks:
        cells[i] = f'{head}{numbers[i]}"{s}/>' if style else ""
    return cells


_FORMULA_TYPES = frozenset({Formula, type(None)})


def _cached_column(cached: list, p: str) -> list[tuple[str, str]]:
    """_cached_xml of each value of a column: numbers and texts in a few passes."""
    kinds = set(map(type, cached))
    if kinds <= _NUMBER_TYPES:
        floats = np.array(cached, dtype=float)
        finite = np.isfinite(floats).tolist()
        blank = (' t="str"', f"<{p}v></{p}v>")
        return [("", f"<{p}v>{text}</{p}v>") if ok else blank
                for text, ok in zip(_reprs(floats), finite)]
    if kinds == {str}:
        return [(' t="str"', f"<{p}v>{text}</{p}v>") for text in escape_texts(cached)]
    return [_cached_xml(value, p) for value in cached]


def _formula_cells(letter: str, numbers: list[str], values: list, s: str, p: str,
                   shared_ids: Iterator[int]) -> list[str]:
    """The <c> elements of a column of formulas (None: a blank cell): each consecutive run
    of formulas with one `shared` key is one shared formula, written in full in its first
    cell (with the run's range) and by its number (si) in the others."""
    starts: dict[int, int] = {}          # the first row of each run (or lone formula) -> its last
    i = 0
    while i < len(values):
        if values[i] is not None:
            end, key = i, values[i].shared
            while key is not None and end + 1 < len(values) and values[end + 1] is not None \
                    and values[end + 1].shared == key:
                end += 1
            starts[i] = end
            i = end
        i += 1
    texts = dict(zip(starts, escape_texts([values[i].text for i in starts])))
    cached = iter(_cached_column([v.cached for v in values if v is not None], p))
    head = f'<{p}c r="{letter}'
    out: list[str] = []
    follower = ""
    for i, (number, formula) in enumerate(zip(numbers, values)):
        if formula is None:
            out.append(f'{head}{number}"{s}/>' if s else "")
            continue
        end = starts.get(i)
        if end is None:
            f = follower
        elif end > i:
            si = next(shared_ids)
            f = f'<{p}f t="shared" ref="{letter}{number}:{letter}{numbers[end]}" si="{si}">{texts[i]}</{p}f>'
            follower = f'<{p}f t="shared" si="{si}"/>'
        else:
            f = f"<{p}f>{texts[i]}</{p}f>"
        kind, value = next(cached)
        out.append(f'{head}{number}"{s}{kind}>{f}{value}</{p}c>')
    return out


def rows_xml(rows: list[list], letters: list[str], header_cols: list, data_cols: list,
              header_attrs: str, p: str, strings=None) -> Iterator[str]:
    """The <row> elements of `rows` (the first is the header), as pieces to join once; a
    rectangular block is rendered column by column (column_cells), a ragged one row by row."""
    closing = f"</{p}row>"
    data = rows[1:]
    block: Iterable[str] = ()
    if data and all(len(r) == len(letters) for r in data):
        numbers = [str(r) for r in range(2, len(rows) + 1)]
        shared_ids = itertools.count()
        columns = [column_cells(letter, numbers, list(values), style, p, strings, shared_ids)
                   for letter, style, values in zip(letters, data_cols, zip(*data))]
        openings = [f'<{p}row r="{r}">' for r in numbers]
        block = chain.from_iterable(zip(openings, *columns, repeat(closing)))
        rows = rows[:1]
    out = []
    for r, values in enumerate(rows, start=1):
        cells = "".join([cell_xml(f"{letter}{r}", v, style, p, strings) for letter, style, v
                         in zip(letters, header_cols if r == 1 else data_cols, values)])
        attrs = f" {header_attrs}" if r == 1 and header_attrs else ""
        out.append(f'<{p}row r="{r}"{attrs}>{cells}{closing}')
    return chain(out, block)
