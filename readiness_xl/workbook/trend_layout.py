"""The trend workbook's contract: sheet names and the Trend sheet's bilingual column
headers, which the writer writes and the UDFs read back (one function each way, so the
two cannot drift apart), and `sheet_change`, the read-back the UDFs use. Pure: no
openpyxl here."""

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


# ---- the Trend sheet read back (what the UDFs look up) ------------------------------------

def sheet_change(rows: list[list], unit: object, from_round: object, to_round: object,
                 dimension: object = None, kind: str = "score") -> float:
    """From the Trend sheet's rows (header first): the change of a unit's score (kind
    'score': to - from, in points; a dimension id or the overall score) or of its rank
    (kind 'rank': from - to, positive = moved up). The unit is an agency id, a Thai or
    English name, a ministry's name, the all-units label (ประเทศไทย) or 'national'. Raises CellValueError
    (#N/A) naming what is missing."""
    from readiness_xl.core.framework import id_text
    from readiness_xl.core.trend import NATIONAL, OVERALL
    from readiness_xl.core.worksheet_functions import CellValueError
    from readiness_xl.thai import as_buddhist_year
    if not rows or len(rows) < 2:
        raise CellValueError(f"no {TREND_SHEET} sheet rows: build it with readiness-xl trend", "#N/A")
    keys = [column_key(label) for label in rows[0]]
    column = {k: i for i, k in enumerate(keys) if k}
    try:
        start, end = as_buddhist_year(from_round), as_buddhist_year(to_round)
    except (ValueError, TypeError):
        raise CellValueError(f"rounds {from_round!r} and {to_round!r} must be years (2559 or 2016)") \
            from None
    measure = OVERALL if dimension is None or str(dimension).strip() == "" else id_text(dimension)
    if kind == "rank" and measure != OVERALL:
        raise CellValueError("a rank is of the overall score only: leave the dimension out")
    wanted = str(unit).strip()
    if wanted.lower() == NATIONAL:
        wanted = NATIONAL  # the all-units row's id
    found = None
    for row in rows[1:]:
        if _ident_text(row[column["measure"]]) != measure:
            continue
        if wanted in (_ident_text(row[column["id"]]), row[column["name_th"]], row[column["name_en"]]):
            found = row
            break
    if found is None:
        raise CellValueError(f"no unit {wanted!r} with measure {measure!r} on the {TREND_SHEET} sheet",
                             "#N/A")
    values = []
    for year in (start, end):
        key = f"{kind}_{year}"
        if key not in column:
            raise CellValueError(f"round {year} is not on the {TREND_SHEET} sheet", "#N/A")
        value = found[column[key]]
        if value is None or value == "":
            raise CellValueError(f"{wanted} has no {kind} in {year}", "#N/A")
        try:
            values.append(float(value))
        except (TypeError, ValueError):
            raise CellValueError(f"{wanted}'s {kind} in {year} on the {TREND_SHEET} sheet is not a "
                                 f"number: {value!r}") from None
    return values[1] - values[0] if kind == "score" else values[0] - values[1]


def _ident_text(value: object) -> str:
    """Ids as read back from a sheet: 1.0 and '1' are the same."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()
