"""A paragraph per unit in the register of the survey article: how it scored, its level,
how it compares with the nation (and an agency with its ministry), and which dimensions
hold it back. Every number comes from Results; the wording lives only in PHRASES, so
changing the register means editing one table."""

from __future__ import annotations

import math

import pandas as pd

from .benchmarks import WEAK_THRESHOLD, level_labels, weak_dimensions
from .errors import Problem, ReadinessError
from .framework import Framework
from .results import Results
from .thai import thai_digits

LOWEST_SHOWN = 2  # how many lowest dimensions to name when none is below the threshold
UNIT_TYPES = ("national", "ministry", "agency")

# Placeholders: {name} {overall} {level} {benchmark} {value} {gap} {threshold} {count}
# {list} {id} {other} (the dimension's name in the other language).
PHRASES: dict[str, dict[str, str]] = {
    "th": {
        "national_name": "ประเทศไทย",
        "no_score": "{name} ยังไม่มีผลการสำรวจ",
        "score": "{name} ได้ผลการสำรวจที่ผ่านเกณฑ์ระดับ {overall}% ซึ่งอยู่ในระดับ{level}",
        "above": "สูงกว่าค่าเฉลี่ย{benchmark} ({value}%) {gap} คะแนน",
        "below": "ต่ำกว่าค่าเฉลี่ย{benchmark} ({value}%) {gap} คะแนน",
        "equal": "เท่ากับค่าเฉลี่ย{benchmark} ({value}%)",
        "national_benchmark": "ประเทศไทย",
        "ministry_benchmark": "ของ{name}",
        "weak": "โดยมีมิติที่ต่ำกว่า {threshold}% จำนวน {count} มิติ คือ {list}",
        "lowest": "ไม่มีมิติใดต่ำกว่า {threshold}% โดย {count} มิติที่มีผลต่ำสุดคือ {list}",
        "dimension": "มิติที่ {id} {name} ({other}) {value}%",
        "clause_sep": " ", "and": " และ", "sentence_sep": " ", "end": "",
    },
    "en": {
        "national_name": "Thailand",
        "no_score": "{name} has no survey result yet.",
        "score": "{name} met {overall}% of the criteria, rated “{level}”",
        "above": "{gap} points above the {benchmark} average ({value}%)",
        "below": "{gap} points below the {benchmark} average ({value}%)",
        "equal": "level with the {benchmark} average ({value}%)",
        "national_benchmark": "national",
        "ministry_benchmark": "{name}",
        "weak": "Dimensions below {threshold}% ({count}): {list}",
        "lowest": "No dimension is below {threshold}%; the {count} lowest are {list}",
        "dimension": "dimension {id} {name} at {value}%",
        "clause_sep": ", ", "and": " and ", "sentence_sep": ". ", "end": ".",
    },
}


def _pct(value: float) -> str:
    return f"{value:.1f}"


def _and(items: list[str], p: dict[str, str]) -> str:
    """'A และB' / 'A and B'; 'A B และC' / 'A, B and C'."""
    if len(items) < 2:
        return "".join(items)
    return p["clause_sep"].join(items[:-1]) + p["and"] + items[-1]


def _comparison(overall: float, benchmark: float, benchmark_name: str, p: dict[str, str]) -> str:
    gap = round(overall - benchmark, 1)
    key = "above" if gap > 0 else "below" if gap < 0 else "equal"
    return p[key].format(benchmark=benchmark_name, value=_pct(benchmark), gap=_pct(abs(gap)))


def held_back_by(framework: Framework, dimensions: pd.Series) -> tuple[pd.Series, bool]:
    """The dimensions the narrative names, in framework order, and whether they are the
    ones below the threshold (True) or, none being below, simply the lowest (False)."""
    scored = dimensions.reindex(framework.dimension_ids).astype(float).dropna()
    weak = weak_dimensions(scored, WEAK_THRESHOLD)
    below = not weak.empty
    chosen = weak if below else scored.sort_values(kind="stable").head(LOWEST_SHOWN)
    return scored[scored.index.isin(chosen.index)], below


def describe(framework: Framework, name_th: str, name_en: str, dimensions: pd.Series,
             overall: float, national_overall: float | None = None, lang: str = "th",
             ministry: tuple[str, str, float] | None = None) -> str:
    """The narrative of one unit. `dimensions` is indexed by dimension id (%);
    `ministry` = (Thai name, English name, overall) adds the comparison with it."""
    if lang not in PHRASES:
        raise ReadinessError(Problem(f"language '{lang}' is not one of {', '.join(PHRASES)}"))
    p = PHRASES[lang]
    name = name_th if lang == "th" else name_en
    if overall is None or math.isnan(overall):
        return p["no_score"].format(name=name)
    level = level_labels(pd.Series([overall]), framework.bands).iloc[0][f"level_{lang}"]
    comparisons = []
    if national_overall is not None and not math.isnan(national_overall):
        comparisons.append(_comparison(overall, national_overall, p["national_benchmark"], p))
    if ministry is not None and not math.isnan(ministry[2]):
        ministry_name = p["ministry_benchmark"].format(name=ministry[0 if lang == "th" else 1])
        comparisons.append(_comparison(overall, ministry[2], ministry_name, p))
    head = p["score"].format(name=name, overall=_pct(overall), level=level)
    sentences = [p["clause_sep"].join([head] + ([_and(comparisons, p)] if comparisons else []))]
    named, below = held_back_by(framework, dimensions)
    if not named.empty:
        other = "en" if lang == "th" else "th"
        items = [p["dimension"].format(id=thai_digits(d) if lang == "th" else d,
                                       name=framework.dimension_label(d, lang),
                                       other=framework.dimension_label(d, other), value=_pct(v))
                 for d, v in named.items()]
        count = thai_digits(len(items)) if lang == "th" else len(items)
        sentences.append(p["weak" if below else "lowest"].format(
            threshold=f"{WEAK_THRESHOLD:g}", count=count, list=_and(items, p)))
    return p["sentence_sep"].join(sentences) + p["end"]


def narrative_for(results: Results, unit_type: str, key: object = None, lang: str = "th") -> str:
    """The narrative of the nation, a ministry (key = its Thai name) or an agency (key =
    its id; compared with the nation and with its ministry)."""
    national = float(results.national["overall"])
    dims = results.dimension_ids
    if unit_type == "national":
        return describe(results.framework, PHRASES["th"]["national_name"],
                        PHRASES["en"]["national_name"], results.national[dims],
                        national, None, lang)
    if unit_type == "ministry":
        row = _row(results.ministries, key, "ministry")
        return describe(results.framework, str(key), row["name_en"], row[dims],
                        float(row["overall"]), national, lang)
    if unit_type == "agency":
        row = _row(results.agencies, key, "agency")
        ministry = results.ministries.loc[row["ministry_th"]]
        return describe(results.framework, row["name_th"], row["name_en"], row[dims],
                        float(row["overall"]), national, lang,
                        (row["ministry_th"], row["ministry_en"], float(ministry["overall"])))
    raise ReadinessError(Problem(f"unit type '{unit_type}' is not one of {', '.join(UNIT_TYPES)}"))


def _row(table: pd.DataFrame, key: object, what: str) -> pd.Series:
    if key not in table.index:
        raise ReadinessError(Problem(f"no {what} '{key}' in the results"))
    return table.loc[key]
