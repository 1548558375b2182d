"""Is the method step still vectorised? Scores N units (default 10,000) of a framework of
6 dimensions x 10 raw `number` indicators (goalposts, one with a log) with arithmetic and
with geometric aggregation at both levels, through scoring.score, and reports the median
of several runs and the ratio. Issue 13's target: geometric no more than 20% slower.
The two are timed in alternation (a g, g a, ...), so a change in the machine's load
between them moves both medians alike instead of the ratio.

    .venv/bin/python bench/method_bench.py [--units 10000] [--repeat 7]

Numbers taken on the shared machine are disturbed by other work; run it alone. BLAS runs
one thread unless OPENBLAS_NUM_THREADS says otherwise: on a busy 2-core machine its threads
made a 10,000 x 60 matrix product 100 times slower, which measures contention, not the
method. Most of either time is the first touch of fresh 4.8 MB temporaries (page faults;
numpy asks for huge pages), so the number of whole-matrix temporaries a step makes
matters more than its arithmetic."""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads BLAS

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from readiness_xl.core.framework import build_framework, located  # noqa: E402
from readiness_xl.core.scoring import score  # noqa: E402

DIMENSIONS, PER_DIMENSION = 6, 10
TARGET = 1.20


def bench_framework(aggregation: str):
    """6 dimensions x 10 number indicators, goalposts 0..100 (every 7th logged, 1..1000)."""
    dims = [{"id": f"D{d}", "name_th": "", "name_en": f"Dimension {d}", "weight": d + 1,
             "aggregation": aggregation} for d in range(DIMENSIONS)]
    inds = [{"id": f"I{d}.{i}", "dimension": f"D{d}", "question_th": "", "question_en": "",
             "type": "number", "min": 1 if (d * PER_DIMENSION + i) % 7 == 0 else 0,
             "max": 1000 if (d * PER_DIMENSION + i) % 7 == 0 else 100, "points": 1 + i % 3,
             "transform": "log" if (d * PER_DIMENSION + i) % 7 == 0 else "none"}
            for d in range(DIMENSIONS) for i in range(PER_DIMENSION)]
    bands = [{"lower": 0, "label_th": "ต่ำ", "label_en": "Low"}]
    columns = {k: k for k in inds[0]}
    fw = build_framework(located(dims, "bench", {k: k for k in dims[0]}, 2),
                         located(inds, "bench", columns, 2),
                         located(bands, "bench", {k: k for k in bands[0]}, 2))
    return replace(fw, settings=replace(fw.settings, aggregation=0.0 if aggregation == "geometric" else 1.0))


def answers(units: int, framework, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = rng.uniform(1, 100, (units, len(framework.indicator_ids)))
    values[rng.random(values.shape) < 0.02] = np.nan
    return pd.DataFrame(values, index=[f"U{i}" for i in range(units)], columns=framework.indicator_ids)


def median_seconds(frameworks: list, table: pd.DataFrame, repeat: int) -> list[float]:
    """The median time of score() for each framework, timed in alternating order."""
    times: list[list[float]] = [[] for _ in frameworks]
    for r in range(repeat):
        for i in (range(len(frameworks)) if r % 2 == 0 else reversed(range(len(frameworks)))):
            start = time.perf_counter()
            score(frameworks[i], table)
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    arithmetic, geometric = bench_framework("arithmetic"), bench_framework("geometric")
    table = answers(args.units, arithmetic)
    score(geometric, table)  # warm up (imports, caches)
    a, g = median_seconds([arithmetic, geometric], table, args.repeat)
    ratio = g / a
    print(f"{args.units:,} units x {len(arithmetic.indicator_ids)} indicators, median of {args.repeat}, alternated")
    print(f"  arithmetic  {1000 * a:8.1f} ms")
    print(f"  geometric   {1000 * g:8.1f} ms   ratio {ratio:.2f} (target <= {TARGET:.2f}: "
          f"{'met' if ratio <= TARGET else 'missed'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
