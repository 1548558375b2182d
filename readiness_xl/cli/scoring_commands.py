"""demo, recalc, sample and new-template: building and scoring workbooks."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from readiness_xl.cli.main import cli
from readiness_xl.cli.progress import progress_bar
from readiness_xl.core.results import Results, to_json_dict
from readiness_xl.core.scoring import MISSING_POLICIES
from readiness_xl.workbook.read import read_framework_file
from readiness_xl.workbook.recalc import recalc_file

TERMINAL_AGENCIES = 40  # more than this and the terminal shows the 20 best and 20 last


def console() -> Console:
    """Wide enough for the summary even when output goes to a file or `make`."""
    probe = Console()
    return probe if probe.is_terminal else Console(width=180)


def summary_table(results: Results) -> Table:
    """A readable terminal table: agencies by rank, then ministries and the nation."""
    dims = results.dimension_ids
    table = Table(title="ผลการประเมินความพร้อมรัฐบาลดิจิทัล / Digital government readiness (%)")
    text_columns = ("Id", "หน่วยงาน", "Unit", "Level")
    for label in ["Rank", "Id", "หน่วยงาน", "Unit"] + [f"D{d}" for d in dims] + ["Overall", "Level"]:
        table.add_column(label, justify="left" if label in text_columns else "right",
                         no_wrap=label not in ("หน่วยงาน", "Unit"))

    def fmt(value) -> str:
        return "" if value != value else f"{value:.1f}"

    ranked = results.agencies.sort_values("rank")
    if len(ranked) > TERMINAL_AGENCIES:  # a national survey: the top and bottom, then groups
        half = TERMINAL_AGENCIES // 2
        shown = [ranked.head(half), None, ranked.tail(half)]
    else:
        shown = [ranked]
    for block in shown:
        if block is None:
            table.add_row("…", "", f"อีก {len(ranked) - 2 * half:,} หน่วยงาน",
                          f"{len(ranked) - 2 * half:,} more agencies: see the Summary sheet")
            continue
        for ident, a in block.iterrows():
            table.add_row(f"{a['rank']:.0f}", ident, a["name_th"], a["name_en"],
                          *[fmt(a[d]) for d in dims], fmt(a["overall"]),
                          f"{a['level_th']} / {a['level_en']}")
    table.add_section()
    for name, m in results.ministries.iterrows():
        table.add_row("", "", name, m["name_en"], *[fmt(m[d]) for d in dims], fmt(m["overall"]),
                      f"{m['level_th']} / {m['level_en']}")
    n = results.national
    table.add_section()
    table.add_row("", "", "ประเทศไทย", "Thailand", *[fmt(n[d]) for d in dims], fmt(n["overall"]),
                  f"{n['level_th']} / {n['level_en']}")
    return table


@cli.command(short_help="Build and recalculate the B.E. 2560 sample, print its summary.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the sample (default: a temporary file).")
def demo(out: Path | None) -> None:
    """Build and recalculate the B.E. 2560 sample and print its summary."""
    from readiness_xl.sample.build import build_sample  # the builders load only to build
    if out is None:
        out = Path(tempfile.mkdtemp(prefix="readiness-xl-")) / "sample_2560.xlsx"
    results = build_sample(out)
    console().print(summary_table(results))
    click.echo(f"Sample workbook: {out}")
    click.echo("Published B.E. 2560 figures: Thailand 57.8 (dim 4 49.3, dim 6 47.0); Ministry of "
               "Industry 54.4 (dim 4 41.4, dim 6 49.0); Department of Industrial Promotion 66.2 "
               "(dim 4 61.3, dim 5 60.0). All other values are illustrative.")


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the recalculated workbook here instead of in place.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON on stdout.")
@click.option("--missing", type=click.Choice(MISSING_POLICIES), default="zero", show_default=True,
              help="Unanswered indicators: 'zero' = not met; 'exclude' = left out of the score.")
def recalc(book: Path, out: Path | None, as_json: bool, missing: str) -> None:
    """Recalculate every agency and rewrite the Summary (what the ribbon button does)."""
    with progress_bar("Reading agency sheets") as advance:
        results = recalc_file(book, out, missing, progress=advance)
    if as_json:
        click.echo(json.dumps(to_json_dict(results), ensure_ascii=False))
    else:
        console().print(summary_table(results))
        click.echo(f"Summary written to {out or book}")


@cli.command(short_help="Write the recalculated B.E. 2560 sample workbook to OUT.")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def sample(out: Path) -> None:
    """Write the recalculated B.E. 2560 sample workbook to OUT."""
    from readiness_xl.sample.build import build_sample
    build_sample(out)
    click.echo(f"Sample written to {out}")


@cli.command("new-template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--agencies", "agencies_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of agencies (id,name_th,name_en,kind,ministry_th,ministry_en).")
@click.option("--framework", "framework_path", type=click.Path(exists=True, path_type=Path),
              help="A workbook whose Framework sheet to use, or a folder with dimensions.csv, "
                   "indicators.csv and bands.csv (default: B.E. 2560).")
def new_template(out: Path, agencies_csv: Path | None, framework_path: Path | None) -> None:
    """Write a fresh template workbook to OUT."""
    from readiness_xl.sample.build import build_template
    from readiness_xl.sample.source_data import load_agencies, load_framework
    agencies = load_agencies(agencies_csv) if agencies_csv else None
    framework = None
    if framework_path is not None:
        framework = (load_framework(framework_path) if framework_path.is_dir()
                     else read_framework_file(framework_path))
    build_template(out, agencies, framework)
    click.echo(f"Template written to {out}")
