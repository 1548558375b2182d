"""The Summary as live formulas over the agency sheets (the agency-sheet layout), so that a
workbook edited in any spreadsheet program, with or without Python, shows right figures.

Every figure of a Summary row becomes a `Formula`: its text (no leading '=') and the value
recalculation computed for it (cached in the cell, so a viewer that does not recalculate
shows the figures). What no formula can write (the narratives) stays a value, beside a
live check that says when the answers have changed since it was written.

    agency  dimension / overall   the agency sheet's own cells (score_block.score_cells)
            level                 INDEX/MATCH in LevelBands with ROUND(overall, 9)
            rank                  1 + COUNTIF(overalls, ">" & ROUND(overall, 9) + 5E-10): RANK.EQ
                                  with ties equal, compared without float noise as the core does
            completeness          the agency sheet's cell
    ministry / kind               SUMPRODUCT(EXACT(group column, name), column) / count of numbers
    national                      AVERAGE of the agency rows
    every row: gap = overall - national overall; weak dimensions (below 50); improve first
            (largest (100 - score) x weight share, first among ties) where its formula fits.

Functions used: IF, ISNUMBER, INDEX, MATCH, ROUND, COUNTIF, SUMPRODUCT, EXACT, AVERAGE,
IFERROR, MID, MAX, SUM, SUMSQ, ROW, LEN, ABS, N, OR, AND: each computed by Excel 2010 and later
(Windows, Mac, web) and by LibreOffice (docs/live-workbook.md lists the workbook's). Pure:
strings and values only; the writers (workbook.formula_cells, the template builder, the
ribbon) put them in cells.
"""

from __future__ import annotations

from typing import NamedTuple

from readiness_xl.core.benchmarks import NOISE_DECIMALS, WEAK_THRESHOLD
from readiness_xl.core.results import NO_ANSWERS
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.cell_refs import get_column_letter
from readiness_xl.workbook.formula import ROW, Formula

# Longest formula we write: Excel takes 8,192 characters; a longer one (improve first over
# very many dimensions) is left as the value of the last recalculation.
MAX_FORMULA = 8000
STALE_TOLERANCE = 1e-6
STALE_MESSAGE = ("คำตอบเปลี่ยนหลังเขียนบทสรุป: กด คำนวณใหม่ทุกหน่วยงาน / answers changed since the "
                 "narrative was written: press Recalculate")
NO_NARRATIVE = ("บทสรุปเขียนโดยการคำนวณใหม่ (ต้องใช้ Python) ไม่มีสูตรใดเขียนได้ / Narratives are written "
                "by Recalculate (needs Python): no spreadsheet formula can write them.")


def quoted(sheet: str) -> str:
    """A sheet name as a formula writes it: 'D01', 'it''s'."""
    return "'" + sheet.replace("'", "''") + "'"


def text_literal(text: str) -> str:
    return '"' + str(text).replace('"', '""') + '"'


TEXT_CONSTANT_LIMIT = 255   # characters Excel takes in one text constant of a formula


def text_literals(text: str) -> str:
    """`text` as a formula expression of text constants joined by &, each within Excel's
    limit (a bilingual sentence is longer than one constant may be), cut after a space
    where there is one."""
    pieces = []
    while len(text) > TEXT_CONSTANT_LIMIT:
        cut = text.rfind(" ", 1, TEXT_CONSTANT_LIMIT) + 1 or TEXT_CONSTANT_LIMIT
        pieces.append(text[:cut])
        text = text[cut:]
    return "&".join(map(text_literal, pieces + [text]))


class SummaryShape(NamedTuple):
    """Where the Summary's rows and columns are: agency rows first (row 2 on), then
    ministries, kinds and the nation, as workbook.summary.rows writes them."""

    dimension_ids: list[str]
    agencies: int
    ministries: int
    kinds: int

    @property
    def first(self) -> int:
        return 2

    @property
    def last_agency(self) -> int:
        return self.first + self.agencies - 1

    @property
    def national(self) -> int:
        return self.first + self.agencies + self.ministries + self.kinds

    def letter(self, column: int) -> str:   # 1-based
        return get_column_letter(column)

    @property
    def dims(self) -> list[str]:
        return [get_column_letter(7 + j) for j in range(len(self.dimension_ids))]

    def tail(self, offset: int) -> str:
        """Column letter of a column after the dimensions (0 overall, 1 level th, ...)."""
        return get_column_letter(7 + len(self.dimension_ids) + offset)

    def agency_range(self, letter: str) -> str:
        return f"${letter}${self.first}:${letter}${self.last_agency}"


OVERALL, LEVEL_TH, LEVEL_EN, RANK, COMPLETENESS, GAP, BELOW, IMPROVE, STATUS, NARRATIVE = range(10)
MINISTRY_COLUMN, KIND_COLUMN = "F", "E"


def cell_or_blank(ref: str) -> str:
    """A number from another cell, blank where it holds none (an error, text, nothing)."""
    return f'IF(ISNUMBER({ref}),{ref},"")'


def level_formula(overall: str, label_column: int) -> str:
    """The band with the highest lower bound at or below the overall, compared without
    float noise (as core.benchmarks.band_positions); blank without a score or a band."""
    match = f"MATCH(ROUND({overall},{NOISE_DECIMALS}),INDEX({L.LEVEL_BANDS_NAME},0,1),1)"
    return f'IF(ISNUMBER({overall}),IFERROR(INDEX({L.LEVEL_BANDS_NAME},{match},{label_column}),""),"")'


def answered_formula(shape: SummaryShape, group: str) -> str:
    """TRUE where the row's units hold any answer (a template: ROW is the row): an agency
    (`group` "agency") by its completeness, a ministry or kind (`group` its key column) by
    any of its agencies', the nation ("nation") by any agency's. Elsewhere the level reads
    NO_ANSWERS, as core.results.unanswered_levels writes it."""
    completeness = shape.tail(COMPLETENESS)
    if group == "agency":
        return f"N(${completeness}{ROW})>0"
    rng = shape.agency_range(completeness)
    if group == "nation":
        return f'COUNTIF({rng},">0")>0'
    keys = shape.agency_range(group)
    return f"SUMPRODUCT(--EXACT({keys},${group}{ROW}),ISNUMBER({rng})*({rng}>0))>0"


def rank_formula(overall: str, overalls: str) -> str:
    """RANK.EQ (highest first, ties sharing the best rank) without float noise: 1 + how many
    overalls exceed this one once both are rounded to NOISE_DECIMALS (core.benchmarks)."""
    half = f"{0.5 * 10.0 ** -NOISE_DECIMALS:.0E}".replace("E-0", "E-")
    return f'IF(ISNUMBER({overall}),1+COUNTIF({overalls},">"&(ROUND({overall},{NOISE_DECIMALS})+{half})),"")'


def group_mean(column: str, shape: SummaryShape, key_column: str, row: int | str) -> str:
    """Mean of an agency-row column over the agencies whose `key_column` equals this row's
    (EXACT: as pandas groups), blank cells left out; blank where none has a number."""
    rng, keys = shape.agency_range(column), shape.agency_range(key_column)
    same = f"EXACT({keys},${key_column}{row})"
    return f'IFERROR(SUMPRODUCT(--{same},{rng})/SUMPRODUCT({same}*ISNUMBER({rng})),"")'


def national_mean(column: str, shape: SummaryShape) -> str:
    return f'IFERROR(AVERAGE({shape.agency_range(column)}),"")'


def gap_formula(overall: str, national: str) -> str:
    return f'IF(AND(ISNUMBER({overall}),ISNUMBER({national})),{overall}-{national},"")'


def weak_formula(cells: list[str], ids: list[str]) -> str:
    """The dimensions below the threshold, in framework order, joined by ', ' (compared
    without float noise, as core.benchmarks.weak_mask)."""
    parts = "&".join(f'IF(ISNUMBER({c}),IF(ROUND({c},{NOISE_DECIMALS})<{WEAK_THRESHOLD:g},'
                     f'{text_literal(", " + d)},""),"")' for c, d in zip(cells, ids))
    return f"MID({parts},3,{MAX_FORMULA})"


def improve_formula(cells: list[str], ids: list[str]) -> str:
    """The dimension whose reaching 100 gains the most overall points: (100 - score) x
    weight / sum of weights (core.benchmarks.improvement_gains), the first among ties,
    blank when no dimension has a score."""
    gains = [f"IF(ISNUMBER({c}),(100-{c})*(INDEX({L.WEIGHTS_NAME},{j + 1})/SUM({L.WEIGHTS_NAME})),-1)"
             for j, c in enumerate(cells)]
    best = f"MAX({','.join(gains)})"
    chain = '""'
    for gain, ident in reversed(list(zip(gains, ids))):
        chain = f"IF({gain}={best},{text_literal(ident)},{chain})"
    return f'IF({best}<0,"",{chain})'


def stale_formula(cells: list[str], cached: list[object]) -> str:
    """A flag that the figures of this row are no longer those the narrative was written
    from: each compared with its value at the last recalculation (blank = 0)."""
    tests = ",".join(f"ABS(N({c})-({_number(v)}))>{STALE_TOLERANCE:g}" for c, v in zip(cells, cached))
    return f'IF(OR({tests}),{text_literal(STALE_MESSAGE)},"")'


def _number(value: object) -> str:
    if value is None:
        return "0"
    number = float(value)
    return "0" if number != number else repr(number)


def live_rows(values: list[list], shape: SummaryShape, agency_cells: list[tuple[list[str], str, str]],
              narratives: bool = True) -> list[list]:
    """The Summary rows (header first, as workbook.summary.rows gives them) with every figure
    a Formula whose cached value is the one computed. `agency_cells` holds, per agency row,
    the agency sheet's (dimension cells, overall cell, completeness cell), sheet-qualified.
    Without `narratives` (a template never recalculated) the narrative says what writes it.
    Formulas the same relative to their row are built once, as templates, column by column."""
    ids, dims = shape.dimension_ids, shape.dims
    k = len(ids)
    overall_col = shape.tail(OVERALL)
    national = f"${overall_col}${shape.national}"
    at = {name: 6 + k + off for name, off in (("overall", OVERALL), ("level_th", LEVEL_TH),
          ("level_en", LEVEL_EN), ("rank", RANK), ("completeness", COMPLETENESS), ("gap", GAP),
          ("below", BELOW), ("improve", IMPROVE), ("status", STATUS), ("narrative", NARRATIVE))}
    own, row_dims = f"{overall_col}{ROW}", [f"{d}{ROW}" for d in dims]
    every_row = {"gap": gap_formula(own, national), "below": weak_formula(row_dims, ids),
                 "improve": improve_formula(row_dims, ids)}
    levels = {group: {name: f"IF({answered_formula(shape, group)},{level_formula(own, column)},"
                            f"{text_literal(words)})"
                      for name, column, words in (("level_th", 2, NO_ANSWERS[0]), ("level_en", 3, NO_ANSWERS[1]))}
              for group in ("agency", MINISTRY_COLUMN, KIND_COLUMN, "nation")}
    rank = rank_formula(own, shape.agency_range(overall_col))
    ministries_end = shape.first + shape.agencies + shape.ministries
    means = {key: [group_mean(letter, shape, key, ROW) for letter in dims + [overall_col]]
             for key in (MINISTRY_COLUMN, KIND_COLUMN)}
    nation = [national_mean(letter, shape) for letter in dims + [overall_col]]
    figures = [6 + j for j in range(k)] + [at["overall"]]
    out = [list(values[0])]
    for i, row in enumerate(values[1:]):
        r = shape.first + i
        new = list(row)

        def put(index: int, template: str, shared: object = None, row_number: int | None = r) -> None:
            if len(template) <= MAX_FORMULA:
                new[index] = Formula(template, row[index], row_number, shared)

        key = None
        if r <= shape.last_agency:
            sheet_dims, sheet_overall, sheet_complete = agency_cells[i]
            for index, ref in zip(figures, sheet_dims + [sheet_overall]):
                put(index, cell_or_blank(ref), row_number=None)
            put(at["rank"], rank, "rank")
            put(at["completeness"], cell_or_blank(sheet_complete), row_number=None)
        elif r < shape.national:
            key = MINISTRY_COLUMN if r < ministries_end else KIND_COLUMN
            for index, template in zip(figures, means[key]):
                put(index, template, key)
        else:
            for index, template in zip(figures, nation):
                put(index, template, row_number=None)
        for name, template in every_row.items():
            put(at[name], template, name)
        group = "agency" if r <= shape.last_agency else key or "nation"
        for name, template in levels[group].items():
            put(at[name], template, (name, group))
        if narratives:
            cells = [f"{d}{r}" for d in dims] + [f"{overall_col}{r}"]
            put(at["status"], stale_formula(cells, [row[j] for j in figures]), row_number=None)
        else:
            new[at["status"]] = None
            new[at["narrative"]] = NO_NARRATIVE
        out.append(new)
    return out


SIMULATION_STALE = ("คำตอบเปลี่ยนหลังการจำลอง: รัน readiness-xl robustness ใหม่ / answers changed since "
                    "these ranks were simulated: run robustness (or recalc --robustness) again")
SIMULATION_NOTE = ("อันดับจำลอง (Monte Carlo) คำนวณด้วย Python ไม่มีสูตรใดคำนวณได้ / Monte Carlo ranks are "
                   "computed by Python: no spreadsheet formula can")


def simulation_check(n_dimensions: int, scores: list[float | None], last_row: int) -> Formula:
    """A live flag that the Summary's agency overalls (rows 2.., in Agencies order) are no
    longer the `scores` a simulation started from: their sum, sum of squares and sum
    weighted by row, stored here, against the same over the Summary; or that a Summary
    status cell (rows 2..last_row) flags changed answers, as the long layout's check does."""
    n = len(scores)
    column = get_column_letter(7 + n_dimensions)
    rng = f"'{L.SUMMARY_SHEET}'!${column}$2:${column}${n + 1}"
    values = [(float(s), r) for r, s in enumerate(scores, start=2) if s is not None and s == s]
    sums = (sum(v for v, _ in values), sum(v * v for v, _ in values), sum(v * r for v, r in values))
    live = (f"SUM({rng})", f"SUMSQ({rng})", f"SUMPRODUCT({rng},ROW({rng}))")
    tests = [f"ABS({f}-({s!r}))>1E-9*MAX(1,ABS({s!r}))" for f, s in zip(live, sums)]
    status = get_column_letter(7 + n_dimensions + STATUS)
    tests.append(f"SUMPRODUCT(LEN('{L.SUMMARY_SHEET}'!${status}$2:${status}${last_row}))>0")
    return Formula(f'IF(OR({",".join(tests)}),{text_literal(SIMULATION_STALE)},"")', "")
