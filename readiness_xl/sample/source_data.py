"""Frameworks, agency lists and answers kept as CSV source data (the B.E. 2560 sample
lives in `data/be2560/`). CSV problems are reported by file and line."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pandas as pd

from readiness_xl.core.agencies import AGENCY_FIELDS, checked_agencies
from readiness_xl.core.framework import (
    BAND_FIELDS,
    DIMENSION_FIELDS,
    DIMENSION_METHOD_FIELDS,
    INDICATOR_FIELDS,
    INDICATOR_METHOD_FIELDS,
    SETTING_FIELDS,
    Framework,
    build_framework,
)
from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.thai import arabic_digits
from readiness_xl.workbook.layout import RESERVED_SHEETS

BE2560 = Path(str(resources.files("readiness_xl") / "data" / "be2560"))
AGENCY_CSV_FIELDS = AGENCY_FIELDS


def read_csv_table(path: Path, fields: tuple[str, ...], optional: tuple[str, ...] = (),
                   others: bool = False) -> pd.DataFrame:
    """A CSV as text cells; line numbers are kept as `_row` for error messages. `optional`
    columns are read when present; an unknown column is refused (a typo such as `mn`
    would otherwise be silently dropped), unless `others` keeps every further column
    (an agency list's unit attributes)."""
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
            if others:
                fields = fields + tuple(h for h in header if h and h not in fields)
            reader.fieldnames = header
            rows = [{f: (row.get(f) or "").strip() for f in fields} for row in reader]
    except (OSError, UnicodeDecodeError) as err:
        raise ReadinessError(Problem(f"cannot be read ({err})", file=str(path))) from None
    table = pd.DataFrame(rows, columns=list(fields))
    table["_row"] = range(2, 2 + len(rows))
    table.attrs.update(file=path.name, columns={f: "line " for f in fields})
    return table


FRAMEWORK_CSV_HELP = """\b
A framework folder holds UTF-8 CSVs (blank or absent method columns = the B.E. 2560 way):
  dimensions.csv  id, name_th, name_en, weight (any numbers >= 0, used as shares),
                  [aggregation: arithmetic | geometric | harmonic | power:P], [parent]
  indicators.csv  id, dimension, question_th, question_en, type (yesno | scale | percent |
                  number), max, points (weight in its dimension), [min (default 0)],
                  [direction: higher | lower], [transform: none | log],
                  [normalise: goalposts | minmax | minmax:L:U | zscore | rank | target (in max)],
                  [denominator: an agencies column], [impute: none | mean | median |
                  group_mean | group_median], [treat: none | winsorise]
  bands.csv       lower, label_th, label_en (each lower bound once, the lowest 0);
                  optional: without it no level is shown
  settings.csv    key, value: aggregation (of dimensions), decimals (rounding before
                  ranking and banding), all_units_th, all_units_en, benchmark_th,
                  benchmark_en (the narrative's comparison), version, missing (zero |
                  exclude), zscore_sd (population | sample), screen_min_coverage (0-1),
                  winsorise_max (5), skew_limit (2), kurtosis_limit (3.5)"""


def load_framework(directory: Path = BE2560) -> Framework:
    """A framework from dimensions.csv, indicators.csv, bands.csv and (optional)
    settings.csv in `directory`; the columns are FRAMEWORK_CSV_HELP's."""
    directory = Path(directory)
    settings, bands = directory / "settings.csv", directory / "bands.csv"
    required = tuple(f for f in INDICATOR_FIELDS if f != "max")   # max: not needed by minmax & co.
    return build_framework(
        read_csv_table(directory / "dimensions.csv", DIMENSION_FIELDS, DIMENSION_METHOD_FIELDS),
        read_csv_table(directory / "indicators.csv", required, ("max",) + INDICATOR_METHOD_FIELDS),
        read_csv_table(bands, BAND_FIELDS) if bands.exists() else None,
        settings=read_csv_table(settings, SETTING_FIELDS) if settings.exists() else None)


def load_agencies(path: Path = BE2560 / "agencies.csv") -> pd.DataFrame:
    """The agencies of a CSV, checked here (ids that can name a sheet, names from either
    language) so that `new-template` refuses what `recalc` would."""
    path = Path(path)
    table = read_csv_table(path, AGENCY_CSV_FIELDS, others=True)
    return checked_agencies(table, RESERVED_SHEETS,
                            lambda i, field: (None, f"line {int(table['_row'].iloc[i])}, column {field}",
                                              path.name))


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


def load_answers(path: Path = BE2560 / "answers.csv") -> pd.DataFrame:
    """Long-form answers as a wide table of cell values (see read_long_answers)."""
    return read_long_answers(path)[0]
