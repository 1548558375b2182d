"""Where things are in a readiness workbook: the contract shared by the template
builder, the reader, the Summary writer and the questionnaire forms."""

from __future__ import annotations


FRAMEWORK_SHEET = "Framework"
AGENCIES_SHEET = "Agencies"
SUMMARY_SHEET = "Summary"
DASHBOARD_SHEET = "Dashboard"
RESPONSES_SHEET = "Responses"
LAYOUTS = ("sheets", "long")   # a sheet per agency, or one long Responses sheet
XLWINGS_CONF_SHEET = "xlwings.conf"
START_SHEET = "เริ่มต้นที่นี่ (Start here)"  # the sheet a workbook opens on (older books: README)
UNCERTAINTY_SHEET = "Uncertainty"        # written by `robustness` / `recalc --robustness`
AUDIT_SHEET = "Audit"                    # written by `audit` / `recalc --robustness`
PREPARATION_SHEET = "Preparation"        # written by `recalc` when the framework prepares data
RESERVED_SHEETS = {FRAMEWORK_SHEET, AGENCIES_SHEET, SUMMARY_SHEET, DASHBOARD_SHEET,
                   RESPONSES_SHEET, XLWINGS_CONF_SHEET, "Validation", "README", START_SHEET,
                   UNCERTAINTY_SHEET, AUDIT_SHEET, PREPARATION_SHEET}

# Defined names on the Framework sheet, each the data body of one table (header row
# just above). Readers read down from the first row until the id column is blank, so
# a row typed just below a table still counts.
WEIGHTS_NAME = "Weights"                 # the weight column of the dimensions table
LEVEL_BANDS_NAME = "LevelBands"
INDICATORS_NAME = "Indicators"
FRAMEWORK_VERSION_NAME = "FrameworkVersion"
SETTINGS_NAME = "Settings"               # key/value rows (optional: absent = defaults)

# Column E of the dimensions is the weight's share (a formula, not read).
DIMENSION_COLUMNS = {"id": "A", "name_th": "B", "name_en": "C", "weight": "D",
                     "aggregation": "F", "parent": "G"}
BAND_COLUMNS = {"lower": "A", "label_th": "B", "label_en": "C"}
INDICATOR_COLUMNS = {"id": "A", "dimension": "B", "question_th": "C", "question_en": "D",
                     "type": "E", "max": "F", "points": "G", "min": "H", "direction": "I",
                     "transform": "J", "normalise": "K", "denominator": "L", "impute": "M",
                     "treat": "N"}
SETTING_COLUMNS = {"key": "A", "value": "B"}

AGENCY_COLUMNS = {"id": "A", "name_th": "B", "name_en": "C", "kind": "D",
                  "ministry_th": "E", "ministry_en": "F"}
AGENCIES_FIRST_ROW = 2


def agency_cell(i: int, field: str) -> tuple[str, str]:
    """The (sheet, cell) of the i-th listed agency's `field` on the Agencies sheet."""
    return AGENCIES_SHEET, f"{AGENCY_COLUMNS[field]}{AGENCIES_FIRST_ROW + i}"


# Agency kinds (the Agencies sheet's drop-down) and how a group of each is named.
KIND_NAMES = {"department": ("หน่วยงานระดับกรม", "Departments"),
              "province": ("จังหวัด", "Provinces"),
              "local": ("องค์กรปกครองส่วนท้องถิ่น", "Local administrations")}


def kind_names(kind: object) -> tuple[str, str]:
    """Thai and English names of a group of one agency kind ('department' ->
    หน่วยงานระดับกรม, Departments); a kind not in the list is shown as typed."""
    return KIND_NAMES.get(str(kind), (str(kind), str(kind)))

# One sheet per agency, named by the agency id.
AGENCY_ID_CELL = "B2"
AGENCY_HEADER_ROW = 4
AGENCY_FIRST_ROW = 5
AGENCY_INDICATOR_COLUMN = "A"
AGENCY_ANSWER_COLUMN = "G"
# The note over the questionnaire says how a blank answer counts: it names the missing-answer
# rule the sheet's formulas follow (recalculation reads it back: agency_sheet_rule).
AGENCY_NOTE_CELL = "A3"
AGENCY_NOTES = {
    "zero": ("กรอกคำตอบในช่องสีเหลือง (คอลัมน์ G) คะแนนแสดงทางขวา (คอลัมน์ N) ช่องว่าง = ยังไม่ตอบ "
             "(ไม่ได้คะแนน) / Type answers in the yellow cells (column G); the scores show on the "
             "right (column N). A blank is not answered and earns nothing."),
    "exclude": ("กรอกคำตอบในช่องสีเหลือง (คอลัมน์ G) คะแนนแสดงทางขวา (คอลัมน์ N) ช่องว่าง = ยังไม่ตอบ "
                "(ไม่นับรวมในคะแนนของมิติ) / Type answers in the yellow cells (column G); the scores "
                "show on the right (column N). A blank is not answered and is left out of its "
                "dimension's score."),
}


def agency_sheet_rule(note: object) -> str:
    """The missing-answer rule an agency sheet's formulas follow, from its note: `exclude`
    where it says so, else `zero` (every version's sheets before the rule was shown)."""
    return "exclude" if str(note or "").strip() == AGENCY_NOTES["exclude"] else "zero"


# Words one of which the header (row AGENCY_HEADER_ROW) of these columns must contain.
AGENCY_HEADER_WORDS = {AGENCY_INDICATOR_COLUMN: ("ตัวชี้วัด", "indicator"),
                       AGENCY_ANSWER_COLUMN: ("คำตอบ", "answer")}

# Long form, one row per answer (agency id, indicator id, answer) from row 2.
RESPONSES_COLUMNS = {"agency": "A", "indicator": "B", "answer": "C"}
