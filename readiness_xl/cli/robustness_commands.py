"""robustness and audit: how firm the ranks are and how sound the data is, written into
the workbook's Uncertainty and Audit sheets (or printed as JSON)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from readiness_xl.cli.main import cli
from readiness_xl.cli.output import echo_json, missing_option, workbook_output
from readiness_xl.cli.progress import progress_bar
from readiness_xl.cli.terminal import TERMINAL_AGENCIES, console
from readiness_xl.core import robustness as R
from readiness_xl.core.audit import COVERAGE_THRESHOLD
from readiness_xl.errors import Problem, ReadinessError


def _advance(advance):
    """A `progress(done, total)` for the core that moves the bar by the draws just done
    (the total is the one the run counts)."""
    state = {"done": 0}

    def progress(done: int, total: int) -> None:
        advance(done - state["done"], total)
        state["done"] = done
    return progress


def _aggregations(words: tuple[str, ...]) -> tuple[float, ...]:
    from readiness_xl.core.aggregation import parse_aggregation
    try:
        return tuple(parse_aggregation(w) for w in words)
    except ValueError as err:
        raise ReadinessError(Problem(f"--aggregation: {err}")) from None


def _normalisations(words: tuple[str, ...]) -> tuple[str, ...]:
    from readiness_xl.core.normalisation import NORMALISERS
    unknown = [w for w in words if w not in NORMALISERS]
    if unknown:
        raise ReadinessError(Problem(f"--normalisation {unknown[0]!r} is not one of "
                                     f"{', '.join(NORMALISERS)}"))
    return tuple(words)


def run_robustness(book: Path, out: Path | None, *, with_audit: bool, uncertainty: bool = True,
                   missing: str = "zero", write: bool = True, read=None, **options):
    """What `robustness`, `audit`, `recalc --robustness` and `report --robustness` share:
    the run with a progress bar, written into the workbook unless `write` is false.
    `read`: (Book, Results) of `book` when the command has read and scored it already."""
    from readiness_xl.cli.extras import require_sobol
    from readiness_xl.workbook.robustness_sheets import analyse_book, robustness_file

    if uncertainty:
        require_sobol()
    if write and out is not None:
        workbook_output(out)

    with progress_bar("Replications") as advance:
        if not write:
            if read is None:
                from readiness_xl.workbook.read import read_book
                read = (read_book(book), None)
            return analyse_book(*read, missing=missing, uncertainty=uncertainty,
                                with_audit=with_audit, progress=_advance(advance), **options)
        return robustness_file(book, out, missing=missing, uncertainty=uncertainty,
                               with_audit=with_audit, progress=_advance(advance), **options)


def _uncertainty_table(result: R.Uncertainty, agencies) -> Table:
    table = Table(title="ความแน่นอนของอันดับ / How firm each rank is "
                        f"({result.runs:,} replications, seed {result.seed})")
    for label in ("Rank", "Id", "หน่วยงาน", "Score", "Rank 5-95%", "Median", "Best-worst", "Keeps level"):
        table.add_column(label, justify="left" if label in ("Id", "หน่วยงาน") else "right",
                         no_wrap=label != "หน่วยงาน")
    ranked = result.table.sort_values("rank")
    shown = ranked if len(ranked) <= TERMINAL_AGENCIES else ranked.head(TERMINAL_AGENCIES)
    for ident, t in shown.iterrows():
        table.add_row(f"{t['rank']:.0f}", str(ident), agencies.at[ident, "name_th"], f"{t['score']:.1f}",
                      f"{t['rank_p5']:.0f}-{t['rank_p95']:.0f}", f"{t['rank_median']:.0f}",
                      f"{t['rank_best']:.0f}-{t['rank_worst']:.0f}", f"{t['band_share']:.0%}")
    if len(ranked) > len(shown):
        table.add_row("…", "", f"{len(ranked) - len(shown):,} more: see the Uncertainty sheet",
                      "", "", "", "", "")
    return table


def _sensitivity_table(sensitivity: R.Sensitivity) -> Table:
    table = Table(title=f"ดัชนี Sobol ต่อการเลื่อนอันดับเฉลี่ย / Sobol indices on the mean absolute "
                        f"rank shift (N = {sensitivity.n:,})")
    for label in ("Input", "First order", "Total"):
        table.add_column(label, justify="left" if label == "Input" else "right")
    for name, s in sensitivity.overall.iterrows():
        table.add_row(str(name), f"{s['first_order']:.2f} ± {s['first_order_conf']:.2f}",
                      f"{s['total']:.2f} ± {s['total_conf']:.2f}")
    return table


@cli.command(short_help="Uncertainty and Sobol sensitivity of the ranks (Uncertainty sheet).")
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the workbook here instead of in place.")
@click.option("--runs", type=click.IntRange(1, 1_000_000), default=R.RUNS, show_default=True,
              help="Monte Carlo replications of the uncertainty analysis.")
@click.option("--weights-noise", type=click.FloatRange(0, 1), default=R.WEIGHTS_NOISE,
              show_default=True, help="Each weight varies by up to ± this share (0.25 = ±25%), "
                                      "dimension weights and indicator points alike.")
@click.option("--seed", type=int, default=R.SEED, show_default=True, help="Random seed (same seed, same result).")
@click.option("--sobol-n", type=click.IntRange(2, 1_000_000), default=R.SOBOL_N, show_default=True,
              help="Saltelli base sample of the Sobol analysis (runs = N x (inputs + 2)); a power of 2.")
@click.option("--vary-missing", is_flag=True, help="Also vary the missing-answer policy (zero / exclude).")
@click.option("--aggregation", "aggregations", multiple=True, metavar="WORD",
              help="An alternative aggregation of the dimensions (geometric, harmonic, power:P); repeatable.")
@click.option("--normalisation", "normalisations", multiple=True, metavar="WORD",
              help="An alternative normalisation of every indicator (minmax, zscore, rank, ...); repeatable.")
@click.option("--band-shift", type=click.FloatRange(0, 50), default=0.0, show_default=True,
              help="Level cut-offs each move by up to ± this many points.")
@missing_option("The nominal policy for unanswered indicators.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON on stdout.")
def robustness(book: Path, out: Path | None, runs: int, weights_noise: float, seed: int, sobol_n: int,
               vary_missing: bool, aggregations: tuple[str, ...], normalisations: tuple[str, ...],
               band_shift: float, missing: str, as_json: bool) -> None:
    """How firm is each rank? Monte Carlo uncertainty analysis (median rank, 5-95% rank
    interval, share of replications keeping the level) and Sobol sensitivity of the ranks
    to each uncertain input, written to the Uncertainty sheet of BOOK."""
    found = run_robustness(book, out, with_audit=False, missing=missing, runs=runs,
                           weights_noise=weights_noise, seed=seed, sobol_n=sobol_n,
                           vary_missing=vary_missing, aggregations=_aggregations(aggregations),
                           normalisations=_normalisations(normalisations), band_shift=band_shift)
    if as_json:
        echo_json(R.to_json_dict(found.uncertainty, found.sensitivity))
        return
    console().print(_uncertainty_table(found.uncertainty, found.agencies))
    if found.sensitivity is not None:
        console().print(_sensitivity_table(found.sensitivity))
    click.echo(f"Uncertainty sheet written to {out or book}")


@cli.command(short_help="Statistical audit of indicators and dimensions (Audit sheet).")
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the workbook here instead of in place.")
@click.option("--coverage", type=click.FloatRange(0, 100), default=COVERAGE_THRESHOLD, show_default=True,
              help="List units answering less than this % of the indicators.")
@missing_option("Unanswered indicators in the scores the audit correlates with.")
@click.option("--json", "as_json", is_flag=True, help="Print the audit as JSON on stdout.")
def audit(book: Path, out: Path | None, coverage: float, missing: str, as_json: bool) -> None:
    """Statistics of every indicator (coverage, mean, sd, skew, kurtosis, flag), the
    correlations and Cronbach's alpha of every dimension, and the units with little
    coverage, written to the Audit sheet of BOOK."""
    from readiness_xl.core.audit import to_json_dict

    found = run_robustness(book, out, with_audit=True, uncertainty=False, missing=missing,
                           coverage_threshold=coverage).audit
    if as_json:
        echo_json(to_json_dict(found))
        return
    flagged = found.indicators[found.indicators["flag"]]
    pairs = found.pairs[found.pairs["flag"] != ""]
    table = Table(title="การตรวจสอบทางสถิติ / Statistical audit")
    for label in ("Dimension", "Cronbach's alpha", "r with index", "Flagged pairs"):
        table.add_column(label, justify="left" if label == "Dimension" else "right")
    for dim, row in found.dimensions.iterrows():
        table.add_row(str(dim), f"{row['cronbach_alpha']:.2f}", f"{row['index_correlation']:.2f}",
                      str(int((pairs["dimension"] == dim).sum())))
    console().print(table)
    click.echo(f"Skewed indicators (|skew| > 2 and kurtosis > 3.5): {', '.join(flagged.index) or 'none'}")
    click.echo(f"Units answering less than {coverage:g}%: {', '.join(found.low_coverage.index) or 'none'}")
    click.echo(f"Audit sheet written to {out or book}")
