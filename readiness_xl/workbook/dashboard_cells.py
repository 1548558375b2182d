"""The Dashboard's formula cells: their texts (what the template builder writes) and, given
the Summary rows recalculation writes, the values those formulas compute (what
recalculation caches in them, so a viewer that never recalculates shows the Dashboard).
Pure: strings and values; workbook.dashboard_write puts the values in the file.

    B3            the chooser (a unit's Thai name; typed by a person, not a formula)
    A4            the empty-state note: shown while no Summary row has any answer
    B6.. / C6..   the profile: each dimension and the overall, of the nation (B) and of
                  the chosen unit (C), looked up in the Summary by INDEX/MATCH
    F4            how many ranked rows (agencies, ministries, nation) have an overall
    L2..Llast     each Summary row's sort key, on the Summary's row number: its overall
                  rounded to TIE_DECIMALS less ROW() x TIE_STEP (equal overalls keep the
                  Summary's order), -ROW() without an overall (after every scored row, in
                  the Summary's order), blank for a kind row (not charted)
    E6.. J6..     the bar chart's table, place by place: the place (1, 2, ... or, beyond
                  CHART_ALL_UP_TO rows, the TOP_BOTTOM best, the nation's place, the
                  TOP_BOTTOM worst scored), the Summary row at that place
                  (MATCH(LARGE(keys, place), keys, 0)), its name and its overall in the
                  column of its colour (agency, ministry mean, national mean)

Each key is one cell of arithmetic and each place one LARGE and one MATCH, so the table
costs a few passes over the rows (Excel and LibreOffice select the k-th largest without
comparing every pair): the earlier count of the rows above each row was n^2 comparisons,
28 s of LibreOffice's recalculation of a 10,000-agency workbook. Functions: IF, ISNUMBER,
ROUND, ROW, LARGE, MATCH, INDEX, IFERROR, SUMPRODUCT, COUNTIF (Excel 2010 and later,
LibreOffice)."""

from __future__ import annotations

import math
from typing import NamedTuple

from readiness_xl.workbook import layout as L
from readiness_xl.workbook.cell_refs import get_column_letter
from readiness_xl.workbook.formula import Formula
from readiness_xl.workbook.live_summary import COMPLETENESS, OVERALL, SummaryShape, text_literal
from readiness_xl.workbook.summary import ROW_TYPES

NAME_COLUMN = "C"          # the Summary's Thai name: what the chooser matches
CHOOSER = "B3"
EMPTY_STATE = ("ยังไม่มีคำตอบ: กรอกคำตอบในชีตหน่วยงาน ผลจะขึ้นที่นี่ทันที (แบบชีต Responses: กด คำนวณใหม่ทุกหน่วยงาน "
               "หรือรัน readiness-xl recalc) / No answers yet: answer the agency sheets and the results "
               "show here at once (Responses layout: press Recalculate all agencies or run readiness-xl recalc).")
PROFILE_HEADER_ROW = 5
RANKING_FIRST_COLUMN = 5      # E: place, Summary row, name, agency, ministry mean, national mean
RANKING_HEADER_ROW = 5
KEY_COLUMN = 12               # L: each Summary row's sort key, on the Summary's row number
CHART_ALL_UP_TO = 45          # rows one A4 page of bars holds legibly
TOP_BOTTOM = 20
TIE_DECIMALS = 6              # overalls equal to this many decimals tie (keep the Summary's order)
TIE_STEP = 1e-11              # x ROW(): far below 10^-TIE_DECIMALS for any sheet's rows (2^20 x 1e-11 = 1e-5
                              # would not be, so beyond LARGE_SUMMARY rows ties are taken to 3 decimals)
LARGE_SUMMARY = 40_000
MINISTRY_SUFFIX = " (ค่าเฉลี่ย)"


class DashboardShape(NamedTuple):
    """Where the Dashboard's cells are, for a Summary of `summary`'s shape."""

    summary: SummaryShape

    @property
    def last(self) -> int:
        """The Summary's last row (the nation)."""
        return self.summary.national

    @property
    def entries(self) -> int:
        """Summary rows the bar chart ranks: agencies, ministries and the nation (not kinds)."""
        return self.summary.agencies + self.summary.ministries + 1

    @property
    def decimals(self) -> int:
        return TIE_DECIMALS if self.last < LARGE_SUMMARY else 3

    def places(self) -> list[str]:
        """The place each chart row shows, as a formula over the count of scored rows `{n}`
        and the nation's place `{nation}`: every row when they fit one page, else the
        TOP_BOTTOM best, the nation, the TOP_BOTTOM worst scored."""
        if self.entries <= CHART_ALL_UP_TO:
            return [str(k) for k in range(1, self.entries + 1)]
        top = [str(k) for k in range(1, TOP_BOTTOM + 1)]
        bottom = [f"{{n}}-{TOP_BOTTOM - j}" for j in range(1, TOP_BOTTOM + 1)]
        return top + ["{nation}"] + bottom


def _summary(column: str, last: int) -> str:
    return f"'{L.SUMMARY_SHEET}'!${column}$2:${column}${last}"


def formulas(shape: DashboardShape) -> dict[str, str]:
    """Every formula cell of the Dashboard: reference -> formula text (no leading '='),
    in the order the builder writes them."""
    s, last = shape.summary, shape.last
    sheet = f"'{L.SUMMARY_SHEET}'!"
    kind, national = ROW_TYPES["kind"], ROW_TYPES["national"]
    types, names = _summary("A", last), _summary(NAME_COLUMN, last)
    overall = s.tail(OVERALL)
    scores = _summary(overall, last)
    key = get_column_letter(KEY_COLUMN)
    keys = f"${key}$2:${key}${last}"
    out = {"A4": f'IF(COUNTIF({_summary(s.tail(COMPLETENESS), last)},">0")=0,{text_literal(EMPTY_STATE)},"")'}
    for i, column in enumerate(s.dims + [overall]):
        values, r = _summary(column, last), PROFILE_HEADER_ROW + 1 + i
        out[f"B{r}"] = f'IF($A$4<>"","",IFERROR(INDEX({values},MATCH("{national}",{types},0)),""))'
        out[f"C{r}"] = f'IF($A$4<>"","",IFERROR(INDEX({values},MATCH($B$3,{names},0)),""))'
    c = [get_column_letter(RANKING_FIRST_COLUMN + i) for i in range(6)]
    counted = f"${c[1]}${RANKING_HEADER_ROW - 1}"
    out[f"{c[1]}{RANKING_HEADER_ROW - 1}"] = f'SUMPRODUCT(({types}<>"{kind}")*ISNUMBER({scores}))'
    step, decimals = f"{TIE_STEP:.0E}", shape.decimals
    for row in range(2, last + 1):
        me = f"{sheet}${overall}${row}"
        out[f"{key}{row}"] = (f'IF({sheet}$A${row}="{kind}","",IF(ISNUMBER({me}),'
                              f'ROUND({me},{decimals})-ROW()*{step},-ROW()))')
    nation_key = f"INDEX({keys},MATCH(\"{national}\",{types},0))"
    nation = f"(1+SUMPRODUCT(ISNUMBER({keys})*({keys}>{nation_key})))"
    for j, k in enumerate(shape.places()):
        r = RANKING_HEADER_ROW + 1 + j
        if not k.isdigit():
            k = k.format(n=counted, nation=nation)
            out[f"{c[0]}{r}"] = f'IFERROR(IF({k}>=1,{k},""),"")'
        out[f"{c[1]}{r}"] = f'IFERROR(MATCH(LARGE({keys},${c[0]}{r}),{keys},0),"")'
        at = f"${c[1]}{r}"
        suffix = f'IF(INDEX({types},{at})="{ROW_TYPES["agency"]}","","{MINISTRY_SUFFIX}")'
        out[f"{c[2]}{r}"] = f'IF({at}="","",INDEX({names},{at})&{suffix})'
        for i, row_type in enumerate(("agency", "ministry", "national")):
            out[f"{c[3 + i]}{r}"] = (f'IF({at}="","",IF(INDEX({types},{at})="{ROW_TYPES[row_type]}",'
                                     f'INDEX({scores},{at}),""))')
    return out


def _number(value: object) -> float | None:
    """A Summary cell's value as ISNUMBER sees it: a finite number, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _looked_up(written: object) -> object:
    """What INDEX of a Summary cell gives: its value; a cell left empty gives 0 (a
    formula whose result is blank gives "", cached as None)."""
    if type(written) is Formula:
        return "" if written.cached is None else written.cached
    return 0.0 if written is None else written


def values(shape: DashboardShape, rows: list[list], chosen: object) -> dict[str, object]:
    """What each formula of formulas(shape) computes over the Summary `rows` (header
    first, as recalculation writes them: values or Formulas holding their cached value)
    with `chosen` in the chooser; None for a blank (""). Mirrors the formulas above."""
    import numpy as np

    from readiness_xl.core.benchmarks import round_scores
    s, last = shape.summary, shape.last
    body = rows[1:last]

    def column(j: int) -> list:
        return [cell.cached if type(cell) is Formula else cell for cell in (row[j] for row in body)]
    overall_at = 6 + len(s.dimension_ids) + OVERALL
    types = [str(t) if t is not None else "" for t in column(0)]
    names = column(2)
    overall = list(map(_number, column(overall_at)))
    out: dict[str, object] = {}
    empty = not any(v is not None and v > 0 for v in map(_number, column(6 + len(s.dimension_ids) + COMPLETENESS)))
    out["A4"] = EMPTY_STATE if empty else None
    national = types.index(ROW_TYPES["national"]) if ROW_TYPES["national"] in types else None
    target = None
    if isinstance(chosen, str):   # MATCH compares text without regard to case
        folded = chosen.casefold()
        target = next((i for i, n in enumerate(names) if isinstance(n, str) and n.casefold() == folded), None)
    elif _number(chosen) is not None:
        target = next((i for i, n in enumerate(names) if _number(n) == _number(chosen)), None)
    for i in range(len(s.dimension_ids) + 1):
        r, at = PROFILE_HEADER_ROW + 1 + i, 6 + i
        for letter, index in (("B", national), ("C", target)):
            value = None if empty or index is None else _looked_up(body[index][at])
            out[f"{letter}{r}"] = None if value == "" else value
    kind = ROW_TYPES["kind"]
    ranked = np.array([t != kind for t in types])
    scored = np.array([v is not None for v in overall]) & ranked
    numbers = np.array([np.nan if v is None else v for v in overall], float)
    row_numbers = np.arange(2, last + 1, dtype=float)
    keys = np.where(scored, round_scores(numbers, shape.decimals) - row_numbers * TIE_STEP, -row_numbers)
    c = [get_column_letter(RANKING_FIRST_COLUMN + i) for i in range(6)]
    counted = int(scored.sum())
    out[f"{c[1]}{RANKING_HEADER_ROW - 1}"] = float(counted)
    key = get_column_letter(KEY_COLUMN)
    out.update(zip([f"{key}{row}" for row in range(2, last + 1)],
                   [k if r else None for k, r in zip(keys.tolist(), ranked.tolist())]))
    order = np.flatnonzero(ranked)[np.argsort(-keys[ranked], kind="stable")]   # best first
    nation_place = None if national is None else 1 + int(np.sum(keys[ranked] > keys[national]))
    for j, k in enumerate(shape.places()):
        r = RANKING_HEADER_ROW + 1 + j
        if k.isdigit():
            place = int(k)
        else:
            place = nation_place if k == "{nation}" else counted - int(k.split("-")[1])
            if place is None or place < 1:
                place = None
            out[f"{c[0]}{r}"] = None if place is None else float(place)
        index = int(order[place - 1]) if place is not None and place <= len(order) else None
        out[f"{c[1]}{r}"] = None if index is None else float(index + 1)
        if index is None:
            out[f"{c[2]}{r}"] = None
            for i in range(3):
                out[f"{c[3 + i]}{r}"] = None
            continue
        name = "" if names[index] is None else _text(names[index])   # "" & text: a blank joins as ""
        label = f"{name}{'' if types[index] == ROW_TYPES['agency'] else MINISTRY_SUFFIX}"
        out[f"{c[2]}{r}"] = label or None
        for i, row_type in enumerate(("agency", "ministry", "national")):
            value = _looked_up(body[index][overall_at]) if types[index] == ROW_TYPES[row_type] else ""
            out[f"{c[3 + i]}{r}"] = None if value == "" else value
    return out


def _text(value: object) -> str:
    """A value joined with & as the spreadsheet shows it (a whole number without '.0')."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
