"""Frameworks, agency lists and answers kept as CSV source data (the B.E. 2560 sample
lives in `data/be2560/`), read through workbook.csv_tables. CSV problems are reported
by file and line."""

from __future__ import annotations

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
from readiness_xl.workbook.csv_tables import read_csv_table, read_long_answers
from readiness_xl.workbook.layout import RESERVED_SHEETS

BE2560 = Path(str(resources.files("readiness_xl") / "data" / "be2560"))
AGENCY_CSV_FIELDS = AGENCY_FIELDS

FRAMEWORK_CSV_HELP = """\b
A framework folder holds UTF-8 CSVs (blank or absent method columns =
the B.E. 2560 way):
dimensions.csv  id, name_th, name_en, weight (numbers >= 0, shares),
                [aggregation: arithmetic | geometric | harmonic |
                power:P], [parent]
indicators.csv  id, dimension, question_th, question_en, type (yesno |
                scale | percent | number), max, points (weight in its
                dimension), [min (default 0)], [direction: higher |
                lower], [transform: none | log], [normalise: goalposts |
                minmax | minmax:L:U | zscore | rank | target (in max)],
                [denominator: an agencies column], [impute: none | mean
                | median | group_mean | group_median], [treat: none |
                winsorise]
bands.csv       lower, label_th, label_en (each lower bound once, the
                lowest 0); optional: without it no level is shown
settings.csv    key, value: aggregation (of dimensions), decimals
                (rounding before ranking and banding), all_units_th,
                all_units_en, benchmark_th, benchmark_en (the
                narrative's comparison), version, missing (zero |
                exclude), zscore_sd (population | sample),
                screen_min_coverage (0-1), winsorise_max (5),
                skew_limit (2), kurtosis_limit (3.5)"""


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
    if table.empty:
        raise ReadinessError(Problem("no agencies listed (the file has a header line only); "
                                     "add one line per agency", None, "line 2", path.name))
    return checked_agencies(table, RESERVED_SHEETS,
                            lambda i, field: (None, f"line {int(table['_row'].iloc[i])}, column {field}",
                                              path.name))


def load_answers(path: Path = BE2560 / "answers.csv") -> pd.DataFrame:
    """Long-form answers as a wide table of cell values (see read_long_answers)."""
    return read_long_answers(path)[0]
