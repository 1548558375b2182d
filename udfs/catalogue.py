"""The one list of our Excel functions: names, help texts and arguments.

On Windows the xlwings decorators read these texts into Excel's function wizard; on
Linux those decorators do nothing, so tests, the README's function table and the
add-in help read this catalogue instead."""

from __future__ import annotations

from dataclasses import dataclass

CATEGORY = "Readiness"


@dataclass(frozen=True)
class Argument:
    name: str
    help: str
    optional: bool = False


@dataclass(frozen=True)
class ExcelFunction:
    name: str
    help: str
    arguments: tuple[Argument, ...]
    returns: str
    example: str


_DIMS = Argument("dimension_scores", "Dimension scores in % (a row or a column; blank = no score).")
_WEIGHTS = Argument("weights", "Dimension weights, e.g. the Weights name. Left out: the workbook's "
                    "Weights name.", optional=True)
_IDS = Argument("dimension_ids", "Dimension ids in the same order (left out: 1, 2, 3, ...).", optional=True)
_UNIT = Argument("unit", "Agency id, or the Thai or English name of an agency, a ministry or "
                 "the nation (ประเทศไทย, Thailand or national).")
_FROM = Argument("from_round", "The earlier round's year, B.E. (2559) or C.E. (2016).")
_TO = Argument("to_round", "The later round's year, B.E. (2560) or C.E. (2017).")

FUNCTIONS: tuple[ExcelFunction, ...] = (
    ExcelFunction(
        "DIMENSION_SCORE",
        "Score of one dimension in % from its indicators' answers (คะแนนมิติ).",
        (Argument("answers", "The answers: ใช่/ไม่ใช่, Y/N, TRUE/FALSE or 1/0 where the maximum is 1, "
                  "otherwise a number 0..maximum; Thai digits accepted; blank = not answered."),
         Argument("maxima", "The maximum of each indicator (1 for yes/no, 100 for a percentage)."),
         Argument("points", "Points of each indicator (left out: 1 each).", optional=True),
         Argument("missing", "\"zero\" (default): unanswered earns nothing; \"exclude\": left out.",
                  optional=True)),
        "a number 0..100", "=DIMENSION_SCORE(G5:G8, F5:F8, H5:H8)"),
    ExcelFunction(
        "READINESS_SCORE",
        "Overall readiness in %: the weighted mean of the dimension scores (คะแนนความพร้อมรวม).",
        (_DIMS, _WEIGHTS), "a number 0..100", "=READINESS_SCORE(M5:M10, Weights)"),
    ExcelFunction(
        "READINESS_LEVEL",
        "The level word of a score from the level bands (ระดับความพร้อม).",
        (Argument("score", "An overall or dimension score in %."),
         Argument("bands", "Level bands: lower bound, Thai label, English label. Left out: the "
                  "workbook's LevelBands name.", optional=True),
         Argument("lang", "\"th\" (default) or \"en\".", optional=True)),
        "text", "=READINESS_LEVEL(M11, LevelBands)"),
    ExcelFunction(
        "DIMENSION_GAP",
        "Each dimension minus a benchmark (negative = behind); spills one value per dimension.",
        (_DIMS, Argument("benchmark", "Benchmark dimension scores. Left out: the national row of "
                         "the Summary sheet.", optional=True)),
        "an array of numbers, same orientation as dimension_scores", "=DIMENSION_GAP(G2:L2)"),
    ExcelFunction(
        "WEAK_DIMENSIONS",
        "The dimensions below a threshold, weakest first; spills down (มิติที่ต่ำกว่าเกณฑ์).",
        (_DIMS, _IDS, Argument("threshold", "Threshold in % (default 50).", optional=True)),
        "a column of dimension ids, or an empty text when none", "=WEAK_DIMENSIONS(G2:L2)"),
    ExcelFunction(
        "READINESS_RANK",
        "Rank of a score among scores, highest first, ties share a rank (as RANK.EQ).",
        (Argument("score", "The score to rank."),
         Argument("scores", "All the scores it is ranked among (it must be one of them).")),
        "a whole number", "=READINESS_RANK(M2, $M$2:$M$32)"),
    ExcelFunction(
        "IMPROVEMENT_PRIORITY",
        "Where work raises the overall score most: dimension id and overall points gained if "
        "it reached 100, largest first; spills two columns.",
        (_DIMS, _WEIGHTS, _IDS),
        "a two-column array", "=IMPROVEMENT_PRIORITY(G2:L2, Weights)"),
    ExcelFunction(
        "READINESS_NARRATIVE",
        "A paragraph on a unit's result in Thai or English, as the survey report writes it.",
        (Argument("name", "The unit's name (Thai or English)."),
         _DIMS,
         Argument("national", "National dimension scores to compare with. Left out: the national "
                  "row of the Summary sheet.", optional=True),
         Argument("lang", "\"th\" (default) or \"en\".", optional=True)),
        "text", "=READINESS_NARRATIVE(C2, G2:L2)"),
    ExcelFunction(
        "READINESS_CHANGE",
        "Points a unit's score moved between two survey rounds, from the Trend sheet "
        "(การเปลี่ยนแปลงของคะแนน).",
        (_UNIT, _FROM, _TO,
         Argument("dimension", "A dimension id (left out: the overall score).", optional=True)),
        "a number (positive = up)", '=READINESS_CHANGE("D01", 2559, 2560)'),
    ExcelFunction(
        "RANK_CHANGE",
        "Places a unit moved in rank between two survey rounds, from the Trend sheet "
        "(อันดับที่เปลี่ยน).",
        (_UNIT, _FROM, _TO),
        "a whole number (positive = moved up)", '=RANK_CHANGE("D01", 2559, 2560)'),
    ExcelFunction(
        "RANK_INTERVAL",
        "How firm a unit's rank is: its 5th and 95th percentile rank when weights and methods "
        "vary, from the Uncertainty sheet (ช่วงอันดับ); spills two cells.",
        (Argument("unit", "The unit's id or its Thai or English name."),
         Argument("percentile", "5, 50 or 95 for that one rank (left out: the 5th and 95th).",
                  optional=True)),
        "two whole numbers (or one with a percentile)", '=RANK_INTERVAL("D12")'),
    ExcelFunction(
        "CRONBACH_ALPHA",
        "Cronbach's alpha of a block of answers: do the indicators (columns) measure the same "
        "thing across units (rows)? 0.7 or more is the usual rule of thumb.",
        (Argument("range", "Units as rows, indicators as columns; a row with a blank is left out."),),
        "a number, at most 1", "=CRONBACH_ALPHA(C2:F32)"),
    ExcelFunction(
        "NORMALISED_VALUE",
        "Share (0-1) of a raw value between goalposts, capped beyond them, as a `number` "
        "indicator is normalised (ค่าที่ปรับมาตรฐาน).",
        (Argument("value", "The raw value, in its own units."),
         Argument("min", "Lower goalpost (the value that scores 0)."),
         Argument("max", "Upper goalpost (the value that scores 1)."),
         Argument("log", "TRUE: natural log of the value and goalposts first (e.g. income).",
                  optional=True),
         Argument("direction", "\"higher\" (default; also +, 1, มาก) or \"lower\" (-, -1, น้อย) "
                  "when lower is better.",
                  optional=True)),
        "a number from 0 to 1", "=NORMALISED_VALUE(G5, 100, 75000, TRUE)"),
    ExcelFunction(
        "WEIGHTED_MEAN",
        "Weighted mean by name, blanks left out and the other weights re-weighted, as each "
        "framework level is aggregated (ค่าเฉลี่ยถ่วงน้ำหนัก).",
        (Argument("values", "The values (a row or a column; blank = left out)."),
         Argument("weights", "Their weights, any numbers 0 or more (used as shares)."),
         Argument("aggregation", "\"arithmetic\" (default), \"geometric\", \"harmonic\" or "
                  "\"power:P\".", optional=True)),
        "a number", '=WEIGHTED_MEAN(O5:O7, M5:M7, "geometric")'),
)

BY_NAME = {f.name: f for f in FUNCTIONS}


def markdown_table() -> str:
    """The README's function table."""
    lines = ["| Function | What it returns | Arguments | Example |", "|---|---|---|---|"]
    for f in FUNCTIONS:
        args = ", ".join(f"[{a.name}]" if a.optional else a.name for a in f.arguments)
        lines.append(f"| `{f.name}` | {f.help} Returns {f.returns}. | {args} | `{f.example}` |")
    return "\n".join(lines)
