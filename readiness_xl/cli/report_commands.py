"""report: the HTML (and PDF) report of a workbook."""

from __future__ import annotations

from pathlib import Path

import click

from readiness_xl.cli.main import cli
from readiness_xl.cli.progress import progress_bar
from readiness_xl.core.scoring import MISSING_POLICIES
from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.report.chromium import print_pdf
from readiness_xl.thai import buddhist_year, parse_number
from readiness_xl.workbook.parts import atomic_target
from readiness_xl.workbook.read import read_book
from readiness_xl.workbook.recalc import score_book

LATEST_CE_YEAR = 2300  # a year below this is C.E. (2017), above it B.E. (2560)


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write (one self-contained file).")
@click.option("--pdf", is_flag=True, help="Also print it to PDF beside OUT (headless Chromium).")
@click.option("--agency", help="Agency id to show against the nation (default: the first agency).")
@click.option("--year", help="Year of the survey, B.E. (2560, ๒๕๖๐) or C.E. (2017) (default: from the framework version).")
@click.option("--missing", type=click.Choice(MISSING_POLICIES), default="zero", show_default=True,
              help="Unanswered indicators: 'zero' = not met; 'exclude' = left out of the score.")
@click.option("--robustness", is_flag=True,
              help="Add the rank-interval and sensitivity section (runs `robustness` with its defaults; "
                   "the workbook is not changed).")
def report(book: Path, out: Path, pdf: bool, agency: str | None, year: str | None, missing: str,
           robustness: bool) -> None:
    """Write an HTML report of BOOK: summary, agency table, charts, narratives, framework."""
    pdf_path = out.with_suffix(".pdf")
    if pdf and pdf_path == out:
        raise ReadinessError(Problem("give -o an .html name; --pdf writes the PDF beside it",
                                     file=str(out)))
    be_year = _year(year)
    with progress_bar("Reading agency sheets") as advance:
        results = score_book(read_book(book, advance), missing)
    from readiness_xl.report.html import build_report  # matplotlib loads only when a report is made
    found = None
    if robustness:
        from readiness_xl.cli.robustness_commands import run_robustness
        run = run_robustness(book, None, with_audit=False, missing=missing, write=False)
        found = (run.uncertainty, run.sensitivity)
    html = build_report(results, book.name, agency, be_year, robustness=found)
    with atomic_target(out) as tmp:
        tmp.write_text(html, encoding="utf-8")
    click.echo(f"Report written to {out}")
    if pdf:
        print_pdf(out, pdf_path)
        click.echo(f"PDF written to {pdf_path}")


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        value = int(parse_number(text))
    except ValueError:
        raise ReadinessError(Problem(f"--year {text!r} is not a year")) from None
    return buddhist_year(value) if value < LATEST_CE_YEAR else value  # 2017 means 2560
