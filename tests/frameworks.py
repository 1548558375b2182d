"""Small frameworks for tests, built through the same validation as real workbooks."""

from __future__ import annotations

import pandas as pd

from readiness_xl.core.framework import Framework, build_framework, located


def tiny_framework(weights=(60, 40)) -> Framework:
    """Two dimensions, three indicators, checkable on paper:
    A (weight 60): a1 yes/no, a2 scale 0-4;  B (weight 40): b1 percent worth 2 points."""
    dims = located([{"id": "A", "name_th": "มิติ ก", "name_en": "Dim A", "weight": weights[0]},
                    {"id": "B", "name_th": "มิติ ข", "name_en": "Dim B", "weight": weights[1]}],
                   "Framework", {"id": "A", "name_th": "B", "name_en": "C", "weight": "D"}, 5)
    inds = located([
        {"id": "a1", "dimension": "A", "question_th": "", "question_en": "", "type": "yesno", "max": 1, "points": 1},
        {"id": "a2", "dimension": "A", "question_th": "", "question_en": "", "type": "scale", "max": 4, "points": 1},
        {"id": "b1", "dimension": "B", "question_th": "", "question_en": "", "type": "percent", "max": 100, "points": 2},
    ], "Framework", {"id": "A", "dimension": "B", "question_th": "C", "question_en": "D",
                     "type": "E", "max": "F", "points": "G"}, 20)
    bands = located([{"lower": 0, "label_th": "ต่ำมาก", "label_en": "Very low"},
                     {"lower": 60, "label_th": "ดี", "label_en": "Good"}],
                    "Framework", {"lower": "A", "label_th": "B", "label_en": "C"}, 10)
    return build_framework(dims, inds, bands, "test")


def answers(rows: dict[str, dict]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", dtype=object)
