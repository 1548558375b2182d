"""Statistical audit of a framework's data, as the JRC COIN Tool's Statistics and IndCorrel
tabs and COINr's `get_stats`/`get_corr` do it: is each indicator well filled and free of
outliers, do the indicators of a dimension measure the same thing, does every dimension
count in the index?

Statistics are taken on the indicator shares in % (each indicator normalised as the
score normalises it: % of the maximum for answers), so indicators are comparable. Skewness and kurtosis are
the bias-corrected sample estimates Excel's SKEW and KURT give (kurtosis in excess of
the normal's 3), so an analyst can check any figure in the sheet by hand. A missing
answer is left out of an indicator's statistics and counted in its coverage."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd

from readiness_xl.core.framework import Framework
from readiness_xl.core.results import number_or_none
from readiness_xl.core.scoring import indicator_shares
from readiness_xl.errors import InputValueError

SKEW_LIMIT = 2.0          # COIN rule of thumb: an indicator is flagged when |skew| > 2
KURTOSIS_LIMIT = 3.5      # ... and kurtosis > 3.5 together
COLLINEAR = 0.92          # indicator pairs correlated above this say the same thing twice
COVERAGE_THRESHOLD = 65.0  # % of indicators a unit must answer (COIN rule of thumb)
_NUMBERS_OR_BLANK = frozenset({float, int, type(None)})  # cells taken without the parser


@dataclass(frozen=True)
class Audit:
    """indicators: per indicator coverage, mean, sd, min, max, skew, kurtosis, flag
    (index indicator id, with its dimension). correlations: per dimension the matrix of
    its indicators. pairs: every indicator pair of a dimension with its r and flag
    ('negative', 'collinear' or ''). dimensions: per dimension Cronbach's alpha and its
    correlation with the index. indicator_dimension: each indicator's correlation with
    its own dimension. low_coverage: units answering less than the threshold."""

    indicators: pd.DataFrame
    correlations: dict[str, pd.DataFrame]
    pairs: pd.DataFrame
    dimensions: pd.DataFrame
    indicator_dimension: pd.Series
    low_coverage: pd.Series
    coverage_threshold: float


def cronbach_alpha(items: np.ndarray) -> float:
    """Cronbach's alpha of units x items: k/(k-1) * (1 - sum of item variances / variance
    of the sum), over the units that answered every item. NaN with fewer than two items
    or two complete units, or when the sum does not vary."""
    items = np.asarray(items, float)
    if items.ndim != 2 or items.shape[1] < 2:
        return float("nan")
    sums = np.add.reduce(items, axis=1)
    if np.isnan(sums).any():  # a blank in some row (its sum NaN): keep the complete rows
        complete = ~np.isnan(items).any(axis=1)
        items, sums = items[complete], sums[complete]
    if len(items) < 2:
        return float("nan")
    k = items.shape[1]
    total = _sample_variance(sums)
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - np.add.reduce(_sample_variance(items)) / total))


def _sample_variance(values: np.ndarray) -> np.ndarray:
    """values.var(axis=0, ddof=1), the same steps and so the same bits, without numpy's
    Python wrapper around them (half the cost of CRONBACH_ALPHA on a worksheet block)."""
    centred = values - np.add.reduce(values, axis=0, keepdims=True) / len(values)
    return np.add.reduce(centred * centred, axis=0) / (len(values) - 1)


def cronbach_alpha_of_cells(rows: list[list]) -> float:
    """Cronbach's alpha of a worksheet block (units as rows): blanks are missing, numbers
    may be text with Thai digits; a value that is no number is refused with its place
    in the block (InputValueError)."""
    if set(map(type, chain.from_iterable(rows))) <= _NUMBERS_OR_BLANK:  # the usual block,
        items = np.array(rows, float)                                       # in one step
        if items.ndim == 2 and not np.isinf(items).any():
            return cronbach_alpha(items)
    from readiness_xl.core.answers import is_blank
    from readiness_xl.thai import parse_number

    def number(value: object, r: int, c: int) -> float:
        if is_blank(value):
            return float("nan")
        try:
            return parse_number(value)
        except ValueError as err:
            raise InputValueError(f"row {r + 1}, column {c + 1}: {err}") from None

    return cronbach_alpha(np.array([[number(v, r, c) for c, v in enumerate(row)]
                                    for r, row in enumerate(rows)], float))


def indicator_statistics(shares: pd.DataFrame, dimension_of: pd.Series) -> pd.DataFrame:
    """Units x indicators shares in % -> one row per indicator (whole columns at once)."""
    from scipy import stats

    values = shares.to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        skew = stats.skew(values, axis=0, bias=False, nan_policy="omit")
        kurt = stats.kurtosis(values, axis=0, fisher=True, bias=False, nan_policy="omit")
    table = pd.DataFrame({
        "dimension": dimension_of.reindex(shares.columns).to_numpy(),
        "coverage": 100.0 * (~np.isnan(values)).mean(axis=0) if len(values) else np.nan,
        "mean": shares.mean(), "sd": shares.std(ddof=1), "min": shares.min(), "max": shares.max(),
        "skew": np.asarray(skew, float), "kurtosis": np.asarray(kurt, float),
    }, index=shares.columns)
    table["flag"] = (table["skew"].abs() > SKEW_LIMIT) & (table["kurtosis"] > KURTOSIS_LIMIT)
    table.index.name = "indicator"
    return table


def correlation_pairs(correlations: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each indicator pair of each dimension once, with r and its flag."""
    rows = []
    for dim, matrix in correlations.items():
        upper = np.triu(np.ones(matrix.shape, bool), k=1)
        a, b = np.nonzero(upper)
        r = matrix.to_numpy()[a, b]
        flag = np.where(r < 0, "negative", np.where(r > COLLINEAR, "collinear", ""))
        rows.append(pd.DataFrame({"dimension": dim, "a": matrix.index[a], "b": matrix.columns[b],
                                  "r": r, "flag": flag}))
    columns = ["dimension", "a", "b", "r", "flag"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)


def audit(framework: Framework, answers: pd.DataFrame, dimensions: pd.DataFrame,
          overall: pd.Series, coverage_threshold: float = COVERAGE_THRESHOLD) -> Audit:
    """The audit of parsed answers (units x indicator ids, NaN = unanswered) and the
    scores computed from them (Results.agencies' dimension columns and overall)."""
    values = answers.reindex(columns=framework.indicator_ids).astype(float)
    shares = pd.DataFrame(100.0 * indicator_shares(framework, values.to_numpy()),
                          index=values.index, columns=values.columns)
    dimension_of = framework.indicators["dimension"]
    stats_table = indicator_statistics(shares, dimension_of)

    correlations, alpha, own = {}, {}, {}
    for dim in framework.dimension_ids:
        members = list(dimension_of.index[dimension_of == dim])
        block = shares[members]
        correlations[dim] = block.corr()
        alpha[dim] = cronbach_alpha(block.to_numpy())
        own.update(block.corrwith(dimensions[dim]).to_dict())
    dims_table = pd.DataFrame({
        "cronbach_alpha": pd.Series(alpha),
        "index_correlation": dimensions[framework.dimension_ids].corrwith(overall),
    })
    dims_table.index.name = "dimension"
    completeness = 100.0 * values.notna().mean(axis=1)
    return Audit(stats_table, correlations, correlation_pairs(correlations), dims_table,
                 pd.Series(own, name="dimension_correlation").reindex(stats_table.index),
                 completeness[completeness < coverage_threshold].rename("coverage"),
                 coverage_threshold)


def to_json_dict(result: Audit) -> dict:
    """The documented `audit --json` shape, plus the pairs, index correlations and the
    units below the coverage threshold."""
    indicators = [
        {"id": ident, "dimension": row["dimension"], "coverage": number_or_none(row["coverage"]),
         "mean": number_or_none(row["mean"]), "sd": number_or_none(row["sd"]), "min": number_or_none(row["min"]),
         "max": number_or_none(row["max"]), "skew": number_or_none(row["skew"]),
         "kurtosis": number_or_none(row["kurtosis"]), "flag": bool(row["flag"]),
         "dimension_correlation": number_or_none(result.indicator_dimension[ident])}
        for ident, row in result.indicators.iterrows()]
    dimensions = []
    for dim, row in result.dimensions.iterrows():
        pairs = result.pairs[result.pairs["dimension"] == dim]
        dimensions.append({
            "id": dim, "cronbach_alpha": number_or_none(row["cronbach_alpha"]),
            "index_correlation": number_or_none(row["index_correlation"]),
            "correlations": {a: {b: number_or_none(r) for b, r in line.items()}
                             for a, line in result.correlations[dim].iterrows()},
            "flagged_pairs": [{"a": p.a, "b": p.b, "r": number_or_none(p.r), "flag": p.flag}
                              for p in pairs.itertuples() if p.flag]})
    return {"indicators": indicators, "dimensions": dimensions,
            "coverage_threshold": result.coverage_threshold,
            "low_coverage": [{"id": ident, "coverage": float(c)}
                             for ident, c in result.low_coverage.items()]}
