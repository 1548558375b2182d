"""CSV files as tables of text cells, every row keeping its line number for errors: the
one CSV reader of framework folders, agency lists, long answers and trend mappings."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.thai import arabic_digits


def read_csv_table(path: Path, fields: tuple[str, ...], optional: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV as text cells; line numbers are kept as `_row` for error messages. `optional`
    columns are read when present; an unknown column is refused (a typo such as `mn`
    would otherwise be silently dropped)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in reader.fieldnames or []]
            missing = [f for f in fields if f not in header]
            if missing:
                raise ReadinessError(Problem(f"missing column(s) {', '.join(missing)}", file=path.name))
            unknown = [h for h in header if h and h not in fields + optional]
            if unknown and optional:
                raise ReadinessError(Problem(f"unknown column(s) {', '.join(unknown)}; the columns "
                                             f"are {', '.join(fields + optional)}", file=path.name))
            fields = fields + tuple(f for f in optional if f in header)
            reader.fieldnames = header
            rows = [{f: (row.get(f) or "").strip() for f in fields} for row in reader]
    except (OSError, UnicodeDecodeError) as err:
        raise ReadinessError(Problem(f"cannot be read ({err})", file=str(path))) from None
    table = pd.DataFrame(rows, columns=list(fields))
    table["_row"] = range(2, 2 + len(rows))
    table.attrs.update(sheet=path.name, columns={f: "line " for f in fields})
    return table


LONG_ANSWER_COLUMNS = {"agency": ("agency", "unit", "id", "country", "iso3"),
                       "indicator": ("indicator",), "answer": ("answer", "value")}


def read_long_answers(path: Path) -> tuple[pd.DataFrame, dict[tuple[str, str], int]]:
    """A long CSV of answers, one per line (agency or unit, indicator, answer or value),
    as a wide table of cell values (numbers as numbers, words such as ใช่ as text) and the
    line of each (agency, indicator), for errors. A pair given twice is refused."""
    path = Path(path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header = [h.strip().lower() for h in next(csv.reader(handle), [])]
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
