#!/usr/bin/env python3
"""Generate the illustrative indicator answers of the B.E. 2560 sample.

The survey article publishes only nine aggregate figures (see
readiness_xl/data/be2560/published.csv); it publishes no agency-level answers. This
script invents plausible answers for the 31 sample agencies, deterministically (fixed
seed), calibrated so that the real scoring core reproduces those nine figures to one
decimal. It writes readiness_xl/data/be2560/answers.csv; run it only to change the
sample, then rebuild the workbooks (`make workbooks`).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from readiness_xl.core.answers import parse_answers
from readiness_xl.core.results import compute_results
from readiness_xl.sample.source_data import BE2560, load_agencies, load_framework

SEED = 2560
DIP = "D01"
INDUSTRY = "กระทรวงอุตสาหกรรม"
NATIONAL = {"overall": 57.8, "4": 49.3, "6": 47.0}
MINISTRY = {"overall": 54.4, "4": 41.4, "6": 49.0}
MINISTRY_D5 = 53.0  # illustrative: keeps the ministry's dimension 5 above 50, as the article implies
DIP_PROFILE = {"1": 70.0, "2": 66.5, "3": 68.4, "4": 61.3, "5": 60.0, "6": 65.0}  # overall 66.2
BASELINE = {"1": 63.0, "2": 58.0, "3": 60.0, "4": 50.0, "5": 55.0, "6": 47.0}


def shift_to_mean(t: pd.DataFrame, rows, fixed_rows, cols, weights, target: float) -> None:
    """Shift t[rows, cols] by one constant so the weighted mean over rows+fixed is target."""
    for _ in range(50):
        everyone = list(rows) + list(fixed_rows)
        current = (t.loc[everyone, cols] @ weights).mean()
        gap = (target - current) * len(everyone) / len(rows) / weights.sum()
        if abs(gap) < 1e-12:
            return
        t.loc[rows, cols] = (t.loc[rows, cols] + gap).clip(12.0, 92.0)


def targets(framework, agencies) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    dims = framework.dimension_ids
    ministry_offset = {m: rng.normal(0, 4) for m in agencies["ministry_th"].unique()}
    t = pd.DataFrame(index=agencies.index, columns=dims, dtype=float)
    for a, row in agencies.iterrows():
        level = ministry_offset[row["ministry_th"]] + rng.normal(0, 5)
        t.loc[a] = [BASELINE[d] + level + rng.normal(0, 6) for d in dims]
    t = t.clip(12.0, 92.0)
    t.loc[DIP] = [DIP_PROFILE[d] for d in dims]

    w = pd.Series(framework.weights, index=dims)
    industry = [a for a in agencies.index[agencies["ministry_th"] == INDUSTRY] if a != DIP]
    others = list(agencies.index[agencies["ministry_th"] != INDUSTRY])
    free = [d for d in dims if d not in ("4", "6")]
    one = pd.Series([1.0])
    for _ in range(20):
        for d in ("4", "6"):
            shift_to_mean(t, industry, [DIP], [d], one.values, MINISTRY[d])
        shift_to_mean(t, industry, [DIP], ["5"], one.values, MINISTRY_D5)
        for d in ("4", "6"):
            shift_to_mean(t, others, industry + [DIP], [d], one.values, NATIONAL[d])
        # only the free dimensions move to reach the overall figure
        shift_to_mean_free(t, industry, [DIP], ["1", "2", "3"], dims, w, MINISTRY["overall"])
        shift_to_mean_free(t, others, industry + [DIP], free, dims, w, NATIONAL["overall"])
    return t


def shift_to_mean_free(t, rows, fixed, free, dims, w, goal) -> None:
    """Move the free dimensions of `rows` so the mean overall of rows+fixed is `goal`."""
    for _ in range(50):
        everyone = list(rows) + list(fixed)
        current = (t.loc[everyone, dims] @ w.values).mean() / w.sum()
        gap = (goal - current) * w.sum() / w[free].sum() * len(everyone) / len(rows)
        if abs(gap) < 1e-12:
            return
        t.loc[rows, free] = (t.loc[rows, free] + gap).clip(12.0, 92.0)


def realise(framework, target: float, dim: str, rng) -> dict[str, object]:
    """Answers for one dimension whose score is `target` (the percent indicator absorbs
    the remainder, to 0.1 of a percent)."""
    inds = framework.indicators[framework.indicators["dimension"] == dim]
    pct = inds.index[inds["type"] == "percent"][0]
    discrete = inds.drop(index=pct)
    levels = [range(2) if r["type"] == "yesno" else range(int(r["max"]) + 1)
              for _, r in discrete.iterrows()]
    total = inds["points"].sum() * target / 100.0
    best, best_cost = None, np.inf
    for combo in itertools.product(*levels):
        shares = np.array(combo, float) / np.where(discrete["type"] == "yesno", 1.0, discrete["max"])
        rest = (total - shares @ discrete["points"].to_numpy()) / inds.at[pct, "points"]
        if not 0.0 <= rest <= 1.0:
            continue
        cost = ((shares - target / 100.0) ** 2).sum() + (rest - target / 100.0) ** 2 + rng.uniform(0, 0.05)
        if cost < best_cost:
            best, best_cost = (combo, rest), cost
    combo, rest = best
    answers = {}
    for (ind, spec), value in zip(discrete.iterrows(), combo):
        answers[ind] = ("ใช่" if value else "ไม่ใช่") if spec["type"] == "yesno" else value
    answers[pct] = round(rest * 100.0, 1)
    return answers


def main() -> None:
    framework = load_framework()
    agencies = load_agencies()
    t = targets(framework, agencies)
    rng = np.random.default_rng(SEED + 1)
    rows = []
    for a in agencies.index:
        answers = {}
        for d in framework.dimension_ids:
            answers.update(realise(framework, t.at[a, d], d, rng))
        rows += [(a, i, answers[i]) for i in framework.indicator_ids]
    long = pd.DataFrame(rows, columns=["agency", "indicator", "answer"])
    out = Path(BE2560) / "answers.csv"
    long.to_csv(out, index=False)

    wide = long.pivot(index="agency", columns="indicator", values="answer").astype(object)
    parsed, bad = parse_answers(wide, framework)
    assert not bad, bad
    results = compute_results(framework, agencies, parsed)
    scores = framework.dimension_ids + ["overall"]
    print(results.national[scores].astype(float).round(2).to_dict())
    print(results.ministries.loc[INDUSTRY, scores].astype(float).round(2).to_dict())
    print(results.agencies.loc[DIP, scores].astype(float).round(2).to_dict())
    print("wrote", out)


if __name__ == "__main__":
    main()
