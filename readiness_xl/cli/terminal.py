"""The terminal: its width, the ranked summary table of a recalculation and sentences
wrapped without breaking a Thai word. rich draws the table; this module loads only when
something is printed."""

from __future__ import annotations

import os
import textwrap

import click
import pandas as pd
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from readiness_xl.core.narrative import percent_text
from readiness_xl.core.results import Results, answered, unanswered_levels

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


def fit_table(make, narrower: tuple[str, ...], width: int | None, names: str = "หน่วยงาน") -> Table:
    """The widest of make(dropped), dropping the columns of `narrower` one by one in order,
    that fits in `width` columns without wrapping; else the narrowest, with long Thai
    names (the column headed `names`) ending in '…', never broken inside a word."""
    unbounded = Console(width=10_000, markup=False, emoji=False)  # measured as printed
    for dropped in range(len(narrower) + 1):
        table = make(set(narrower[:dropped]))
        if width is None or width_bound(table) <= width:   # fits: spare rich measuring it twice
            return table
        excess = Measurement.get(unbounded, unbounded.options, table).maximum - width
        if excess <= 0:
            return table
    column = next(c for c in table.columns if c.header == names)
    column.max_width = max(column.min_width or 0, max(map(cell_len, column._cells), default=0) - excess)
    return table


def width_bound(table: Table) -> int:
    """A width the table never exceeds unwrapped: each column as wide as its fixed width or
    else its widest cell, header or minimum width, with a space each side and a rule, and
    both edges (more than rich measures)."""
    if table.width is not None:
        return table.width
    columns = sum(3 + (column.width if column.width is not None else
                       max(column.min_width or 0, *map(cell_len, [str(column.header), *map(str, column._cells)])))
                  for column in table.columns)
    return max(2 + columns, table.min_width or 0)


def name_column(table: Table, header: str = "หน่วยงาน") -> None:
    """A Thai name column: never wrapped (Thai has no spaces to wrap on), '…' when cut,
    never narrower than NAME_MIN_WIDTH."""
    table.add_column(header, no_wrap=True, overflow="ellipsis", min_width=NAME_MIN_WIDTH)


def summary_table(results: Results, width: int | None = None) -> Table:
    """Agencies by rank, then ministries and the nation, in at most `width` columns: the
    widest layout that fits without wrapping, else the narrowest with long Thai names
    ending in '…' (never broken inside a word)."""
    return fit_table(lambda dropped: _summary_table(results, dropped), NARROWER, width)


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
    """The summary table; below it, when the workbook is (mostly) unanswered, a line in
    Thai and one in English saying so, with the completeness."""
    out = console()
    out.print(summary_table(unanswered_levels(results), out.width))
    for line in answered(results).sentences() or ():
        echo_wrapped(line)


def echo_wrapped(text: str) -> None:
    """A sentence wrapped to the terminal on its spaces, never inside a word (Thai words
    have no spaces between them, so a Thai run stays whole)."""
    click.echo(textwrap.fill(text, console().width, break_long_words=False, break_on_hyphens=False))
