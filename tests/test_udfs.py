"""The UDFs called as xlwings calls them (2-D lists of rows, None for blanks, floats for
numbers), on the sample opened as a real xlwings Book (remote engine): the same numbers
as `readiness-xl recalc --json`."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

import udfs.functions as xl
from readiness_xl.builder.agency_sheet import ordered_indicators
from readiness_xl.sample.source_data import load_framework
from readiness_xl.workbook import layout as L
from udfs.catalogue import BY_NAME, FUNCTIONS, markdown_table
from udfs.remote_book import remote_book

FRAMEWORK = load_framework()
DIMS = FRAMEWORK.dimension_ids
WEIGHTS = [[w] for w in FRAMEWORK.weights]  # the Weights name: a column
BANDS = [[b.lower, b.label_th, b.label_en] for b in FRAMEWORK.bands.itertuples()]


@pytest.fixture(scope="module")
def book(sample_path):
    return remote_book(sample_path)


def caller(book, sheet: str, cell: str = "A1"):
    """The calling cell of a UDF, as xlwings passes it for a `caller` argument."""
    return book.sheets[sheet].range(cell)


def dimension_blocks():
    """Rows of each dimension on an agency sheet (indicators grouped by dimension)."""
    order = ordered_indicators(FRAMEWORK)
    rows = pd.Series(range(5, 5 + len(order)), index=order.index)
    return {d: (rows[order["dimension"] == d].min(), rows[order["dimension"] == d].max()) for d in DIMS}


def test_every_agency_matches_recalc(book, sample_json):
    blocks = dimension_blocks()
    overalls = [[a["overall"]] for a in sample_json["agencies"]]
    for agency in sample_json["agencies"]:
        sheet = book.sheets[agency["id"]]
        dims = []
        for d, (a, b) in blocks.items():
            answers = sheet.range(f"G{a}:G{b}").options(ndim=2).value
            maxima = [[FRAMEWORK.indicators.at[str(i[0]), "max"]]
                      for i in sheet.range(f"A{a}:A{b}").options(ndim=2).value]
            points = [[1.0]] * len(answers)
            value = xl.DIMENSION_SCORE(answers, maxima, points)
            assert value == pytest.approx(agency["dimensions"][d], abs=1e-9), (agency["id"], d)
            dims.append(value)
        overall = xl.READINESS_SCORE([dims], WEIGHTS)
        assert overall == pytest.approx(agency["overall"], abs=1e-9)
        assert xl.READINESS_LEVEL(overall, BANDS) == agency["level_th"]
        assert xl.READINESS_LEVEL(overall, BANDS, "en") == agency["level_en"]
        assert xl.READINESS_RANK(agency["overall"], overalls) == agency["rank"]


def test_gap_weak_and_priority_for_the_department(sample_json):
    dip = next(a for a in sample_json["agencies"] if a["id"] == "D01")
    national = [sample_json["national"]["dimensions"][d] for d in DIMS]
    row = [[dip["dimensions"][d] for d in DIMS]]
    gaps = xl.DIMENSION_GAP(row, [national])
    assert gaps == [pytest.approx([dip["dimensions"][d] - n for d, n in zip(DIMS, national)])]
    # a column in, a column out (it spills down)
    column = xl.DIMENSION_GAP([[v] for v in row[0]], [[n] for n in national])
    assert [c[0] for c in column] == pytest.approx(gaps[0])
    assert xl.WEAK_DIMENSIONS(row) == ""            # every dimension of D01 is at least 60
    assert xl.WEAK_DIMENSIONS(row, None, 62) == [["5"], ["4"]]   # 60.0, 61.3: weakest first
    priority = xl.IMPROVEMENT_PRIORITY(row, WEIGHTS)
    # dimension 3: 30% x (100 - 68.4) = 9.48 points, the largest gain
    assert priority[0] == ["3", pytest.approx(0.30 * (100 - 68.4))]
    assert [p[0] for p in priority] == ["3", "2", "1", "5", "4", "6"]


def test_hand_computed_dimension_with_thai_digits_and_blanks():
    # yes, no, blank (missing = not met), 3 of 4, 50% -> (1 + 0 + 0 + .75 + .5) / 5 = 45
    answers = [["ใช่"], ["ไม่ใช่"], [None], ["๓"], [50.0]]
    maxima = [[1.0], [1.0], [1.0], [4.0], [100.0]]
    assert xl.DIMENSION_SCORE(answers, maxima) == pytest.approx(45.0)
    assert xl.DIMENSION_SCORE(answers, maxima, None, "exclude") == pytest.approx(56.25)
    # a row of cells gives the same as a column
    assert xl.DIMENSION_SCORE([[a[0] for a in answers]], [[m[0] for m in maxima]]) == pytest.approx(45.0)
    # numpy and pandas, as xlwings gives them after conversion
    assert xl.DIMENSION_SCORE(np.array([[1.0], [0.0]]), pd.Series([1.0, 1.0])) == pytest.approx(50.0)
    assert xl.READINESS_SCORE(pd.DataFrame([[80.0, None]]), [[3.0], [1.0]]) == pytest.approx(80.0)


@pytest.mark.parametrize("call, error", [
    (lambda: xl.DIMENSION_SCORE([["maybe"]], [[1.0]]), "#VALUE!: answer 1"),
    (lambda: xl.DIMENSION_SCORE([[5.0]], [[4.0]]), "#VALUE!: answer 1: 5 is outside 0..4"),
    (lambda: xl.DIMENSION_SCORE([[None], [None]], [[1.0], [1.0]], None, "exclude"), "#N/A: no indicator answered"),
    (lambda: xl.DIMENSION_SCORE([[1.0]], [[1.0], [1.0]]), "#VALUE!: answers has 1 cells but maxima has 2"),
    (lambda: xl.READINESS_SCORE([[50.0, 60.0]], [[1.0]]), "#VALUE!: dimension scores has 2"),
    (lambda: xl.IMPROVEMENT_PRIORITY([[50.0]]), "#N/A: give weights: without a calling cell"),
    (lambda: xl.DIMENSION_GAP([[50.0]]), "#N/A: give benchmark: without a calling cell"),
    (lambda: xl.READINESS_LEVEL(-5.0, BANDS), "#N/A: score is below the lowest band"),
    (lambda: xl.READINESS_RANK(42.0, [[1.0], [2.0]]), "#N/A: the score is not among"),
    (lambda: xl.DIMENSION_SCORE([["#N/A"]], [[1.0]]), "#VALUE!: answers holds the Excel error #N/A"),
    # the same words for an error cell in any function and argument
    (lambda: xl.READINESS_SCORE([[50.0, "#DIV/0!"]], WEIGHTS[:2]),
     "#VALUE!: dimension_scores, cell 2 holds the Excel error #DIV/0!"),
    (lambda: xl.READINESS_LEVEL("#N/A", BANDS), "#VALUE!: score holds the Excel error #N/A"),
    (lambda: xl.WEIGHTED_MEAN([[1.0], [2.0]], [[1.0], ["#REF!"]]),
     "#VALUE!: weights, cell 2 holds the Excel error #REF!"),
    (lambda: xl.READINESS_NARRATIVE("#N/A", [[50.0]]), "#VALUE!: unit_name holds the Excel error #N/A"),
    # a language that is not th or en is refused, not answered in Thai
    (lambda: xl.READINESS_LEVEL(70.0, BANDS, "xx"), "#VALUE!: lang 'xx' is not th or en"),
    (lambda: xl.READINESS_NARRATIVE("X", [[50.0]], [[50.0]], "fr"), "#VALUE!: lang 'fr' is not th or en"),
    # an argument meant as one cell given as two is refused, not cut to its first cell
    (lambda: xl.READINESS_LEVEL([[70.0, 20.0]], BANDS), "#VALUE!: score is 2 cells: give one cell"),
    (lambda: xl.READINESS_RANK([[70.0], [60.0]], [[70.0], [60.0]]), "#VALUE!: score is 2 cells"),
    (lambda: xl.NORMALISED_VALUE([[5.0, 6.0]], 0.0, 10.0), "#VALUE!: raw_value is 2 cells"),
    (lambda: xl.WEAK_DIMENSIONS([[40.0, 60.0]], None, [[50.0, 70.0]]), "#VALUE!: threshold is 2 cells"),
])
def test_bad_input_gives_excel_error_text(call, error):
    result = call()
    assert isinstance(result, str) and result.startswith(error), result


def test_weights_and_benchmark_left_out_are_read_from_the_calling_workbook(book, sample_json):
    """Only where the function is volatile (recalculated at every calculation);
    READINESS_SCORE and READINESS_LEVEL take the weights and bands as arguments."""
    dip = next(a for a in sample_json["agencies"] if a["id"] == "D01")
    at = caller(book, "D01", "N11")
    dims = [[dip["dimensions"][d] for d in DIMS]]
    assert not any(a.optional for a in BY_NAME["READINESS_SCORE"].arguments)
    assert not BY_NAME["READINESS_LEVEL"].arguments[1].optional
    assert BY_NAME["DIMENSION_GAP"].volatile and BY_NAME["IMPROVEMENT_PRIORITY"].volatile
    gaps = xl.DIMENSION_GAP(dims, None, at)  # national row of the Summary
    assert gaps[0][3] == pytest.approx(61.3 - sample_json["national"]["dimensions"]["4"], abs=1e-9)
    priority = xl.IMPROVEMENT_PRIORITY(dims, None, None, at)
    assert priority[0][0] == "3"


def test_narrative_reads_the_framework_from_the_workbook(book, sample_json):
    dip = next(a for a in sample_json["agencies"] if a["id"] == "D01")
    dims = [[dip["dimensions"][d] for d in DIMS]]
    text = xl.READINESS_NARRATIVE("กรมส่งเสริมอุตสาหกรรม", dims, None, None, caller(book, "D01"))
    assert "กรมส่งเสริมอุตสาหกรรม" in text and "66.2" in text and "ดีมาก" in text
    assert "8.4" in text  # above the national 57.8
    assert "๔" in text and "61.3" in text and "๕" in text and "60.0" in text
    english = xl.READINESS_NARRATIVE("DIP", dims, None, "en", caller(book, "D01"))
    assert "66.2" in english and "Very good" in english


def test_catalogue_matches_the_functions_and_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, "README function table is stale: paste udfs.catalogue.markdown_table()"
    for entry in FUNCTIONS:
        fn = getattr(xl, entry.name)
        # what xlwings registers: udfs.func_sig reads inspect.signature(fn)
        params = [p for p in inspect.signature(fn).parameters if p != "caller"]
        assert params == [a.name for a in entry.arguments], entry.name
        assert fn.__doc__ == entry.help and entry.help
        assert all(a.help for a in entry.arguments)
        assert all(p.default is None for p, a in zip(
            inspect.signature(fn.__wrapped__).parameters.values(), entry.arguments) if a.optional)


def test_improvement_priority_refuses_a_negative_weight_naming_its_cell(sample_path, tmp_path):
    from openpyxl import load_workbook
    assert xl.IMPROVEMENT_PRIORITY([[50.0, 40.0]], [[1.0], [-1.0]]).startswith(
        "#VALUE!: weight -1 of dimension '2' is negative")
    wb = load_workbook(sample_path)
    first = wb.defined_names[L.WEIGHTS_NAME].attr_text.split("!")[1].split(":")[0].replace("$", "")
    wb[L.FRAMEWORK_SHEET][first] = -10
    wb.save(tmp_path / "negative.xlsx")
    negative = remote_book(tmp_path / "negative.xlsx")
    dims = [[50.0] * len(DIMS)]
    result = xl.IMPROVEMENT_PRIORITY(dims, None, None, caller(negative, "D01", "N11"))
    assert result.startswith(f"#VALUE!: sheet 'Framework', cell {first}: weight -10 is negative"), result


def test_weights_cells_are_named_without_a_call_per_cell(sample_path, tmp_path, monkeypatch):
    """Each cell of a range read one by one is a COM round trip per cell in Excel (xlwings'
    Range.__iter__ asks Excel for every cell and its address): the Weights' addresses come
    from the range's corner and its values' shape, on every IMPROVEMENT_PRIORITY call."""
    import xlwings
    from openpyxl import load_workbook
    wb = load_workbook(sample_path)
    ref = wb.defined_names[L.WEIGHTS_NAME].attr_text.split("!")[1].replace("$", "")
    last = ref.split(":")[1]
    wb[L.FRAMEWORK_SHEET][last] = -10
    wb.save(tmp_path / "negative.xlsx")
    negative = remote_book(tmp_path / "negative.xlsx")

    def per_cell(self):
        raise AssertionError("a COM call per cell")
    monkeypatch.setattr(xlwings.Range, "__iter__", per_cell)
    result = xl.IMPROVEMENT_PRIORITY([[50.0] * len(DIMS)], None, None, caller(negative, "D01", "N11"))
    assert result.startswith(f"#VALUE!: sheet 'Framework', cell {last}: weight -10 is negative"), result


def test_national_row_is_read_alone_and_searched_when_not_last(sample_path, tmp_path, monkeypatch, sample_json):
    """DIMENSION_GAP without a benchmark reads the Summary's last row (where recalculation
    writes the national row), never the whole Summary on every call; a Summary with a row
    after the national one is searched."""
    import xlwings
    from openpyxl import load_workbook
    national = [sample_json["national"]["dimensions"][d] for d in DIMS]
    dims = [[50.0] * len(DIMS)]
    expected = [pytest.approx([50.0 - n for n in national], abs=1e-9)]
    book = remote_book(sample_path)
    with monkeypatch.context() as patch:
        def whole_block(self, mode="table"):
            raise AssertionError("the whole Summary read")
        patch.setattr(xlwings.Range, "expand", whole_block)
        assert xl.DIMENSION_GAP(dims, None, caller(book, "D01", "N11")) == expected
    wb = load_workbook(sample_path, data_only=True)   # the values Excel shows (formulas' cached)
    summary = wb[L.SUMMARY_SHEET]
    summary.append(["หน่วยงาน", "X01", "ต่อท้าย", "Appended", "", ""] + [1.0] * len(DIMS))
    wb.save(tmp_path / "appended.xlsx")
    appended = remote_book(tmp_path / "appended.xlsx")
    assert xl.DIMENSION_GAP(dims, None, caller(appended, "D01", "N11")) == expected
