"""Robustness benchmark: the uncertainty analysis (default 1,000 replications over 10,000
units x 60 indicators; target < 1 s (issue 28; was 5 s) and < 1.5 GB), a Sobol analysis with 6 uncertain
inputs (Saltelli N = 1,024, 8,192 runs; target < 30 s), and the ratio against a
straightforward recalculation per replication with the existing core (`compute_results`
on a framework with that replication's weights, timed on a few replications and scaled).

    .venv/bin/python bench/robustness_bench.py                      # the full sizes
    .venv/bin/python bench/robustness_bench.py --units 1000 --runs 200 --sobol-n 64
    .venv/bin/python bench/robustness_bench.py --json out.json      # the numbers for RESULTS.md

The data are bench/workbooks.py's synthetic answers, parsed in memory (no workbook I/O:
reading is measured by bench/bench.py). CPU seconds (all threads) are printed beside the
wall-clock ones: on a shared machine they are the steadier figure. Peak RSS is the process's high-water mark, read
by the OS (ru_maxrss), after each stage; run the stages in separate processes
(--only uncertainty / sobol / baseline) to see each one's own peak."""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from readiness_xl.cli.main import one_blas_thread  # noqa: E402

one_blas_thread()  # as the command line runs it, before numpy loads

from workbooks import agencies, answers, framework  # noqa: E402
from readiness_xl.core import robustness as R  # noqa: E402
from readiness_xl.core.answers import parse_answers  # noqa: E402
from readiness_xl.core.results import compute_results  # noqa: E402

TARGETS = {"uncertainty_s": 1.0, "uncertainty_peak_mb": 1536, "sobol_s": 30.0}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def uncertainty(fw, table, parsed, runs: int, seed: int) -> dict:
    start, cpu = time.perf_counter(), time.process_time()
    method, data = R.method_of(fw), R.data_of(fw, parsed)
    inputs = R.uncertain_inputs(method, R.WEIGHTS_NOISE, seed=seed)
    result = R.run(data, method, inputs, R.sample_uniform(inputs, runs, seed))
    summary = R.summarise(data, method, inputs, result, seed)
    seconds = time.perf_counter() - start
    return {"uncertainty_s": seconds, "uncertainty_cpu_s": time.process_time() - cpu,
            "uncertainty_peak_mb": peak_mb(), "runs": runs,
            "median_rank_width": float(summary.table["rank_width"].median()),
            "inputs": [i.name for i in inputs]}


def sobol(fw, parsed, n: int, seed: int) -> dict:
    """Six inputs: weights at both levels, the missing policy, the geometric overall,
    min-max normalisation and the band cut-offs."""
    start, cpu = time.perf_counter(), time.process_time()
    method, data = R.method_of(fw), R.data_of(fw, parsed, ("minmax",))
    inputs = R.uncertain_inputs(method, R.WEIGHTS_NOISE, vary_missing=True, aggregations=(0.0,),
                                normalisations=("minmax",), band_shift=2.5, seed=seed)
    draws = R.sample_saltelli(inputs, n, seed)
    result = R.run(data, method, inputs, draws, ranks_only=True)
    found = R.analyse(data, method, inputs, result, seed)
    return {"sobol_s": time.perf_counter() - start, "sobol_cpu_s": time.process_time() - cpu,
            "sobol_peak_mb": peak_mb(), "sobol_n": n,
            "sobol_runs": len(draws), "sobol_inputs": len(inputs), "sobol_failed_blocks": found.failed,
            "sobol_total": {k: round(float(v), 3) for k, v in found.overall["total"].items()}}


def baseline(fw, table, parsed, reps: int, runs: int, seed: int) -> dict:
    """The straightforward way: one full recalculation per replication, each with its own
    noisy weights and points (the same draws the batched run uses)."""
    method = R.method_of(fw)
    inputs = R.uncertain_inputs(method, R.WEIGHTS_NOISE, seed=seed)
    picks = R.choices(inputs, R.sample_uniform(inputs, reps, seed))
    start, cpu = time.perf_counter(), time.process_time()
    for d in range(reps):
        changed = dataclasses.replace(
            fw, dimensions=fw.dimensions.assign(weight=inputs[0].alternatives[picks[d, 0]]),
            indicators=fw.indicators.assign(points=inputs[1].alternatives[picks[d, 1]]))
        compute_results(changed, table, parsed)
    per_rep = (time.perf_counter() - start) / reps
    per_rep_cpu = (time.process_time() - cpu) / reps
    return {"baseline_per_replication_s": per_rep, "baseline_reps_timed": reps,
            "baseline_estimated_s": per_rep * runs, "baseline_estimated_cpu_s": per_rep_cpu * runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=R.RUNS)
    parser.add_argument("--sobol-n", type=int, default=R.SOBOL_N)
    parser.add_argument("--baseline-reps", type=int, default=10,
                        help="replications timed for the per-replication recalculation")
    parser.add_argument("--seed", type=int, default=R.SEED)
    parser.add_argument("--only", choices=("uncertainty", "sobol", "baseline"))
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()

    fw, table = framework(), agencies(args.units)
    parsed, _ = parse_answers(answers(fw, table.index), fw)
    out = {"units": args.units, "indicators": len(fw.indicator_ids)}
    if args.only in (None, "uncertainty"):
        out |= uncertainty(fw, table, parsed, args.runs, args.seed)
    if args.only in (None, "sobol"):
        out |= sobol(fw, parsed, args.sobol_n, args.seed)
    if args.only in (None, "baseline"):
        out |= baseline(fw, table, parsed, args.baseline_reps, args.runs, args.seed)
    if "uncertainty_s" in out and "baseline_estimated_s" in out:
        out["speedup_vs_per_replication"] = out["baseline_estimated_s"] / out["uncertainty_s"]
        out["speedup_vs_per_replication_cpu"] = out["baseline_estimated_cpu_s"] / out["uncertainty_cpu_s"]
    for key, value in out.items():
        mark = ""
        if key in TARGETS:
            mark = "  (target < {:g}: {})".format(TARGETS[key], "met" if value < TARGETS[key] else "MISSED")
        print(f"{key:32} {value:.3f}{mark}" if isinstance(value, float) else f"{key:32} {value}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
