"""Trend sentences in the register of the survey article, in Thai and English: how far
a unit's overall score moved since an earlier round, its level band before and after,
its rank, the dimension that moved most, and a caution where the framework changed
("เพิ่มขึ้น 4.2 คะแนนจากปี ๒๕๕๙ ขึ้นจากระดับต่ำมากเป็นระดับดี"). The facts come from the
trend core as whole columns; the wording lives only in TREND_PHRASES."""

from __future__ import annotations

import numpy as np
import pandas as pd

from readiness_xl.core.narrative import percent_text, phrases
from readiness_xl.core.trend import OVERALL, Trend, band_change, change, rank_change
from readiness_xl.thai import common_era_year, thai_digits

# Placeholders: {name} {score} {year} {since} {gap} {was} {now} {places} {from_rank}
# {to_rank} {id} {dimension} {common}
TREND_PHRASES: dict[str, dict[str, str]] = {
    "th": {
        "year": "ปี {be}",
        "score": "{name} ได้ {score}% ใน{year}",
        "up": "เพิ่มขึ้น {gap} คะแนนจาก{since}",
        "down": "ลดลง {gap} คะแนนจาก{since}",
        "same": "เท่ากับ{since}",
        "band_up": "ขึ้นจากระดับ{was}เป็นระดับ{now}",
        "band_down": "ลงจากระดับ{was}เป็นระดับ{now}",
        "band_same": "คงอยู่ในระดับ{now}",
        "rank_up": "อันดับดีขึ้น {places} อันดับ (จาก {from_rank} เป็น {to_rank})",
        "rank_down": "อันดับลดลง {places} อันดับ (จาก {from_rank} เป็น {to_rank})",
        "rank_same": "อันดับคงเดิม ({to_rank})",
        "best": "มิติที่เพิ่มขึ้นมากที่สุดคือมิติที่ {id} {dimension} ({gap} คะแนน)",
        "worst": "มิติที่ลดลงมากที่สุดคือมิติที่ {id} {dimension} ({gap} คะแนน)",
        "caution": "(กรอบการประเมินเปลี่ยนระหว่างปี: เมื่อคิดเฉพาะตัวชี้วัดร่วม {common})",
        "absent": "{name} ไม่ได้รับการสำรวจใน{since}",
        "new": "{name} ได้รับการสำรวจครั้งแรกใน{year} ได้ {score}%",
        "gone": "{name} ไม่ได้รับการสำรวจใน{year}",
        "sep": " ", "end": "",
    },
    "en": {
        "year": "B.E. {be} ({ce})",
        "score": "{name}: {score}% in {year}",
        "up": "up {gap} points from {since}",
        "down": "down {gap} points from {since}",
        "same": "unchanged from {since}",
        "band_up": "up from “{was}” to “{now}”",
        "band_down": "down from “{was}” to “{now}”",
        "band_same": "still “{now}”",
        "rank_up": "up {places} in rank ({from_rank} → {to_rank})",
        "rank_down": "down {places} in rank ({from_rank} → {to_rank})",
        "rank_same": "rank unchanged ({to_rank})",
        "best": "the largest gain is dimension {id} {dimension} ({gap} points)",
        "worst": "the largest fall is dimension {id} {dimension} ({gap} points)",
        "caution": "(the framework changed between the rounds: on the common indicators, {common})",
        "absent": "{name} was not surveyed in {since}",
        "new": "{name} was first surveyed in {year}: {score}%",
        "gone": "{name} was not surveyed in {year}",
        "sep": ", ", "end": ".",
    },
}


def round_year(be_year: int, lang: str) -> str:
    """'ปี ๒๕๕๙' / 'B.E. 2559 (2016)'."""
    text = TREND_PHRASES[lang]["year"].format(be=be_year, ce=common_era_year(be_year))
    return thai_digits(text) if lang == "th" else text


def _movement(gap: float, since: str, p: dict[str, str]) -> str:
    shown = round(gap, 1)
    key = "up" if shown > 0 else "down" if shown < 0 else "same"
    return p[key].format(gap=percent_text(abs(shown)), since=since)


def trend_sentences(trend: Trend, unit_type: str = "agency", start: int | None = None,
                    end: int | None = None, lang: str = "th") -> pd.Series:
    """One sentence per unit of `unit_type` on its move from round `start` to `end`
    (default: the first and the last round)."""
    phrases(lang)
    p = TREND_PHRASES[lang]
    start = trend.years[0] if start is None else start
    end = trend.years[-1] if end is None else end
    panel = trend.panel(unit_type)
    names = _names(trend, unit_type, lang)
    gained = change(panel, OVERALL, start, end).to_numpy(float)
    steps = band_change(panel, start, end).to_numpy(float)
    moved = rank_change(panel, start, end).to_numpy(float)
    ranks = panel.rank[[start, end]].to_numpy(float)
    levels = getattr(panel, f"level_{lang}")
    was, now = levels[start].tolist(), levels[end].tolist()
    score_end = panel.scores[(OVERALL, end)].to_numpy(float)
    present = panel.present[[start, end]].to_numpy(bool)
    since, year = round_year(start, lang), round_year(end, lang)
    best, worst = _extreme_dimensions(trend, panel, start, end)
    common = _common_changes(trend, unit_type, start, end)
    comparable = bool(trend.framework_changes.at[OVERALL, "comparable"])
    texts = []
    for i, name in enumerate(names):
        if not present[i, 1]:
            texts.append(p["gone"].format(name=name, year=year) + p["end"])
            continue
        if not present[i, 0] or np.isnan(gained[i]):
            texts.append(p["new"].format(name=name, year=year, score=percent_text(score_end[i])) + p["end"]
                         if not np.isnan(score_end[i]) else
                         p["absent"].format(name=name, since=since) + p["end"])
            continue
        parts = [p["score"].format(name=name, score=percent_text(score_end[i]), year=year),
                 _movement(gained[i], since, p)]
        if now[i]:
            key = "band_up" if steps[i] > 0 else "band_down" if steps[i] < 0 else "band_same"
            parts.append(p[key].format(was=was[i], now=now[i]))
        if not np.isnan(moved[i]):
            key = "rank_up" if moved[i] > 0 else "rank_down" if moved[i] < 0 else "rank_same"
            places = f"{abs(moved[i]):.0f}" + ("" if lang == "th" else
                                                 " place" if abs(moved[i]) == 1 else " places")
            parts.append(p[key].format(places=places, from_rank=f"{ranks[i, 0]:.0f}",
                                       to_rank=f"{ranks[i, 1]:.0f}"))
        for which, key in ((best, "best"), (worst, "worst")):
            if which[i] is not None:
                d, gap = which[i]
                parts.append(p[key].format(id=thai_digits(d) if lang == "th" else d,
                                           dimension=trend.dimensions.at[d, f"name_{lang}"],
                                           gap=f"{gap:+.1f}"))
        text = p["sep"].join(parts)
        if not comparable and common is not None and not np.isnan(common[i]):
            text += " " + p["caution"].format(common=_movement(common[i], since, p))
        texts.append(text + p["end"])
    return pd.Series(texts, index=panel.units, dtype=object)


def _names(trend: Trend, unit_type: str, lang: str) -> list[str]:
    if unit_type == "agency":
        return trend.info[f"name_{lang}"].tolist()
    if unit_type == "ministry":
        return (list(trend.ministries.units) if lang == "th"
                else trend.ministry_names.reindex(trend.ministries.units).tolist())
    return [trend.all_units[0 if lang == "th" else 1]]


def _extreme_dimensions(trend: Trend, panel, start: int, end: int) -> tuple[list, list]:
    """Per unit, the comparable dimension that rose most and the one that fell most
    (None where none did), as (id, points)."""
    dims = [d for d in trend.measures[1:] if trend.framework_changes.at[d, "comparable"]]
    if not dims:
        return [None] * len(panel.units), [None] * len(panel.units)
    gaps = np.column_stack([change(panel, d, start, end).to_numpy(float) for d in dims])
    scored = ~np.isnan(gaps).all(axis=1)
    high = np.argmax(np.where(np.isnan(gaps), -np.inf, gaps), axis=1)
    low = np.argmin(np.where(np.isnan(gaps), np.inf, gaps), axis=1)
    rows = np.arange(len(gaps))
    best = [(dims[h], g) if ok and g > 0 else None
            for h, g, ok in zip(high, gaps[rows, high], scored)]
    worst = [(dims[w], g) if ok and g < 0 else None
             for w, g, ok in zip(low, gaps[rows, low], scored)]
    return best, worst


def _common_changes(trend: Trend, unit_type: str, start: int, end: int) -> np.ndarray | None:
    if trend.common is None:
        return None
    common = trend.common.panel(unit_type)
    return change(common, OVERALL, start, end).reindex(trend.panel(unit_type).units).to_numpy(float)
