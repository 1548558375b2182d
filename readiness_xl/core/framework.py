"""The assessment framework: dimensions and weights, indicators, level bands.

Everything here comes from the workbook's `Framework` sheet (or the CSV source data of
a built-in framework); no weight, indicator or band is a constant in scoring code.
Tables arrive as DataFrames that remember where each row came from (`_row` column,
`attrs["sheet"]`, `attrs["columns"]`), so validation can name the exact cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.thai import arabic_digits, parse_number

ANSWER_TYPES = ("yesno", "scale", "percent")
_TYPE_ALIASES = {
    "yesno": "yesno", "yes/no": "yesno", "yn": "yesno", "ใช่/ไม่ใช่": "yesno", "มี/ไม่มี": "yesno",
    "scale": "scale", "ระดับ": "scale", "มาตรวัด": "scale",
    "percent": "percent", "percentage": "percent", "%": "percent", "ร้อยละ": "percent",
}
DIMENSION_FIELDS = ("id", "name_th", "name_en", "weight")
INDICATOR_FIELDS = ("id", "dimension", "question_th", "question_en", "type", "max", "points")
BAND_FIELDS = ("lower", "label_th", "label_en")
WEIGHT_TOTAL = 100.0


@dataclass(frozen=True)
class Framework:
    """A validated framework. `dimensions` is indexed by dimension id (weight in %),
    `indicators` by indicator id, `bands` sorted by lower bound."""

    dimensions: pd.DataFrame
    indicators: pd.DataFrame
    bands: pd.DataFrame
    version: str = ""

    @property
    def dimension_ids(self) -> list[str]:
        return list(self.dimensions.index)

    @property
    def indicator_ids(self) -> list[str]:
        return list(self.indicators.index)

    @property
    def weights(self) -> np.ndarray:
        return self.dimensions["weight"].to_numpy(float)

    @property
    def denominators(self) -> np.ndarray:
        """What an answer is divided by to give the share of the indicator achieved."""
        types = self.indicators["type"]
        return np.where(types == "yesno", 1.0,
                        np.where(types == "percent", 100.0, self.indicators["max"].to_numpy(float)))

    @property
    def points_matrix(self) -> np.ndarray:
        """indicators x dimensions: an indicator's achievable points in its own dimension."""
        dims = self.dimensions.index
        member = self.indicators["dimension"].to_numpy()[:, None] == dims.to_numpy()[None, :]
        return member * self.indicators["points"].to_numpy(float)[:, None]

    def dimension_label(self, dim_id: str, lang: str = "en") -> str:
        return str(self.dimensions.at[dim_id, f"name_{lang}"])


def _cell(table: pd.DataFrame, i: int, field: str) -> str | None:
    columns = table.attrs.get("columns", {})
    if "_row" not in table or field not in columns:
        return None
    return f"{columns[field]}{int(table['_row'].iloc[i])}"


def _problem(table: pd.DataFrame, i: int, field: str, message: str) -> Problem:
    return Problem(message, table.attrs.get("sheet"), _cell(table, i, field))


def _ident(value: object) -> str:
    """Ids are text; 1 and 1.0 and '๑' are the same id."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return arabic_digits(str(value)).strip()


def _numbers(table: pd.DataFrame, field: str, problems: list[Problem], *,
             default: float | None = None) -> list[float]:
    out = []
    for i, value in enumerate(table[field] if field in table else [None] * len(table)):
        if (value is None or value == "") and default is not None:
            out.append(default)
            continue
        try:
            out.append(parse_number(value))
        except ValueError:
            problems.append(_problem(table, i, field, f"{field} {value!r} is not a number"))
            out.append(np.nan)
    return out


def _check_unique(table: pd.DataFrame, ids: list[str], what: str, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if not ident:
            problems.append(_problem(table, i, "id", f"{what} id is empty"))
        elif ident in seen:
            problems.append(_problem(table, i, "id", f"duplicate {what} id '{ident}'"))
        seen.add(ident)


def build_framework(dimensions: pd.DataFrame, indicators: pd.DataFrame, bands: pd.DataFrame,
                    version: str = "") -> Framework:
    """Validate raw framework tables and return a Framework, or raise ReadinessError
    listing every problem with its sheet and cell."""
    problems: list[Problem] = []

    dim_ids = [_ident(v) for v in dimensions.get("id", [])]
    _check_unique(dimensions, dim_ids, "dimension", problems)
    weights = _numbers(dimensions, "weight", problems)
    for i, w in enumerate(weights):
        if w < 0:
            problems.append(_problem(dimensions, i, "weight", f"weight {w:g} is negative"))
    if not dim_ids:
        problems.append(Problem("the framework has no dimensions", dimensions.attrs.get("sheet")))
    elif not np.isnan(weights).any() and abs(sum(weights) - WEIGHT_TOTAL) > 1e-6:
        problems.append(_problem(dimensions, len(dim_ids) - 1, "weight",
                                 f"weights sum to {sum(weights):g}, not {WEIGHT_TOTAL:g}"))

    ind_ids = [_ident(v) for v in indicators.get("id", [])]
    _check_unique(indicators, ind_ids, "indicator", problems)
    ind_dims = [_ident(v) for v in indicators.get("dimension", [])]
    known = set(dim_ids)
    for i, d in enumerate(ind_dims):
        if d not in known:
            problems.append(_problem(indicators, i, "dimension",
                                     f"indicator '{ind_ids[i]}' points at no dimension ('{d}')"))
    types = []
    for i, t in enumerate(indicators.get("type", [])):
        key = str(t or "").strip().lower()
        if key not in _TYPE_ALIASES:
            problems.append(_problem(indicators, i, "type",
                                     f"answer type {t!r} is not one of {', '.join(ANSWER_TYPES)}"))
        types.append(_TYPE_ALIASES.get(key, ""))
    maxima = _numbers(indicators, "max", problems, default=1.0)
    points = _numbers(indicators, "points", problems, default=1.0)
    for i, (t, m, p) in enumerate(zip(types, maxima, points)):
        if t == "scale" and not m > 0:
            problems.append(_problem(indicators, i, "max", f"scale maximum {m:g} must be above 0"))
        if not p >= 0:
            problems.append(_problem(indicators, i, "points", f"points {p:g} must be 0 or more"))
    for d in known - set(ind_dims):
        problems.append(Problem(f"dimension '{d}' has no indicators", indicators.attrs.get("sheet")))

    lowers = _numbers(bands, "lower", problems)
    if not lowers:
        problems.append(Problem("the framework has no level bands", bands.attrs.get("sheet")))
    elif min(lowers) > 0:
        problems.append(_problem(bands, int(np.argmin(lowers)), "lower",
                                 "the lowest level band must start at 0"))
    if problems:
        raise ReadinessError(problems)

    dims = pd.DataFrame({
        "name_th": [str(v or "") for v in dimensions["name_th"]],
        "name_en": [str(v or "") for v in dimensions["name_en"]],
        "weight": weights,
    }, index=pd.Index(dim_ids, name="dimension"))
    inds = pd.DataFrame({
        "dimension": ind_dims,
        "question_th": [str(v or "") for v in indicators.get("question_th", [""] * len(ind_ids))],
        "question_en": [str(v or "") for v in indicators.get("question_en", [""] * len(ind_ids))],
        "type": types,
        "max": [1.0 if t == "yesno" else 100.0 if t == "percent" else m
                for t, m in zip(types, maxima)],
        "points": points,
    }, index=pd.Index(ind_ids, name="indicator"))
    band_table = pd.DataFrame({
        "lower": lowers,
        "label_th": [str(v or "") for v in bands["label_th"]],
        "label_en": [str(v or "") for v in bands["label_en"]],
    }).sort_values("lower", kind="stable").reset_index(drop=True)
    return Framework(dims, inds, band_table, str(version or ""))


def located(rows: list[dict], sheet: str, columns: dict[str, str], first_row: int) -> pd.DataFrame:
    """A raw table that remembers its sheet, column letters and row numbers."""
    table = pd.DataFrame(rows, columns=list(columns))
    table["_row"] = range(first_row, first_row + len(rows))
    table.attrs.update(sheet=sheet, columns=columns)
    return table
