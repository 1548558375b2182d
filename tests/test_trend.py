"""Survey rounds side by side: changes checked on paper, units in one round only,
renamed / merged / split agencies, a framework whose weights changed, the Trend sheet
read back by the UDFs, and the JSON of `readiness-xl trend`."""

from __future__ import annotations

import pandas as pd
import pytest
from frameworks import answers, tiny_framework
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness_xl.core.answers import parse_answers
from readiness_xl.core.results import compute_results
from readiness_xl.core.trend import Round, band_change, build_trend, change, rank_change
from readiness_xl.core.trend_narrative import trend_sentences
from readiness_xl.core.worksheet_functions import CellValueError
from readiness_xl.errors import ReadinessError
from readiness_xl.workbook.layout import agency_cell
from readiness_xl.workbook.rounds import read_mapping
from readiness_xl.workbook.trend_layout import column_key, column_label, sheet_change
from readiness_xl.workbook.trend_views import to_json_dict, trend_table

AGENCIES = pd.DataFrame(
    [("X1", "กรมหนึ่ง", "Dept One", "department", "กระทรวง ก", "Ministry A"),
     ("X2", "กรมสอง", "Dept Two", "department", "กระทรวง ก", "Ministry A"),
     ("X3", "กรมสาม", "Dept Three", "department", "กระทรวง ข", "Ministry B"),
     ("X5", "จังหวัดห้า", "Province Five", "province", "กระทรวง ข", "Ministry B")],
    columns=["id", "name_th", "name_en", "kind", "ministry_th", "ministry_en"]).set_index("id")
# Scores on paper (dimension A weight 60: a1 yes/no, a2 0-4; B weight 40: b1 %):
#   2559  X1 A 75 B 40 -> 61   X2 A 50 B 80 -> 62   X3 100 -> 100   X5 A 0 B 50 -> 20
#   2560  X1 A 100 B 60 -> 84  X2 A 0 B 50 -> 20    X3 A 75 B 90 -> 81   X5 A 75 B 40 -> 61
ANSWERS_2559 = {"X1": {"a1": "ใช่", "a2": 2, "b1": 40}, "X2": {"a1": "ไม่ใช่", "a2": 4, "b1": 80},
                "X3": {"a1": "ใช่", "a2": 4, "b1": 100}, "X5": {"a1": "ไม่ใช่", "a2": 0, "b1": 50}}
ANSWERS_2560 = {"X1": {"a1": "ใช่", "a2": 4, "b1": 60}, "X2": {"a1": "ไม่ใช่", "a2": 0, "b1": 50},
                "X3": {"a1": "ใช่", "a2": 2, "b1": 90}, "X5": {"a1": "ใช่", "a2": 2, "b1": 40}}


def make_round(year, rows, framework=None, agencies=AGENCIES) -> Round:
    framework = framework or tiny_framework()
    parsed, bad = parse_answers(answers(rows), framework)
    assert not bad
    ids = list(rows)
    return Round(year, compute_results(framework, agencies.loc[ids], parsed.loc[ids]), parsed.loc[ids],
                 source=f"book_{year}.xlsx", agency_cell=agency_cell)


@pytest.fixture(scope="module")
def trend():
    return build_trend([make_round(2560, ANSWERS_2560), make_round(2559, ANSWERS_2559)])


def test_changes_ranks_and_bands_on_paper(trend):
    assert trend.years == [2559, 2560]
    agencies = trend.agencies
    assert agencies.scores[("overall", 2559)].to_dict() == pytest.approx(
        {"X1": 61, "X2": 62, "X3": 100, "X5": 20})
    assert change(agencies, "overall", 2559, 2560).to_dict() == pytest.approx(
        {"X1": 23, "X2": -42, "X3": -19, "X5": 41})
    assert change(agencies, "A", 2559, 2560)["X1"] == pytest.approx(25)
    assert change(agencies, "B", 2559, 2560)["X1"] == pytest.approx(20)
    # ranks 2559: X3 X2 X1 X5; 2560: X1 X3 X5 X2 (positive = moved up)
    assert rank_change(agencies, 2559, 2560).to_dict() == {"X1": 2, "X2": -2, "X3": -1, "X5": 1}
    # bands 0 ต่ำมาก / 60 ดี, each round's own
    assert band_change(agencies, 2559, 2560).to_dict() == {"X1": 0, "X2": -1, "X3": 0, "X5": 1}
    ministries = trend.ministries
    assert change(ministries, "overall", 2559, 2560).to_dict() == pytest.approx(
        {"กระทรวง ก": 52 - 61.5, "กระทรวง ข": 71 - 60})
    assert change(trend.national, "overall", 2559, 2560)["national"] == pytest.approx(61.5 - 60.75)
    assert trend.comparable and trend.common is None  # one framework: nothing to re-score


def test_trend_sentences_thai_and_english(trend):
    th = trend_sentences(trend, "agency", lang="th")
    assert "เพิ่มขึ้น 41.0 คะแนนจากปี ๒๕๕๙ ขึ้นจากระดับต่ำมากเป็นระดับดี" in th["X5"]
    assert "ลดลง 42.0 คะแนนจากปี ๒๕๕๙ ลงจากระดับดีเป็นระดับต่ำมาก อันดับลดลง 2 อันดับ (จาก 2 เป็น 4)" in th["X2"]
    assert th["X1"].startswith("กรมหนึ่ง ได้ 84.0% ในปี ๒๕๖๐ เพิ่มขึ้น 23.0 คะแนนจากปี ๒๕๕๙ คงอยู่ในระดับดี")
    en = trend_sentences(trend, "agency", lang="en")
    assert en["X5"].startswith("Province Five: 61.0% in B.E. 2560 (2017), up 41.0 points from "
                               "B.E. 2559 (2016), up from “Very low” to “Good”, up 1 place in rank (4 → 3)")
    national = trend_sentences(trend, "national", lang="en").iloc[0]
    assert national.startswith("All units: 61.5% in B.E. 2560 (2017), up 0.8 points")  # the default label


def test_a_unit_in_one_round_only_is_listed_not_dropped():
    late = dict(ANSWERS_2560, X4={"a1": "ใช่", "a2": 4, "b1": 100})
    agencies = pd.concat([AGENCIES, pd.DataFrame([("X4", "กรมสี่", "Dept Four", "department", "กระทรวง ค",
                                                   "Ministry C")], columns=["id", *AGENCIES.columns]
                                                 ).set_index("id")])
    trend = build_trend([make_round(2559, ANSWERS_2559, agencies=agencies),
                         make_round(2560, late, agencies=agencies)])
    assert not trend.agencies.present.at["X4", 2559] and trend.agencies.present.at["X4", 2560]
    report = to_json_dict(trend)
    assert report["only_in_some_rounds"] == [{"id": "X4", "rounds": ["2560"]}]
    x4 = next(u for u in report["units"] if u["id"] == "X4")
    assert list(x4["rounds"]) == ["2560"] and x4["change"] is None and x4["rank_change"] is None
    assert x4["rounds"]["2560"] == {"overall": 100.0, "rank": 1, "level_th": "ดี", "level_en": "Good",
                                    "dimensions": {"A": 100.0, "B": 100.0}}
    # the new ministry is listed too, and the sheet says why its change is blank
    assert not trend.ministries.present.at["กระทรวง ค", 2559]
    table = trend_table(trend)
    row = table[(table["id"] == "X4") & (table["measure"] == "overall")].iloc[0]
    assert pd.isna(row["change_2559_2560"]) and row["note"] == "ไม่มีในปี 2559 / not in 2559"
    assert "ได้รับการสำรวจครั้งแรกในปี ๒๕๖๐ ได้ 100.0%" in trend_sentences(trend, lang="th")["X4"]


def test_weights_changed_are_said_and_rescored_on_common_indicators():
    trend = build_trend([make_round(2559, ANSWERS_2559),
                         make_round(2560, ANSWERS_2560, tiny_framework((80, 20)))])
    changes = trend.framework_changes
    assert not changes.at["overall", "comparable"] and not trend.comparable
    assert changes.at["overall", "note_en"] == "dimension A weight 60%→80% in 2560; dimension B weight 40%→20% in 2560"
    assert changes.at["A", "comparable"] and changes.at["B", "comparable"]  # same indicators
    # own frameworks: X1 61 (60/40) -> 92 (80/20); common: 2559 re-scored with 80/20 = 68
    assert change(trend.agencies, "overall", 2559, 2560)["X1"] == pytest.approx(31)
    assert trend.common is not None and trend.common_indicators == ("a1", "a2", "b1")
    assert trend.common.agencies.scores.at["X1", ("overall", 2559)] == pytest.approx(68)
    assert change(trend.common.agencies, "overall", 2559, 2560)["X1"] == pytest.approx(24)
    table = trend_table(trend)
    row = table[(table["id"] == "X1") & (table["measure"] == "overall")].iloc[0]
    assert row["common_change_2559_2560"] == pytest.approx(24)
    assert "weight 60%→80%" in row["note"]
    assert "เมื่อคิดเฉพาะตัวชี้วัดร่วม เพิ่มขึ้น 24.0 คะแนน" in trend_sentences(trend, lang="th")["X1"]


def test_indicators_dropped_leave_the_common_ones():
    framework = tiny_framework()
    fewer = type(framework)(framework.dimensions, framework.indicators.drop(index="a2"),
                            framework.bands, "fewer")
    trend = build_trend([make_round(2559, ANSWERS_2559), make_round(2560, ANSWERS_2560, fewer)])
    assert trend.framework_changes.at["A", "note_en"] == "indicator a2 dropped in 2560"
    assert trend.common_indicators == ("a1", "b1")
    # X1 2559 on a1 and b1 only: A = 100, B = 40 -> 0.6*100 + 0.4*40 = 76
    assert trend.common.agencies.scores.at["X1", ("overall", 2559)] == pytest.approx(76)


def mapping(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["round", "round_id", "trend_id", "note"])


def test_renamed_merged_and_split_agencies_follow_the_mapping():
    early = AGENCIES.rename(index={"X1": "OLD1"})
    old = {"OLD1": ANSWERS_2559["X1"], "X2": ANSWERS_2559["X2"], "X3": ANSWERS_2559["X3"],
           "X5": ANSWERS_2559["X5"]}
    trend = build_trend([make_round(2559, old, agencies=early), make_round(2560, ANSWERS_2560)],
                        mapping((2559, "OLD1", "X1", "renamed"), ("2016", "X5", "X3", "merged"),
                                (2559, "X3", "X3", "merged")))
    scores = trend.agencies.scores
    assert scores.at["X1", ("overall", 2559)] == pytest.approx(61)          # renamed
    assert scores.at["X3", ("overall", 2559)] == pytest.approx((100 + 20) / 2)  # X3 and X5 merged
    assert not trend.agencies.present.at["X5", 2559]
    assert list(trend.matching["how"]) == ["renamed", "merged", "merged"]
    split = build_trend([make_round(2559, ANSWERS_2559), make_round(2560, ANSWERS_2560)],
                        mapping((2559, "X2", "X2", ""), (2559, "X2", "X6", "split")))
    assert split.agencies.scores.at["X6", ("overall", 2559)] == pytest.approx(62)  # X2's score
    assert split.agencies.scores.at["X2", ("overall", 2559)] == pytest.approx(62)
    assert list(split.matching["how"]) == ["split", "split"]


def test_an_id_naming_another_agency_is_refused_until_mapped():
    early = AGENCIES.copy()
    early.loc["X2", ["name_th", "name_en"]] = ["กรมอื่น", "Another Department"]
    rounds = [make_round(2559, ANSWERS_2559, agencies=early), make_round(2560, ANSWERS_2560)]
    with pytest.raises(ReadinessError) as err:
        build_trend(rounds)
    problem = err.value.problems[0]
    assert (problem.file, problem.sheet, problem.cell) == ("book_2559.xlsx", "Agencies", "B3")
    assert "agency 'X2' is 'กรมอื่น' here but 'กรมสอง'" in problem.message
    assert build_trend(rounds, mapping((2559, "X2", "X2", "renamed"))).agencies.present.all().all()


def test_bad_mapping_rows_are_named_by_line():
    rounds = [make_round(2559, ANSWERS_2559), make_round(2560, ANSWERS_2560)]
    table = mapping((2558, "X1", "X1", ""), (2559, "NOPE", "X1", ""))
    table["_row"] = [2, 3]
    table.attrs["file"] = "map.csv"
    with pytest.raises(ReadinessError) as err:
        build_trend(rounds, table)
    assert [str(p) for p in err.value.problems] == [
        "map.csv, line 2: round 2558 is not one of the rounds (2559, 2560)",
        "map.csv, line 3: agency 'NOPE' is not in the 2559 workbook (book_2559.xlsx)"]
    with pytest.raises(ReadinessError, match="two workbooks are both round 2559"):
        build_trend([rounds[0], rounds[0]])


def test_a_mapping_csv_is_read_as_every_csv_of_ours(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text("round, round_id, trend_id\n2559, OLD1, X1\n", encoding="utf-8")  # spaces after commas
    table = read_mapping(path)
    assert table[["round", "round_id", "trend_id", "_row"]].values.tolist() == [["2559", "OLD1", "X1", 2]]
    old = {("OLD1" if k == "X1" else k): v for k, v in ANSWERS_2559.items()}
    rounds = [make_round(2559, old, agencies=AGENCIES.rename(index={"X1": "OLD1"})),
              make_round(2560, ANSWERS_2560)]
    assert build_trend(rounds, table).agencies.scores.at["X1", ("overall", 2559)] == pytest.approx(61)
    path.write_text("round,round_id,trend_id,nte\n2559,OLD1,X1,renamed\n", encoding="utf-8")
    with pytest.raises(ReadinessError, match="map.csv: unknown column.s. nte; the columns are round, "
                                             "round_id, trend_id, note"):
        read_mapping(path)


def test_the_sheet_read_back_gives_the_same_changes(trend):
    table = trend_table(trend)
    header = [column_label(c) for c in table.columns]
    rows = [header] + table.astype(object).where(table.notna(), None).to_numpy().tolist()
    assert sheet_change(rows, "X1", 2559, 2560) == pytest.approx(23)
    assert sheet_change(rows, "Dept Two", "2016", "2017", "A") == pytest.approx(-50)
    assert sheet_change(rows, "กระทรวง ข", 2559, 2560) == pytest.approx(11)
    assert sheet_change(rows, "national", 2559, 2560) == pytest.approx(0.75)
    assert sheet_change(rows, "All units", 2559, 2560) == pytest.approx(0.75)
    assert sheet_change(rows, "X2", 2559, 2560, kind="rank") == -2
    with pytest.raises(CellValueError, match="round 2561 is not on the Trend sheet"):
        sheet_change(rows, "X1", 2559, 2561)
    with pytest.raises(CellValueError, match="no unit 'X9'"):
        sheet_change(rows, "X9", 2559, 2560)


@given(st.lists(st.integers(2540, 2599), min_size=1, max_size=2, unique=True), st.sampled_from(
    ["score", "common", "rank", "level", "change", "common_change", "rank_change", "band_change"]))
def test_every_column_label_reads_back_as_its_key(years, kind):
    per_pair = kind in ("change", "common_change", "rank_change", "band_change")
    if per_pair != (len(years) == 2):
        years = years[:1] if not per_pair else [years[0], years[0] + 1]
    key = "_".join([kind, *map(str, years)])
    assert column_key(column_label(key)) == key


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 4), st.floats(0, 100)), min_size=12, max_size=12))
def test_first_to_last_change_is_the_sum_of_the_steps(values):
    rows = [{f"X{k}": {"a1": int(a), "a2": b, "b1": c} for k, (a, b, c) in
             zip((1, 2, 3, 5), values[4 * r:4 * r + 4])} for r in range(3)]
    trend = build_trend([make_round(2558 + r, rows[r]) for r in range(3)])
    assert trend.pairs == [(2558, 2559), (2559, 2560), (2558, 2560)]
    steps = change(trend.agencies, "overall", 2558, 2559) + change(trend.agencies, "overall", 2559, 2560)
    assert (steps - change(trend.agencies, "overall", 2558, 2560)).abs().max() < 1e-9
    moved = rank_change(trend.agencies, 2558, 2559) + rank_change(trend.agencies, 2559, 2560)
    assert (moved == rank_change(trend.agencies, 2558, 2560)).all()


def test_report_and_terminal_name_the_all_units_row_by_the_framework(trend):
    """The trend table of the report and of the terminal call the all-units row what the
    latest round's framework calls it (here the default), as the Trend sheet does."""
    from rich.console import Console

    from readiness_xl.cli.trend_commands import terminal_table
    from readiness_xl.report.trend_section import trend_section
    assert trend.all_units == ("ทุกหน่วยงาน", "All units")
    html = trend_section(trend)[2]
    assert "<td>ทุกหน่วยงาน<br><span class='en' lang='en'>All units</span></td>" in html
    assert "ประเทศไทย" not in html and "Thailand" not in html
    console = Console(width=160, record=True)
    console.print(terminal_table(trend))
    shown = console.export_text()
    assert "ทุกหน่วยงาน" in shown and "All units" in shown and "Thailand" not in shown
