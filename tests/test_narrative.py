"""The narrative states the article's facts for the B.E. 2560 sample (facts, not wording),
and handles the cases the article does not show."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from readiness_xl.core.narrative import describe, narrative_for, percent_text, percent_texts
from readiness_xl.errors import ReadinessError
from readiness_xl.workbook.read import read_book
from readiness_xl.workbook.recalc import score_book
from readiness_xl.workbook.summary import ROW_TYPES
from tests.frameworks import tiny_framework

INDUSTRY = "กระทรวงอุตสาหกรรม"
DIP = "D01"
DIM4_TH, DIM4_EN = "การบริหารจัดการภายในรูปแบบอิเล็กทรอนิกส์", "Smart Back Office Practices"
DIM5_TH, DIM5_EN = "โครงสร้างพื้นฐานที่มีความมั่นคงปลอดภัยและมีประสิทธิภาพ", "Secure and Efficient Infrastructure"
DIM6_TH, DIM6_EN = "เทคโนโลยีอัจฉริยะและการนำไปใช้", "Smart Technological Practices"


@pytest.fixture(scope="module")
def results(sample_path):
    return score_book(read_book(sample_path))


def thai_dims(text: str) -> dict[str, str]:
    """{Thai digit: 'Thai name (English name) value'} of every dimension the text names."""
    return {m[0]: m[1] for m in re.findall(r"มิติที่ ([๐-๙]+) ([^%]*%)", text)}


def assert_dim(text_of_dim: str, name_th: str, name_en: str, value: str) -> None:
    assert name_th in text_of_dim and f"({name_en})" in text_of_dim
    assert re.search(rf"\b{re.escape(value)}(\.0)?%", text_of_dim), (text_of_dim, value)


def test_thailand_bullet(results):
    text = narrative_for(results, "national", lang="th")
    assert "ประเทศไทย" in text and "57.8%" in text and "ต่ำมาก" in text
    dims = thai_dims(text)
    assert sorted(dims) == ["๔", "๖"]
    assert_dim(dims["๔"], DIM4_TH, DIM4_EN, "49.3")
    assert_dim(dims["๖"], DIM6_TH, DIM6_EN, "47")
    assert "ต่ำกว่า 50%" in text


def test_ministry_of_industry_bullet(results):
    text = narrative_for(results, "ministry", INDUSTRY, lang="th")
    assert text.startswith(INDUSTRY) and "54.4%" in text and "ต่ำมาก" in text
    # below the national average (57.8), by 3.4 points
    assert re.search(r"ต่ำกว่าค่าเฉลี่ยประเทศไทย \(57\.8%\) 3\.4 คะแนน", text)
    assert "สูงกว่า" not in text
    dims = thai_dims(text)
    assert sorted(dims) == ["๔", "๖"]
    assert_dim(dims["๔"], DIM4_TH, DIM4_EN, "41.4")
    assert_dim(dims["๖"], DIM6_TH, DIM6_EN, "49")


def test_department_of_industrial_promotion_bullet(results):
    text = narrative_for(results, "agency", DIP, lang="th")
    assert text.startswith("กรมส่งเสริมอุตสาหกรรม") and "66.2%" in text and "ดีมาก" in text
    assert re.search(r"สูงกว่าค่าเฉลี่ยประเทศไทย \(57\.8%\) 8\.4 คะแนน", text)
    # and above its ministry: 66.2 - 54.4 = 11.8 (the article: "higher than the ministry")
    assert re.search(r"สูงกว่าค่าเฉลี่ยของกระทรวงอุตสาหกรรม \(54\.4%\) 11\.8 คะแนน", text)
    dims = thai_dims(text)
    assert sorted(dims) == ["๔", "๕"]  # none below 50: its two lowest
    assert_dim(dims["๔"], DIM4_TH, DIM4_EN, "61.3")
    assert_dim(dims["๕"], DIM5_TH, DIM5_EN, "60.0")
    assert "ต่ำสุด" in text


def test_english_states_the_same_facts(results):
    national = narrative_for(results, "national", lang="en")
    assert "Thailand" in national and "57.8%" in national and "Very low" in national
    assert re.search(r"dimension 4 Smart Back Office Practices at 49\.3%", national)
    assert re.search(r"dimension 6 Smart Technological Practices at 47\.0%", national)
    ministry = narrative_for(results, "ministry", INDUSTRY, lang="en")
    assert "Ministry of Industry" in ministry and "54.4%" in ministry
    assert "3.4 points below the national average (57.8%)" in ministry
    assert "41.4%" in ministry and "49.0%" in ministry
    dip = narrative_for(results, "agency", DIP, lang="en")
    assert "Department of Industrial Promotion" in dip and "66.2%" in dip and "Very good" in dip
    assert "8.4 points above the national average" in dip
    assert re.findall(r"dimension (\d)", dip) == ["4", "5"]
    assert "61.3%" in dip and "60.0%" in dip and "lowest" in dip


def test_weak_dimensions_in_framework_order_and_comparison_signs():
    fw = tiny_framework()
    # B weaker than A, both below 50: listed A then B, with Thai digits only for numeric ids
    text = describe(fw, "หน่วย", "Unit", pd.Series({"B": 10.0, "A": 40.0}), 22.0, 22.04)
    assert text.index("มิติ ก") < text.index("มิติ ข")
    assert "เท่ากับค่าเฉลี่ยภาพรวม (22.0%)" in text  # "equal" when the gap rounds to 0.0; no Thailand without settings
    assert "จำนวน ๒ มิติ" in text
    one = describe(fw, "หน่วย", "Unit", pd.Series({"A": 70.0, "B": 45.0}), 60.0, 50.0, "en")
    assert "rated “Good”" in one and "10.0 points above the overall average (50.0%)" in one
    assert "(1): dimension B Dim B at 45.0%" in one and "Dim A" not in one


def test_missing_scores_and_bad_arguments(results):
    fw = tiny_framework()
    assert describe(fw, "หน่วย", "Unit", pd.Series({"A": None, "B": None}), float("nan")) \
        == "หน่วย ยังไม่มีผลการสำรวจ"
    # an unscored dimension is never named as weak
    text = describe(fw, "หน่วย", "Unit", pd.Series({"A": float("nan"), "B": 30.0}), 30.0)
    assert "มิติ ข" in text and "มิติ ก" not in text
    with pytest.raises(ReadinessError, match="no agency 'X99'"):
        narrative_for(results, "agency", "X99")
    with pytest.raises(ReadinessError, match="language 'fr'"):
        narrative_for(results, "national", lang="fr")
    with pytest.raises(ReadinessError, match="unit type"):
        narrative_for(results, "province", "P01")


def test_summary_sheet_narrative_column_is_last_and_filled(sample_path, results):
    ws = load_workbook(sample_path, read_only=True, data_only=True)["Summary"]
    table = list(ws.iter_rows(values_only=True))
    header = table[0]
    assert header[-1] == "บทสรุป / Narrative"
    assert header.index("คะแนนรวม / Overall %") == 6 + len(results.dimension_ids)
    by_unit = {(r[0], r[2]): r[-1] for r in table[1:] if r[0]}
    assert by_unit[(ROW_TYPES["agency"], "กรมส่งเสริมอุตสาหกรรม")] == narrative_for(results, "agency", DIP)
    assert by_unit[(ROW_TYPES["ministry"], INDUSTRY)] == narrative_for(results, "ministry", INDUSTRY)
    national = next(v for k, v in by_unit.items() if k[0] == ROW_TYPES["national"])
    assert national == narrative_for(results, "national")
    assert all(v for v in by_unit.values())


def test_bulk_agency_narratives_equal_one_by_one(sample_path):
    from readiness_xl.core.narrative import agency_narratives, narrative_for
    from readiness_xl.workbook.read import read_book
    from readiness_xl.workbook.recalc import score_book
    results = score_book(read_book(sample_path))
    for lang in ("th", "en"):
        bulk = agency_narratives(results, lang)
        assert list(bulk.index) == list(results.agencies.index)
        for ident in results.agencies.index:
            assert bulk[ident] == narrative_for(results, "agency", ident, lang)


def test_bulk_ministry_narratives_equal_one_by_one(results):
    from readiness_xl.core.narrative import ministry_narratives
    for lang in ("th", "en"):
        bulk = ministry_narratives(results, lang)
        assert list(bulk.index) == list(results.ministries.index)
        for name in results.ministries.index:
            assert bulk[name] == narrative_for(results, "ministry", name, lang)


def test_compose_many_units_with_unscored_ones():
    """All units at once: a unit without a score, one whose benchmark has none, and the
    same dimension phrase reused across units, each as describe writes it alone."""
    from readiness_xl.core.narrative import compose, dimension_labels, national_benchmark
    fw = tiny_framework()
    dims = pd.DataFrame({"A": [40.0, float("nan"), 70.0], "B": [10.0, float("nan"), 45.0]})
    overall = [22.0, float("nan"), 60.0]
    texts = compose("en", ["U1", "U2", "U3"], overall, ["Very low", "", "Good"], dims,
                    dimension_labels(fw), [national_benchmark(fw, "en", 50.0, 3)])
    assert texts[1] == "U2 has no survey result yet."
    for text, name, (_, row), score in zip(texts, ["U1", "U2", "U3"], dims.iterrows(), overall):
        assert text == describe(fw, name, name, row, score, 50.0, "en")
    assert compose("th", ["หน่วย"], [30.0], ["ต่ำ"], dims.iloc[:1], dimension_labels(fw),
                   [national_benchmark(fw, "th", float("nan"), 1)])[0].count("ค่าเฉลี่ย") == 0


def test_compose_writes_lists_of_three_and_two_benchmarks_word_for_word():
    """Hand-written paragraphs: three dimensions below 50% ('A, B and C'), one benchmark
    above the unit and one level with it, in both languages."""
    from readiness_xl.core.narrative import compose
    dims = pd.DataFrame({"1": [10.0], "2": [20.0], "3": [40.0], "4": [60.0]})
    labels = {"en": ["Alpha", "Beta", "Gamma", "Delta"], "th": ["ก", "ข", "ค", "ง"]}
    en = compose("en", ["U"], [30.0], ["Very low"], dims, labels,
                 [(["national"], [50.0]), (["Ministry X"], [30.0])])
    assert en == ["U met 30.0% of the criteria, rated “Very low”, 20.0 points below the national "
                  "average (50.0%) and level with the Ministry X average (30.0%). Dimensions below "
                  "50% (3): dimension 1 Alpha at 10.0%, dimension 2 Beta at 20.0% and dimension 3 "
                  "Gamma at 40.0%."]
    th = compose("th", ["U"], [30.0], ["ต่ำมาก"], dims, labels,
                 [(["ประเทศ"], [50.0]), (["ของกระทรวง X"], [30.0])])
    assert th == ["U ได้ผลการสำรวจที่ผ่านเกณฑ์ระดับ 30.0% ซึ่งอยู่ในระดับต่ำมาก ต่ำกว่าค่าเฉลี่ยประเทศ "
                  "(50.0%) 20.0 คะแนน และเท่ากับค่าเฉลี่ยของกระทรวง X (30.0%) โดยมีมิติที่ต่ำกว่า 50% "
                  "จำนวน ๓ มิติ คือ มิติที่ ๑ ก (Alpha) 10.0% มิติที่ ๒ ข (Beta) 20.0% และมิติที่ ๓ ค "
                  "(Gamma) 40.0%"]
def test_percent_text_is_the_one_way_numbers_are_written():
    from readiness_xl.core.narrative import percent_text
    assert [percent_text(57.84), percent_text(6.44, "+"), percent_text(-3.46, "+"),
            percent_text(float("nan"))] == ["57.8", "+6.4", "-3.5", ""]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.floats(), st.sampled_from([-0.0, 0.0, 0.05, -0.05, 12.25])), max_size=40),
       st.sampled_from(["", "+"]))
def test_many_percentages_read_as_each_alone(values, sign):
    """Formatted once per distinct value, every value still reads as percent_text gives
    it alone: NaN blank, -0.0 as "-0.0", ties and signs alike."""
    assert percent_texts(values, sign) == [percent_text(v, sign) for v in values]
