"""The HTML report of the B.E. 2560 sample: its content, and that real tools (headless
Chromium, poppler) open, run and print it."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from datetime import date
from html import unescape
from html.parser import HTMLParser

import pytest

from readiness_xl.core.narrative import narrative_for
from readiness_xl.report.chromium import find_chromium, run_headless
from readiness_xl.report.html import build_report, thai_date
from readiness_xl.workbook.read import read_book
from readiness_xl.workbook.recalc import score_book
from tests.conftest import run_cli

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (make system-deps installs the Debian "
                             "'chromium' package); the browser and PDF checks cannot run")
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is not installed")


@pytest.fixture(scope="module")
def results(sample_path):
    return score_book(read_book(sample_path))


@pytest.fixture(scope="module")
def html(results):
    return build_report(results, "sample_2560.xlsx", generated=date(2017, 12, 1))


@pytest.fixture(scope="module")
def report_file(sample_path, tmp_path_factory):
    """`readiness-xl report --pdf` of the sample: (html path, pdf path)."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    if CHROMIUM is None:
        run_cli("report", sample_path, "-o", out)
    else:
        run_cli("report", sample_path, "-o", out, "--pdf")
    return out, out.with_suffix(".pdf")


def text_of(html: str) -> str:
    """The visible text, for checking facts without caring about markup."""
    return unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style|svg).*?</\1>", " ", html, flags=re.S)))


def test_every_narrative_is_in_the_report(results, html):
    units = ([("national", None)] + [("ministry", m) for m in results.ministries.index]
             + [("agency", a) for a in results.agencies.index])
    text = text_of(html)
    for unit_type, key in units:
        for lang in ("th", "en"):
            assert narrative_for(results, unit_type, key, lang) in text, (unit_type, key, lang)


def test_one_table_row_per_agency_with_its_figures(results, html):
    rows = re.findall(r'<tr data-id="([^"]+)">(.*?)</tr>', html, flags=re.S)
    assert len(rows) == len(results.agencies) == 31
    assert [r[0] for r in rows] == list(results.agencies.sort_values("rank", kind="stable").index)
    dip = dict(rows)["D01"]
    assert 'data-v="66.2' in dip and ">66.2<" in dip and "ดีมาก" in dip
    assert re.search(r'class="num" data-v="61\.3[0-9]*">61\.3<', dip)  # dimension 4


def test_radar_axes_carry_the_thai_names_that_fit_and_the_heat_map_the_english(results, html):
    """Chart text is drawn as paths, so check the labels matplotlib was given: the B.E. 2560
    radar (six axes, dimension 1 at the top, 4 at the bottom) names dimensions 1 and 4 in
    Thai, whole; the side axes have 20 columns, too few for names of 24 to 42 columns
    without a space (Thai is never broken inside a word), so they carry the short label.
    The text alternative names every dimension in Thai."""
    import numpy as np

    from readiness_xl.report.charts import _axis_names, _column_names
    angles = np.linspace(0, 2 * np.pi, 6, endpoint=False)
    assert _axis_names(results.framework, angles) == [
        "มิติที่ ๑\nแนวนโยบายและหลักปฏิบัติ", "มิติที่ ๒", "มิติที่ ๓",
        "มิติที่ ๔\nการบริหารจัดการภายในรูปแบบอิเล็กทรอนิกส์", "มิติที่ ๕", "มิติที่ ๖"]
    names = _column_names(results.framework)
    assert names[0] == "มิติที่ ๑\nPolicies /\nPractices"
    for d, name in zip(results.dimension_ids, names):
        number, *english = name.split("\n")
        assert number == f"มิติที่ {'๑๒๓๔๕๖'[int(d) - 1]}"
        assert " ".join(english) == results.framework.dimension_label(d, "en")
        assert max(map(len, english)) <= 18
    radars = re.findall(r'<svg role="img" aria-label="([^"]*)" class="chart radar', html)
    assert len(radars) == len(results.ministries) + 1
    for d in results.dimension_ids:
        assert all(f"มิติที่ {'๑๒๓๔๕๖'[int(d) - 1]} {results.framework.dimension_label(d, 'th')} " in r
                   for r in radars)


def test_thai_names_break_only_at_spaces_and_within_two_lines():
    """Widths in columns: a Thai vowel above or below and a tone mark take none."""
    from readiness_xl.thai import display_width, name_lines
    assert display_width("ปฏิบัติ") == 4 and display_width("ที่") == 1 and display_width("Dim 1") == 5
    assert name_lines("แนวนโยบายและหลักปฏิบัติ", 19) == ["แนวนโยบายและหลักปฏิบัติ"]
    assert name_lines("แนวนโยบายและหลักปฏิบัติ", 18) is None          # never split inside
    assert name_lines("บริการ ภาครัฐ ดิจิทัล", 12) == ["บริการ ภาครัฐ", "ดิจิทัล"]
    assert name_lines("บริการ ภาครัฐ ดิจิทัล", 6) is None               # three lines
    assert name_lines("มิติ ก", 20) == ["มิติ ก"]


def test_report_parts_year_framework_and_charts(results, html):
    text = text_of(html)
    assert "ประจำปี ๒๕๖๐" in text and "B.E. 2560 (2017)" in text
    assert "สร้างเมื่อ ๑ ธันวาคม ๒๕๖๐" in text
    for weight in ("ร้อยละ ๒๐ (20%)", "ร้อยละ ๓๐ (30%)", "ร้อยละ ๑๐ (10%)", "ร้อยละ ๕ (5%)"):
        assert weight in text
    assert "Smart Back Office Practices" in text and "ดีเยี่ยม" in text  # dimensions and bands
    charts = re.findall(r'<svg role="img"[^>]*class="chart (\w+)"', html)
    assert charts.count("radar") == len(results.ministries) + 1
    assert charts.count("heatmap") == 1 and charts.count("bars") == 1
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "ids of several charts collide"


def test_report_is_self_contained_and_well_formed(html):
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<link" not in html and "@import" not in html and "url(http" not in html
    assert "font-family: Tahoma, Loma, Garuda, sans-serif" in html

    class Checker(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag not in {"meta", "br"}:  # the HTML void elements the report uses
                self.stack.append(tag)

        def handle_startendtag(self, tag, attrs):
            pass

        def handle_endtag(self, tag):
            assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
            self.stack.pop()

    checker = Checker()
    checker.feed(html)
    assert checker.stack == []


def test_helpers_year_and_thai_date():
    assert thai_date(date(2017, 3, 5)) == "๕ มีนาคม ๒๕๖๐"


@pytest.mark.parametrize("version, title", [
    ("B.E. 2560 (2017) v1", "ประจำปี ๒๕๖๐"), ("กรอบ ๒๕๖๑", "ประจำปี ๒๕๖๑"),
    ("ฉบับปี2560", "ประจำปี ๒๕๖๐"),     # no space between the Thai word and the year
    ("framework 2017 v3", "ประจำปี ๒๕๖๐"),  # a C.E. year, as the --year option takes it
    ("v2", None)])
def test_the_title_year_is_read_from_the_version_as_the_year_option_reads_it(results, version, title):
    framework = dataclasses.replace(results.framework, version=version)
    html = build_report(dataclasses.replace(results, framework=framework), generated=date(2017, 12, 1))
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    assert (title in heading) if title else ("ประจำปี" not in heading)


def test_cli_errors_are_one_line_and_leave_nothing(sample_path, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("r.html", "r.pdf"):
        bad = run_cli("report", sample_path, "-o", out / name, "--agency", "X99", check=False)
        assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0
        assert "no agency 'X99' in the workbook; valid ids: D01, D02, D03, D04, D05, ... (31 in all)" \
            in bad.stderr
    year = run_cli("report", sample_path, "-o", out / "r.html", "--year", "soon", check=False)
    assert year.returncode == 2 and "not a year" in year.stderr
    assert list(out.iterdir()) == []


def test_unknown_agency_suggests_the_nearest_ids(sample_path, tmp_path):
    lower = run_cli("report", sample_path, "-o", tmp_path / "r.html", "--agency", "d01", check=False)
    assert lower.returncode == 2 and "no agency 'd01' in the workbook; did you mean 'D01'?" in lower.stderr
    short = run_cli("report", sample_path, "-o", tmp_path / "r.html", "--agency", "P1", check=False)
    assert "did you mean 'P01'?" in short.stderr
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("name,words", [
    ("report.txt", "the report is written as .html or .pdf, not '.txt'"),
    ("report", "the report is written as .html or .pdf, not no extension"),
    ("sample_2560.xlsx", "the report is written as .html or .pdf, not '.xlsx'"),
])
def test_report_output_type_follows_the_extension_or_is_refused(sample_path, tmp_path, name, words):
    result = run_cli("report", sample_path, "-o", tmp_path / name, check=False)
    assert result.returncode == 2 and words in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_report_never_writes_over_its_input(sample_copy):
    """An input named like a report (book.html is refused as a workbook anyway) and -o on
    the very same file: refused before reading, the file untouched."""
    html_named = sample_copy.with_suffix(".html")
    sample_copy.rename(html_named)
    before = html_named.read_bytes()
    result = run_cli("report", html_named, "-o", html_named, check=False)
    assert result.returncode == 2 and "would overwrite it" in result.stderr
    assert html_named.read_bytes() == before


def test_report_without_chromium_refuses_a_pdf_before_any_work(sample_path, tmp_path):
    import os
    import subprocess
    import sys
    env = {**os.environ, "PATH": str(tmp_path / "empty-bin")}
    result = subprocess.run([sys.executable, "-m", "readiness_xl", "report", str(sample_path),
                             "-o", str(tmp_path / "r.pdf")], capture_output=True, text=True, env=env)
    assert result.returncode == 2 and "Chromium is needed" in result.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_the_invented_sample_says_so_and_real_data_does_not(results, html, sample_path, tmp_path):
    from readiness_xl.workbook.properties import is_illustrative
    assert "ข้อมูลตัวอย่าง / illustrative data" not in text_of(html)  # build_report's default
    marked = build_report(results, "sample_2560.xlsx", illustrative=True)
    notice = text_of(marked)
    assert "ข้อมูลตัวอย่าง / illustrative data" in notice and "not any agency's survey results" in notice
    assert notice.index("illustrative data") < notice.index("ภาพรวมประเทศไทย / Summary: Thailand")
    assert 'content: "ข้อมูลตัวอย่าง / illustrative data · sample_2560.xlsx · readiness-xl"' in marked
    # the sample builder marks the workbook; recalc keeps the mark; a template has none
    assert is_illustrative(sample_path)
    template = tmp_path / "t.xlsx"
    run_cli("new-template", template)
    assert not is_illustrative(template)
    run_cli("report", sample_path, "-o", tmp_path / "s.html")
    run_cli("report", template, "-o", tmp_path / "t.html")
    assert "ข้อมูลตัวอย่าง / illustrative data" in (tmp_path / "s.html").read_text(encoding="utf-8")
    assert "ข้อมูลตัวอย่าง" not in (tmp_path / "t.html").read_text(encoding="utf-8")


def test_headings_name_the_frameworks_all_units_label_as_the_summary_does(results):
    settings = dataclasses.replace(results.framework.settings, all_units_th="กลุ่มนำร่อง",
                                   all_units_en="Pilot group")
    framework = dataclasses.replace(results.framework, settings=settings)
    html = build_report(dataclasses.replace(results, framework=framework), generated=date(2017, 12, 1))
    untagged = lambda text: re.sub(r"<[^>]+>", "", text).replace(" /  ", " / ")  # noqa: E731
    figure = untagged(re.search(r'<div class="figure">(.*?)<b>', html).group(1))
    headings = [untagged(h) for h in re.findall(r"<h2>(.*?)</h2>", html)]
    assert figure == "คะแนนรวมกลุ่มนำร่อง / Pilot group"
    assert "ภาพรวมกลุ่มนำร่อง / Summary: Pilot group" in headings
    assert "หน่วยงานเทียบกับกลุ่มนำร่อง / Agency against Pilot group" in headings
    assert not [h for h in [figure, *headings] if "ประเทศ" in h or "National" in h or "nation" in h]


def test_level_bands_near_the_top_and_a_heat_map_legend(results, html):
    text = text_of(html)
    summary = text[text.index("ภาพรวมประเทศไทย / Summary: Thailand"):text.index("ผลรายหน่วยงาน / All agencies")]
    for band in ("ต่ำมาก Very low 0–60%", "ดี Good 60–65%", "ดีมาก Very good 65–80%", "ดีเยี่ยม Excellent ≥ 80%"):
        assert band in " ".join(summary.split()), band
    assert '<li class="here"><b>ต่ำมาก</b>' in html  # the nation's own level marked
    heat = html[html.index('id="heatmap"'):html.index('id="ministries"')]
    assert 'class="scale"' in heat and "linear-gradient(to right, #b03a2e 0%" in heat
    for d in results.dimension_ids:
        assert results.framework.dimension_label(d, "en") in text_of(heat)


def test_cli_agency_and_year_options(sample_path, tmp_path):
    out = tmp_path / "r.html"
    run_cli("report", sample_path, "-o", out, "--agency", "P01", "--year", "2018")
    page = out.read_text(encoding="utf-8")
    focus = page[page.index('id="focus"'):page.index('id="narratives"')]
    assert "จังหวัดเชียงใหม่" in focus and "กรมส่งเสริมอุตสาหกรรม" not in focus
    assert "ประจำปี ๒๕๖๑" in page  # 2018 C.E. is B.E. 2561


def dump_dom(path, fragment: str = "") -> subprocess.CompletedProcess:
    return run_headless("--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
                        "--dump-dom", path.resolve().as_uri() + fragment)


@needs_chromium
def test_chromium_runs_the_page_without_console_errors(report_file):
    html_path, _ = report_file
    done = dump_dom(html_path)
    assert done.returncode == 0, done.stderr[-2000:]
    root = re.search(r"<html[^>]*>", done.stdout).group(0)
    assert 'data-ready="1"' in root, "the report's script did not finish"
    assert "data-js-error" not in root, root
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []


@needs_chromium
def test_chromium_sorts_the_agency_table(report_file, results):
    html_path, _ = report_file
    overall = results.agencies["overall"]
    for fragment, expected in (("#sort=overall-desc", overall.idxmax()),
                               ("#sort=overall", overall.idxmin()),
                               ("#sort=dim4", results.agencies["4"].idxmin())):
        dom = dump_dom(html_path, fragment).stdout
        first = re.search(r'<tbody><tr data-id="([^"]+)"', dom[dom.index('id="agency-table"'):])
        assert first.group(1) == expected, fragment
        assert 'aria-sort=' in dom


@needs_chromium
def test_chromium_screenshot_is_not_blank(report_file, tmp_path):
    from PIL import Image, ImageStat
    html_path, _ = report_file
    shot = tmp_path / "shot.png"
    run_headless("--window-size=1280,2400", f"--screenshot={shot}", html_path.resolve().as_uri())
    image = Image.open(shot).convert("L")
    assert image.size == (1280, 2400)
    assert ImageStat.Stat(image).stddev[0] > 20  # text and charts, not an empty page


@needs_chromium
@needs_poppler
def test_pdf_prints_and_converts_with_pdftoppm(report_file, tmp_path):
    from PIL import Image, ImageStat
    _, pdf = report_file
    assert pdf.read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 5
    assert "A4" in info
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3", str(pdf),
                    str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 3
    assert all(ImageStat.Stat(Image.open(p).convert("L")).stddev[0] > 10 for p in pages)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    # the Thai narrative survives printing as text (Thai shaping and a Thai font in the PDF)
    assert "ได้ผลการสำรวจที่ผ่านเกณฑ์ระดับ 57.8%" in text and "ประจำปี ๒๕๖๐" in text


# --- the page in a real browser: a phone, a laptop, and paper ------------------------------

@pytest.fixture(scope="module")
def browser():
    """The system Chromium driven by Playwright for Python (no downloaded browser)."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (the Debian 'chromium' package)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    with sync_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"],
                                          timeout=300_000)  # a busy machine starts it slowly
        yield chromium
        chromium.close()


def open_page(browser, path, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(path.resolve().as_uri())
    page.wait_for_function("document.documentElement.getAttribute('data-ready') === '1'")
    return page


# Elements whose right edge passes the viewport and that are not inside a box that scrolls.
STICKING_OUT = """() => Array.from(document.querySelectorAll('body *')).filter(e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.right > innerWidth + 0.5 && !e.closest('.wide, .chart-box');
}).map(e => e.tagName + '.' + e.className)"""


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 900)])
def test_no_horizontal_overflow_on_a_phone_or_a_laptop(browser, report_file, width, height):
    page = open_page(browser, report_file[0], width, height)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.evaluate("innerWidth") == width
    assert page.evaluate(STICKING_OUT) == []
    cards = page.evaluate("Array.from(document.querySelectorAll('.card')).map(c => c.getBoundingClientRect().right)")
    assert cards and max(cards) <= width
    page.close()


def test_on_a_phone_tables_and_heat_map_scroll_in_their_own_box_and_stay_legible(browser, report_file):
    page = open_page(browser, report_file[0], 390, 844)
    box = page.evaluate("""() => { const w = document.getElementById('agency-table').closest('.wide');
                                    return [w.scrollWidth, w.clientWidth]; }""")
    assert box[0] > box[1] <= 390  # the agency table scrolls inside its box
    # the agency name stays in view while the scores scroll
    page.evaluate("document.getElementById('agency-table').closest('.wide').scrollLeft = 400")
    left = page.evaluate("document.querySelector('#agency-table tbody td:nth-child(3)').getBoundingClientRect().left")
    assert 0 <= left < 40
    assert page.evaluate("document.querySelector('#agency-table th.opt').offsetParent") is None
    heat = page.evaluate("document.querySelector('svg.heatmap').getBoundingClientRect().width")
    assert heat >= 900  # its numbers at about 9 px: scroll sideways rather than shrink
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.narratives p')).fontSize)")
    assert size >= 14
    page.close()


def pdf_pages_text(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


@needs_chromium
@needs_poppler
def test_pdf_has_page_numbers_no_screen_hints_and_parts_on_fresh_pages(report_file, sample_path):
    _, pdf = report_file
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    pages = pdf_pages_text(pdf)
    assert len(pages) == count and 10 <= count <= 30
    for number, page in enumerate(pages, start=1):
        assert f"หน้า {number} / {count}" in page, number
        assert "ข้อมูลตัวอย่าง / illustrative data · sample_2560.xlsx · readiness-xl" in page  # the sample
    whole = "\n".join(pages)
    assert "Click a column header" not in whole and "คลิกหัวตาราง" not in whole
    assert "bold red = below 50%" in whole  # the part of the note that holds on paper
    # the agency table starts a page (no orphan row at the foot of the one before)
    first = next(i for i, p in enumerate(pages) if "ผลรายหน่วยงาน / All agencies" in p)
    assert pages[first].strip().startswith("ผลรายหน่วยงาน / All agencies")
    # the first page holds the whole summary: the dimension chart beside the benchmark table
    assert "Ministry and kind averages" in pages[0] and "Summary: Thailand" in pages[0]
    # each ministry on a page of its own (its radar large enough to read, its words beside it)
    start = next(i for i, p in enumerate(pages) if "รายกระทรวง / Ministries" in p)
    cards = pages[start:start + 5]   # the sample's five ministries
    assert [p.count("ได้ผลการสำรวจ") for p in cards] == [1] * 5
    assert "Ministry of Industry" in cards[0] and "Ministry of Interior" in "".join(cards)
