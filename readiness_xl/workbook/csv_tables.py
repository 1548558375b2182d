"""CSV files as tables of text cells, every row keeping its line number for errors: the
one CSV reader of framework folders, agency lists, long answers and trend mappings, in
whichever encoding Excel saved them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.thai import arabic_digits

# Encodings a CSV arrives in: UTF-8 (with or without a byte-order mark), UTF-16 with its
# mark (Excel's "Unicode Text"), and Windows-874 (TIS-620 plus a few signs), which Thai
# Excel writes for "CSV (Comma delimited)". A file that is none of these is refused.
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
CSV_FALLBACK_ENCODING = "cp874"
MAX_CSV_BYTES = 200 * 1024 ** 2


def read_csv_text(path: Path) -> str:
    """The text of a CSV file in whichever of the encodings above it was saved in (the
    one reader of every CSV: agencies, answers, framework folders, trend mappings).
    Raises ReadinessError naming the file when it cannot be read or decoded."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_CSV_BYTES + 1)
    except OSError as err:
        raise ReadinessError(Problem(f"cannot be read ({err.strerror or err})", file=str(path))) from None
    if len(data) > MAX_CSV_BYTES:
        raise ReadinessError(Problem(f"is larger than {MAX_CSV_BYTES // 1024 ** 2} MB; refused",
                                     file=str(path)))
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data[:4096]:
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"  # UTF-16 without a mark
    for candidate in [encoding] if encoding else ["utf-8", CSV_FALLBACK_ENCODING]:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text.removeprefix("\ufeff")
    raise ReadinessError(Problem(
        "cannot be read: not text in UTF-8, UTF-16 or Windows-874 (Thai); save it from Excel "
        "as 'CSV UTF-8 (Comma delimited)'", file=str(path)))


def _csv_rows(text: str):
    """csv rows of a CSV's text; a tab-separated file (Excel's "Unicode Text") is read by tabs."""
    first = text.split("\n", 1)[0]
    return csv.reader(io.StringIO(text, newline=""),
                      delimiter="\t" if "\t" in first and "," not in first else ",")


def read_csv_table(path: Path, fields: tuple[str, ...], optional: tuple[str, ...] = (),
                   others: bool = False) -> pd.DataFrame:
    """A CSV as text cells; line numbers are kept as `_row` for error messages. `optional`
    columns are read when present; an unknown column is refused (a typo such as `mn`
    would otherwise be silently dropped), unless `others` keeps every further column
    (an agency list's unit attributes)."""
    path = Path(path)
    try:
        reader = _csv_rows(read_csv_text(path))
        header = [h.strip() for h in next(reader, [])]
        missing = [f for f in fields if f not in header]
        if missing:
            raise ReadinessError(Problem(f"missing column(s) {', '.join(missing)}", file=path.name))
        unknown = [h for h in header if h and h not in fields + optional]
        if unknown and optional:
            raise ReadinessError(Problem(f"unknown column(s) {', '.join(unknown)}; the columns "
                                         f"are {', '.join(fields + optional)}", file=path.name))
        fields = fields + tuple(f for f in optional if f in header)
        if others:
            fields = fields + tuple(h for h in header if h and h not in fields)
        where = {f: header.index(f) for f in fields}
        rows = [{f: (values[k] if k < len(values) else "").strip() for f, k in where.items()}
                for values in reader if values]
    except csv.Error as err:
        raise ReadinessError(Problem(f"cannot be read ({err})", file=str(path))) from None
    table = pd.DataFrame(rows, columns=list(fields))
    table["_row"] = range(2, 2 + len(rows))
    table.attrs.update(file=path.name, columns={f: "line " for f in fields})
    return table


LONG_ANSWER_COLUMNS = {"agency": ("agency", "unit", "id", "country", "iso3"),
                       "indicator": ("indicator",), "answer": ("answer", "value")}


def read_long_answers(path: Path) -> tuple[pd.DataFrame, dict[tuple[str, str], int]]:
    """A long CSV of answers, one per line (agency or unit, indicator, answer or value),
    as a wide table of cell values (numbers as numbers, words such as ใช่ as text) and the
    line of each (agency, indicator), for errors. A pair given twice is refused."""
    path = Path(path)
    header = [h.strip().lower() for h in next(_csv_rows(read_csv_text(path)), [])]
    names = {field: next((h for h in header if h in words), words[0])
             for field, words in LONG_ANSWER_COLUMNS.items()}
    table = read_csv_table(path, tuple(names.values())).rename(columns={v: k for k, v in names.items()})
    numbers = pd.to_numeric(table["answer"].map(arabic_digits), errors="coerce")
    table["answer"] = numbers.astype(object).where(numbers.notna(), table["answer"])
    twice = table.duplicated(["agency", "indicator"], keep="first")
    if twice.any():
        raise ReadinessError([Problem(f"agency '{a}' indicator '{i}' is given twice", None,
                                      f"line {line}", path.name)
                              for a, i, line in table.loc[twice, ["agency", "indicator", "_row"]]
                              .itertuples(index=False)])
    lines = {(a, i): int(line) for a, i, line in table[["agency", "indicator", "_row"]].itertuples(index=False)}
    wide = table.pivot(index="agency", columns="indicator", values="answer")
    return wide, lines
