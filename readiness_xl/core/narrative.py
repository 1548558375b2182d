"""A paragraph per unit in the register of the survey article: how it scored, its level,
how it compares with the nation (and an agency with its ministry), and which dimensions
hold it back. Every number comes from Results; the wording lives only in PHRASES, so
changing the register means editing one table. The all-units row's name and the word
for its average come from the framework's settings (Thailand for the B.E. 2560 survey)."""

from __future__ import annotations

import math
from itertools import repeat
from string import Formatter

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
        "score_no_level": "{name} ได้ผลการสำรวจที่ผ่านเกณฑ์ระดับ {overall}%",
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
        "score_no_level": "{name} met {overall}% of the criteria",
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


def percent_text(value: float, sign: str = "") -> str:
    """A percentage or points as every text of ours writes them: one decimal, `sign` "+"
    for a change (+6.4), empty for no score (NaN)."""
    return "" if value != value else f"{value:{sign}.1f}"


def percent_texts(values, sign: str = "") -> list[str]:
    """percent_text of many values, formatted once per distinct value (scores repeat);
    distinct by bit pattern, so that -0.0 keeps its sign."""
    values = np.ascontiguousarray(values, dtype=float).reshape(-1)
    bits, where = np.unique(values.view(np.int64), return_inverse=True)
    texts = [percent_text(v, sign) for v in bits.view(float).tolist()]
    return np.array(texts, dtype=object)[where.reshape(-1)].tolist()


def _fill(template: str, units: int, **fields) -> np.ndarray:
    """template.format(**fields) for many units at once: a field is one text per unit or
    one text for all. The template's literal pieces and the fields are joined column by
    column, with no format call per unit."""
    pieces = []
    for literal, field, spec, conversion in Formatter().parse(template):
        if spec or conversion:  # the phrases are ours (PHRASES): a slip in the code, not input
            raise AssertionError(f"phrase {template!r}: fields take no format spec here")
        if literal:
            pieces.append(repeat(literal, units))
        if field is not None:
            value = fields[field]
            pieces.append(repeat(value, units) if isinstance(value, str) else value)
    return np.array(list(map("".join, zip(*pieces))) if pieces else [""] * units, dtype=object)


def _and_columns(columns: list[np.ndarray], present: list[np.ndarray], p: dict[str, str],
                 units: int) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's items joined as a list is written ('A และB' / 'A and B'; 'A B และC' /
    'A, B and C'), for all units at once: the items are columns (in order) and `present`
    says which of them a unit has. Returns the lists and how many items each unit has."""
    done = np.full(units, "", dtype=object)   # every item before the last, joined
    last = np.full(units, "", dtype=object)
    count = np.zeros(units, dtype=int)
    for column, has in zip(columns, present):
        more = has & (count >= 2)                # the last item so far moves into done
        done[more] = done[more] + p["clause_sep"] + last[more]
        second = has & (count == 1)
        done[second] = last[second]
        last[has] = column[has]
        count += has
    joined = count >= 2
    last[joined] = done[joined] + p["and"] + last[joined]
    return last, count


def _comparisons(p: dict[str, str], overall: np.ndarray, names: list[str],
                 benchmarks: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """The comparison clause of every unit with its benchmark, and where there is one
    (neither the unit's score nor the benchmark is NaN)."""
    benchmarks = np.asarray(benchmarks, float)
    has = ~np.isnan(overall) & ~np.isnan(benchmarks)
    gap = np.array(list(map(round, (overall - benchmarks).tolist(), repeat(1, len(overall)))), dtype=float)
    names = np.array(list(map(str, names)), dtype=object)
    clause = np.full(len(overall), "", dtype=object)
    for key, rows in (("above", has & (gap > 0)), ("below", has & (gap < 0)), ("equal", has & (gap == 0))):
        clause[rows] = _fill(p[key], int(rows.sum()), benchmark=names[rows],
                             value=percent_texts(benchmarks[rows]),
                             gap=percent_texts(np.abs(gap[rows])))
    return clause, has


def phrases(lang: str) -> dict[str, str]:
    """The phrase book of `lang` (th or en); ReadinessError for any other language."""
    if lang not in PHRASES:
        raise ReadinessError(Problem(f"language '{lang}' is not one of {', '.join(PHRASES)}"))
    return PHRASES[lang]


def dimension_labels(framework: Framework) -> dict[str, list[str]]:
    """Each language's dimension names, in framework order (what the paragraphs name)."""
    return {lang: [str(v) for v in framework.dimensions[f"name_{lang}"]] for lang in PHRASES}


def national_benchmark(framework: Framework, lang: str, overall: float,
                       units: int) -> tuple[list[str], list[float]]:
    """The comparison with the all-units average (named by the framework), for `units` units."""
    return [framework.settings.benchmark(lang)] * units, [float(overall)] * units


def ministry_benchmark(lang: str, names_th: list[str], names_en: list[str],
                       overall: list[float]) -> tuple[list[str], list[float]]:
    """The comparison of each unit with its ministry (its names and overall score)."""
    p = phrases(lang)
    phrase = {name: p["ministry_benchmark"].format(name=name)
              for name in set(names_th if lang == "th" else names_en)}
    return [phrase[n] for n in (names_th if lang == "th" else names_en)], [float(v) for v in overall]


def compose(lang: str, names: list[str], overall: list[float], levels: list[str],
            dimensions: pd.DataFrame, labels: dict[str, list[str]],
            benchmarks: list[tuple[list[str], list[float]]] = ()) -> list[str]:
    """The paragraphs of many units at once, from their facts (all computed by the
    scoring core): names, overall scores and levels in `lang`, dimension scores (units x
    dimension ids, framework order), the dimensions' names in both languages, and the
    benchmarks to compare with, each (benchmark name, benchmark score) per unit. Built
    clause by clause over all units (column-wise joins), not paragraph by paragraph."""
    p = phrases(lang)
    other = "en" if lang == "th" else "th"
    names, units = list(map(str, names)), len(names)   # str(): what format() writes of any name
    overall = np.asarray(overall, float).reshape(units)
    ids = [str(d) for d in dimensions.columns]
    mask, below = held_back(dimensions, WEAK_THRESHOLD, LOWEST_SHOWN)
    values = dimensions.to_numpy(float)
    number = thai_digits if lang == "th" else str

    levels = list(map(str, levels))
    head = _fill(p["score"], units, name=names, overall=percent_texts(overall), level=levels)
    unlevelled = np.flatnonzero(np.asarray([not level for level in levels], bool))
    if len(unlevelled):   # a framework without bands: no level to name
        head = np.asarray(head, dtype=object)
        head[unlevelled] = _fill(p["score_no_level"], len(unlevelled),
                                 name=[names[i] for i in unlevelled],
                                 overall=percent_texts(overall[unlevelled]))
    clauses = [_comparisons(p, overall, *benchmark) for benchmark in benchmarks]
    compared, many = _and_columns([c for c, _ in clauses], [has for _, has in clauses], p, units)

    items = []
    for k, dimension in enumerate(ids):
        column, rows = np.full(units, "", dtype=object), np.flatnonzero(mask[:, k])
        column[rows] = _fill(p["dimension"], len(rows), id=number(dimension), name=labels[lang][k],
                             other=labels[other][k],
                             value=percent_texts(values[rows, k]))
        items.append(column)
    listed, count = _and_columns(items, [mask[:, k] for k in range(len(ids))], p, units)
    counts = np.array([number(c) for c in range(len(ids) + 1)], dtype=object)[count]
    second = np.full(units, "", dtype=object)
    for key, rows in (("weak", (count > 0) & below), ("lowest", (count > 0) & ~below)):
        second[rows] = _fill(p[key], int(rows.sum()), threshold=f"{WEAK_THRESHOLD:g}",
                             count=counts[rows], list=listed[rows])
    texts = np.array(list(map("".join, zip(
        head, np.where(many > 0, p["clause_sep"], ""), compared,
        np.where(count > 0, p["sentence_sep"], ""), second, repeat(p["end"], units)))), dtype=object)
    unscored = np.isnan(overall)
    texts[unscored] = _fill(p["no_score"], int(unscored.sum()), name=np.array(names, dtype=object)[unscored])
    return texts.tolist()


def describe(framework: Framework, name_th: str, name_en: str, dimensions: pd.Series,
             overall: float, national_overall: float | None = None, lang: str = "th",
             ministry: tuple[str, str, float] | None = None) -> str:
    """The narrative of one unit. `dimensions` is indexed by dimension id (%);
    `ministry` = (Thai name, English name, overall) adds the comparison with it."""
    phrases(lang)
    overall = math.nan if overall is None else float(overall)
    level = level_labels(pd.Series([overall]), framework.bands).iloc[0][f"level_{lang}"]
    row = dimensions.reindex(framework.dimension_ids).astype(float).to_frame().T
    benchmarks = []
    if national_overall is not None:
        benchmarks.append(national_benchmark(framework, lang, national_overall, 1))
    if ministry is not None:
        benchmarks.append(ministry_benchmark(lang, [ministry[0]], [ministry[1]], [ministry[2]]))
    return compose(lang, [name_th if lang == "th" else name_en], [overall], [level], row,
                   dimension_labels(framework), benchmarks)[0]


def agency_narratives(results: Results, lang: str = "th") -> pd.Series:
    """Every agency's narrative at once (the Summary's Narrative column), compared with
    the nation and with its ministry."""
    phrases(lang)
    table = results.agencies
    ministry = results.ministries["overall"].reindex(table["ministry_th"]).to_numpy(float)
    texts = compose(lang, table[f"name_{lang}"].tolist(), table["overall"].to_numpy(float).tolist(),
                    table[f"level_{lang}"].tolist(),
                    table[results.dimension_ids], dimension_labels(results.framework),
                    [national_benchmark(results.framework, lang, results.national["overall"], len(table)),
                     ministry_benchmark(lang, table["ministry_th"].tolist(),
                                        table["ministry_en"].tolist(), ministry.tolist())])
    return pd.Series(texts, index=table.index, dtype=object)


def ministry_narratives(results: Results, lang: str = "th") -> pd.Series:
    """Every ministry's narrative at once, compared with the nation."""
    phrases(lang)
    table = results.ministries
    names = table.index.tolist() if lang == "th" else table["name_en"].tolist()
    texts = compose(lang, [str(n) for n in names], table["overall"].to_numpy(float).tolist(),
                    table[f"level_{lang}"].tolist(), table[results.dimension_ids],
                    dimension_labels(results.framework),
                    [national_benchmark(results.framework, lang, results.national["overall"], len(table))])
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
