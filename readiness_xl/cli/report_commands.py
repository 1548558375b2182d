"""report: the HTML (and PDF) report of a workbook."""

from __future__ import annotations

from pathlib import Path

import click

from readiness_xl.cli.extras import require_charts, require_sobol
from readiness_xl.cli.main import cli
from readiness_xl.cli.output import missing_option, output_kind
from readiness_xl.cli.progress import progress_bar
from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.report.chromium import CHROMIUM_MISSING, find_chromium, print_pdf
from readiness_xl.thai import as_buddhist_year
from readiness_xl.workbook.atomic_write import atomic_target
from readiness_xl.workbook.locks import check_not_input, scratch_folder
from readiness_xl.workbook.properties import is_illustrative
from readiness_xl.workbook.read import read_book
from readiness_xl.workbook.recalc import score_book

REPORT_KINDS = {".html": "html", ".pdf": "pdf"}


@cli.command(short_help="Write the report of BOOK (charts, narratives) as HTML or PDF.")
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="report.html (one self-contained page) or report.pdf (A4, printed by headless Chromium).")
@click.option("--pdf", is_flag=True, help="With an .html OUT: also print it to PDF beside it.")
@click.option("--agency", help="Agency id to show against the nation (default: the first agency).")
@click.option("--year", help="Year of the survey, B.E. (2560, ๒๕๖๐) or C.E. (2017) (default: from the framework version).")
@missing_option()
@click.option("--robustness", is_flag=True,
              help="Add the rank-interval and sensitivity section (runs `robustness` with its defaults; "
                   "the workbook is not changed).")
def report(book: Path, out: Path, pdf: bool, agency: str | None, year: str | None, missing: str,
           robustness: bool) -> None:
    """Write the report of BOOK: summary, agency table, charts, narratives, framework.
    The output type follows OUT's extension (.html or .pdf); nothing is written unless
    the whole report is made."""
    kind = output_kind(out, REPORT_KINDS, "the report")
    check_not_input(out, inputs=[book])
    targets = {"html": out} if kind == "html" else {}
    if kind == "pdf" or pdf:
        targets["pdf"] = out.with_suffix(".pdf")
        check_not_input(targets["pdf"], inputs=[book])
    if "pdf" in targets and find_chromium() is None:  # refuse before the work, not after it
        raise ReadinessError(Problem(CHROMIUM_MISSING, file=str(targets["pdf"])))
    require_charts()  # matplotlib and SALib are the optional report extra
    if robustness:
        require_sobol()
    be_year = _year(year)
    with progress_bar("Reading agency sheets") as advance:
        read = read_book(book, advance)
        results = score_book(read, missing)
    from readiness_xl.report.html import build_report  # matplotlib loads only when a report is made
    extra = []
    if robustness:
        from readiness_xl.cli.robustness_commands import run_robustness
        from readiness_xl.report.robustness_section import report_section
        run = run_robustness(book, None, with_audit=False, missing=missing, write=False,
                             read=(read, results))  # the workbook is read and scored once
        extra.append(report_section(run.uncertainty, run.sensitivity, results.agencies))
    html = build_report(results, book.name, agency, be_year, illustrative=is_illustrative(book),
                        extra_sections=extra)
    if "pdf" in targets:  # printed first: a failed print leaves no HTML behind either
        with scratch_folder("report") as folder:
            page = folder / "report.html"
            page.write_text(html, encoding="utf-8")
            print_pdf(page, targets["pdf"])
    if "html" in targets:
        with atomic_target(out) as tmp:
            tmp.write_text(html, encoding="utf-8")
    for name in targets.values():
        click.echo(f"Report written to {name}")


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return as_buddhist_year(text)  # 2017 means 2560
    except ValueError:
        raise ReadinessError(Problem(f"--year {text!r} is not a year")) from None
