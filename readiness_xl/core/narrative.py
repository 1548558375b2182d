"""A paragraph per unit in the register of the survey article: how it scored, its level,
how it compares with the nation (and an agency with its ministry), and which dimensions
hold it back. Every number comes from Results; the wording lives only in PHRASES, so
changing the register means editing one table. The all-units row's name and the word
for its average come from the framework's settings (Thailand for the B.E. 2560 survey)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from readiness_xl.core.benchmarks import WEAK_THRESHOLD, held_back, level_labels
from readiness_xl.core.framework import Framework
from readiness_xl.core.results import Results
from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.thai import thai_digits

LOWEST_SHOWN = 2  # how many lowest dimensions to name when none is below the threshold
UNIT_TYPES = ("national", "ministry", "agency")

# Placeholders: {name} {overall} {level} {benchmark} {value} {gap} {threshold} {count}
# {list} {id} {other} (the dimension's name in the other language).
PHRASES: dict[str, dict[str, str]] = {
    "th": {
        "no_score": "{name} ยังไม่มีผลการสำรวจ",
        "score": "{name} ได้ผลการสำรวจที่ผ่านเกณฑ์ระดับ {overall}% ซึ่งอยู่ในระดับ{level}",
        "above": "สูงกว่าค่าเฉลี่ย{benchmark} ({value}%) {gap} คะแนน",
        "below": "ต่ำกว่าค่าเฉลี่ย{benchmark} ({value}%) {gap} คะแนน",
        "equal": "เท่ากับค่าเฉลี่ย{benchmark} ({value}%)",
        "ministry_benchmark": "ของ{name}",
        "weak": "โดยมีมิติที่ต่ำกว่า {threshold}% จำนวน {count} มิติ คือ {list}",
        "lowest": "ไม่มีมิติใดต่ำกว่า {threshold}% โดย {count} มิติที่มีผลต่ำสุดคือ {list}",
        "dimension": "มิติที่ {id} {name} ({other}) {value}%",
        "clause_sep": " ", "and": " และ", "sentence_sep": " ", "end": "",
    },
    "en": {
        "no_score": "{name} has no survey result yet.",
        "score": "{name} met {overall}% of the criteria, rated “{level}”",
        "above": "{gap} points above the {benchmark} average ({value}%)",
        "below": "{gap} points below the {benchmark} average ({value}%)",
        "equal": "level with the {benchmark} average ({value}%)",
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


def _compose(framework: Framework, lang: str, name: str, overall: float, level: str,
             comparisons: list[str], named: list[tuple[str, float]], below: bool) -> str:
    """The paragraph from its facts (all computed by the scoring core)."""
    p = PHRASES[lang]
    head = p["score"].format(name=name, overall=_pct(overall), level=level)
    sentences = [p["clause_sep"].join([head] + ([_and(comparisons, p)] if comparisons else []))]
    if named:
        other = "en" if lang == "th" else "th"
        items = [p["dimension"].format(id=thai_digits(d) if lang == "th" else d,
                                       name=framework.dimension_label(d, lang),
                                       other=framework.dimension_label(d, other), value=_pct(v))
                 for d, v in named]
        count = thai_digits(len(items)) if lang == "th" else len(items)
        sentences.append(p["weak" if below else "lowest"].format(
            threshold=f"{WEAK_THRESHOLD:g}", count=count, list=_and(items, p)))
    return p["sentence_sep"].join(sentences) + p["end"]


def _phrases(lang: str, framework: Framework) -> dict[str, str]:
    """The wording of a language, with the framework's name for its all-units average."""
    if lang not in PHRASES:
        raise ReadinessError(Problem(f"language '{lang}' is not one of {', '.join(PHRASES)}"))
    return {**PHRASES[lang], "national_benchmark": framework.settings.benchmark(lang)}


def _comparisons(p: dict[str, str], lang: str, overall: float, national: float | None,
                 ministry: tuple[str, str, float] | None) -> list[str]:
    out = []
    if national is not None and not math.isnan(national):
        out.append(_comparison(overall, national, p["national_benchmark"], p))
    if ministry is not None and not math.isnan(ministry[2]):
        name = p["ministry_benchmark"].format(name=ministry[0 if lang == "th" else 1])
        out.append(_comparison(overall, ministry[2], name, p))
    return out


def _named(ids: list[str], values: np.ndarray, mask: np.ndarray) -> list[tuple[str, float]]:
    """The named dimensions of one unit, in framework order."""
    return [(d, float(v)) for d, v, m in zip(ids, values, mask) if m]


def describe(framework: Framework, name_th: str, name_en: str, dimensions: pd.Series,
             overall: float, national_overall: float | None = None, lang: str = "th",
             ministry: tuple[str, str, float] | None = None) -> str:
    """The narrative of one unit. `dimensions` is indexed by dimension id (%);
    `ministry` = (Thai name, English name, overall) adds the comparison with it."""
    p = _phrases(lang, framework)
    name = name_th if lang == "th" else name_en
    if overall is None or math.isnan(overall):
        return p["no_score"].format(name=name)
    level = level_labels(pd.Series([overall]), framework.bands).iloc[0][f"level_{lang}"]
    row = dimensions.reindex(framework.dimension_ids).astype(float).to_frame().T
    mask, below = held_back(row, WEAK_THRESHOLD, LOWEST_SHOWN)
    return _compose(framework, lang, name, overall, level,
                    _comparisons(p, lang, overall, national_overall, ministry),
                    _named(framework.dimension_ids, row.to_numpy()[0], mask[0]), bool(below[0]))


def agency_narratives(results: Results, lang: str = "th") -> pd.Series:
    """Every agency's narrative at once (the Summary's Narrative column): the facts come
    from Results as whole columns, only the wording is done row by row."""
    p = _phrases(lang, results.framework)
    ids = results.dimension_ids
    table = results.agencies
    mask, below = held_back(table[ids], WEAK_THRESHOLD, LOWEST_SHOWN)
    values = table[ids].to_numpy(float)
    national = float(results.national["overall"])
    ministry_overall = results.ministries["overall"].reindex(table["ministry_th"]).to_numpy(float)
    texts = []
    for i, row in enumerate(table[["name_th", "name_en", "ministry_th", "ministry_en", "overall",
                                   f"level_{lang}"]].itertuples(index=False)):
        name = row[0] if lang == "th" else row[1]
        overall = float(row[4])
        if math.isnan(overall):
            texts.append(p["no_score"].format(name=name))
            continue
        comparisons = _comparisons(p, lang, overall, national, (row[2], row[3], ministry_overall[i]))
        texts.append(_compose(results.framework, lang, name, overall, row[5], comparisons,
                              _named(ids, values[i], mask[i]), bool(below[i])))
    return pd.Series(texts, index=table.index, dtype=object)


def narrative_for(results: Results, unit_type: str, key: object = None, lang: str = "th") -> str:
    """The narrative of the nation, a ministry (key = its Thai name) or an agency (key =
    its id; compared with the nation and with its ministry)."""
    national = float(results.national["overall"])
    dims = results.dimension_ids
    if unit_type == "national":
        settings = results.framework.settings
        return describe(results.framework, settings.all_units_th, settings.all_units_en,
                        results.national[dims],
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
