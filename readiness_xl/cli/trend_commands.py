"""trend: survey rounds side by side (a trend workbook, JSON, the report's trend section)."""

from __future__ import annotations

from pathlib import Path

import click

from readiness_xl.cli.main import cli
from readiness_xl.cli.output import echo_json, missing_option, output_kind, workbook_output
from readiness_xl.cli.progress import progress_bar
from readiness_xl.errors import Problem, ReadinessError


def read_trend(books: tuple[Path, ...], years: str | None, mapping: Path | None, missing: str):
    """Every round read and scored with its own framework, then the trend."""
    from readiness_xl.core.trend import build_trend
    from readiness_xl.workbook.rounds import read_mapping, read_round
    given = [y.strip() for y in years.split(",")] if years else [None] * len(books)
    if len(given) != len(books):
        raise ReadinessError(Problem(f"--years names {len(given)} years for {len(books)} workbooks"))
    rounds = []
    for book, year in zip(books, given):
        with progress_bar(f"Reading {book.name}") as advance:
            rounds.append(read_round(book, year, missing, advance))
    return build_trend(rounds, read_mapping(mapping) if mapping else None), rounds


# What gives way first when the table is wider than the terminal (the English name, then
# the English level words): the Thai name, the scores and the Thai level stay.
TREND_NARROWER = ("Unit", "level_en")


def terminal_table(trend, width: int | None = None):
    """The terminal view: the nation and every ministry per round, with the change and the
    level (Thai / English) in at most `width` columns."""
    from readiness_xl.cli.terminal import fit_table
    return fit_table(lambda dropped: _trend_columns(trend, dropped), TREND_NARROWER, width, "หน่วย")


def _trend_columns(trend, dropped: set[str]):
    from rich import box
    from rich.table import Table

    from readiness_xl.cli.terminal import name_column
    from readiness_xl.core.narrative import percent_text
    from readiness_xl.core.trend import OVERALL, change
    from readiness_xl.thai import common_era_year
    first, last = trend.years[0], trend.years[-1]
    table = Table(title="แนวโน้มคะแนนรวม / Overall score by round (%)", box=box.SIMPLE_HEAD,
                  pad_edge=False, collapse_padding=True)
    name_column(table, "หน่วย")
    if "Unit" not in dropped:
        table.add_column("Unit", no_wrap=False)
    for y in trend.years:
        table.add_column(f"{y}\n({common_era_year(y)})", justify="right", no_wrap=True)
    table.add_column(f"Δ {first}→{last}", justify="right", no_wrap=True)
    table.add_column("ระดับ" if "level_en" in dropped else "ระดับ / Level", no_wrap=False)

    for unit_type in ("national", "ministry"):
        panel = trend.panel(unit_type)
        gained = change(panel, OVERALL, first, last)
        for ident in panel.units:
            th, en = trend.group_label(unit_type, ident)
            levels = [panel.level_th.at[ident, y] if "level_en" in dropped
                      else f"{panel.level_th.at[ident, y]} / {panel.level_en.at[ident, y]}"
                      for y in trend.years if panel.level_th.at[ident, y]]
            levels = [v for i, v in enumerate(levels) if i == 0 or v != levels[i - 1]]
            names = [th] if "Unit" in dropped else [th, en]
            table.add_row(*names, *[percent_text(panel.scores.at[ident, (OVERALL, y)]) for y in trend.years],
                          percent_text(gained[ident], "+"), " → ".join(levels))
        table.add_section()
    return table


@cli.command(short_help="Survey rounds side by side: change per agency, ministry and nation.")
@click.argument("books", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the trend workbook (Trend sheet, Trend dashboard, Rounds, Units) here.")
@click.option("--map", "mapping", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of renamed, merged or split agencies: round,round_id,trend_id[,note].")
@click.option("--years", help="The rounds' years in the order of BOOKS, B.E. or C.E., comma-separated "
                              "(default: the year in each framework version).")
@click.option("--json", "as_json", is_flag=True, help="Print the trend as JSON on stdout.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the HTML report of the latest round with a trend section.")
@click.option("--pdf", is_flag=True, help="With --report: also print it to PDF beside it.")
@missing_option()
def trend(books: tuple[Path, ...], out: Path | None, mapping: Path | None, years: str | None,
          as_json: bool, report: Path | None, pdf: bool, missing: str) -> None:
    """Put survey rounds side by side: BOOKS are one workbook per round (e.g. the B.E. 2559
    and 2560 masters), each scored with its own framework; agencies are matched by id."""
    from readiness_xl.core.trend_narrative import trend_sentences
    from readiness_xl.workbook.trend_views import to_json_dict
    if pdf and not report:
        raise ReadinessError(Problem("--pdf prints the report: give --report OUT.html too"))
    from readiness_xl.workbook.locks import check_not_input
    for target in filter(None, (out, report)):  # checked before any work is done
        check_not_input(target, inputs=books)
    if out:
        workbook_output(out, "the trend workbook")
    if report:
        output_kind(report, {".html": "html"}, "the trend report")
        from readiness_xl.cli.extras import require_charts
        require_charts()
    if pdf:
        from readiness_xl.report.chromium import CHROMIUM_MISSING, find_chromium
        if find_chromium() is None:  # refuse before the work, not after it
            raise ReadinessError(Problem(CHROMIUM_MISSING, file=str(report.with_suffix(".pdf"))))
    result, rounds = read_trend(books, years, mapping, missing)
    sources = [r.source for r in sorted(rounds, key=lambda r: r.year)]
    from readiness_xl.workbook.properties import is_illustrative
    illustrative = any(is_illustrative(b) for b in books)
    if out:
        from readiness_xl.builder.trend_workbook import ILLUSTRATIVE_NOTE, write_trend_workbook
        write_trend_workbook(result, out, sources, (ILLUSTRATIVE_NOTE,) if illustrative else ())
    if report:
        _write_report(result, rounds, report, pdf, illustrative)
    if as_json:
        echo_json(to_json_dict(result))
        return
    from readiness_xl.cli.terminal import console, echo_wrapped
    terminal = console()
    terminal.print(terminal_table(result, terminal.width))
    for lang in ("th", "en"):
        echo_wrapped(trend_sentences(result, "national", lang=lang).iloc[0])
    present = result.agencies.present
    partial = present[~present.all(axis=1)]
    for ident, row in partial.iterrows():
        rounds_in = ", ".join(str(y) for y in result.years if row[y])
        echo_wrapped(f"{ident} {result.info.at[ident, 'name_en']}: only in {rounds_in}")
    if not result.comparable:
        echo_wrapped("Framework changed between rounds: "
                   f"{result.framework_changes.at['overall', 'note_en']} (re-scored on "
                   f"{len(result.common_indicators)} common indicators in the Trend sheet)")
    if out:
        click.echo(f"Trend workbook written to {out}")
    if report:
        click.echo(f"Report written to {report}")


def demo_trend_line(sample_2560: Path) -> str:
    """What `readiness-xl demo` adds: the illustrative B.E. 2559 round built beside the
    2560 sample, and the nation's trend between them in Thai and English."""
    from readiness_xl.core.trend import build_trend
    from readiness_xl.core.trend_narrative import trend_sentences
    from readiness_xl.sample.rounds import MAPPING_CSV, build_sample_2559
    from readiness_xl.workbook.rounds import read_mapping, read_round
    earlier = sample_2560.with_name("sample_2559.xlsx")
    build_sample_2559(earlier)
    result = build_trend([read_round(earlier), read_round(sample_2560)], read_mapping(MAPPING_CSV))
    lines = [f"Trend (the B.E. 2559 round is illustrative): {earlier}"]
    lines += [trend_sentences(result, "national", lang=lang).iloc[0] for lang in ("th", "en")]
    lines.append(f"Try: readiness-xl trend {earlier} {sample_2560} --map {MAPPING_CSV} -o trend.xlsx")
    return "\n".join(lines)


def _write_report(result, rounds, report: Path, pdf: bool, illustrative: bool) -> None:
    from readiness_xl.report.chromium import print_pdf
    from readiness_xl.report.html import build_report
    from readiness_xl.report.trend_section import trend_section
    from readiness_xl.workbook.atomic_write import atomic_target
    latest = max(rounds, key=lambda r: r.year)
    html = build_report(latest.results, latest.source, year=latest.year,
                        extra_sections=[trend_section(result)], illustrative=illustrative)
    with atomic_target(report) as tmp:
        tmp.write_text(html, encoding="utf-8")
    if pdf:
        print_pdf(report, report.with_suffix(".pdf"))
