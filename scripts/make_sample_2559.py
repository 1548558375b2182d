#!/usr/bin/env python3
"""Generate the illustrative answers of the B.E. 2559 sample round (the trend sample).

No agency-level figures of the B.E. 2559 survey are published here (see
../shared/reference/README.md): every answer is invented, deterministically (fixed seed),
from the agency's B.E. 2560 answers moved back by an agency-level step, so that the
trend shows plausible gains and a few falls. The 2560 data are not touched, so its
published figures stay exact. Writes readiness_xl/data/be2559/answers.csv; run it only to
change the sample, then rebuild the workbooks (`make workbooks`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from readiness_xl.core.answers import parse_answers
from readiness_xl.core.results import compute_results
from readiness_xl.core.scoring import indicator_shares
from readiness_xl.sample.rounds import BE2559
from readiness_xl.sample.source_data import load_agencies, load_answers, load_framework

SEED = 2559
STEP_MEAN, STEP_SD = 0.07, 0.08   # the share of each indicator an agency gained by 2560
NOISE_SD = 0.12


def main() -> None:
    fw60, fw59 = load_framework(), load_framework(BE2559)
    agencies59 = load_agencies(BE2559 / "agencies.csv")
    mapping = pd.read_csv(BE2559 / "mapping.csv", dtype=str)
    later = dict(zip(mapping["round_id"], mapping["trend_id"]))
    shares60, _ = parse_answers(load_answers().reindex(load_agencies().index), fw60)
    shares60 = pd.DataFrame(indicator_shares(fw60, shares60.to_numpy()), index=shares60.index,
                            columns=shares60.columns)
    rng = np.random.default_rng(SEED)
    ids = agencies59.index
    base = shares60.reindex([later.get(i, i) for i in ids]).set_axis(ids)
    # an agency not surveyed in 2560 starts from the 2560 national mean of each indicator
    base = base.fillna(shares60.mean())
    base = base.reindex(columns=fw59.indicator_ids)
    base = base.fillna(pd.Series(rng.uniform(0.3, 0.7, len(fw59.indicator_ids)), index=fw59.indicator_ids))
    step = rng.normal(STEP_MEAN, STEP_SD, (len(ids), 1))
    shares = np.clip(base.to_numpy() - step + rng.normal(0, NOISE_SD, base.shape), 0, 1)
    rows = []
    for i, agency in enumerate(ids):
        for j, (ind, spec) in enumerate(fw59.indicators.iterrows()):
            share = shares[i, j]
            if spec["type"] == "yesno":
                answer = "ใช่" if rng.uniform() < share else "ไม่ใช่"
            elif spec["type"] == "scale":
                answer = int(round(share * spec["max"]))
            else:
                answer = round(share * 100, 1)
            rows.append((agency, ind, answer))
    long = pd.DataFrame(rows, columns=["agency", "indicator", "answer"])
    long.to_csv(BE2559 / "answers.csv", index=False)

    wide = long.pivot(index="agency", columns="indicator", values="answer").astype(object)
    parsed, bad = parse_answers(wide, fw59)
    assert not bad, bad
    results = compute_results(fw59, agencies59, parsed)
    print(results.national[[*fw59.dimension_ids, "overall"]].astype(float).round(1).to_dict())
    print("wrote", BE2559 / "answers.csv")


if __name__ == "__main__":
    main()
