"""forms and collect: a survey round, from questionnaires sent out to answers merged.

collect exits 0 when every file was merged (warnings such as blank answers allowed),
1 when some files were rejected (the good ones are still merged), 2 when nothing could
be done (the master itself is unreadable, locked or cannot be written)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from readiness_xl.cli.main import cli
from readiness_xl.cli.output import missing_option
from readiness_xl.cli.progress import progress_bar
from readiness_xl.cli.terminal import console
from readiness_xl.errors import visible
from readiness_xl.survey.collect import MERGED, REJECTED, WARNING, CollectReport, collect_forms
from readiness_xl.survey.forms import write_forms
from readiness_xl.workbook.read import read_book

EXIT_SOME_REJECTED = 1
STATUS_STYLES = {REJECTED: "bold red", WARNING: "yellow", MERGED: "green"}


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-d", "--dir", "directory", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the questionnaires, one <agency id>.xlsx each.")
@click.option("--prefill", is_flag=True,
              help="Fill in each agency's current answers from the master (default: blank).")
def forms(book: Path, directory: Path, prefill: bool) -> None:
    """Write one questionnaire workbook per agency of BOOK."""
    master = read_book(book)
    with progress_bar("Writing questionnaires", total=len(master.agencies)) as advance:
        written = write_forms(master, directory, prefill, progress=advance)
    click.echo(f"{len(written)} questionnaires written to {directory}")


def validation_table(report: CollectReport) -> Table:
    """Every row but the 'merged' ones, which the count line sums up."""
    table = Table(title="การตรวจสอบแบบสำรวจที่ส่งกลับ / Validation of returned forms")
    for label in ("File", "Agency", "Sheet", "Cell", "Status", "Problem"):
        table.add_column(label, overflow="fold")
    for row in report.rows:
        if row.status == MERGED:
            continue
        table.add_row(row.file, row.agency, row.sheet, row.cell,
                      Text(row.status, style=STATUS_STYLES.get(row.status, "")), row.problem)
    return table


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--into", "book", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The master workbook to merge the answers into.")
@click.option("--replace", is_flag=True,
              help="An agency returned twice: take the newer file (by modification time).")
@missing_option("Unanswered indicators in the recalculation (see recalc).")
def collect(files: tuple[Path, ...], book: Path, replace: bool, missing: str) -> None:
    """Merge returned questionnaires FILES into BOOK, report every problem, recalculate."""
    with progress_bar("Checking returned forms", total=len(files)) as advance:
        report = collect_forms(list(files), book, replace, missing, progress=advance)
    if any(row.status != MERGED for row in report.rows):
        console().print(validation_table(report))
    click.echo(f"{len(report.merged)} of {report.files} forms merged into {book}, "
               f"{report.rejected} rejected; the Validation sheet lists every file; Summary recalculated")
    first = report.first_rejection
    if first:
        where = ", ".join(filter(None, [first.file, first.sheet and f"sheet '{first.sheet}'",
                                        first.cell and f"cell {first.cell}"]))
        click.echo(visible(f"readiness-xl: error: {report.rejected} of {report.files} forms "
                           f"rejected; first: {where}: {first.problem}"), err=True)
        sys.exit(EXIT_SOME_REJECTED)
