"""The report as a person with a screen reader, a keyboard or poor contrast vision meets it:
axe-core's WCAG 2.1 A and AA rules in the system Chromium at a laptop's and a phone's width,
with and without the robustness and trend sections; every chart carries its numbers in text;
nothing is told by colour alone; an unanswered workbook says so instead of scoring zeros."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from readiness_xl.report.charts import radar
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.summary import ROW_TYPES
from tests.conftest import run_cli
from tests.test_report import CHROMIUM, text_of

AXE = Path(__file__).resolve().parent.parent / ".cache/node/node_modules/axe-core/axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BE2559_MAP = Path(__file__).resolve().parent.parent / "readiness_xl/data/be2559/mapping.csv"


@pytest.fixture(scope="module")
def reports(sample_path, tmp_path_factory) -> dict[str, Path]:
    """The sample's report plain, with the robustness section (few runs) and with the trend."""
    out = tmp_path_factory.mktemp("access")
    run_cli("report", sample_path, "-o", out / "plain.html")
    run_cli("report", sample_path, "-o", out / "robust.html", "--robustness")
    run_cli("sample", "--round", "2559", out / "s2559.xlsx")
    run_cli("trend", out / "s2559.xlsx", sample_path, "--map", BE2559_MAP, "-o", out / "trend.xlsx",
            "--report", out / "trend.html")
    return {name: out / f"{name}.html" for name in ("plain", "robust", "trend")}


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (the Debian 'chromium' package)")
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make axe)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    with sync_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], timeout=300_000)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("name", ["plain", "robust", "trend"])
def test_axe_finds_no_wcag_21_aa_violation(browser, reports, name, width):
    assert axe_violations(browser, reports[name], width, "document") == []


def axe_violations(browser, report, width: int, context: str) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations in `context` (a CSS selector, or document) of
    the report opened at this width: each rule with up to three of its elements."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(report.resolve().as_uri())
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        f"""async (tags) => (await axe.run({context}, {{runOnly: {{type: 'tag', values: tags}}}}))
             .violations.map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))""",
        WCAG_21_AA)
    page.close()
    return violations


def test_every_scrolling_box_takes_the_keyboard_focus_and_sorting_is_a_button(reports):
    html = reports["plain"].read_text(encoding="utf-8")
    boxes = re.findall(r'<div class="(?:wide|chart-box)"([^>]*)>', html)
    assert boxes and all('tabindex="0"' in b and 'role="region"' in b and "aria-label=" in b for b in boxes)
    headers = re.findall(r'<th data-key="[^"]+"[^>]*>(.*?)</th>', html)
    assert headers and all(h.startswith('<button type="button">') for h in headers)
    assert "\u2195" not in text_of(html)  # the sort arrow is CSS decoration, not in any name


def test_every_chart_carries_its_numbers_in_text(reports):
    html = reports["robust"].read_text(encoding="utf-8")
    labels = re.findall(r'<svg role="img" aria-label="([^"]*)" class="chart', html)
    assert len(labels) >= 8
    # the national bars: every dimension's score as the table prints it (57.8 overall; 49.3 and 47.0)
    national = next(label for label in labels if "Dimension" in label or "มิติที่ ๑ 63.3%" in label)
    assert "มิติที่ ๔ 49.3%" in national and "มิติที่ ๖ 47.0%" in national
    # the Ministry of Industry's radar gives its own and the nation's profile
    industry = next(label for label in labels if label.startswith("กระทรวงอุตสาหกรรม"))
    assert "มิติที่ ๔ การบริหารจัดการภายในรูปแบบอิเล็กทรอนิกส์ 41.4%" in industry
    assert "มิติที่ ๖ เทคโนโลยีอัจฉริยะและการนำไปใช้ 49.0%" in industry and "ประเทศไทย" in industry
    heat = next(label for label in labels if label.startswith("heat map"))
    assert "table of all agencies" in heat
    trend = reports["trend"].read_text(encoding="utf-8")
    national_trend = re.search(r'<svg role="img" aria-label="(แนวโน้มระดับประเทศ[^"]*)"', trend).group(1)
    assert "๒๕๕๙" in national_trend and "57.8%" in national_trend  # the 2559 scores too, not only 2560


def test_profiles_on_one_radar_differ_by_line_and_marker_not_colour_alone(sample_path):
    from readiness_xl.workbook.read import read_book
    from readiness_xl.workbook.recalc import score_book
    results = score_book(read_book(sample_path))
    ids = results.dimension_ids
    svg = radar(results.framework, {"a": results.agencies.iloc[0][ids], "b": results.national[ids],
                                    "c": results.agencies.iloc[1][ids]}, "t", "t")
    dashes = set(re.findall(r"stroke-dasharray: ([\d.,\s]+)", svg))
    assert len(dashes) >= 2  # one profile solid, the two others dashed and dotted
    assert len(set(re.findall(r'<g id="t-(line2d_\d+)"', svg))) >= 3


def notice_lines(html: str) -> list[str]:
    """The paragraphs of the report's answers notice as a reader sees them."""
    [notice] = re.findall(r'<div class="notice" role="note">(.*?)</div>', html)
    return [" ".join(re.sub(r"<[^>]+>", "", p).split()) for p in re.findall(r"<p[^>]*>(.*?)</p>", notice)]


def told_everywhere(book: Path, html: str, printed: str, said: list[str]) -> None:
    """The report's notice, recalc's lines below its table (wrapped to the terminal) and
    the Summary's national narrative (the value recalc cached) say the same sentences."""
    assert notice_lines(html) == said
    assert all(sentence in " ".join(printed.split()) for sentence in said)
    summary = load_workbook(book, data_only=True)[L.SUMMARY_SHEET]
    header = [c.value for c in summary[1]]
    national = next(r for r in summary.iter_rows(min_row=2, values_only=True) if r[0] == ROW_TYPES["national"])
    assert national[header.index("บทสรุป / Narrative")] == " / ".join(said)


def test_report_of_an_unanswered_workbook_says_no_answers_as_recalc_and_the_summary_do(tmp_path):
    book = tmp_path / "blank.xlsx"
    run_cli("new-template", book)
    printed = run_cli("recalc", book, columns=80).stdout
    run_cli("report", book, "-o", tmp_path / "blank.html")
    html = (tmp_path / "blank.html").read_text(encoding="utf-8")
    said = ["ยังไม่มีคำตอบ: ตอบแล้ว 0% ของคำถามทั้งหมด คะแนนทั้งหมดเป็น 0 ไม่ใช่ผลการประเมิน",
            "No answers: 0% of the questions answered; every score is 0, not a result."]
    told_everywhere(book, html, printed, said)
    text = " ".join(text_of(html).split())
    assert "0.0%" not in text  # no zero score dressed as a result
    assert "<svg" not in html  # no chart of zeros


@pytest.fixture(scope="module")
def few(tmp_path_factory) -> dict:
    """Two agencies, three of the 20 indicators answered by one: 15% and 0%, 7.5% in all
    (shown 8%): the workbook, what recalc printed, the report."""
    out = tmp_path_factory.mktemp("few")
    agencies, answers, book = out / "agencies.csv", out / "answers.csv", out / "few.xlsx"
    agencies.write_text("id,name_th,name_en,kind,ministry_th,ministry_en\n"
                        "X1,กรมทดสอบ,Test Department,department,กระทรวงทดสอบ,Ministry of Tests\n"
                        "X2,กรมลอง,Trial Department,department,กระทรวงทดสอบ,Ministry of Tests\n",
                        encoding="utf-8")
    answers.write_text("agency,indicator,answer\nX1,1.1,1\nX1,1.2,0\nX1,1.3,3\n", encoding="utf-8")
    run_cli("new-template", book, "--agencies", agencies)
    run_cli("load-answers", answers, "--into", book, "--no-recalc")
    printed = run_cli("recalc", book, columns=80).stdout
    run_cli("report", book, "-o", out / "few.html")
    return {"book": book, "printed": printed, "report": out / "few.html"}


def test_report_of_a_mostly_unanswered_workbook_says_so_as_recalc_and_the_summary_do(few):
    html = few["report"].read_text(encoding="utf-8")
    said = ["ส่วนใหญ่ยังไม่มีคำตอบ: ตอบแล้ว 8% ของคำถามทั้งหมด (1 จาก 2 หน่วยงาน) คะแนนยังไม่ใช่ผลการประเมิน",
            "Mostly no answers: 8% of the questions answered (1 of 2 agencies); the scores are not yet results."]
    told_everywhere(few["book"], html, few["printed"], said)
    assert "<svg" in html   # the scores are shown, under the notice


def test_axe_finds_no_wcag_21_aa_violation_in_the_answers_notice(browser, few):
    assert axe_violations(browser, few["report"], 1366, "'.notice'") == []
