"""The trend as others see it: the Trend sheet's long table (written by
builder.trend_workbook, its column keys those of workbook.trend_layout) and the
documented `trend --json` shape. The trend itself is computed in core.trend."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from readiness_xl.core.trend import OVERALL, Trend, change, rank_change


def trend_table(trend: Trend) -> pd.DataFrame:
    """The Trend sheet as one long table: a row per unit and measure (national first, then
    ministries, then agencies; overall before the dimensions), scores per round, changes,
    and on the overall rows rank, level and band change. Column keys are those of
    workbook.trend_layout (`score_2559`, `change_2559_2560`, ...)."""
    years, pairs = trend.years, trend.pairs
    notes = trend.framework_changes
    measure_names = {OVERALL: "คะแนนรวม / Overall",
                     **{d: f"{d} {r.name_th} / {r.name_en}" for d, r in trend.dimensions.iterrows()}}
    blocks = []
    for unit_type, panel in (("national", trend.national), ("ministry", trend.ministries),
                             ("agency", trend.agencies)):
        index = pd.MultiIndex.from_product([panel.units, trend.measures], names=["id", "measure"])
        at_units, measure = index.get_level_values("id"), index.get_level_values("measure")
        overall = measure == OVERALL
        block = pd.DataFrame({"unit_type": unit_type, "id": at_units, "measure": measure})
        block["name_th"], block["name_en"], block["ministry_th"] = _unit_names(trend, unit_type, at_units)
        block["measure_name"] = measure.map(measure_names)
        stacked = panel.scores.stack(level=0, future_stack=True).reindex(index)
        for y in years:
            block[f"score_{y}"] = stacked[y].to_numpy(float)
        for a, b in pairs:
            block[f"change_{a}_{b}"] = block[f"score_{b}"] - block[f"score_{a}"]
        if trend.common is not None:
            common = trend.common.panel(unit_type).scores.stack(level=0, future_stack=True)
            common = common.reindex(index)
            for y in years:
                block[f"common_{y}"] = common[y].to_numpy(float)
            for a, b in pairs:
                block[f"common_change_{a}_{b}"] = block[f"common_{b}"] - block[f"common_{a}"]
        for y in years:
            block[f"rank_{y}"] = np.where(overall, panel.rank[y].reindex(at_units).to_numpy(float), np.nan)
        for a, b in pairs:
            block[f"rank_change_{a}_{b}"] = block[f"rank_{a}"] - block[f"rank_{b}"]
        for y in years:
            th = panel.level_th[y].reindex(at_units).to_numpy(object)
            en = panel.level_en[y].reindex(at_units).to_numpy(object)
            block[f"level_{y}"] = np.where(overall & (th != ""), th + " / " + en, "")
        for a, b in pairs:
            block[f"band_change_{a}_{b}"] = np.where(
                overall, (panel.band[b] - panel.band[a]).reindex(at_units).to_numpy(float), np.nan)
        note = (notes["note_th"] + " / " + notes["note_en"]).where(notes["note_th"] != "", "")
        absent = _absence_notes(panel.present).reindex(at_units).to_numpy(object)
        block["note"] = [_join(a, n) for a, n in zip(np.where(overall, absent, ""),
                                                       note.reindex(measure).to_numpy(object))]
        blocks.append(block)
    table = pd.concat(blocks, ignore_index=True)
    first = ["unit_type", "id", "name_th", "name_en", "ministry_th", "measure", "measure_name"]
    return table[first + [c for c in table.columns if c not in first and c != "note"] + ["note"]]


def _unit_names(trend: Trend, unit_type: str, ids: pd.Index) -> tuple:
    if unit_type == "agency":
        info = trend.info.reindex(ids)
        return info["name_th"].to_numpy(object), info["name_en"].to_numpy(object), \
            info["ministry_th"].to_numpy(object)
    if unit_type == "ministry":
        return ids.to_numpy(object), trend.ministry_names.reindex(ids).to_numpy(object), \
            ids.to_numpy(object)
    return (np.full(len(ids), trend.all_units[0], object),
            np.full(len(ids), trend.all_units[1], object), np.full(len(ids), "", object))


def _absence_notes(present: pd.DataFrame) -> pd.Series:
    """'ไม่มีในปี 2559 / not in 2559' for units missing from some rounds, else ''."""
    missing = ~present
    text = pd.Series("", index=present.index, dtype=object)
    for y in present.columns:
        text = text.where(~missing[y], text + np.where(text == "", "", ", ") + str(y))
    return text.where(text == "", "ไม่มีในปี " + text + " / not in " + text)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def to_json_dict(trend: Trend) -> dict:
    """The documented `trend --json` shape: rounds, then per agency its rounds (overall,
    rank, level), the change of the overall score and of the rank from the first round to
    the last (null where a round is missing); the same for ministries and the nation."""
    first, last = trend.years[0], trend.years[-1]

    def units(unit_type: str) -> list[dict]:
        panel = trend.panel(unit_type)
        gained = _plain(change(panel, OVERALL, first, last))
        moved = _plain(rank_change(panel, first, last), int)
        dims = trend.measures[1:]
        per_round = []
        for y in trend.years:  # columns as plain Python values; the rows are only zipped below
            values = panel.scores.xs(y, axis=1, level=1)
            per_round.append((str(y), panel.present[y].tolist(), _plain(values[OVERALL]),
                              _plain(panel.rank[y], int), panel.level_th[y].tolist(),
                              panel.level_en[y].tolist(), [_plain(values[d]) for d in dims]))
        out = []
        for i, ident in enumerate(panel.units):
            rounds = {key: {"overall": overall[i], "rank": rank[i], "level_th": th[i],
                            "level_en": en[i],
                            "dimensions": {d: v[i] for d, v in zip(dims, columns) if v[i] is not None}}
                      for key, present, overall, rank, th, en, columns in per_round if present[i]}
            out.append({"id": ident, "rounds": rounds, "change": gained[i], "rank_change": moved[i]})
        if unit_type == "agency":
            fields = trend.info[["name_th", "name_en", "ministry_th"]].to_numpy(object).tolist()
            for entry, (th, en, ministry) in zip(out, fields):
                entry.update(name_th=th, name_en=en, ministry=ministry)
        elif unit_type == "ministry":
            for entry in out:
                entry.update(name_th=entry["id"], name_en=trend.ministry_names.get(entry["id"], ""))
        return out

    present = trend.agencies.present
    return {
        "rounds": [str(y) for y in trend.years],
        "units": units("agency"),
        "ministries": units("ministry"),
        "national": units("national")[0],
        "only_in_some_rounds": [{"id": ident, "rounds": [str(y) for y in trend.years if row[y]]}
                                for ident, row in present[~present.all(axis=1)].iterrows()],
        "framework_changes": [{"measure": m, "comparable": bool(r["comparable"]), "note": r["note_en"]}
                              for m, r in trend.framework_changes.iterrows()],
        "common_indicators": list(trend.common_indicators),
    }


def _plain(values: pd.Series, kind=float) -> list:
    """A column as Python numbers, None where NaN (JSON null)."""
    array = values.to_numpy(float)
    return [None if math.isnan(v) else kind(v) for v in array.tolist()]
