"""The assessment framework: dimensions and weights, indicators, level bands, and the
method (normalisation per indicator, aggregation per level, rounding, labels).

Everything here comes from the workbook's `Framework` sheet (or the CSV source data of
a built-in framework); no weight, indicator or band is a constant in scoring code.
Tables arrive as DataFrames that remember where each row came from (`_row` column,
`attrs["sheet"]`, `attrs["columns"]`), so validation can name the exact cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from readiness_xl.core.aggregation import parse_aggregation
from readiness_xl.core.normalisation import NormalParams
from readiness_xl.core.words import ANSWER_TYPES, canonical, refusal
from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.thai import arabic_digits, parse_number

# Required columns, then optional method columns (blank or absent = the B.E. 2560 default).
DIMENSION_FIELDS = ("id", "name_th", "name_en", "weight")
DIMENSION_METHOD_FIELDS = ("aggregation", "parent")
INDICATOR_FIELDS = ("id", "dimension", "question_th", "question_en", "type", "max", "points")
INDICATOR_METHOD_FIELDS = ("min", "direction", "transform", "normalise")
BAND_FIELDS = ("lower", "label_th", "label_en")
SETTING_FIELDS = ("key", "value")
SETTING_KEYS = ("aggregation", "decimals", "all_units_th", "all_units_en", "benchmark_th",
                "benchmark_en", "version")
DEFAULT_ALL_UNITS = ("ทุกหน่วยงาน", "All units")
DEFAULT_BENCHMARK = ("ภาพรวม", "overall")


@dataclass(frozen=True)
class Settings:
    """Framework-wide choices: the power of the overall mean (1 = arithmetic), decimals
    to round scores to before ranking and banding (None = not rounded), the all-units row
    label and the word the narrative compares with (its average)."""

    aggregation: float = 1.0
    decimals: int | None = None
    all_units_th: str = DEFAULT_ALL_UNITS[0]
    all_units_en: str = DEFAULT_ALL_UNITS[1]
    benchmark_th: str = DEFAULT_BENCHMARK[0]
    benchmark_en: str = DEFAULT_BENCHMARK[1]

    def all_units(self, lang: str) -> str:
        return self.all_units_th if lang == "th" else self.all_units_en

    def benchmark(self, lang: str) -> str:
        return self.benchmark_th if lang == "th" else self.benchmark_en


@dataclass(frozen=True)
class Framework:
    """A validated framework. `dimensions` is indexed by dimension id (weight as typed,
    share = weight / sum, aggregation as a power p, parent), `indicators` by indicator id
    (type, min, max, points, direction, transform, normalise), `bands` sorted by lower
    bound."""

    dimensions: pd.DataFrame
    indicators: pd.DataFrame
    bands: pd.DataFrame
    version: str = ""
    settings: Settings = Settings()

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
    def shares(self) -> pd.Series:
        """Each dimension's weight as a share of its level's total (top-level dimensions
        of the overall score, sub-dimensions of their parent)."""
        weight = self.dimensions["weight"]
        totals = weight.groupby(self.dimensions["parent"]).transform("sum")
        return (weight / totals.where(totals > 0)).fillna(0.0).rename("share")

    @property
    def normal_params(self) -> NormalParams:
        """Per-indicator normalisation parameters, in indicator order."""
        table = self.indicators
        return NormalParams(table["min"].to_numpy(float), table["max"].to_numpy(float),
                            (table["direction"] == "higher").to_numpy(), (table["transform"] == "log").to_numpy(),
                            tuple(table.index))

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


def id_text(value: object) -> str:
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


def _text(table: pd.DataFrame, field: str) -> list[str]:
    return [str(v).strip() if not _blank(v) else "" for v in table.get(field, [None] * len(table))]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""


def _either(first: list[str], second: list[str]) -> tuple[list[str], list[str]]:
    """Bilingual labels with a blank side filled from the other language."""
    return [a or b for a, b in zip(first, second)], [b or a for a, b in zip(first, second)]


def _words(table: pd.DataFrame, field: str, problems: list[Problem]) -> list[str]:
    """A method column's words, aliases resolved, blank = the default."""
    out = []
    for i, raw in enumerate(_text(table, field)):
        word = canonical(field, raw)
        if word is None:
            problems.append(_problem(table, i, field, refusal(field, raw)))
        out.append(word or canonical(field, ""))
    return out


def _powers(table: pd.DataFrame, field: str, problems: list[Problem]) -> list[float]:
    out = []
    for i, raw in enumerate(_text(table, field)):
        try:
            out.append(parse_aggregation(raw))
        except ValueError as err:
            problems.append(_problem(table, i, field, str(err)))
            out.append(1.0)
    return out


def negative_weight(weight: float, dimension: object = None) -> str:
    """What a negative weight is told (by the framework checks and IMPROVEMENT_PRIORITY):
    weights are shares of their level's sum, so none may be below 0."""
    of = f" of dimension '{dimension}'" if dimension is not None else ""
    return f"weight {weight:g}{of} is negative; weights are shares and must be 0 or more"


def _check_weights(dimensions: pd.DataFrame, weights: list[float], parents: list[str],
                   problems: list[Problem]) -> None:
    """Weights are any non-negative numbers, used as shares of their level's sum."""
    for i, w in enumerate(weights):
        if w < 0:
            problems.append(_problem(dimensions, i, "weight", negative_weight(w)))
    if np.isnan(weights).any():
        return
    totals: dict[str, float] = {}
    last: dict[str, int] = {}
    for i, (w, parent) in enumerate(zip(weights, parents)):
        totals[parent] = totals.get(parent, 0.0) + w
        last[parent] = i
    for parent, total in totals.items():
        if total <= 0:
            level = f"of the sub-dimensions of '{parent}'" if parent else ""
            problems.append(_problem(dimensions, last[parent], "weight",
                                     " ".join(f"weights {level} sum to 0; give at least one a weight above 0".split())))


def _check_parents(dimensions: pd.DataFrame, dim_ids: list[str], parents: list[str],
                   problems: list[Problem]) -> None:
    """A tree of any depth (indicator -> sub-pillar -> pillar -> sub-index -> overall):
    every parent is a dimension, and following parents up never comes back round."""
    parent_of = dict(zip(dim_ids, parents))
    for i, parent in enumerate(parents):
        if not parent:
            continue
        if parent not in parent_of:
            problems.append(_problem(dimensions, i, "parent", f"parent '{parent}' is not a dimension"))
            continue
        seen, up = {dim_ids[i]}, parent
        while up and up not in seen and up in parent_of:
            seen.add(up)
            up = parent_of[up]
        if up in seen:
            problems.append(_problem(dimensions, i, "parent", f"parent '{parent}' leads back to "
                                     f"'{dim_ids[i]}'; the dimensions must form a tree"))


def _check_goalposts(indicators: pd.DataFrame, types: list[str], minima: list[float],
                     maxima: list[float], methods: list[str], transforms: list[str],
                     problems: list[Problem]) -> None:
    for i, (t, lo, hi, method, transform) in enumerate(zip(types, minima, maxima, methods, transforms)):
        if t == "scale" and not hi > 0:
            problems.append(_problem(indicators, i, "max", f"scale maximum {hi:g} must be above 0"))
        if method in ("goalposts", "target") and np.isnan(hi) and t == "number":
            problems.append(_problem(indicators, i, "max", f"normalise {method} needs a max "
                                     "(the upper goalpost or the target)"))
        elif method == "goalposts" and not hi > lo:
            problems.append(_problem(indicators, i, "max", f"max {hi:g} must be above min {lo:g}"))
        if transform == "log" and method in ("goalposts", "target") and not (
                (method == "target" or lo > 0) and hi > 0):
            problems.append(_problem(indicators, i, "min", "a log transform needs goalposts "
                                     f"above 0 (min {lo:g}, max {hi:g})"))


def _settings(table: pd.DataFrame | None, version: str, problems: list[Problem]) -> tuple[Settings, str]:
    """The key/value settings table (absent = every default)."""
    if table is None or table.empty:
        return Settings(), str(version or "")
    found: dict[str, tuple[int, str]] = {}
    for i, (key, value) in enumerate(zip(_text(table, "key"), _text(table, "value"))):
        key = key.lower()
        if key not in SETTING_KEYS:
            problems.append(_problem(table, i, "key", f"setting {key!r} is not one of "
                                     f"{', '.join(SETTING_KEYS)}"))
        elif key in found:
            problems.append(_problem(table, i, "key", f"setting '{key}' is given twice"))
        found[key] = (i, value)
    values = {k: v for k, (_, v) in found.items() if v}
    power, decimals = 1.0, None
    if "aggregation" in values:
        try:
            power = parse_aggregation(values["aggregation"])
        except ValueError as err:
            problems.append(_problem(table, found["aggregation"][0], "value", str(err)))
    if "decimals" in values:
        try:
            decimals = int(parse_number(values["decimals"]))
            if decimals < 0 or decimals != parse_number(values["decimals"]):
                raise ValueError
        except ValueError:
            problems.append(_problem(table, found["decimals"][0], "value",
                                     f"decimals {values['decimals']!r} is not a whole number 0 or more"))
            decimals = None
    th, en = _either([values.get("all_units_th", "")], [values.get("all_units_en", "")])
    settings = Settings(power, decimals, th[0] or DEFAULT_ALL_UNITS[0], en[0] or DEFAULT_ALL_UNITS[1],
                        values.get("benchmark_th", DEFAULT_BENCHMARK[0]),
                        values.get("benchmark_en", DEFAULT_BENCHMARK[1]))
    return settings, values.get("version", str(version or ""))


def build_framework(dimensions: pd.DataFrame, indicators: pd.DataFrame, bands: pd.DataFrame,
                    version: str = "", settings: pd.DataFrame | None = None) -> Framework:
    """Validate raw framework tables and return a Framework, or raise ReadinessError
    listing every problem with its sheet and cell. The method columns
    (DIMENSION_METHOD_FIELDS, INDICATOR_METHOD_FIELDS) and the settings table are optional;
    a `version` setting overrides the `version` argument."""
    problems: list[Problem] = []

    dim_ids = [id_text(v) for v in dimensions.get("id", [])]
    _check_unique(dimensions, dim_ids, "dimension", problems)
    weights = _numbers(dimensions, "weight", problems)
    parents = [id_text(v) for v in dimensions.get("parent", [None] * len(dim_ids))]
    _check_parents(dimensions, dim_ids, parents, problems)
    if not dim_ids:
        problems.append(Problem("the framework has no dimensions", dimensions.attrs.get("sheet")))
    else:
        _check_weights(dimensions, weights, parents, problems)
    dim_powers = _powers(dimensions, "aggregation", problems)

    ind_ids = [id_text(v) for v in indicators.get("id", [])]
    _check_unique(indicators, ind_ids, "indicator", problems)
    ind_dims = [id_text(v) for v in indicators.get("dimension", [])]
    known = set(dim_ids)
    has_children = set(parents) - {""}
    for i, d in enumerate(ind_dims):
        if d not in known:
            problems.append(_problem(indicators, i, "dimension",
                                     f"indicator '{ind_ids[i]}' points at no dimension ('{d}')"))
        elif d in has_children:
            problems.append(_problem(indicators, i, "dimension", f"dimension '{d}' has "
                                     f"sub-dimensions; put indicator '{ind_ids[i]}' in one of them"))
    types = []
    for i, t in enumerate(indicators.get("type", [])):
        kind = canonical("type", t or "")
        if kind is None:
            problems.append(_problem(indicators, i, "type",
                                     f"answer type {t!r} is not one of {', '.join(ANSWER_TYPES)}"))
        types.append(kind or "")
    maxima = _numbers(indicators, "max", problems, default=np.nan)
    maxima = [1.0 if t == "yesno" else 100.0 if t == "percent" else 1.0 if np.isnan(m) and t != "number"
              else m for t, m in zip(types, maxima)]
    minima = _numbers(indicators, "min", problems, default=0.0)
    points = _numbers(indicators, "points", problems, default=1.0)
    methods = _words(indicators, "normalise", problems)
    transforms = _words(indicators, "transform", problems)
    directions = _words(indicators, "direction", problems)
    _check_goalposts(indicators, types, minima, maxima, methods, transforms, problems)
    for i, p in enumerate(points):
        if not p >= 0:
            problems.append(_problem(indicators, i, "points", f"points {p:g} must be 0 or more"))
    for d in sorted(known - set(ind_dims) - has_children):
        problems.append(Problem(f"dimension '{d}' has no indicators", indicators.attrs.get("sheet")))

    lowers = _numbers(bands, "lower", problems)
    _check_bands(bands, lowers, problems)
    fixed, version = _settings(settings, version, problems)
    if problems:
        raise ReadinessError(problems)

    name_th, name_en = _either(_text(dimensions, "name_th"), _text(dimensions, "name_en"))
    dims = pd.DataFrame({
        "name_th": [n or d for n, d in zip(name_th, dim_ids)],
        "name_en": [n or d for n, d in zip(name_en, dim_ids)],
        "weight": weights,
        "aggregation": dim_powers,
        "parent": parents,
    }, index=pd.Index(dim_ids, name="dimension"))
    inds = pd.DataFrame({
        "dimension": ind_dims,
        "question_th": _text(indicators, "question_th"),
        "question_en": _text(indicators, "question_en"),
        "type": types,
        "max": maxima,
        "points": points,
        "min": minima,
        "direction": directions,
        "transform": transforms,
        "normalise": methods,
    }, index=pd.Index(ind_ids, name="indicator"))
    label_th, label_en = _either(_text(bands, "label_th"), _text(bands, "label_en"))
    band_table = pd.DataFrame({"lower": lowers, "label_th": label_th, "label_en": label_en}
                              ).sort_values("lower", kind="stable").reset_index(drop=True)
    return Framework(dims, inds, band_table, version, fixed)


def _check_bands(bands: pd.DataFrame, lowers: list[float], problems: list[Problem]) -> None:
    """At least one band, the lowest at 0, no lower bound twice, a label in one language."""
    if not lowers:
        problems.append(Problem("the framework has no level bands", bands.attrs.get("sheet")))
        return
    if min(lowers) > 0:
        problems.append(_problem(bands, int(np.argmin(lowers)), "lower",
                                 "the lowest level band must start at 0"))
    seen: set[float] = set()
    for i, (lower, th, en) in enumerate(zip(lowers, _text(bands, "label_th"), _text(bands, "label_en"))):
        if lower in seen:
            problems.append(_problem(bands, i, "lower", f"two level bands start at {lower:g}; "
                                     "each band needs its own lower bound"))
        seen.add(lower)
        if not th and not en:
            problems.append(_problem(bands, i, "label_th", "the level band has no label "
                                     "(Thai or English)"))



def located(rows: list[dict], sheet: str, columns: dict[str, str], first_row: int) -> pd.DataFrame:
    """A raw table that remembers its sheet, column letters and row numbers."""
    table = pd.DataFrame(rows, columns=list(columns))
    table["_row"] = range(first_row, first_row + len(rows))
    table.attrs.update(sheet=sheet, columns=columns)
    return table
