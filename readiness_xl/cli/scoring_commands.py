"""demo, sample and new-template: building workbooks (recalc has a module of its own)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from readiness_xl.cli.main import cli
from readiness_xl.cli.output import output_kind, workbook_output
from readiness_xl.cli.terminal import echo_wrapped, print_summary
from readiness_xl.sample.source_data import FRAMEWORK_CSV_HELP
from readiness_xl.workbook.layout import LAYOUTS
from readiness_xl.workbook.locks import check_not_input
from readiness_xl.workbook.read import read_framework_file


@cli.command(short_help="Build and recalculate the B.E. 2560 sample, print its summary.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the sample (default: a temporary file).")
def demo(out: Path | None) -> None:
    """Build and recalculate the B.E. 2560 sample and print its summary."""
    from readiness_xl.sample.build import build_sample  # the builders load only to build
    if out is None:
        out = Path(tempfile.mkdtemp(prefix="readiness-xl-")) / "sample_2560.xlsx"
    workbook_output(out, "the sample")
    results = build_sample(out)
    print_summary(results)
    echo_wrapped(f"Sample workbook: {out}")
    echo_wrapped("Published B.E. 2560 figures: Thailand 57.8 (dim 4 49.3, dim 6 47.0); Ministry of "
                 "Industry 54.4 (dim 4 41.4, dim 6 49.0); Department of Industrial Promotion 66.2 "
                 "(dim 4 61.3, dim 5 60.0). All other values are illustrative.")
    from readiness_xl.cli.trend_commands import demo_trend_line
    for line in demo_trend_line(out).splitlines():
        echo_wrapped(line)


@cli.command(short_help="Write the recalculated B.E. 2560 sample workbook to OUT.")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--round", "survey_round", type=click.Choice(["2560", "2559"]), default="2560",
              show_default=True, help="2559: the illustrative earlier round (for a trend).")
def sample(out: Path, survey_round: str) -> None:
    """Write the recalculated B.E. 2560 sample workbook (or the illustrative 2559 round) to OUT (.xlsx)."""
    workbook_output(out, "the sample")
    from readiness_xl.sample.build import build_sample
    if survey_round == "2559":
        from readiness_xl.sample.rounds import build_sample_2559
        build_sample_2559(out)
    else:
        build_sample(out)
    click.echo(f"Sample written to {out}")


@cli.command("new-template", short_help="Write a fresh template workbook to OUT (.xlsx, or .xlsm for Import Functions).",
             epilog=FRAMEWORK_CSV_HELP)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--agencies", "agencies_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of agencies (id,name_th,name_en,kind,ministry_th,ministry_en; any further "
                   "column is a numeric unit attribute a denominator may name, and ranked yes/no "
                   "says whether the unit takes a rank).")
@click.option("--framework", "framework_path", type=click.Path(exists=True, path_type=Path),
              help="A workbook whose Framework sheet to use, or a folder with dimensions.csv, "
                   "indicators.csv, bands.csv and settings.csv (default: B.E. 2560; columns below).")
@click.option("--layout", type=click.Choice(LAYOUTS), default="sheets", show_default=True,
              help="'sheets': one answer sheet per agency; 'long': one Responses sheet "
                   "(agency, indicator, answer), for thousands of agencies.")
def new_template(out: Path, agencies_csv: Path | None, framework_path: Path | None, layout: str) -> None:
    """Write a fresh template workbook to OUT (.xlsx; .xlsm carries xlwings' VBA module so
    Excel's Import Functions works in it)."""
    output_kind(out, {".xlsx": "xlsx", ".xlsm": "xlsm"}, "the template")
    if framework_path is not None and framework_path.is_file():
        check_not_input(out, inputs=[framework_path])
    from readiness_xl.sample.build import build_template
    from readiness_xl.sample.source_data import load_agencies, load_framework
    agencies = load_agencies(agencies_csv) if agencies_csv else None
    framework = None
    if framework_path is not None:
        framework = (load_framework(framework_path) if framework_path.is_dir()
                     else read_framework_file(framework_path))
    build_template(out, agencies, framework, layout)
    click.echo(f"Template written to {out}")
