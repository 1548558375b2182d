"""Data preparation before normalisation, in the order of the JRC/OECD Handbook (2008)
and of COINr's builder verbs (`Denominate`, `Impute`, `Screen`, `Treat`):

    denominate   x / attribute              an indicator divided by a unit attribute
                                            (population, GDP, staff ...)
    impute       blank -> mean | median of the indicator over the units of the round,
                 or of the unit's group (ministry)   (COINr's i_mean, i_median,
                 i_mean_grp, i_median_grp)
    screen       a unit answering a smaller share of the indicators than
                 `screen_min_coverage` (counted before imputation) is left out of what
                 follows: normalisation, aggregation and ranks (COINr's Screen(),
                 unit_screen = "byNA", dat_thresh)
    treat        COINr's Treat() default: while |skew| >= skew_limit and kurtosis >=
                 kurtosis_limit (COINr's check_SkewKurt fails), the most extreme value on
                 the skewed side takes the value of its neighbour (winsorise), up to
                 `winsorise_max` points; if the column still fails, the *original*
                 values are log-transformed instead, log(x - min + 0.01 (max - min))
                 (COINr's log_CT)

Skew and kurtosis are COINr's `skew()` and `kurt()`: the bias-corrected sample
estimators of e1071 type 2 (Excel's SKEW and KURT; kurtosis is excess kurtosis).

Every step is a pure function of whole units x indicators arrays (NaN = missing), in
fit/apply form where a step learns something from the units (the imputed fill values,
the treatment of each column): `fit_*` learns it, `apply_*` uses it, so what one round
learned can be applied to another. `prepare` runs the steps in order and returns the
prepared values with a record of what each step did (`Preparation`), which `recalc
--json` and the workbook's Preparation sheet show.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from readiness_xl.errors import Problem, ReadinessError

from readiness_xl.core.words import IMPUTATIONS, TREATMENTS  # noqa: F401  (the one word table)
WINSORISE_MAX, SKEW_LIMIT, KURTOSIS_LIMIT = 5, 2.0, 3.5   # COINr's Treat() defaults
LOG_SHIFT = 0.01                                             # COINr's log_CT: a = 0.01 * range


class PreparationError(ReadinessError):
    """Data a preparation step cannot take (a denominator of 0, an unknown attribute)."""


@dataclass(frozen=True)
class PrepSpec:
    """What to do to each indicator column (same order as the values' columns) and the
    framework-wide limits. Defaults do nothing."""

    denominator: tuple[str, ...] = ()        # per indicator: a unit attribute name, "" = none
    impute: tuple[str, ...] = ()             # per indicator: one of IMPUTATIONS
    treat: tuple[str, ...] = ()              # per indicator: one of TREATMENTS
    names: tuple[str, ...] = ()              # indicator ids, for errors and the record
    screen_min_coverage: float = 0.0
    winsorise_max: int = WINSORISE_MAX
    skew_limit: float = SKEW_LIMIT
    kurtosis_limit: float = KURTOSIS_LIMIT

    @property
    def active(self) -> bool:
        """Whether any step would change anything."""
        return (any(self.denominator) or any(m != "none" for m in self.impute)
                or any(t != "none" for t in self.treat) or self.screen_min_coverage > 0)

    def replace(self, **changes) -> "PrepSpec":
        from dataclasses import replace
        return replace(self, **changes)


@dataclass
class Preparation:
    """The record of what the steps did, units x indicators where it is per cell:
    `raw` the values as answered (after denomination), `imputed` / `winsorised` masks with
    `values` the values handed to normalisation, `logged` the columns log-transformed,
    `screened` the units left out with their `coverage` (share of indicators answered),
    and per indicator the skew and kurtosis before and after treatment."""

    values: np.ndarray
    raw: np.ndarray
    filled: np.ndarray            # after imputation, before treatment
    imputed: np.ndarray
    winsorised: np.ndarray
    logged: np.ndarray
    screened: np.ndarray
    coverage: np.ndarray
    skew_before: np.ndarray
    kurtosis_before: np.ndarray
    skew_after: np.ndarray
    kurtosis_after: np.ndarray
    names: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    @property
    def treated(self) -> np.ndarray:
        """Cells whose value treatment changed (winsorised, or in a logged column)."""
        return self.winsorised | (self.logged[None, :] & ~np.isnan(self.values))

    @property
    def treated_indicators(self) -> list[str]:
        return [n for n, t in zip(self.names, self.treated.any(axis=0)) if t]

    def changes(self, units) -> "pd.DataFrame":
        """One row per changed cell, indicator by indicator: unit, indicator, step
        (imputed / winsorised / log), the value before and after the step."""
        import pandas as pd

        units = np.asarray(units, object)
        names = np.asarray(self.names, object)
        frames = []
        for step, mask, before, after in (
                ("imputed", self.imputed, np.full(self.raw.shape, np.nan), self.filled),
                ("winsorised", self.winsorised, self.filled, self.values),
                ("log", self.logged[None, :] & ~np.isnan(self.values), self.filled, self.values)):
            rows, cols = np.nonzero(mask)
            frames.append(pd.DataFrame({"unit": units[rows], "indicator": names[cols], "step": step,
                                        "before": before[rows, cols], "after": after[rows, cols],
                                        "_col": cols, "_row": rows}))
        table = pd.concat(frames, ignore_index=True).sort_values(["_col", "_row"], kind="stable")
        return table.drop(columns=["_col", "_row"]).reset_index(drop=True)

    def screened_units(self, units) -> "pd.DataFrame":
        """The units left out, with their coverage (share of indicators answered)."""
        import pandas as pd
        return pd.DataFrame({"unit": np.asarray(units, object)[self.screened],
                             "coverage": self.coverage[self.screened]})


# ----------------------------------------------------------------------------- statistics

def _quiet(stat, *args, **kwargs):
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return stat(*args, **kwargs)


def _sums(values: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per column: n, and the sums of the 2nd, 3rd and 4th powers of the deviations from
    the mean, NaN ignored (products, not np.power: a float power of 600,000 cells costs
    fifty times more than two multiplications)."""
    x = np.asarray(values, float)
    n = (x.shape[0] - np.isnan(x).sum(axis=0)).astype(float)
    d = np.nan_to_num(x, nan=0.0)                    # two temporaries, reused in place
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = d.sum(axis=0) / n
    np.subtract(x, mean, out=d)
    np.nan_to_num(d, copy=False, nan=0.0)
    power = d * d
    s2 = power.sum(axis=0)
    power *= d
    s3 = power.sum(axis=0)
    power *= d
    return n, s2, s3, power.sum(axis=0)


def _skew(n, s2, s3) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.sqrt(n) * s3 / (s2 * np.sqrt(s2)) * np.sqrt(n * (n - 1)) / (n - 2)
    return np.where((n >= 3) & (s2 > 0), out, np.nan)


def _kurtosis(n, s2, s4) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        r = n * s4 / (s2 * s2)
        out = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    return np.where((n >= 4) & (s2 > 0), out, np.nan)


def skew(values: np.ndarray) -> np.ndarray:
    """COINr's skew() of each column, NaN ignored: sqrt(n (n-1)) / (n-2) * m3 / m2^1.5
    (e1071 type 2, Excel's SKEW); NaN below 3 values or for a constant column."""
    n, s2, s3, _ = _sums(values)
    return _skew(n, s2, s3)


def kurtosis(values: np.ndarray) -> np.ndarray:
    """COINr's kurt() of each column, NaN ignored: ((n+1)(r-3) + 6)(n-1) / ((n-2)(n-3)),
    r = n m4 / m2^2 (e1071 type 2, Excel's KURT: excess kurtosis); NaN below 4 values
    or for a constant column."""
    n, s2, _, s4 = _sums(values)
    return _kurtosis(n, s2, s4)


def skew_kurtosis(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both at once (one pass over the values)."""
    n, s2, s3, s4 = _sums(values)
    return _skew(n, s2, s3), _kurtosis(n, s2, s4)


def failing(values: np.ndarray, skew_limit: float = SKEW_LIMIT,
            kurtosis_limit: float = KURTOSIS_LIMIT) -> np.ndarray:
    """COINr's check_SkewKurt failing: not (|skew| < skew_limit or kurtosis <
    kurtosis_limit). A column whose skew or kurtosis is undefined (under 4 values,
    constant) does not fail: COINr leaves such a column untreated."""
    s, k = skew_kurtosis(values)
    with np.errstate(invalid="ignore"):
        return (np.abs(s) >= skew_limit) & (k >= kurtosis_limit)


# ----------------------------------------------------------------------------- denominate

def denominate(values: np.ndarray, attributes: dict[str, np.ndarray], denominators,
               names=(), units=()) -> np.ndarray:
    """Each column whose denominator names a unit attribute divided by it, unit by unit.
    A unit whose attribute is blank gets a missing value; an attribute of 0 is refused
    (naming the unit and attribute), as is an attribute that is not given."""
    values = np.asarray(values, float)
    if not any(denominators):
        return values
    out = values.copy()
    problems = []
    for j, name in enumerate(denominators):
        if not name:
            continue
        label = names[j] if names else f"#{j + 1}"
        if name not in attributes:
            problems.append(Problem(f"indicator '{label}': denominator '{name}' is not a numeric column of "
                                    f"the agencies (unit attributes: {', '.join(attributes) or 'none'})"))
            continue
        by = np.asarray(attributes[name], float)
        zero = (by == 0) & ~np.isnan(values[:, j])
        for i in np.flatnonzero(zero)[:5]:
            unit = units[i] if len(units) else f"#{i + 1}"
            problems.append(Problem(f"indicator '{label}': unit '{unit}' has {name} 0, which "
                                    "cannot divide; give its value or leave it blank (missing)"))
        with np.errstate(divide="ignore", invalid="ignore"):
            out[:, j] = values[:, j] / by
    if problems:
        raise PreparationError(problems)
    return out


# ----------------------------------------------------------------------------- impute

@dataclass(frozen=True)
class ImputeFit:
    """Learned fill values: `overall` (indicators,) for mean/median, `by_group`
    (groups x indicators) for the group methods, with the group labels."""

    overall: np.ndarray
    by_group: np.ndarray
    groups: np.ndarray


def fit_impute(values: np.ndarray, methods, groups=None) -> ImputeFit:
    """Each column's fill value over the units (NaN ignored): mean or median, and per
    group the group mean or median (all columns at once)."""
    import pandas as pd

    values = np.asarray(values, float)
    methods = np.asarray(methods, object)
    overall = np.full(values.shape[1], np.nan)
    for word, stat in (("mean", np.nanmean), ("median", np.nanmedian)):
        cols = methods == word
        if cols.any():
            overall[cols] = _quiet(stat, values[:, cols], axis=0)
    if groups is None or not np.isin(methods, ("group_mean", "group_median")).any():
        return ImputeFit(overall, np.empty((0, values.shape[1])), np.empty(0, object))
    frame = pd.DataFrame(values).groupby(np.asarray(groups, object), sort=True)
    means, medians = frame.mean(), frame.median()
    by_group = np.where(methods == "group_median", medians.to_numpy(float), means.to_numpy(float))
    return ImputeFit(overall, by_group, means.index.to_numpy(object))


def apply_impute(values: np.ndarray, methods, fitted: ImputeFit, groups=None) -> np.ndarray:
    """The blanks filled with the fitted values of their column (and group); answered
    cells untouched. A group with no answer leaves its blanks blank (COINr's i_mean_grp)."""
    values = np.asarray(values, float)
    methods = np.asarray(methods, object)
    fill = np.broadcast_to(fitted.overall, values.shape)
    if len(fitted.groups):
        rows = np.searchsorted(fitted.groups, np.asarray(groups, object))
        grouped = np.isin(methods, ("group_mean", "group_median"))
        fill = np.where(grouped, fitted.by_group[rows], fill)
    wanted = (methods != "none") & np.isnan(values)
    return np.where(wanted, fill, values)


# ----------------------------------------------------------------------------- screen

def coverage(values: np.ndarray) -> np.ndarray:
    """Each unit's share of indicators answered (COINr's Dat_Avail)."""
    values = np.asarray(values, float)
    return (~np.isnan(values)).mean(axis=1) if values.shape[1] else np.ones(len(values))


def screened(values: np.ndarray, min_coverage: float) -> np.ndarray:
    """Units whose coverage is below `min_coverage` (COINr: Dat_Avail < dat_thresh)."""
    return coverage(values) < min_coverage


# ----------------------------------------------------------------------------- treat

@dataclass(frozen=True)
class TreatFit:
    """Per column what treatment does: `low_cap`/`high_cap` the winsorisation limits
    (values beyond them take the cap; -inf/inf = none), `log` columns log-transformed
    with `log_min`, `log_shift` (log(x - log_min + log_shift))."""

    low_cap: np.ndarray
    high_cap: np.ndarray
    log: np.ndarray
    log_min: np.ndarray
    log_shift: np.ndarray
    skew_: np.ndarray | None = None       # of the values fitted on, before treatment
    kurtosis_: np.ndarray | None = None


def _winsorise(x: np.ndarray, columns: np.ndarray, winsorise_max: int, skew_limit: float,
               kurtosis_limit: float) -> tuple[np.ndarray, ...]:
    """COINr's winsorise() on every column at once: while a column fails and fewer than
    `winsorise_max` points are winsorised, the values equal to its maximum (positive or
    zero skew) take the next highest value, or those equal to its minimum (negative
    skew) the next lowest. The count is COINr's: the points at the high end plus those at
    the low end last moved. Returns the winsorised copy, whether each column passes now,
    and whether its statistics broke down (COINr's check then errs and the column is
    left untreated); then whether it failed at first, and its skew and kurtosis then."""
    x = x.copy()
    s, k = skew_kurtosis(x)
    first = (s.copy(), k.copy())
    with np.errstate(invalid="ignore"):
        active = columns & (np.abs(s) >= skew_limit) & (k >= kurtosis_limit)
    failed_first = active.copy()
    n_high = np.zeros(x.shape[1])
    n_low = np.zeros(x.shape[1])
    broken = np.zeros(x.shape[1], bool)
    while active.any():
        for side in (1.0, -1.0):           # the high end where skew >= 0, else the low end
            cols = np.flatnonzero(active & ((s >= 0) if side > 0 else (s < 0)))
            if not len(cols):
                continue
            sub = x[:, cols] * side            # the low end as the high end of -x
            top = _quiet(np.nanmax, sub, axis=0)
            at_top = sub == top
            below = _quiet(np.nanmax, np.where(at_top, np.nan, sub), axis=0)
            broken[cols] |= np.isnan(below)
            np.copyto(sub, below, where=at_top)
            x[:, cols] = sub * side
            (n_high if side > 0 else n_low)[cols] = at_top.sum(axis=0)
        cols = np.flatnonzero(active)
        s[cols], k[cols] = skew_kurtosis(x[:, cols])
        with np.errstate(invalid="ignore"):
            passes = (np.abs(s) < skew_limit) | (k < kurtosis_limit)
        broken |= active & (np.isnan(s) | np.isnan(k)) & ~passes
        active = active & ~passes & (n_high + n_low < winsorise_max) & ~broken
    with np.errstate(invalid="ignore"):
        passed = (np.abs(s) < skew_limit) | (k < kurtosis_limit)
    return x, passed & ~broken, broken, failed_first, *first


def fit_treat(values: np.ndarray, methods, winsorise_max: int = WINSORISE_MAX,
              skew_limit: float = SKEW_LIMIT, kurtosis_limit: float = KURTOSIS_LIMIT) -> TreatFit:
    """Learn each `winsorise` column's treatment from the units (COINr's Treat() default,
    `combine_treat = FALSE`): nothing if it passes; the winsorisation caps if winsorising
    up to `winsorise_max` points makes it pass; else log_CT of the original values. A
    column whose statistics break down while winsorised (every value equal) is left
    untreated, as COINr does."""
    x = np.asarray(values, float)
    k = x.shape[1]
    columns = np.asarray(methods, object) == "winsorise"
    none = TreatFit(np.full(k, -np.inf), np.full(k, np.inf), np.zeros(k, bool), np.zeros(k), np.zeros(k),
                    *skew_kurtosis(x))
    if not columns.any():
        return none
    won, passed, broken, failed_first, skew_before, kurtosis_before = _winsorise(
        x, columns, winsorise_max, skew_limit, kurtosis_limit)
    use_win = failed_first & passed
    use_log = failed_first & ~passed & ~broken
    moved = won != x
    moved &= ~np.isnan(x)
    high_cap = np.where(use_win & (moved & (x > won)).any(axis=0),
                        _quiet(np.nanmax, won, axis=0), np.inf)
    low_cap = np.where(use_win & (moved & (x < won)).any(axis=0),
                       _quiet(np.nanmin, won, axis=0), -np.inf)
    lo, hi = _quiet(np.nanmin, x, axis=0), _quiet(np.nanmax, x, axis=0)
    return TreatFit(low_cap, high_cap, use_log, np.where(use_log, lo, 0.0),
                    np.where(use_log, LOG_SHIFT * (hi - lo), 0.0), skew_before, kurtosis_before)


def apply_treat(values: np.ndarray, fitted: TreatFit) -> np.ndarray:
    """Winsorisation caps, then log_CT where fitted; NaN stays NaN."""
    x = np.clip(np.asarray(values, float), fitted.low_cap, fitted.high_cap)
    if fitted.log.any():
        with np.errstate(invalid="ignore", divide="ignore"):
            logged = np.log(np.where(fitted.log, x - fitted.log_min + fitted.log_shift, 1.0))
        x = np.where(fitted.log, logged, x)
    return x

