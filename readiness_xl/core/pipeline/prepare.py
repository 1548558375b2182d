"""Data preparation as steps of the pipeline, between parse and normalise, in the
Handbook's order: denominate -> impute -> screen -> treat. The maths is
`core/preparation.py` (pure fit/apply functions over units x indicators); each step here
reads and writes `state.values`, keeps what it did in `state.preparation` (a
`preparation.Preparation` record: the Preparation sheet and `recalc --json` show it)
and logs a line.

The unit table the steps need (ids, the group of each unit, numeric attributes such as
population) travels in `state.units` (a `Units`); screening sets `state.active`, so the
fitted steps after it (treat, normalise) learn from the units it keeps.

None of these steps can be a spreadsheet formula in an agency's own sheet: each needs
every unit's values (a column mean, a group median, skewness) or the unit table."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from readiness_xl.core import preparation as prep
from readiness_xl.core.pipeline.base import LogEntry, NoFormula, State, Step, columns_text, run
from readiness_xl.core.pipeline.method import Method


@dataclass(frozen=True)
class Units:
    """The units as the preparation steps see them: ids (for errors and the record), each
    unit's group (ministry; group imputation) and numeric attributes by name."""

    ids: tuple = ()
    groups: np.ndarray | None = None
    attributes: dict = field(default_factory=dict)


def units_of(agencies) -> Units | None:
    """Units from an agency table (index = ids; ministry_th the group; every column that
    is not an agency field nor `ranked` a numeric attribute)."""
    import pandas as pd

    from readiness_xl.core.agencies import AGENCY_FIELDS, ATTRIBUTE_EXCLUDED
    if agencies is None:
        return None
    groups = agencies["ministry_th"].to_numpy(object) if "ministry_th" in agencies else None
    attributes = {c: agencies[c].to_numpy(float) for c in agencies.columns
                  if c not in AGENCY_FIELDS and c not in ATTRIBUTE_EXCLUDED
                  and pd.api.types.is_numeric_dtype(agencies[c])}   # a text column is no attribute
    return Units(tuple(agencies.index), groups, attributes)


def record(state: State) -> prep.Preparation:
    """The preparation record so far; a blank one (nothing done) at the first step."""
    if state.preparation is not None:
        return state.preparation
    values = state.values
    k = values.shape[1]
    blank = np.zeros(values.shape, bool)
    nan = np.full(k, np.nan)
    return prep.Preparation(values, values, values, blank, blank, np.zeros(k, bool),
                            np.zeros(len(values), bool), prep.coverage(values), nan, nan, nan, nan,
                            tuple(state.indicators))


def _spec(method: Method, framework) -> prep.PrepSpec:
    spec = getattr(method, "prep", None)
    return spec if spec is not None else framework.prep_spec


def _units(state: State) -> Units:
    return state.units if state.units is not None else Units()


class _NoFormula(Step):
    reason = "needs every unit's values"
    # the step in Thai, and why (the cell shows both languages)
    reason_th = "ขั้นนี้ต้องใช้ค่าของทุกหน่วยงาน"

    def formula(self, key, cells) -> NoFormula:
        return NoFormula(f"{self.name} {self.reason}", self.reason_th)


@dataclass(frozen=True)
class Denominate(_NoFormula):
    spec: prep.PrepSpec
    name: str = "denominate"
    reason = "divides by a unit attribute of the agency list"
    reason_th = "การหาร (denominate) ใช้ข้อมูลของหน่วยงานจากรายชื่อหน่วยงาน"

    def apply(self, state: State, fitted) -> State:
        units = _units(state)
        values = prep.denominate(state.values, units.attributes, self.spec.denominator,
                                 self.spec.names, units.ids)
        done = replace(record(state), values=values, raw=values, filled=values,
                       coverage=prep.coverage(values))
        return state.but(values=values, preparation=done)

    def describe(self, state: State, fitted) -> LogEntry:
        pairs = [f"{n} / {d}" for n, d in zip(self.spec.names, self.spec.denominator) if d]
        return LogEntry(self.name, f"divided by a unit attribute: {', '.join(pairs[:6])}"
                        + (f" (+{len(pairs) - 6} more)" if len(pairs) > 6 else ""),
                        "values[:, denominated indicators]")


@dataclass(frozen=True)
class Impute(_NoFormula):
    spec: prep.PrepSpec
    name: str = "impute"
    reason = "fills a blank from the other units' answers"
    reason_th = "การเติมค่าที่ขาด (impute) ใช้คำตอบของหน่วยงานอื่น"

    def fit(self, state: State) -> prep.ImputeFit:
        """Over every unit of the round (imputation comes before screening)."""
        return prep.fit_impute(state.values, self.spec.impute, _units(state).groups)

    def apply(self, state: State, fitted: prep.ImputeFit) -> State:
        filled = prep.apply_impute(state.values, self.spec.impute, fitted, _units(state).groups)
        before = record(state)
        done = replace(before, values=filled, filled=filled,
                       imputed=before.imputed | (np.isnan(state.values) & ~np.isnan(filled)))
        return state.but(values=filled, preparation=done)

    def describe(self, state: State, fitted) -> LogEntry:
        done = state.preparation
        count = int(done.imputed.sum())
        columns = np.flatnonzero(done.imputed.any(axis=0))
        return LogEntry(self.name, f"{count} blank cells filled ({', '.join(sorted(set(self.spec.impute) - {'none'}))})",
                        f"values[:, {columns_text(state.indicators, columns) or 'none'}]")


@dataclass(frozen=True)
class Screen(_NoFormula):
    spec: prep.PrepSpec
    name: str = "screen"
    reason = "counts a unit's answers against the framework's threshold"
    reason_th = "การคัดกรอง (screen) นับคำตอบของหน่วยงานเทียบกับเกณฑ์ของกรอบการประเมิน"

    def apply(self, state: State, fitted) -> State:
        """Coverage counts the answers before imputation (the record's `raw`)."""
        before = record(state)
        out = prep.coverage(before.raw) < self.spec.screen_min_coverage
        active = ~out if state.active is None else state.active & ~out
        values = np.where(out[:, None], np.nan, state.values)
        done = replace(before, values=values, screened=out, imputed=before.imputed & ~out[:, None])
        return state.but(values=values, active=active, preparation=done)

    def describe(self, state: State, fitted) -> LogEntry:
        out = state.preparation.screened
        return LogEntry(self.name, f"{int(out.sum())} units answering under "
                        f"{self.spec.screen_min_coverage:.0%} of the indicators left out",
                        "active, values[screened units, :]")


@dataclass(frozen=True)
class Treat(_NoFormula):
    spec: prep.PrepSpec
    name: str = "treat"
    reason = "needs the skewness and kurtosis of every unit's values"
    reason_th = "การจัดการค่าผิดปกติ (treat) ต้องใช้ความเบ้และความโด่งของค่าทุกหน่วยงาน"

    def _kept(self, state: State) -> np.ndarray:
        return state.values if state.active is None else np.where(state.active[:, None], state.values, np.nan)

    def fit(self, state: State) -> prep.TreatFit:
        """COINr's Treat() over the active units."""
        s = self.spec
        return prep.fit_treat(self._kept(state), s.treat, s.winsorise_max, s.skew_limit, s.kurtosis_limit)

    def apply(self, state: State, fitted: prep.TreatFit) -> State:
        treated = prep.apply_treat(state.values, fitted)
        after = treated if state.active is None else np.where(state.active[:, None], treated, np.nan)
        winsorised = (treated != state.values) & ~np.isnan(state.values) & ~fitted.log[None, :]
        skew_after, kurtosis_after = prep.skew_kurtosis(after)
        done = replace(record(state), values=treated, winsorised=winsorised, logged=fitted.log.copy(),
                       skew_before=fitted.skew_, kurtosis_before=fitted.kurtosis_,
                       skew_after=skew_after, kurtosis_after=kurtosis_after)
        return state.but(values=treated, preparation=done)

    def describe(self, state: State, fitted: prep.TreatFit) -> LogEntry:
        done = state.preparation
        won = np.flatnonzero(done.winsorised.any(axis=0))
        logged = np.flatnonzero(done.logged)
        return LogEntry(self.name, f"{int(done.winsorised.sum())} points winsorised in {len(won)} indicators, "
                        f"{len(logged)} indicators log-transformed (COINr's Treat() default)",
                        f"values[:, {columns_text(state.indicators, np.union1d(won, logged)) or 'none'}]")


def steps_of(spec: prep.PrepSpec) -> list:
    """The preparation steps a spec asks for, in the Handbook's order."""
    return [step(spec) for step, wanted in ORDER if wanted(spec)]


ORDER = ((Denominate, lambda s: any(s.denominator)),
         (Impute, lambda s: any(m != "none" for m in s.impute)),
         (Screen, lambda s: s.screen_min_coverage > 0),
         (Treat, lambda s: any(t != "none" for t in s.treat)))


def _maker(step, wanted):
    def make(framework, method: Method):
        spec = _spec(method, framework)
        return step(spec) if wanted(spec) else None
    make.__name__ = f"make_{step.name}" if isinstance(step.name, str) else "make"
    return make


MAKERS = tuple(_maker(step, wanted) for step, wanted in ORDER)   # for pipeline.PREPARE


def prepare(values: np.ndarray, spec: prep.PrepSpec, attributes: dict[str, np.ndarray] | None = None,
            groups=None, units=()) -> prep.Preparation:
    """The steps in the Handbook's order on units x indicators values, as the pipeline
    runs them (this module), and their record. Imputation is over every
    unit of the round (screened ones included: it comes first); treatment and what
    follows see the units not screened out. A screened unit's row of `values` is NaN."""
    values = np.asarray(values, float)
    names = tuple(spec.names) or tuple(f"#{j + 1}" for j in range(values.shape[1]))
    state = State(names, (), values=values,
                  units=Units(tuple(units), None if groups is None else np.asarray(groups, object),
                              attributes or {}))
    return record(run(steps_of(spec), state, keep_log=False))
