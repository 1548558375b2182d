"""The HTML report of the B.E. 2560 sample: its content, and that real tools (headless
Chromium, poppler) open, run and print it."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from html import unescape
from html.parser import HTMLParser

import pytest

from readiness_xl.core.narrative import narrative_for
from readiness_xl.report.chromium import find_chromium, run_headless
from readiness_xl.report.html import build_report, survey_year, thai_date
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
    assert survey_year("B.E. 2560 (2017) v1") == 2560
    assert survey_year("กรอบ ๒๕๖๑") == 2561
    assert survey_year("v2") is None
    assert thai_date(date(2017, 3, 5)) == "๕ มีนาคม ๒๕๖๐"


def test_cli_errors_are_one_line(sample_path, tmp_path):
    bad = run_cli("report", sample_path, "-o", tmp_path / "r.html", "--agency", "X99", check=False)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0
    assert "no agency 'X99'" in bad.stderr and not (tmp_path / "r.html").exists()
    pdf = run_cli("report", sample_path, "-o", tmp_path / "r.pdf", "--pdf", check=False)
    assert pdf.returncode == 2 and "--pdf writes the PDF beside it" in pdf.stderr
    year = run_cli("report", sample_path, "-o", tmp_path / "r.html", "--year", "soon", check=False)
    assert year.returncode == 2 and "not a year" in year.stderr


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
