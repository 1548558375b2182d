"""Survey rounds side by side: each round scored with its own framework, units matched
by id across rounds (with a mapping for renamed, merged and split agencies), and the
change in points, rank and level band between rounds, for agencies, ministries and the
nation.

    change(m, a -> b)      = score(m, b) - score(m, a)         m = overall or a dimension id
    rank_change(a -> b)    = rank(a) - rank(b)                 positive = moved up
    band_change(a -> b)    = band position(b) - band position(a)   (0 = the lowest band)

Dimensions are matched by id. Where weights or indicators differ between rounds the
change is not like for like: `framework_changes` says so per measure, and `common`
holds every round re-scored with one framework made of the indicators all rounds share
(same id, dimension, type and maximum; the latest round's points, weights and bands).

A mapping row (round, round_id, trend_id) says that in `round` the agency `round_id`
is followed under `trend_id`. Several round ids onto one trend id is a merger (their
scores are averaged, every agency counting once, as benchmark means do); one round id
onto several trend ids is a split (each successor starts from the same scores). Ranks
are re-taken among the matched units of each round. Everything is whole-column work
over units; the only loops are over rounds and measures."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from readiness_xl.core.benchmarks import level_labels, rank_eq
from readiness_xl.core.framework import Framework
from readiness_xl.core.results import AGENCY_FIELDS, Results, compute_results
from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.thai import text_key

OVERALL = "overall"
NATIONAL = "national"
MAPPING_FIELDS = ("round", "round_id", "trend_id", "note")


@dataclass(frozen=True)
class Round:
    """One survey round: its B.E. year, its results (scored with its own framework) and,
    for the common-indicator re-scoring, its parsed answers (agencies x indicators).
    `agency_cell(i, field)` gives the (sheet, cell) where row i of the results' agency
    table keeps `field`, for errors (as core.agencies.checked_agencies' `where`)."""

    year: int
    results: Results
    answers: pd.DataFrame | None = None
    missing: str | None = None
    source: str = ""
    agency_cell: Callable[[int, str], tuple[str | None, str | None]] = lambda i, field: (None, None)


@dataclass(frozen=True)
class Panel:
    """Units x rounds. `scores` has columns (measure, year); the others one column per year."""

    scores: pd.DataFrame
    rank: pd.DataFrame
    level_th: pd.DataFrame
    level_en: pd.DataFrame
    band: pd.DataFrame
    present: pd.DataFrame     # bool: the unit was surveyed in that round

    @property
    def units(self) -> pd.Index:
        return self.scores.index


@dataclass(frozen=True)
class Trend:
    years: list[int]
    measures: list[str]               # "overall", then dimension ids
    dimensions: pd.DataFrame          # per dimension id: name_th, name_en (latest round naming it)
    agencies: Panel
    ministries: Panel
    national: Panel
    info: pd.DataFrame                # per agency: AGENCY_FIELDS from the latest round it is in
    ministry_names: pd.Series         # Thai name -> English name
    matching: pd.DataFrame            # rows (year, round_id, trend_id, how, note) of applied mappings
    framework_changes: pd.DataFrame   # per measure: comparable, note_th, note_en
    weights: pd.DataFrame             # dimension x year: weight share in % (NaN: not in that round)
    common: "Trend | None" = None     # re-scored on the common indicators, when frameworks differ
    common_indicators: tuple[str, ...] = ()
    all_units: tuple[str, str] = ("", "")  # the all-units row's Thai and English label (latest round)

    def panel(self, unit_type: str) -> Panel:
        return {"agency": self.agencies, "ministry": self.ministries, "national": self.national}[unit_type]

    def group_label(self, unit_type: str, ident: str) -> tuple[str, str]:
        """The Thai and English name of a ministry or of the all-units row (the framework's)."""
        if unit_type == "national":
            return self.all_units
        return ident, self.ministry_names.get(ident, "")

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """The changes shown: each round from the one before, and the first to the last."""
        return round_pairs(self.years)

    @property
    def comparable(self) -> bool:
        return bool(self.framework_changes["comparable"].all())


def round_pairs(years: list[int]) -> list[tuple[int, int]]:
    """Each round with the one before, and the first with the last when there are more than two."""
    pairs = list(zip(years[:-1], years[1:]))
    return pairs + [(years[0], years[-1])] if len(years) > 2 else pairs


# ---- changes (whole columns) -------------------------------------------------------

def change(panel: Panel, measure: str, start: int, end: int) -> pd.Series:
    """Points gained from round `start` to `end` (NaN where a round has no score)."""
    return _score(panel, measure, end) - _score(panel, measure, start)


def rank_change(panel: Panel, start: int, end: int) -> pd.Series:
    """Places moved up (positive) or down (negative) from `start` to `end`."""
    return panel.rank[start] - panel.rank[end]


def band_change(panel: Panel, start: int, end: int) -> pd.Series:
    """Level bands moved up (positive) or down, each round judged by its own bands."""
    return panel.band[end] - panel.band[start]


def _score(panel: Panel, measure: str, year: int) -> pd.Series:
    key = (measure, year)
    return panel.scores[key] if key in panel.scores.columns else pd.Series(np.nan, index=panel.units)


# ---- building the trend ---------------------------------------------------------------

def build_trend(rounds: list[Round], mapping: pd.DataFrame | None = None) -> Trend:
    """The trend of `rounds` (any order; sorted by year). `mapping` has MAPPING_FIELDS
    (as read by `read_mapping`); raises ReadinessError for a bad mapping, two rounds of
    one year, or an id that names different agencies in two rounds without a mapping row."""
    rounds = sorted(rounds, key=lambda r: r.year)
    years = [r.year for r in rounds]
    if len(rounds) < 2:
        raise ReadinessError(Problem("a trend needs at least two rounds (two workbooks)"))
    doubled = sorted({y for y in years if years.count(y) > 1})
    if doubled:
        raise ReadinessError(Problem(f"two workbooks are both round {doubled[0]}: give each "
                                     "round once (see --years)"))
    mapping = _check_mapping(mapping, rounds)
    trend = _assemble(rounds, mapping)
    _refuse_id_mismatches(rounds, mapping, trend.info)
    common_ids = common_indicator_ids([r.results.framework for r in rounds])
    if trend.comparable or not common_ids or any(r.answers is None for r in rounds):
        return trend
    framework = common_framework(rounds[-1].results.framework, common_ids)
    rescored = [dataclasses.replace(r, results=compute_results(
        framework, r.results.agencies.loc[:, list(AGENCY_FIELDS)], r.answers, r.missing))
        for r in rounds]
    return dataclasses.replace(trend, common=_assemble(rescored, mapping),
                               common_indicators=tuple(common_ids))


def _assemble(rounds: list[Round], mapping: pd.DataFrame) -> Trend:
    years = [r.year for r in rounds]
    frameworks = [r.results.framework for r in rounds]
    dims = _dimension_names(frameworks)
    measures = [OVERALL, *dims.index]
    bands = {r.year: r.results.framework.bands for r in rounds}

    matched = {r.year: _matched_agencies(r, mapping) for r in rounds}
    agencies = _panel({y: t for y, (t, _) in matched.items()}, bands, measures, ranked=True)
    info = pd.concat([edges for _, edges in reversed(matched.values())])
    info = info[~info.index.duplicated()].reindex(agencies.units)
    info["ministry_th"] = info["ministry_th"].map(text_key, na_action="ignore")  # as the ministries' index
    ministries = _panel({r.year: r.results.ministries.rename(index=text_key) for r in rounds},
                        bands, measures, ranked=True)
    names = pd.concat([r.results.ministries["name_en"].rename(index=text_key) for r in reversed(rounds)])
    national = _panel({r.year: r.results.national.to_frame(NATIONAL).T for r in rounds}, bands,
                      measures, ranked=False)
    changes, weights = framework_changes(years, frameworks, dims.index)
    applied = mapping.assign(how=_mapping_kinds(mapping))
    latest = frameworks[-1].settings
    return Trend(years, measures, dims, agencies, ministries, national, info,
                 names[~names.index.duplicated()], applied, changes, weights,
                 all_units=(latest.all_units_th, latest.all_units_en))


def _dimension_names(frameworks: list[Framework]) -> pd.DataFrame:
    """Every dimension id of any round (latest round's order first), named as the latest
    round that has it names it."""
    tables = [fw.dimensions[["name_th", "name_en"]] for fw in reversed(frameworks)]
    names = pd.concat(tables)
    return names[~names.index.duplicated()]


def _matched_agencies(r: Round, mapping: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One round's agency scores under their trend ids (mergers averaged, splits copied),
    and the agencies' descriptive fields under the same ids."""
    table = r.results.agencies
    rows = mapping[mapping["round"] == r.year]
    mapped = table.index.isin(rows["round_id"])
    round_ids = np.concatenate([table.index[~mapped].to_numpy(object), rows["round_id"].to_numpy(object)])
    # ids that look alike are one unit: 'D01' and 'D01' + a zero-width space (thai.text_key)
    trend_ids = np.asarray([text_key(i) for i in np.concatenate(
        [table.index[~mapped].to_numpy(object), rows["trend_id"].to_numpy(object)])], dtype=object)
    numeric = [*r.results.framework.dimension_ids, OVERALL]
    scores = table.loc[round_ids, numeric].set_axis(pd.Index(trend_ids, name="id"))
    scores = scores.groupby(level=0, sort=False).mean()
    fields = table.loc[round_ids, list(AGENCY_FIELDS)].set_axis(pd.Index(trend_ids, name="id"))
    return scores, fields[~fields.index.duplicated()]


def _panel(tables: dict[int, pd.DataFrame], bands: dict[int, pd.DataFrame], measures: list[str],
           ranked: bool) -> Panel:
    """Units x rounds from one score table per round (index unit, columns measures)."""
    units = _union([t.index for t in reversed(tables.values())])
    scores = pd.concat({y: t.reindex(index=units, columns=measures).astype(float)
                        for y, t in tables.items()}, axis=1)
    scores = scores.swaplevel(axis=1).reindex(columns=pd.MultiIndex.from_product(
        [measures, list(tables)]))
    present = pd.DataFrame({y: units.isin(t.index) for y, t in tables.items()}, index=units)
    rank, level_th, level_en, band = {}, {}, {}, {}
    for y in tables:
        overall = scores[(OVERALL, y)]
        rank[y] = rank_eq(overall).where(present[y]) if ranked else pd.Series(np.nan, index=units)
        labels = level_labels(overall, bands[y])
        level_th[y], level_en[y] = labels["level_th"], labels["level_en"]
        position = pd.Index(bands[y]["label_en"]).get_indexer(labels["level_en"])
        band[y] = pd.Series(np.where((position >= 0) & overall.notna(), position, np.nan), index=units)
    frame = lambda d: pd.DataFrame(d, index=units)  # noqa: E731
    return Panel(scores, frame(rank), frame(level_th), frame(level_en), frame(band), present)


def _union(indexes: list[pd.Index]) -> pd.Index:
    """All units, in the order of the first index, then those new in each next one."""
    joined = pd.Index(np.concatenate([i.to_numpy(object) for i in indexes]))
    return joined[~joined.duplicated()]


# ---- the mapping ------------------------------------------------------------------------

def _check_mapping(mapping: pd.DataFrame | None, rounds: list[Round]) -> pd.DataFrame:
    """The mapping with B.E. years as numbers, every row checked against its round."""
    if mapping is None or mapping.empty:
        return pd.DataFrame({"round": pd.Series(dtype=int), "round_id": pd.Series(dtype=object),
                             "trend_id": pd.Series(dtype=object), "note": pd.Series(dtype=object)})
    from readiness_xl.thai import as_buddhist_year
    by_year = {r.year: r for r in rounds}
    problems, years = [], []
    file, sheet = mapping.attrs.get("file"), mapping.attrs.get("sheet")
    lines = mapping["_row"] if "_row" in mapping else pd.Series(range(2, 2 + len(mapping)))
    for (_, row), line in zip(mapping.iterrows(), lines):
        where = dict(sheet=sheet, cell=f"line {line}", file=file)
        try:
            year = as_buddhist_year(row["round"])
        except ValueError:
            year = None
        years.append(year)
        if year not in by_year:
            problems.append(Problem(f"round {row['round']!r} is not one of the rounds "
                                    f"({', '.join(map(str, by_year))})", **where))
        elif str(row["round_id"]) not in by_year[year].results.agencies.index:
            problems.append(Problem(f"agency '{row['round_id']}' is not in the {year} workbook "
                                    f"({by_year[year].source})", **where))
        if not str(row["trend_id"]).strip():
            problems.append(Problem("trend_id is empty", **where))
    table = pd.DataFrame({"round": years, "round_id": mapping["round_id"].astype(str),
                          "trend_id": mapping["trend_id"].astype(str).str.strip(),
                          "note": mapping.get("note", pd.Series("", index=mapping.index)).fillna("")})
    duplicated = table.duplicated(["round", "round_id", "trend_id"])
    for line in lines[duplicated.to_numpy()]:
        problems.append(Problem("the same mapping row is given twice", sheet, f"line {line}", file))
    if problems:
        raise ReadinessError(problems)
    return table.astype({"round": int})


def _mapping_kinds(mapping: pd.DataFrame) -> pd.Series:
    """renamed / merged / split / same, per mapping row."""
    sources = mapping.groupby(["round", "trend_id"])["round_id"].transform("size")
    targets = mapping.groupby(["round", "round_id"])["trend_id"].transform("size")
    kind = np.where(sources > 1, "merged", np.where(targets > 1, "split", np.where(
        mapping["round_id"] == mapping["trend_id"], "same", "renamed")))
    return pd.Series(kind, index=mapping.index, dtype=object)


def _refuse_id_mismatches(rounds: list[Round], mapping: pd.DataFrame, info: pd.DataFrame) -> None:
    """An id whose Thai and English names both differ from the latest round's is probably
    another agency: refuse it unless a mapping row confirms it."""
    problems = []
    for r in rounds[:-1]:
        table = r.results.agencies
        confirmed = set(mapping.loc[mapping["round"] == r.year, "round_id"])
        common = table.index[table.index.isin(info.index) & ~table.index.isin(list(confirmed))]
        now = info.loc[common]
        differs = (table.loc[common, "name_th"] != now["name_th"]) & \
                  (table.loc[common, "name_en"] != now["name_en"])
        for ident in common[differs.to_numpy()]:
            problems.append(Problem(
                f"agency '{ident}' is '{table.at[ident, 'name_th']}' here but "
                f"'{info.at[ident, 'name_th']}' in a later round: if it was renamed, confirm it "
                f"with a mapping row ({r.year},{ident},{ident}); if not, map it to another id",
                *r.agency_cell(table.index.get_loc(ident), "name_th"), r.source or None))
    if problems:
        raise ReadinessError(problems)


# ---- frameworks that change ------------------------------------------------------------

def _signature(fw: Framework) -> pd.DataFrame:
    """What makes an indicator the same indicator in two rounds: every column of its
    definition but the question's wording (method columns a framework may add included)."""
    return fw.indicators.drop(columns=["question_th", "question_en"], errors="ignore")


def _same(a: pd.DataFrame, b: pd.DataFrame) -> pd.Series:
    """Row by row: every column equal (blank equal to blank)."""
    return ((a == b) | (a.isna() & b.isna())).all(axis=1)


def common_indicator_ids(frameworks: list[Framework]) -> list[str]:
    """Indicators every round defines alike but for their points (latest round's order)."""
    latest = _signature(frameworks[-1]).drop(columns="points")
    same = pd.Series(True, index=latest.index)
    for fw in frameworks[:-1]:
        other = _signature(fw).drop(columns="points").reindex(index=latest.index, columns=latest.columns)
        same &= _same(other, latest) & latest.index.isin(fw.indicators.index)
    return list(latest.index[same.to_numpy()])


def common_framework(latest: Framework, indicator_ids: list[str]) -> Framework:
    """The latest framework cut down to the shared indicators and their dimensions."""
    indicators = latest.indicators.loc[indicator_ids]
    dims = [d for d in latest.dimension_ids if d in set(indicators["dimension"])]
    return dataclasses.replace(latest, dimensions=latest.dimensions.loc[dims], indicators=indicators,
                               version=f"{latest.version} (common indicators)".strip())


def framework_changes(years: list[int], frameworks: list[Framework],
                      dimension_ids: pd.Index) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per measure, whether its scores are like for like in every round, and what changed
    (in Thai and English); and the dimension weights (share of the total, %) per round."""
    weights = pd.DataFrame({y: fw.dimensions["weight"] / fw.dimensions["weight"].sum() * 100
                            for y, fw in zip(years, frameworks)}).reindex(dimension_ids)
    rows = {}
    for d in dimension_ids:
        th, en = [], []
        absent = [y for y, fw in zip(years, frameworks) if d not in fw.dimensions.index]
        if absent:
            th.append(f"ไม่มีในปี {', '.join(map(str, absent))}")
            en.append(f"not in {', '.join(map(str, absent))}")
        for (a, fa), (b, fb) in zip(zip(years, frameworks), zip(years[1:], frameworks[1:])):
            sa = _signature(fa)[_signature(fa)["dimension"] == d]
            sb = _signature(fb)[_signature(fb)["dimension"] == d]
            if sa.empty or sb.empty:
                continue
            added = sorted(set(sb.index) - set(sa.index))
            dropped = sorted(set(sa.index) - set(sb.index))
            both = sorted(set(sa.index) & set(sb.index))
            columns = sa.columns.intersection(sb.columns)
            same = _same(sa.loc[both, columns], sb.loc[both, columns])
            altered = [i for i in both if not same[i]]
            for ids, word_th, word_en in ((added, "เพิ่ม", "added"), (dropped, "ตัด", "dropped"),
                                          (altered, "แก้", "changed")):
                if ids:
                    th.append(f"ตัวชี้วัด {', '.join(ids)} {word_th}ในปี {b}")
                    en.append(f"indicator{'s' if len(ids) > 1 else ''} {', '.join(ids)} {word_en} in {b}")
        rows[d] = (not th, "; ".join(th), "; ".join(en))
    moved = [(y, w) for y, w in weights.T.iterrows()]
    weight_th, weight_en = [], []
    for (a, wa), (b, wb) in zip(moved, moved[1:]):
        for d in dimension_ids:
            if not (math.isnan(wa[d]) or math.isnan(wb[d])) and abs(wa[d] - wb[d]) > 1e-9:
                weight_th.append(f"น้ำหนักมิติ {d} {wa[d]:g}%→{wb[d]:g}% ในปี {b}")
                weight_en.append(f"dimension {d} weight {wa[d]:g}%→{wb[d]:g}% in {b}")
    bands_differ = any(not fa.bands[["lower", "label_en"]].equals(fb.bands[["lower", "label_en"]])
                       for fa, fb in zip(frameworks, frameworks[1:]))
    dims_changed = [d for d in dimension_ids if not rows[d][0]]
    overall_th = weight_th + ([f"มิติที่เปลี่ยน: {', '.join(dims_changed)}"] if dims_changed else [])
    overall_en = weight_en + ([f"dimensions changed: {', '.join(dims_changed)}"] if dims_changed else [])
    comparable = not overall_th
    if bands_differ:
        overall_th.append("เกณฑ์ระดับเปลี่ยน")
        overall_en.append("level bands changed")
    table = pd.DataFrame([(comparable, "; ".join(overall_th), "; ".join(overall_en)),
                          *rows.values()], index=[OVERALL, *rows],
                         columns=["comparable", "note_th", "note_en"])
    return table, weights
