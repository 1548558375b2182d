"""recalc: what the ribbon button does, from the command line. A module of its own with
nothing heavy at import: recalc_file checks the workbook and starts reading it before
numpy, pandas, openpyxl and rich load, so that they load while calamine parses."""

from __future__ import annotations

from pathlib import Path

import click

from readiness_xl.cli.main import cli, ends_with_command
from readiness_xl.cli.output import echo_json, missing_option, output_kind


@cli.command(short_help="Recalculate every agency and rewrite the Summary (the ribbon button).")
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the recalculated workbook here instead of in place.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the results as JSON on stdout (indented on a terminal, one line otherwise).")
@missing_option()
@click.option("--robustness", is_flag=True,
              help="Also write the Uncertainty and Audit sheets (default settings of `robustness`).")
def recalc(book: Path, out: Path | None, as_json: bool, missing: str, robustness: bool) -> None:
    """Recalculate every agency and rewrite the Summary (what the ribbon button does)."""
    if robustness:  # refused before the Summary is written, not after
        from readiness_xl.cli.extras import require_sobol
        require_sobol()
    if out is not None and out.resolve() != book.resolve():
        output_kind(out, {book.suffix.lower(): "same"}, f"a recalculated {book.suffix} workbook")
    from readiness_xl.cli.progress import progress_bar
    from readiness_xl.workbook.fast_read import paused_gc
    from readiness_xl.workbook.recalc import recalc_file
    # The collector is held off for the read, the scores, the write and the output; when
    # the process ends with the command it never walks what they made (see paused_gc).
    with paused_gc(freeze=ends_with_command()):
        with progress_bar("Reading agency sheets") as advance:
            results = recalc_file(book, out, missing, progress=advance)
        if not robustness:
            _show(results, as_json, out or book)
            return
    from readiness_xl.cli.robustness_commands import run_robustness
    run_robustness(out or book, None, with_audit=True, missing=missing)
    _show(results, as_json, out or book)


def _show(results, as_json: bool, written: Path) -> None:
    if as_json:
        from readiness_xl.core.results import to_json_dict
        echo_json(to_json_dict(results))
    else:
        from readiness_xl.cli.terminal import echo_wrapped, print_summary
        print_summary(results)
        echo_wrapped(f"Summary written to {written}")
