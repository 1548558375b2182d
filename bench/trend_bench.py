#!/usr/bin/env python3
"""Benchmark of the trend core: N units x R rounds (60 indicators, 20 ministries), each
round scored with its own framework (the last round's weights differ, so the common-
indicator re-scoring runs too), about 1% of units in only some rounds.

    .venv/bin/python bench/trend_bench.py                 # 10,000 units x 5 rounds (target < 10 s)
    .venv/bin/python bench/trend_bench.py --units 1000 --rounds 3 --sheet

Times, separately: scoring the rounds (compute_results), build_trend (matching, changes,
framework comparison, re-scoring), trend_table (the Trend sheet's rows), the trend
sentences, the JSON, and with --sheet writing the trend workbook (apart from the core)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import numpy as np  # noqa: E402

from workbooks import agencies, answers, framework  # noqa: E402
from readiness_xl.core.answers import parse_answers  # noqa: E402
from readiness_xl.core.results import compute_results  # noqa: E402
from readiness_xl.core.trend import Round, build_trend  # noqa: E402
from readiness_xl.workbook.trend_views import to_json_dict, trend_table  # noqa: E402
from readiness_xl.core.trend_narrative import trend_sentences  # noqa: E402

TARGET_SECONDS = 10.0


def rounds_in_memory(units: int, count: int) -> tuple[list[Round], float]:
    """`count` rounds of parsed answers, scored; returns them and the scoring time."""
    fw, table = framework(), agencies(units)
    latest = dataclasses.replace(fw, dimensions=fw.dimensions.assign(
        weight=fw.dimensions["weight"].to_numpy()[::-1]))  # the last round's weights changed
    rounds, scoring = [], 0.0
    for r in range(count):
        ids = table.index[(r > 0) | (np.arange(units) % 100 != 0)]  # 1% join after round 1
        parsed, _ = parse_answers(answers(fw, ids, seed=2556 + r), fw)
        round_fw = latest if r == count - 1 else fw
        start = time.perf_counter()
        results = compute_results(round_fw, table.loc[ids], parsed)
        scoring += time.perf_counter() - start
        rounds.append(Round(2556 + r, results, parsed))
    return rounds, scoring


def timed(label: str, fn, times: dict):
    start = time.perf_counter()
    value = fn()
    times[label] = time.perf_counter() - start
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sheet", action="store_true", help="also write the trend workbook")
    args = parser.parse_args()
    rounds, scoring = rounds_in_memory(args.units, args.rounds)
    times = {"score rounds (compute_results)": scoring}
    trend = timed("build_trend", lambda: build_trend(rounds), times)
    timed("trend_table (Trend sheet rows)", lambda: trend_table(trend), times)
    timed("trend sentences (th + en, agencies)",
          lambda: [trend_sentences(trend, "agency", lang=lang) for lang in ("th", "en")], times)
    timed("JSON", lambda: to_json_dict(trend), times)
    if args.sheet:
        from readiness_xl.builder.trend_workbook import write_trend_workbook
        with tempfile.TemporaryDirectory() as folder:
            timed("trend workbook (frame + rows)", lambda: write_trend_workbook(
                trend, Path(folder) / "trend.xlsx", [f"round {r.year}" for r in rounds]), times)
    core = sum(v for k, v in times.items() if not k.startswith("trend workbook"))
    print(f"trend core: {args.units:,} units x {args.rounds} rounds "
          f"(60 indicators, common re-scoring: {trend.common is not None})")
    for label, seconds in times.items():
        print(f"  {label:40s} {seconds:8.3f} s")
    verdict = "meets" if core < TARGET_SECONDS else "misses"
    print(f"  {'core total':40s} {core:8.3f} s  ({verdict} the {TARGET_SECONDS:g} s target)")


if __name__ == "__main__":
    main()
