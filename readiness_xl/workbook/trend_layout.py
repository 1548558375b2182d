"""The trend workbook's contract: sheet names and the Trend sheet's bilingual column
headers, which the writer writes and the UDFs read back (one function each way, so the
two cannot drift apart). Pure: no openpyxl here."""

from __future__ import annotations

from readiness_xl.thai import buddhist_years_in, common_era_year, thai_digits

TREND_SHEET = "Trend"
TREND_DASHBOARD_SHEET = "Trend dashboard"
ROUNDS_SHEET = "Rounds"
UNITS_SHEET = "Units"

FIXED = {
    "unit_type": "ระดับหน่วย / Unit type",
    "id": "รหัส / Id",
    "name_th": "ชื่อ (ไทย)",
    "name_en": "Name (English)",
    "ministry_th": "กระทรวง / Ministry",
    "measure": "มิติ / Measure",
    "measure_name": "ชื่อมิติ / Measure name",
}
TAIL = {
    "note": "หมายเหตุกรอบการประเมิน / Framework note",
    "trend_th": "แนวโน้ม (ไทย)",
    "trend_en": "Trend (English)",
    "key": "คีย์ค้นหา / Lookup key",   # id|measure: what the Trend dashboard's chooser matches
}
# Per round ({a}) or per pair of rounds ({a} -> {b}): Thai and English header text.
PER_ROUND = {
    "score": ("คะแนน {a}", "Score {A} %"),
    "common": ("ตัวชี้วัดร่วม {a}", "Common indicators {A} %"),
    "rank": ("อันดับ {a}", "Rank {A}"),
    "level": ("ระดับ {a}", "Level {A}"),
}
PER_PAIR = {
    "change": ("เปลี่ยนแปลง {a}→{b}", "Change {A}→{B} (points)"),
    "common_change": ("ตัวชี้วัดร่วม เปลี่ยนแปลง {a}→{b}", "Common-indicator change {A}→{B} (points)"),
    "rank_change": ("อันดับเปลี่ยน {a}→{b}", "Rank change {A}→{B} (+ = up)"),
    "band_change": ("ระดับเปลี่ยน {a}→{b}", "Band change {A}→{B} (+ = up)"),
}


def both_years(be_year: int) -> str:
    """'2559 (2016)': B.E. and C.E."""
    return f"{be_year} ({common_era_year(be_year)})"


def column_label(key: str) -> str:
    """The header of a Trend table column key (`score_2559`, `change_2559_2560`, `id`...)."""
    if key in FIXED:
        return FIXED[key]
    if key in TAIL:
        return TAIL[key]
    kind, years = _split(key)
    th, en = (PER_ROUND if len(years) == 1 else PER_PAIR)[kind]
    names = dict(zip("ab", (thai_digits(y) for y in years)))
    names.update(zip("AB", (both_years(y) if len(years) == 1 else str(y) for y in years)))
    return f"{th.format(**names)} / {en.format(**names)}"


def column_key(label: object) -> str | None:
    """The key of a Trend sheet header, or None for a column we did not write."""
    text = str(label or "")
    for key, value in {**FIXED, **TAIL}.items():
        if value == text:
            return key
    years = buddhist_years_in(text.split(" / ", 1)[-1])
    table = PER_ROUND if len(years) == 1 else PER_PAIR if len(years) == 2 else {}
    for kind in table:
        key = "_".join([kind, *map(str, years)])
        if column_label(key) == text:
            return key
    return None


def _split(key: str) -> tuple[str, list[int]]:
    parts = key.split("_")
    years = [int(p) for p in parts if p.isdigit()]
    return "_".join(p for p in parts if not p.isdigit()), years
