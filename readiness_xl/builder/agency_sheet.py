"""One agency's sheet: a bilingual questionnaire with validated answer cells, and a
score block beside it. The scores people read (column N) are plain formulas (SUMPRODUCT,
INDEX, MATCH) that every spreadsheet program computes, with or without Python, rendered
by the method's own steps (`builder/method_formulas.py` over `core/pipeline`); column O
repeats them with our functions as a quiet cross-check, showing a dash where the add-in
is not loaded. Both kinds of formula are built in one section below.

The score block has a row per dimension in `block_order` (the top-level dimensions
first, then each parent's sub-dimensions together, to any depth), then Overall, Level and
Completeness. `score_cells(framework)` is the one place that says where each score is;
with `decimals` set, column P (hidden) holds the unrounded chain and N shows it rounded.
Cross-unit normalisations (minmax, zscore, rank) read the hidden `Calc` sheet: a row per
agency, a column per indicator, each cell the agency's answer as the method compares it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from openpyxl.styles import Alignment, Protection
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from readiness_xl.builder.framework_sheet import FrameworkCells
from readiness_xl.builder.method_formulas import UNIT_RELATIVE as UNIT_RELATIVE_METHODS
from readiness_xl.builder.method_formulas import SheetMethod, quoted
from readiness_xl.core.aggregation import aggregation_name
from readiness_xl.workbook.style import (BOLD_FONT, CHECK_FONT, INPUT_FILL, LINE_POINTS, NOTE_FONT, SCORE_FORMAT,
                                         TITLE_FONT, header, heat_fills, print_a4, put, put_formula, text_height,
                                         widths)
from readiness_xl.core.framework import Framework
from readiness_xl.core.pipeline.parse import yes_test
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.score_block import block_order, score_cells  # noqa: F401 (where the scores sit)

TYPE_LABELS = {"yesno": "ใช่/ไม่ใช่ (yes/no)", "scale": "ระดับ (scale)", "percent": "ร้อยละ (%)",
               "number": "ตัวเลข (number)"}
QUESTION_HEADERS = ["ตัวชี้วัด / Indicator", "มิติ / Dim", "คำถาม (ไทย)", "Question (English)",
                    "ประเภทคำตอบ / Answer type", "ค่าสูงสุด / Max", "คำตอบ / Answer",
                    "คะแนน / Points", "สัดส่วน ที่ได้ / Share"]
SCORE_HEADERS = ["มิติ / Dim", "ชื่อมิติ / Dimension", "น้ำหนัก / Weight",
                 "คะแนน % / Score %", "ตรวจซ้ำ / Check (add-in)"]
SCORE_COLUMN = 11  # K: the score block sits right of the questionnaire
SCORE_LETTER, CHECK_LETTER = "N", "O"  # plain-formula scores; the add-in's cross-check
UNROUNDED_LETTER = "P"  # with `decimals`: the unrounded chain (hidden), N shows it rounded
CALC_SHEET = "Calc"     # every agency's values of each indicator, for the cross-unit methods
CALC_FIRST_ROW = 2
QUESTION_WIDTH = 28
# A is wide enough for "Indicator" in bold on one line (LibreOffice printed "Indicato/r" at 10).
COLUMN_WIDTHS = ("ABCDEFGHIJKLMNO", (12, 7, QUESTION_WIDTH, QUESTION_WIDTH, 14, 9, 10, 8, 9, 2, 5, 22, 9, 10, 11))
HEADER_HEIGHT = 70  # four lines of bold Thai and English
YES_NO_CHOICES = "ใช่,ไม่ใช่"
NO_ADDIN = "\u2013"  # what the cross-check shows without the add-in: a dash, not an error
ANSWER_NOTE = L.AGENCY_NOTES["zero"]   # the note over the questionnaire (its `exclude` words: layout)
SCORE_NOTE = ("คอลัมน์ N เป็นสูตรปกติ ใช้ได้ทุกโปรแกรม คอลัมน์ O ตรวจซ้ำด้วย add-in (\u2013 = ไม่มี add-in "
              "ไม่ผิดปกติ) / Column N: plain formulas, any program. Column O: the same with the add-in "
              "(\u2013 without it, which is fine).")


def ordered_indicators(framework: Framework) -> pd.DataFrame:
    """Indicators grouped by dimension (framework order within each), so that every
    dimension's answers form one contiguous range for its formulas."""
    order = {d: i for i, d in enumerate(framework.dimension_ids)}
    return framework.indicators.sort_values("dimension", key=lambda s: s.map(order), kind="stable")


# Formulas, in one place. The plain ones are the scores people read, in any program.

def yes_formula(cell: str) -> str:
    """Native test of a yes answer, from the same word list the reader accepts."""
    return yes_test(cell)


@dataclass(frozen=True)
class CalcCells:
    """Where the Calc sheet holds each indicator's column and each agency's row."""

    letters: dict[str, str]
    rows: dict[str, int]

    def column(self, ind: str) -> str:
        letter, last = self.letters[ind], CALC_FIRST_ROW + len(self.rows) - 1
        return f"{quoted(CALC_SHEET)}${letter}${CALC_FIRST_ROW}:${letter}${last}"

    def own(self, ind: str, agency: str) -> str:
        return f"{quoted(CALC_SHEET)}${self.letters[ind]}${self.rows[agency]}"


def needs_calc(framework: Framework, agencies: int) -> bool:
    """A Calc sheet is written when some indicator learns from every unit and there is
    more than one unit to learn from (a one-agency questionnaire cannot: its cells say so)."""
    return agencies > 1 and framework.indicators["normalise"].isin(UNIT_RELATIVE_METHODS).any()


def write_calc_sheet(wb, framework: Framework, agency_ids: list[str], method: SheetMethod) -> CalcCells:
    """The hidden Calc sheet: a row per agency, a column per indicator, each cell that
    agency's answer (read from its sheet) as the normalisation compares it ("" when
    unanswered), so MIN, MAX, AVERAGE, STDEVP, COUNT and SUMPRODUCT over a column are
    the statistics the method learns over the units."""
    ws = wb.create_sheet(CALC_SHEET)
    indicators = ordered_indicators(framework)
    letters = {ind: get_column_letter(k) for k, ind in enumerate(indicators.index, start=2)}
    put(ws, 1, 1, "Id", BOLD_FONT)
    for ind, letter in letters.items():
        put(ws, 1, column_index_from_string(letter), ind, BOLD_FONT)
    rows = {}
    for r, agency in enumerate(agency_ids, start=CALC_FIRST_ROW):
        put(ws, r, 1, agency)
        rows[agency] = r
        for position, (ind, letter) in enumerate(letters.items()):
            answer = f"{quoted(agency)}{L.AGENCY_ANSWER_COLUMN}{L.AGENCY_FIRST_ROW + position}"
            ws[f"{letter}{r}"] = method.calc_value(ind, answer)
    ws.sheet_state = "hidden"
    return CalcCells(letters, rows)


def _until_answered(first: int, last: int, formula: str) -> str:
    """`formula`, or blank while no answer in G{first}:G{last} exists: a blank form must not
    read "ต่ำมาก" (very low) before anyone has answered it."""
    return f'IF(COUNTA(G{first}:G{last})=0,"",{formula})'


def plain_level(cells: FrameworkCells, total: int, first: int, last: int, blank_overall: bool = False) -> str:
    """The band with the highest lower bound at or below the overall score; blank until
    the first answer (and, where the overall may be blank, under `exclude`, while it is)."""
    band = f"INDEX({cells.band_column('B')},MATCH({SCORE_LETTER}{total},{cells.band_column('A')},1))"
    if blank_overall:
        band = f'IF(ISNUMBER({SCORE_LETTER}{total}),{band},"")'
    return f"={_until_answered(first, last, band)}"


def plain_completeness(first: int, last: int) -> str:
    return f"=100*COUNTA(G{first}:G{last})/ROWS(G{first}:G{last})"


def addin_check(call: str) -> str:
    """One of our functions as a cross-check: a dash instead of #NAME? where the add-in is
    not loaded (Excel without xlwings, LibreOffice, Numbers)."""
    return f'=IFERROR({call},"{NO_ADDIN}")'


def addin_dimension(a: int, b: int, p: float = 1.0, raw: bool = False, missing: str = "zero") -> str:
    """The add-in's dimension score; a framework with its own method (a mean other than
    arithmetic, raw `number` indicators) takes the shares of column I through WEIGHTED_MEAN
    (which leaves blank shares out, as `exclude` does)."""
    exclude = missing == "exclude"
    if p == 1.0 and not raw:
        rule = ',"exclude"' if exclude else ""
        check = addin_check(f"DIMENSION_SCORE(G{a}:G{b},F{a}:F{b},H{a}:H{b}{rule})")
    else:
        check = addin_check(f'100*WEIGHTED_MEAN(I{a}:I{b},H{a}:H{b},"{aggregation_name(p)}")')
    # under exclude a dimension with nothing answered is blank, as its score in column N
    return f'=IF(COUNTA(G{a}:G{b})=0,"",{check[1:]})' if exclude else check


def addin_overall(top: int, end: int, p: float = 1.0, decimals: int | None = None,
                  weights: str = L.WEIGHTS_NAME) -> str:
    """The add-in's overall from the top-level rows top..end and their `weights` (the
    named range Weights when every dimension is top level)."""
    c = CHECK_LETTER
    call = (f"READINESS_SCORE({c}{top}:{c}{end},{weights})" if p == 1.0 else
            f'WEIGHTED_MEAN({c}{top}:{c}{end},{weights},"{aggregation_name(p)}")')
    return addin_check(call if decimals is None else f"ROUND({call},{decimals})")


def addin_parent(first: int, last: int, p: float) -> str:
    """The add-in's score of a parent from its sub-dimensions in rows first..last."""
    c = CHECK_LETTER
    return addin_check(f'WEIGHTED_MEAN({c}{first}:{c}{last},M{first}:M{last},"{aggregation_name(p)}")')


def blank_without_numbers(cells: str, formula: str) -> str:
    """`formula` (with '='), blank while `cells` hold no number: under `exclude` a check
    over blank scores (nothing answered in them) is blank too, as the scores are."""
    return f'=IF(COUNT({cells})=0,"",{formula[1:]})'


def addin_level(total: int, first: int, last: int) -> str:
    return addin_check(_until_answered(first, last, f"READINESS_LEVEL({CHECK_LETTER}{total},{L.LEVEL_BANDS_NAME})"))


def _validation(answer_type: str, maximum: float) -> DataValidation:
    common = dict(allow_blank=True, showErrorMessage=True, showInputMessage=True,
                  errorTitle="คำตอบไม่ถูกต้อง / Invalid answer")
    if answer_type == "number":  # a raw value in its own units: any number, capped when scored
        return DataValidation(type="decimal", operator="between", formula1="-1E+300", formula2="1E+300",
                              promptTitle="ตัวเลข / number", prompt="ตัวเลข / A number",
                              error="ต้องเป็นตัวเลข / A number", **common)
    if answer_type == "yesno":
        return DataValidation(type="list", formula1=f'"{YES_NO_CHOICES}"', promptTitle="ใช่/ไม่ใช่",
                              prompt="เลือก ใช่ หรือ ไม่ใช่ / Choose yes or no",
                              error="เลือก ใช่ หรือ ไม่ใช่ / Choose ใช่ (yes) or ไม่ใช่ (no)", **common)
    if answer_type == "scale":
        return DataValidation(type="whole", operator="between", formula1="0", formula2=f"{maximum:g}",
                              promptTitle=f"0-{maximum:g}", prompt=f"จำนวนเต็ม 0 ถึง {maximum:g} / "
                              f"A whole number 0 to {maximum:g}",
                              error=f"จำนวนเต็ม 0 ถึง {maximum:g} / A whole number 0 to {maximum:g}", **common)
    return DataValidation(type="decimal", operator="between", formula1="0", formula2="100",
                          promptTitle="0-100 %", prompt="ร้อยละ 0 ถึง 100 / A percentage 0 to 100",
                          error="ร้อยละ 0 ถึง 100 / A percentage 0 to 100", **common)


def write_agency_sheet(wb, framework: Framework, cells: FrameworkCells, ident: str,
                       agency: pd.Series, answers: pd.Series | None, protect: bool = True,
                       method: SheetMethod | None = None, calc: CalcCells | None = None):
    """`method`: the framework's steps as formulas (made here when not given: pass one
    when writing many sheets); `calc`: the Calc sheet, where cross-unit methods learn."""
    method = method or SheetMethod(framework)
    ws = wb.create_sheet(ident)
    put(ws, 1, 1, f"{agency['name_th']} / {agency['name_en']}", TITLE_FONT)
    put(ws, 2, 1, "รหัส / Id", BOLD_FONT)
    put(ws, 2, 2, ident, BOLD_FONT)
    put(ws, 2, 3, f"{agency['ministry_th']} / {agency['ministry_en']}")
    # What to do (over the questionnaire) and how the scores are made (over the score block).
    note = L.AGENCY_NOTES[method.missing_rule]
    put(ws, 3, 1, note, NOTE_FONT, wrap=True)
    ws.merge_cells("A3:I3")
    put(ws, 3, SCORE_COLUMN, SCORE_NOTE, NOTE_FONT, wrap=True)
    ws.merge_cells(start_row=3, start_column=SCORE_COLUMN, end_row=3, end_column=SCORE_COLUMN + 4)
    ws.row_dimensions[3].height = max(text_height(note, sum(COLUMN_WIDTHS[1][:9])),
                                      text_height(SCORE_NOTE, sum(COLUMN_WIDTHS[1][10:])))
    header(ws, L.AGENCY_HEADER_ROW, QUESTION_HEADERS, height=HEADER_HEIGHT)

    indicators = ordered_indicators(framework)
    validations: dict[tuple[str, float], DataValidation] = {}
    first = L.AGENCY_FIRST_ROW
    for r, (ind, q) in enumerate(indicators.iterrows(), start=first):
        answer = None if answers is None else answers.get(ind)
        put(ws, r, 1, ind)
        put(ws, r, 2, q["dimension"])
        put(ws, r, 3, q["question_th"], wrap=True)
        put(ws, r, 4, q["question_en"], wrap=True)
        ws.row_dimensions[r].height = max(text_height(q["question_th"], QUESTION_WIDTH),
                                          text_height(q["question_en"], QUESTION_WIDTH),
                                          text_height(TYPE_LABELS[q["type"]], COLUMN_WIDTHS[1][4]))
        put(ws, r, 5, TYPE_LABELS[q["type"]], wrap=True)
        put_formula(ws, r, 6, f"={cells.maximum(ind)}")
        cell = put(ws, r, 7, None if pd.isna(answer) else answer, BOLD_FONT, fill=INPUT_FILL)
        cell.protection = Protection(locked=False)
        put_formula(ws, r, 8, f"={cells.points(ind)}")
        column = own = ""
        if calc is not None and method.cross_unit(ind):
            column, own = calc.column(ind), calc.own(ind, ident)
        share = method.share(ind, f"G{r}", cells.minimum(ind), f"F{r}", column, own)
        put_formula(ws, r, 9, share, number_format="0.00")
        key = (q["type"], float(q["max"]))
        if key not in validations:
            validations[key] = _validation(*key)
        validations[key].add(f"G{r}")
    last = first + len(indicators) - 1
    for dv in validations.values():
        ws.add_data_validation(dv)

    _score_block(ws, framework, cells, indicators, first, method)
    widths(ws, *COLUMN_WIDTHS)
    ws.freeze_panes = ws.cell(row=first, column=3)
    # Answers and scores print together, one page across, the header row on every page.
    print_a4(ws, title_rows=f"{L.AGENCY_HEADER_ROW}:{L.AGENCY_HEADER_ROW}", columns="A:O")
    ws.print_area = f"A1:O{max(last, first + len(framework.dimensions) + 2)}"
    if protect:
        ws.protection.sheet = True
        ws.protection.formatCells = False
        ws.protection.formatColumns = False
    return ws


def _score_block(ws, framework: Framework, cells: FrameworkCells, indicators: pd.DataFrame,
                 first: int, method: SheetMethod) -> None:
    """K..O (and P): a row per dimension in block_order, then overall, level and
    completeness. Leaves score their indicators, parents their sub-dimensions, the
    overall the top-level rows only, each by its own aggregation."""
    k = SCORE_COLUMN
    header(ws, L.AGENCY_HEADER_ROW, SCORE_HEADERS, first_col=k, height=HEADER_HEIGHT)
    positions = pd.Series(range(first, first + len(indicators)), index=indicators.index)
    order = block_order(framework)
    row_of = {d: r for r, d in enumerate(order, start=first)}
    parents = framework.dimensions["parent"]
    decimals = framework.settings.decimals
    chain = UNROUNDED_LETTER if decimals is not None else SCORE_LETTER   # the unrounded scores
    top = first
    for dim, r in row_of.items():
        name = framework.dimensions.at[dim, "name_th"]
        depth = 0
        up = parents[dim]
        while up:
            depth, up = depth + 1, parents[up]
        put(ws, r, k, dim)
        put(ws, r, k + 1, ("  " * depth) + name, wrap=True)
        ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 15, text_height(name, COLUMN_WIDTHS[1][11]))
        put_formula(ws, r, k + 2, f"={cells.weight(dim)}")
        p = framework.dimensions.at[dim, "aggregation"]
        children = [row_of[c] for c in order if parents[c] == dim]
        if children:
            a, b = min(children), max(children)
            unrounded = method.parent(dim, f"{chain}{a}:{chain}{b}", f"M{a}:M{b}")
            check = addin_parent(a, b, p)
            if method.missing_rule == "exclude":
                check = blank_without_numbers(f"{CHECK_LETTER}{a}:{CHECK_LETTER}{b}", check)
        else:
            rows = positions[indicators["dimension"] == dim]
            if rows.empty:
                continue
            a, b = rows.min(), rows.max()
            raw = bool((indicators.loc[rows.index, "type"] == "number").any())
            unrounded = method.dimension(dim, f"I{a}:I{b}", f"H{a}:H{b}")
            check = addin_dimension(a, b, p, raw, method.missing_rule)
        if decimals is not None:
            put_formula(ws, r, k + 5, unrounded, number_format=SCORE_FORMAT)
            if not unrounded.startswith('="'):   # a text saying why there is no formula shows in N
                unrounded = method.rounded(f"{UNROUNDED_LETTER}{r}")
        put_formula(ws, r, k + 3, unrounded, BOLD_FONT, SCORE_FORMAT)
        put_formula(ws, r, k + 4, check, CHECK_FONT, SCORE_FORMAT)
    end = top + len(order) - 1
    top_end = top + sum(1 for d in order if not parents[d]) - 1
    total, level, complete = end + 1, end + 2, end + 3
    last_answer = first + len(indicators) - 1
    put(ws, total, k + 1, "คะแนนรวม / Overall", BOLD_FONT)
    put_formula(ws, total, k + 2, f"=SUM(M{top}:M{top_end})")
    settings = framework.settings
    overall = method.overall(f"{chain}{top}:{chain}{top_end}", f"M{top}:M{top_end}")
    if decimals is not None and not overall.startswith('="'):   # unrounded beside the dimensions'
        # (the rounding reads one cell; a text saying why there is no formula stays in N)
        put_formula(ws, total, k + 5, overall, number_format=SCORE_FORMAT)
        overall = f"{UNROUNDED_LETTER}{total}"
    put_formula(ws, total, k + 3, method.rounded(overall), BOLD_FONT, SCORE_FORMAT)
    flat = top_end == end
    total_check = addin_overall(top, top_end, settings.aggregation, settings.decimals,
                                L.WEIGHTS_NAME if flat else f"M{top}:M{top_end}")
    level_check = addin_level(total, first, last_answer)
    if method.missing_rule == "exclude":
        total_check = blank_without_numbers(f"{CHECK_LETTER}{top}:{CHECK_LETTER}{top_end}", total_check)
        level_check = blank_without_numbers(f"{CHECK_LETTER}{total}", level_check)
    put_formula(ws, total, k + 4, total_check, CHECK_FONT, SCORE_FORMAT)
    if decimals is not None:
        ws.column_dimensions[UNROUNDED_LETTER].hidden = True
    put(ws, level, k + 1, "ระดับ / Level", BOLD_FONT)
    put_formula(ws, level, k + 3, plain_level(cells, total, first, last_answer,
                                              method.missing_rule == "exclude"), BOLD_FONT)
    put_formula(ws, level, k + 4, level_check, CHECK_FONT)
    put(ws, complete, k + 1, "ความครบถ้วน % / Completeness %", BOLD_FONT, wrap=True)
    put_formula(ws, complete, k + 3, plain_completeness(first, last_answer), BOLD_FONT, SCORE_FORMAT)
    for r in (total, level, complete):
        for col in (k + 3, k + 4):
            ws.cell(r, col).alignment = Alignment(horizontal="right", vertical="top")
    ws.row_dimensions[complete].height = max(ws.row_dimensions[complete].height or 15, 2 * LINE_POINTS)
    # Coloured by score once the agency has answered anything: a blank form stays white.
    scores = f"{SCORE_LETTER}{top}:{SCORE_LETTER}{total}"
    heat_fills(ws, scores, f"{SCORE_LETTER}{top}", f"COUNTA($G${first}:$G${last_answer})>0")
