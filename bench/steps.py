"""Timing of every step of the method pipeline and of data preparation, on bench/workbooks.py's
synthetic survey (default 10,000 units x 60 indicators), in one process: what each step
costs in the recalculation of a large workbook, beside bench.py's end-to-end figures.

    .venv/bin/python bench/steps.py                    # 10,000 units, median of 7
    .venv/bin/python bench/steps.py --units 1000 --reps 3

Two sources of steps, both timed the same way (the setup once, then the call `reps`
times, alternating between steps: wall and CPU seconds, the median of each):

1. **The pipeline's own steps**: `core.pipeline.steps(method, framework)` as scoring
   builds them, so a step added to the pipeline (a PREPARE maker, a normaliser, a level
   of the tree) is timed here without a line of this file changing. Each step is timed
   as `fit` + `apply` on the State the steps before it produced.
2. **Registered steps**: anything else, registered with `@register("name")` on a function
   that takes the `Case` (framework, agencies, raw and parsed answers) and returns the
   zero-argument callable to time (the work it does before returning is setup, not timed):

        from steps import register

        @register("prepare: impute group means")
        def _impute(case):
            values = case.parsed.to_numpy()
            return lambda: impute_group_means(values, case.agencies["ministry_en"])

   A module of registrations next to this one (bench/steps_*.py) is imported by main().
   Registered names must be unique; the table lists registered steps after the pipeline's.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import pandas as pd  # noqa: E402

import workbooks  # noqa: E402
from readiness_xl.core.answers import parse_answers  # noqa: E402
from readiness_xl.core.framework import Framework  # noqa: E402


@dataclass(frozen=True)
class Case:
    """The survey every step is timed on."""

    framework: Framework
    agencies: pd.DataFrame       # index id, the Agencies columns
    raw: pd.DataFrame            # units x indicators, cell values as typed
    parsed: pd.DataFrame         # units x indicators, numbers (NaN = unanswered)


Setup = Callable[[Case], Callable[[], object]]
REGISTERED: dict[str, Setup] = {}


def register(name: str) -> Callable[[Setup], Setup]:
    """Register a step to time under `name` (see the module's docstring)."""
    def add(setup: Setup) -> Setup:
        if name in REGISTERED:
            raise ValueError(f"a step named {name!r} is registered already")
        REGISTERED[name] = setup
        return setup
    return add


@register("parse answers (cells as typed -> numbers)")
def _parse(case: Case):
    return lambda: parse_answers(case.raw, case.framework)


@register("scoring.score (the whole method, nominal)")
def _score(case: Case):
    from readiness_xl.core.scoring import score
    return lambda: score(case.framework, case.parsed)


@register("compute_results (scores, ranks, bands, benchmarks, narratives' inputs)")
def _results(case: Case):
    from readiness_xl.core.results import compute_results
    return lambda: compute_results(case.framework, case.agencies, case.parsed)


def make_case(units: int) -> Case:
    fw, table = workbooks.framework(), workbooks.agencies(units)
    raw = workbooks.answers(fw, table.index)
    parsed, bad = parse_answers(raw, fw)
    if bad:
        raise RuntimeError(f"the synthetic answers do not parse: {bad[0]}")
    return Case(fw, table, raw, parsed)


def pipeline_steps(case: Case) -> dict[str, Callable[[], object]]:
    """Each step of the pipeline as scoring runs it, as a call of fit + apply on the State
    the steps before it produced (nothing when the pipeline is not there)."""
    try:
        from readiness_xl.core import pipeline as P
    except ImportError:
        return {}
    method = P.Method.of(case.framework)
    state = P.start(method, raw=case.raw)
    calls = {}
    for k, step in enumerate(P.steps(method, case.framework)):
        calls[f"pipeline {k + 1}: {step.name}"] = (lambda s=step, st=state: s.apply(st, s.fit(st)))
        state = step.apply(state, step.fit(state))
    return calls


def time_steps(calls: dict[str, Callable[[], object]], reps: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of each call, the calls alternated rep by rep."""
    wall = {name: [] for name in calls}
    cpu = {name: [] for name in calls}
    for _ in range(reps):
        for name, call in calls.items():
            w, c = time.perf_counter(), time.process_time()
            call()
            wall[name].append(time.perf_counter() - w)
            cpu[name].append(time.process_time() - c)
    return {name: (statistics.median(wall[name]), statistics.median(cpu[name])) for name in calls}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    for module in sorted(HERE.glob("steps_*.py")):   # other engineers' registrations
        importlib.import_module(module.stem)
    case = make_case(args.units)
    calls = pipeline_steps(case)
    calls.update((name, setup(case)) for name, setup in REGISTERED.items())
    timed = time_steps(calls, args.reps)
    width = max(map(len, timed))
    print(f"{args.units:,} units x {len(case.framework.indicator_ids)} indicators, median of "
          f"{args.reps}, steps alternated (ms)")
    print(f"{'step':<{width}}  {'wall':>9}  {'CPU':>9}")
    for name, (w, c) in timed.items():
        print(f"{name:<{width}}  {1e3 * w:9.1f}  {1e3 * c:9.1f}")


if __name__ == "__main__":
    main()
