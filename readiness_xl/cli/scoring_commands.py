"""demo, recalc, sample and new-template: building and scoring workbooks."""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import click
import pandas as pd
from rich import box
from rich.console import Console
from rich.cells import cell_len
from rich.measure import Measurement
from rich.table import Table

from readiness_xl.cli.main import cli
from readiness_xl.cli.output import echo_json, missing_option, output_kind, workbook_output
from readiness_xl.cli.progress import progress_bar
from readiness_xl.core.narrative import percent_text
from readiness_xl.core.results import Results, to_json_dict
from readiness_xl.sample.source_data import FRAMEWORK_CSV_HELP
from readiness_xl.workbook.layout import LAYOUTS
from readiness_xl.workbook.locks import check_not_input
from readiness_xl.workbook.read import read_framework_file
from readiness_xl.workbook.recalc import recalc_file

TERMINAL_AGENCIES = 40  # more than this and the terminal shows the 20 best and 20 last
DEFAULT_WIDTH = 180      # when output goes to a file or `make` and no COLUMNS says otherwise
# What gives way, in this order, when the table is wider than the terminal (as `kubectl get`
# drops its wide columns): the English name, the English level word, the rank (rows are in
# rank order anyway), the level. Thai names and the scores stay.
NARROWER = ("Unit", "level_en", "Rank", "Level")
NAME_MIN_WIDTH = 12  # below this a Thai name says too little; the table then runs wider


def console() -> Console:
    """The terminal's width (COLUMNS is honoured); a wide one when output is not a terminal.
    Names and answers come from workbooks: text such as "[/x]" or ":warning:" is printed
    as it is, never read as rich markup or emoji codes (styles are given as Text objects)."""
    probe = Console(markup=False, emoji=False)
    if probe.is_terminal or "COLUMNS" in os.environ:
        return probe
    return Console(width=DEFAULT_WIDTH, markup=False, emoji=False)


def summary_table(results: Results, width: int | None = None) -> Table:
    """Agencies by rank, then ministries and the nation, in at most `width` columns: the
    widest layout that fits without wrapping, else the narrowest with long Thai names
    ending in '…' (never broken inside a word)."""
    unbounded = Console(width=10_000, markup=False, emoji=False)  # measured as printed
    for dropped in range(len(NARROWER) + 1):
        table = _summary_table(results, set(NARROWER[:dropped]))
        excess = 0 if width is None else Measurement.get(unbounded, unbounded.options, table).maximum - width
        if excess <= 0:
            return table
    names = next(c for c in table.columns if c.header == "หน่วยงาน")
    names.max_width = max(names.min_width, max(map(cell_len, names._cells)) - excess)
    return table


def _summary_table(results: Results, dropped: set[str]) -> Table:
    dims = results.dimension_ids
    table = Table(title="ผลการประเมินความพร้อมรัฐบาลดิจิทัล / Digital government readiness (%)",
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    labels = [c for c in ("Rank", "Id", "หน่วยงาน", "Unit") if c not in dropped]
    labels += [f"D{d}" for d in dims] + ["Overall"] + ([] if "Level" in dropped else ["Level"])
    for label in labels:
        text = label in ("Id", "หน่วยงาน", "Unit", "Level")
        # Thai has no spaces to wrap on: a name too long for the narrowest layout ends in '…'
        # rather than breaking inside a word; English wraps on its spaces.
        table.add_column(label, justify="left" if text else "right", no_wrap=label != "Unit",
                         overflow="ellipsis" if label == "หน่วยงาน" else "fold",
                         min_width=NAME_MIN_WIDTH if label == "หน่วยงาน" else None if text else len(label))

    def row(rank: str, ident: str, name_th: str, name_en: str, unit: pd.Series) -> list[str]:
        level = unit["level_th"] if "level_en" in dropped else f"{unit['level_th']} / {unit['level_en']}"
        cells = {"Rank": rank, "Id": ident, "หน่วยงาน": name_th, "Unit": name_en,
                 **{f"D{d}": percent_text(unit[d]) for d in dims}, "Overall": percent_text(unit["overall"]),
                 "Level": level}
        return [cells[label] for label in labels]

    ranked = results.agencies.sort_values("rank")
    if len(ranked) > TERMINAL_AGENCIES:  # a national survey: the top and bottom, then groups
        half = TERMINAL_AGENCIES // 2
        shown = [ranked.head(half), None, ranked.tail(half)]
    else:
        shown = [ranked]
    for block in shown:
        if block is None:
            more = len(ranked) - 2 * half
            cells = {"Rank": "…", "หน่วยงาน": f"อีก {more:,} หน่วยงาน",
                     "Unit": f"{more:,} more agencies: see the Summary sheet"}
            table.add_row(*[cells.get(label, "") for label in labels])
            continue
        for ident, a in block.iterrows():
            table.add_row(*row(f"{a['rank']:.0f}", ident, a["name_th"], a["name_en"], a))
    table.add_section()
    for name, m in results.ministries.iterrows():
        table.add_row(*row("", "", name, m["name_en"], m))
    table.add_section()
    settings = results.framework.settings
    table.add_row(*row("", "", settings.all_units_th, settings.all_units_en, results.national))
    return table


def print_summary(results: Results) -> None:
    out = console()
    out.print(summary_table(results, out.width))


def echo_wrapped(text: str) -> None:
    """A sentence wrapped to the terminal on its spaces, never inside a word (Thai words
    have no spaces between them, so a Thai run stays whole)."""
    click.echo(textwrap.fill(text, console().width, break_long_words=False, break_on_hyphens=False))


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
    with progress_bar("Reading agency sheets") as advance:
        results = recalc_file(book, out, missing, progress=advance)
    if robustness:
        from readiness_xl.cli.robustness_commands import run_robustness
        run_robustness(out or book, None, with_audit=True, missing=missing)
    if as_json:
        echo_json(to_json_dict(results))
    else:
        print_summary(results)
        echo_wrapped(f"Summary written to {out or book}")


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
              help="CSV of agencies (id,name_th,name_en,kind,ministry_th,ministry_en).")
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
