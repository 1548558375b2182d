"""Synthetic benchmark workbooks: a 60-indicator framework (6 dimensions x 10) and any
number of agencies, with answers typed as people type them (Thai yes/no words, numbers,
a few blanks). Built with the product's own builders, so they follow the contract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from readiness_xl.builder.template import build_workbook, save_workbook
from readiness_xl.core.framework import Framework, build_framework
from readiness_xl.builder.responses_sheet import save_long_workbook

DIMENSIONS, PER_DIMENSION = 6, 10
WEIGHTS = (20, 20, 30, 10, 10, 10)
TYPES = ("yesno", "scale", "percent")
MINISTRIES = 20


def framework() -> Framework:
    dims = pd.DataFrame({"id": [str(d) for d in range(1, DIMENSIONS + 1)],
                         "name_th": [f"มิติที่ {d}" for d in range(1, DIMENSIONS + 1)],
                         "name_en": [f"Dimension {d}" for d in range(1, DIMENSIONS + 1)],
                         "weight": WEIGHTS})
    ids = [(d, k) for d in range(1, DIMENSIONS + 1) for k in range(1, PER_DIMENSION + 1)]
    kinds = [TYPES[k % 3] for _, k in ids]
    inds = pd.DataFrame({"id": [f"{d}.{k}" for d, k in ids], "dimension": [str(d) for d, _ in ids],
                         "question_th": [f"คำถาม {d}.{k}" for d, k in ids],
                         "question_en": [f"Question {d}.{k}" for d, k in ids],
                         "type": kinds, "max": [4 if t == "scale" else 100 if t == "percent" else 1
                                                for t in kinds],
                         "points": [1 + k % 2 for _, k in ids]})
    bands = pd.DataFrame({"lower": [0, 60, 65, 80], "label_th": ["ต่ำมาก", "ดี", "ดีมาก", "ดีเยี่ยม"],
                          "label_en": ["Very low", "Good", "Very good", "Excellent"]})
    return build_framework(dims, inds, bands, "bench 60")


def agencies(n: int) -> pd.DataFrame:
    m = np.arange(n) % MINISTRIES + 1
    return pd.DataFrame({"name_th": [f"หน่วยงานที่ {i}" for i in range(1, n + 1)],
                         "name_en": [f"Agency {i}" for i in range(1, n + 1)],
                         "kind": np.where(np.arange(n) % 3 == 0, "province", "department"),
                         "ministry_th": [f"กระทรวงที่ {k}" for k in m],
                         "ministry_en": [f"Ministry {k}" for k in m]},
                        index=pd.Index([f"A{i:05d}" for i in range(1, n + 1)], name="id"))


def answers(fw: Framework, ids: pd.Index, seed: int = 2560) -> pd.DataFrame:
    """Raw answers as typed: ใช่/ไม่ใช่ for yes/no, whole numbers for scales and
    percentages, about 2% left blank."""
    rng = np.random.default_rng(seed)
    shape = (len(ids), len(fw.indicator_ids))
    level = rng.random(shape)
    types = fw.indicators["type"].to_numpy()
    maxima = fw.indicators["max"].to_numpy(float)
    numbers = np.floor(level * (maxima + 1)).clip(max=maxima)
    raw = numbers.astype(object)
    yesno = np.broadcast_to(types == "yesno", shape)
    raw[yesno] = np.where(level[yesno] < 0.6, "ใช่", "ไม่ใช่")
    raw[rng.random(shape) < 0.02] = None
    return pd.DataFrame(raw, index=ids, columns=fw.indicator_ids)


def build(path: Path, n: int, layout: str) -> Path:
    """Write an `n`-agency workbook in the `sheets` or `long` layout (kept if present)."""
    if path.exists():
        return path
    fw, table = framework(), agencies(n)
    raw = answers(fw, table.index)
    if layout == "sheets":
        save_workbook(build_workbook(fw, table, raw), path)
    else:
        save_long_workbook(fw, table, raw, path)
    return path
