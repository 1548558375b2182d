"""One agency's sheet: a bilingual questionnaire with validated answer cells, and a
score block that computes each dimension and the overall score twice: with our UDFs
(live when the add-in is loaded) and with native Excel formulas (SUMPRODUCT, INDEX,
MATCH) that give the same numbers without Python, in any spreadsheet program."""

from __future__ import annotations

import pandas as pd
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Protection
from openpyxl.worksheet.datavalidation import DataValidation

from readiness_xl.builder.framework_sheet import FrameworkCells
from readiness_xl.builder.method_formulas import mean_formula, number_share_formula
from readiness_xl.builder.style import (BOLD_FONT, CHECK_FILL, INPUT_FILL, NOTE_FONT, SCORE_FORMAT, TITLE_FONT,
                                        header, print_a4, put, put_formula, text_height, widths)
from readiness_xl.core.answers import YES_WORDS
from readiness_xl.core.framework import Framework
from readiness_xl.thai import thai_digits
from readiness_xl.workbook import layout as L

TYPE_LABELS = {"yesno": "ใช่/ไม่ใช่ (yes/no)", "scale": "ระดับ (scale)", "percent": "ร้อยละ (%)",
               "number": "ตัวเลข (number)"}
QUESTION_HEADERS = ["ตัวชี้วัด / Indicator", "มิติ / Dimension", "คำถาม (ไทย)", "Question (English)",
                    "ประเภทคำตอบ / Answer type", "ค่าสูงสุด / Maximum", "คำตอบ / Answer",
                    "คะแนน / Points", "สัดส่วนที่ได้ / Share"]
SCORE_HEADERS = ["มิติ / Dim", "ชื่อมิติ / Dimension", "น้ำหนัก / Weight",
                 "คะแนน (UDF) / Score", "ตรวจสอบ (สูตร Excel) / Check"]
SCORE_COLUMN = 11  # K: the score block sits right of the questionnaire
QUESTION_WIDTH = 42
YES_NO_CHOICES = "ใช่,ไม่ใช่"
NO_ADDIN = "ต้องใช้ add-in / needs the add-in"


def ordered_indicators(framework: Framework) -> pd.DataFrame:
    """Indicators grouped by dimension (framework order within each), so that every
    dimension's answers form one contiguous range for its formulas."""
    order = {d: i for i, d in enumerate(framework.dimension_ids)}
    return framework.indicators.sort_values("dimension", key=lambda s: s.map(order), kind="stable")


def udf(call: str) -> str:
    """A UDF formula that says what is missing, instead of #NAME?, where the add-in is not
    loaded (LibreOffice, Excel without xlwings); the check column still has the numbers."""
    return f'=IFERROR({call},"{NO_ADDIN}")'


def yes_formula(cell: str) -> str:
    """Native test of a yes answer, from the same word list the reader accepts."""
    words = sorted(YES_WORDS | {thai_digits("1")})
    tests = ",".join(f'{cell}="{w}"' for w in words)
    return f"OR({tests},{cell}=1,{cell}=TRUE)"


def share_formula(row: int, answer_type: str) -> str:
    """Share of an indicator achieved (0..1); unanswered counts 0, as the default policy."""
    g, f = f"G{row}", f"F{row}"
    if answer_type == "yesno":
        return f"=IF({yes_formula(g)},1,0)"
    return f"=IF(ISNUMBER({g}),{g}/{f},0)"


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
                       agency: pd.Series, answers: pd.Series | None, protect: bool = True):
    ws = wb.create_sheet(ident)
    put(ws, 1, 1, f"{agency['name_th']} / {agency['name_en']}", TITLE_FONT)
    put(ws, 2, 1, "รหัสหน่วยงาน / Agency id", BOLD_FONT)
    put(ws, 2, 2, ident, BOLD_FONT)
    put(ws, 2, 3, f"{agency['ministry_th']} / {agency['ministry_en']}")
    put(ws, 3, 1, "กรอกคำตอบในช่องสีเหลือง / Type answers in the yellow cells. "
        "ช่องว่าง = ยังไม่ตอบ (ไม่ได้คะแนน) / blank = not answered (earns nothing).", NOTE_FONT)
    header(ws, L.AGENCY_HEADER_ROW, QUESTION_HEADERS)

    indicators = ordered_indicators(framework)
    validations: dict[tuple[str, float], DataValidation] = {}
    first = L.AGENCY_FIRST_ROW
    for r, (ind, q) in enumerate(indicators.iterrows(), start=first):
        answer = None if answers is None else answers.get(ind)
        put(ws, r, 1, ind)
        put(ws, r, 2, q["dimension"])
        put(ws, r, 3, q["question_th"], wrap=True)
        put(ws, r, 4, q["question_en"], wrap=True)
        ws.row_dimensions[r].height = max(text_height(q["question_th"], QUESTION_WIDTH - 4, 13),
                                          text_height(q["question_en"], QUESTION_WIDTH - 4, 13))
        put(ws, r, 5, TYPE_LABELS[q["type"]])
        put_formula(ws, r, 6, f"={cells.maximum(ind)}")
        cell = put(ws, r, 7, None if pd.isna(answer) else answer, BOLD_FONT, fill=INPUT_FILL)
        cell.protection = Protection(locked=False)
        put_formula(ws, r, 8, f"={cells.points(ind)}")
        share = (share_formula(r, q["type"]) if q["type"] != "number" else
                 number_share_formula(f"G{r}", q, cells.minimum(ind), f"F{r}"))
        put_formula(ws, r, 9, share, number_format="0.00")
        key = (q["type"], float(q["max"]))
        if key not in validations:
            validations[key] = _validation(*key)
        validations[key].add(f"G{r}")
    last = first + len(indicators) - 1
    for dv in validations.values():
        ws.add_data_validation(dv)

    _score_block(ws, framework, cells, indicators, first)
    widths(ws, "ABCDEFGHIJKLMNO", (10, 9, QUESTION_WIDTH, QUESTION_WIDTH, 16, 9, 11, 8, 8, 2, 7, 30,
                                    9, 26, 14))
    ws.row_dimensions[L.AGENCY_HEADER_ROW].height = 32
    ws.freeze_panes = ws.cell(row=first, column=3)
    # Printed as two parts, each fitted to the page width: the questionnaire, then the scores.
    print_a4(ws, title_rows=f"{L.AGENCY_HEADER_ROW}:{L.AGENCY_HEADER_ROW}", pages_tall=1)
    ws.print_area = [f"A1:I{last}", f"K{L.AGENCY_HEADER_ROW}:O{first + len(framework.dimensions) + 3}"]
    if protect:
        ws.protection.sheet = True
        ws.protection.formatCells = False
        ws.protection.formatColumns = False
    return ws


def _score_block(ws, framework: Framework, cells: FrameworkCells, indicators: pd.DataFrame,
                 first: int) -> None:
    """K..O: a row per dimension, then overall, level and completeness."""
    k = SCORE_COLUMN
    header(ws, L.AGENCY_HEADER_ROW, SCORE_HEADERS, first_col=k)
    positions = pd.Series(range(first, first + len(indicators)), index=indicators.index)
    top = first
    for r, dim in enumerate(framework.dimension_ids, start=top):
        rows = positions[indicators["dimension"] == dim]
        put(ws, r, k, dim)
        put(ws, r, k + 1, framework.dimensions.at[dim, "name_th"], wrap=True)
        put_formula(ws, r, k + 2, f"={cells.weight(dim)}")
        if rows.empty:
            continue
        a, b = rows.min(), rows.max()
        put_formula(ws, r, k + 3, udf(f"DIMENSION_SCORE(G{a}:G{b},F{a}:F{b},H{a}:H{b})"), BOLD_FONT,
            SCORE_FORMAT)
        p = framework.dimensions.at[dim, "aggregation"]
        put_formula(ws, r, k + 4, f"=100*{mean_formula(f'I{a}:I{b}', f'H{a}:H{b}', p)}", BOLD_FONT,
            SCORE_FORMAT, CHECK_FILL)
    end = top + len(framework.dimension_ids) - 1
    total, level, complete = end + 1, end + 2, end + 3
    last_answer = first + len(indicators) - 1
    put(ws, total, k + 1, "คะแนนรวม / Overall", BOLD_FONT)
    put_formula(ws, total, k + 2, f"=SUM(M{top}:M{end})")
    put_formula(ws, total, k + 3, udf(f"READINESS_SCORE(N{top}:N{end},{L.WEIGHTS_NAME})"), BOLD_FONT, SCORE_FORMAT)
    overall = mean_formula(f"O{top}:O{end}", f"M{top}:M{end}", framework.settings.aggregation)
    decimals = framework.settings.decimals
    put_formula(ws, total, k + 4, f"=ROUND({overall},{decimals})" if decimals is not None else f"={overall}",
        BOLD_FONT, SCORE_FORMAT, CHECK_FILL)
    put(ws, level, k + 1, "ระดับ / Level", BOLD_FONT)
    put_formula(ws, level, k + 3, udf(f"READINESS_LEVEL(N{total},{L.LEVEL_BANDS_NAME})"), BOLD_FONT)
    put_formula(ws, level, k + 4, f"=INDEX({cells.band_column('B')},MATCH(O{total},{cells.band_column('A')},1))",
        BOLD_FONT, fill=CHECK_FILL)
    put(ws, complete, k + 1, "ความครบถ้วน % / Completeness %", BOLD_FONT)
    put_formula(ws, complete, k + 4, f"=100*COUNTA(G{first}:G{last_answer})/ROWS(G{first}:G{last_answer})",
        BOLD_FONT, SCORE_FORMAT, CHECK_FILL)
    put(ws, complete + 1, k, "คะแนน (UDF) ต้องใช้ add-in readiness-xl; ช่องตรวจสอบคำนวณด้วยสูตร Excel "
        "/ UDF scores need the add-in; the check column uses plain Excel formulas.", NOTE_FONT)
    ws.conditional_formatting.add(
        f"O{top}:O{end}", ColorScaleRule(start_type="num", start_value=0, start_color="F8696B",
                                         mid_type="num", mid_value=50, mid_color="FFEB84",
                                         end_type="num", end_value=100, end_color="63BE7B"))
