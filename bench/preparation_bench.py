"""How long do the data-preparation steps take? 10,000 units x 60 indicators (default),
lognormal values from nearly normal to very skewed, one outlier per column (so treatment
passes some columns, winsorises some and log-transforms others), 5% of
cells blank, a unit attribute as the denominator of a third of the indicators, units in
20 groups; every step on: denominate, impute (mean, median, group_mean, group_median in
turn), screen (coverage 0.9), treat (COINr's Treat() default). Prints the median of
several runs of `core.preparation.prepare` (the pipeline's own steps) and of each step
alone; the target is under 0.5 s for all of them. Prints, asserts nothing: the shared
machine's load moves the numbers (run it alone).

    .venv/bin/python bench/preparation_bench.py [--units 10000] [--indicators 60] [--repeat 5]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads BLAS

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from readiness_xl.core import preparation as prep  # noqa: E402
from readiness_xl.core.pipeline.prepare import prepare  # noqa: E402

TARGET = 0.5


def data(units: int, indicators: int, seed: int = 2560):
    rng = np.random.default_rng(seed)
    values = rng.lognormal(0.0, np.linspace(0.1, 1.5, indicators), (units, indicators))
    values[rng.integers(0, units, indicators), np.arange(indicators)] *= 30.0   # an outlier each
    values[rng.random(values.shape) < 0.05] = np.nan
    attributes = {"population": rng.uniform(1e3, 1e6, units)}
    groups = np.asarray([f"g{g}" for g in rng.integers(0, 20, units)], object)
    words = ("mean", "median", "group_mean", "group_median")
    spec = prep.PrepSpec(tuple("population" if j % 3 == 0 else "" for j in range(indicators)),
                         tuple(words[j % 4] for j in range(indicators)), ("winsorise",) * indicators,
                         tuple(f"i{j}" for j in range(indicators)), screen_min_coverage=0.9)
    return values, spec, attributes, groups


def timed(call, repeat: int) -> float:
    call()   # warm up (imports, caches)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    values, spec, attributes, groups = data(args.units, args.indicators)
    ids = tuple(f"u{i}" for i in range(args.units))
    divided = prep.denominate(values, attributes, spec.denominator, spec.names, ids)
    fill = prep.fit_impute(divided, spec.impute, groups)
    filled = prep.apply_impute(divided, spec.impute, fill, groups)
    rows = [
        ("denominate", lambda: prep.denominate(values, attributes, spec.denominator, spec.names, ids)),
        ("impute (fit + apply)", lambda: prep.apply_impute(divided, spec.impute,
                                                           prep.fit_impute(divided, spec.impute, groups),
                                                           groups)),
        ("screen", lambda: prep.screened(divided, spec.screen_min_coverage)),
        ("treat (fit + apply)", lambda: prep.apply_treat(filled, prep.fit_treat(filled, spec.treat))),
        ("all four, as the pipeline runs them", lambda: prepare(values, spec, attributes, groups, ids)),
    ]
    print(f"data preparation, {args.units:,} units x {args.indicators} indicators "
          f"(median of {args.repeat}; target < {TARGET} s for all four)")
    for name, call in rows:
        print(f"  {name:<40} {timed(call, args.repeat):7.3f} s")
    done = prepare(values, spec, attributes, groups, ids)
    print(f"  ({int(done.imputed.sum()):,} cells imputed, {int(done.screened.sum()):,} units screened, "
          f"{int(done.winsorised.any(axis=0).sum())} indicators winsorised, {int(done.logged.sum())} logged)")


if __name__ == "__main__":
    main()
