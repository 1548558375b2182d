"""One recalculation's results: every agency scored, ranked and labelled, with the
ministry, kind and national benchmarks. The Summary sheet, `recalc --json`, the
ribbon macro and the report are all views of this one object."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from readiness_xl.core.benchmarks import benchmark_means, comparison_columns, level_labels
from readiness_xl.core.framework import Framework
from readiness_xl.core.preparation import Preparation
from readiness_xl.core.scoring import Scores, score

AGENCY_FIELDS = ("name_th", "name_en", "kind", "ministry_th", "ministry_en")


@dataclass(frozen=True)
class Results:
    framework: Framework
    agencies: pd.DataFrame   # index agency id; AGENCY_FIELDS + dimension ids + overall, level_th,
                             # level_en, rank, completeness, gap_national, below_threshold,
                             # improve_first (as every group below)
    ministries: pd.DataFrame  # index ministry_th; name_en + dimension ids + overall + agencies + levels
    kinds: pd.DataFrame       # index kind; dimension ids + overall + agencies + levels
    national: pd.Series       # dimension ids + overall + agencies + levels
    preparation: Preparation | None = None   # what data preparation did (None: nothing asked)
    indicator_ids: tuple[str, ...] = ()

    @property
    def dimension_ids(self) -> list[str]:
        return self.framework.dimension_ids


def compute_results(framework: Framework, agencies: pd.DataFrame, answers: pd.DataFrame,
                    missing: str | None = None) -> Results:
    """Score `answers` (agencies x indicators, parsed) for the agencies in `agencies`."""
    scores: Scores = score(framework, answers.reindex(agencies.index), missing, agencies)
    dims, overall = scores.dimensions, scores.overall
    table = agencies.loc[:, list(AGENCY_FIELDS)].copy()
    table[framework.dimension_ids] = dims
    table["overall"] = overall
    table[["level_th", "level_en"]] = level_labels(overall, framework.bands)
    table["rank"] = scores.rank   # the pipeline's rank step: RANK.EQ of the overall
    table["completeness"] = scores.completeness

    counts = agencies["ministry_th"].value_counts(sort=False)
    ministries = benchmark_means(dims, overall, agencies["ministry_th"])
    english = agencies.groupby("ministry_th", sort=False)["ministry_en"].first()
    ministries.insert(0, "name_en", english.reindex(ministries.index))
    ministries["agencies"] = counts.reindex(ministries.index)
    ministries.index.name = "ministry_th"

    kinds = benchmark_means(dims, overall, agencies["kind"])
    kinds["agencies"] = agencies["kind"].value_counts(sort=False).reindex(kinds.index)
    national = benchmark_means(dims, overall)
    national["agencies"] = len(agencies)
    for group in (ministries, kinds, national):
        group[["level_th", "level_en"]] = level_labels(group["overall"], framework.bands)
    weights = framework.dimensions["weight"].astype(float)
    national_overall = float(national["overall"].iloc[0])
    for group in (table, ministries, kinds, national):
        extra = comparison_columns(group[framework.dimension_ids], group["overall"], national_overall,
                                   weights)
        group[list(extra.columns)] = extra
    return Results(framework, table, ministries, kinds, national.iloc[0], scores.preparation,
                   tuple(framework.indicator_ids))


# Below this share of the answers asked for, a workbook's scores describe blank cells,
# not a survey: every view says so rather than show them as results.
MOSTLY_UNANSWERED = 50.0       # % of all answer cells of all agencies
NO_ANSWERS = ("ยังไม่มีคำตอบ", "no answers")


@dataclass(frozen=True)
class Answered:
    """How much of a workbook has been answered: `completeness` is the % of every answer
    cell of every agency that holds an answer; `agencies` those with at least one."""

    completeness: float
    agencies: int
    of: int

    @property
    def none(self) -> bool:
        return self.agencies == 0

    @property
    def too_few(self) -> bool:
        """Nothing answered, or less than MOSTLY_UNANSWERED % of it."""
        return self.none or self.completeness < MOSTLY_UNANSWERED

    def parts(self) -> tuple[tuple[str, str], tuple[str, str]] | None:
        """((Thai, English) headline, (Thai, English) what it means, with the
        completeness); None when enough has been answered. `sentences` joins them."""
        if not self.too_few:
            return None
        share = f"{self.completeness:.0f}%" if self.completeness >= 1 or self.none else "<1%"
        if self.none:
            return ((NO_ANSWERS[0], NO_ANSWERS[1].capitalize()),
                    (f"ตอบแล้ว {share} ของคำถามทั้งหมด คะแนนทั้งหมดเป็น 0 ไม่ใช่ผลการประเมิน",
                     f"{share} of the questions answered; every score is 0, not a result."))
        return ((f"ส่วนใหญ่{NO_ANSWERS[0]}", f"Mostly {NO_ANSWERS[1]}"),
                (f"ตอบแล้ว {share} ของคำถามทั้งหมด ({self.agencies} จาก {self.of} หน่วยงาน) "
                 "คะแนนยังไม่ใช่ผลการประเมิน",
                 f"{share} of the questions answered ({self.agencies} of {self.of} agencies); "
                 "the scores are not yet results."))

    def sentences(self) -> tuple[str, str] | None:
        """(Thai, English) saying the scores are not results, with the completeness; None
        when enough has been answered. The one wording of the Summary's national
        narrative, recalc's terminal lines and the report's notice."""
        parts = self.parts()
        return None if parts is None else tuple(f"{head}: {text}" for head, text in zip(*parts))


def answered(results: Results) -> Answered:
    """How much of the workbook behind `results` has been answered (see Answered)."""
    completeness = results.agencies["completeness"].astype(float)
    return Answered(float(completeness.mean()) if len(completeness) else 0.0,
                    int((completeness > 0).sum()), len(completeness))


def unanswered_levels(results: Results) -> Results:
    """`results` with the level of every agency that has no answer, and of every group
    whose agencies have none, reading NO_ANSWERS rather than the band of a score of 0."""
    from dataclasses import replace

    blank = results.agencies["completeness"].astype(float) <= 0
    if not blank.any():
        return results
    levels = ["level_th", "level_en"]
    agencies = results.agencies.copy()
    agencies.loc[blank, levels] = NO_ANSWERS
    ministries = results.ministries.copy()
    empty = blank.groupby(results.agencies["ministry_th"]).all()
    ministries.loc[empty.reindex(ministries.index, fill_value=False).to_numpy(bool), levels] = NO_ANSWERS
    kinds = results.kinds.copy()
    empty = blank.groupby(results.agencies["kind"]).all()
    kinds.loc[empty.reindex(kinds.index, fill_value=False).to_numpy(bool), levels] = NO_ANSWERS
    national = results.national.copy()
    if blank.all():
        national[levels] = NO_ANSWERS
    return replace(results, agencies=agencies, ministries=ministries, kinds=kinds, national=national)


def number_or_none(value: object) -> float | None:
    """A number for JSON and for cells: a float, None where it is NaN (null / an empty cell)."""
    value = float(value)
    return None if math.isnan(value) else value


def _dims(row: pd.Series, ids: list[str]) -> dict[str, float | None]:
    return {d: number_or_none(row[d]) for d in ids}


def preparation_json(results: Results) -> dict | None:
    """What data preparation did: units screened out (with coverage), every imputed,
    winsorised or log-transformed cell with its value before and after, and per indicator
    the skew and kurtosis before and after treatment. None when nothing was asked."""
    prep = results.preparation
    if prep is None:
        return None
    units = results.agencies.index
    changes = prep.changes(units)
    cells = {step: [{"id": u, "indicator": i, "before": number_or_none(b), "value": number_or_none(a)}
                    for u, i, b, a in changes.loc[changes["step"] == step,
                                                  ["unit", "indicator", "before", "after"]].itertuples(index=False)]
             for step in ("imputed", "winsorised", "log")}
    screened = prep.screened_units(units)
    return {
        "screened": [{"id": u, "coverage": float(c)} for u, c in screened.itertuples(index=False)],
        "imputed": cells["imputed"],
        "treated": cells["winsorised"] + cells["log"],
        "treated_indicators": prep.treated_indicators,
        "indicators": [{"id": n, "treatment": "log" if lg else "winsorised" if w else "none",
                        "skew_before": number_or_none(sb), "kurtosis_before": number_or_none(kb),
                        "skew_after": number_or_none(sa), "kurtosis_after": number_or_none(ka)}
                       for n, lg, w, sb, kb, sa, ka in zip(prep.names, prep.logged, prep.winsorised.any(axis=0),
                                                           prep.skew_before, prep.kurtosis_before,
                                                           prep.skew_after, prep.kurtosis_after)],
    }


def to_json_dict(results: Results) -> dict:
    """The documented `recalc --json` shape (percentages 0-100, unrounded, NaN as null),
    with `answered`: the completeness of the whole workbook and whether it is too little
    for the scores to be results (`no_answers`: nothing at all), and `preparation` when the
    framework asks for data preparation."""
    ids = results.dimension_ids
    prep = preparation_json(results)
    found = answered(results)
    return ({"preparation": prep} if prep is not None else {}) | {
        "answered": {"completeness": found.completeness, "agencies": found.agencies,
                     "no_answers": found.none, "too_few": found.too_few},
        "national": {"overall": number_or_none(results.national["overall"]),
                     "dimensions": _dims(results.national, ids)},
        "ministries": [
            {"name_th": name, "name_en": row["name_en"], "overall": number_or_none(row["overall"]),
             "dimensions": _dims(row, ids)}
            for name, row in results.ministries.iterrows()
        ],
        "agencies": [
            {"id": ident, "name_th": row["name_th"], "name_en": row["name_en"],
             "kind": row["kind"], "ministry": row["ministry_th"],
             "overall": number_or_none(row["overall"]), "dimensions": _dims(row, ids),
             "level_th": row["level_th"], "level_en": row["level_en"],
             "rank": None if math.isnan(row["rank"]) else int(row["rank"]),
             "completeness": number_or_none(row["completeness"])}
            for ident, row in results.agencies.iterrows()
        ],
    }
