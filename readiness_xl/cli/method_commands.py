"""load-answers: answers from a long CSV (unit, indicator, value) into a workbook of
either layout, then the recalculation, so real data needs no hand copying."""

from __future__ import annotations

from pathlib import Path

import click

from readiness_xl.cli.main import cli
from readiness_xl.cli.output import missing_option


@cli.command("load-answers")
@click.argument("csv_path", metavar="CSV", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--into", "book", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The workbook (agency sheets or a Responses sheet) to write the answers into.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the result here instead of in place.")
@click.option("--no-recalc", is_flag=True, help="Only write the answers; do not rewrite the Summary.")
@missing_option("Unanswered indicators in the recalculation (see recalc).")
def load_answers(csv_path: Path, book: Path, out: Path | None, no_recalc: bool, missing: str | None) -> None:
    """Write the answers of CSV into the workbook and recalculate it.

    \b
    CSV columns (UTF-8, a header row): agency (or unit, id, country, iso3), indicator,
    answer (or value). One line per answer; a blank answer clears it; answers the CSV
    does not mention are kept. Every value is checked first: on any problem nothing is
    written."""
    from readiness_xl.workbook.load_answers import load_answers_into
    from readiness_xl.workbook.recalc import recalc_file

    count = load_answers_into(book, csv_path, out)
    target = out or book
    if not no_recalc:
        recalc_file(target, missing=missing)
    click.echo(f"{count:,} answers written to {target}" + ("" if no_recalc else "; Summary recalculated"))
