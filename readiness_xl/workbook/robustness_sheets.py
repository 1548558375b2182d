"""The Uncertainty and Audit sheets: the robustness results as rows of cells with their
formats, colours and rank-interval chart, and the one function that computes and writes
them into a workbook (what `readiness-xl robustness`, `audit` and `recalc --robustness`
run). The RANK_INTERVAL worksheet function reads the Uncertainty sheet back with
workbook.uncertainty_layout.rank_interval, whose RANK_COLUMNS these headers must match."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from readiness_xl.workbook.cell_refs import get_column_letter

from readiness_xl.core import robustness as R
from readiness_xl.core.audit import COLLINEAR, COVERAGE_THRESHOLD, KURTOSIS_LIMIT, SKEW_LIMIT, Audit, audit
from readiness_xl.core.framework import Framework
from readiness_xl.core.results import Results, number_or_none
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.formula import Formula
from readiness_xl.workbook.live_summary import SIMULATION_NOTE, simulation_check
from readiness_xl.workbook.sheet_writer import Paper, SheetSpec, row_heights, write_sheets

if TYPE_CHECKING:
    from readiness_xl.workbook.read import Book

CHART_UNITS = 60         # the chart shows the first units by rank; the table has them all
CHART_WIDTH_CM = 16      # on a page of its own right of the narratives, beside the ids and names
ALPHA_LOW = 0.7          # Cronbach's alpha below this is coloured (the usual rule of thumb)

UNIT_HEADERS = ["รหัส / Id", "ชื่อ (ไทย)", "Name (English)", "คะแนน / Score %", "อันดับ / Rank",
                "มัธยฐานอันดับ / Median rank", "อันดับ 5% / Rank 5%", "อันดับ 95% / Rank 95%",
                "ดีที่สุด / Best", "แย่ที่สุด / Worst", "คะแนน 5% / Score 5%", "คะแนน 95% / Score 95%",
                "ระดับ / Level", "คงระดับ / Keeps level", "ช่วงกว้าง / Interval width"]
WIDTH_COLUMN = "O"


def _pad(rows: list[list], width: int) -> list[list]:
    return [r + [None] * (width - len(r)) for r in rows]


def _beside(left: list[list], right: list[list], gap: int = 1) -> list[list]:
    """Two tables side by side from row 1, the right one after `gap` empty columns."""
    width = max((len(r) for r in left), default=0) + gap
    height = max(len(left), len(right))
    left = _pad(left + [[] for _ in range(height - len(left))], width)
    return [row + (right[i] if i < len(right) else []) for i, row in enumerate(left)]


def uncertainty_spec(result: R.Uncertainty, sensitivity: R.Sensitivity | None,
                     agencies: pd.DataFrame, framework: Framework) -> SheetSpec:
    """The Uncertainty sheet: a row per unit sorted by nominal rank with each input's
    total Sobol index on the unit's rank; beside it the inputs' indices on the mean
    absolute rank shift, the run's settings and the chart; the narrative sentences last."""
    table = result.table.sort_values(["rank", "score"], ascending=[True, False], na_position="last")
    names = [i.name for i in result.inputs]
    bands = framework.bands
    units = [UNIT_HEADERS + [f"ST อันดับ / rank ST: {n}" for n in names]]
    for ident, t in table.iterrows():
        band = int(t["band"])
        level = f"{bands['label_th'].iloc[band]} / {bands['label_en'].iloc[band]}" if band >= 0 else ""
        indices = [number_or_none(sensitivity.total.at[ident, n]) if sensitivity is not None else None
                   for n in names]
        units.append([ident, agencies.at[ident, "name_th"], agencies.at[ident, "name_en"],
                      number_or_none(t["score"]), number_or_none(t["rank"]), number_or_none(t["rank_median"]), number_or_none(t["rank_p5"]),
                      number_or_none(t["rank_p95"]), number_or_none(t["rank_best"]), number_or_none(t["rank_worst"]),
                      number_or_none(t["score_p5"]), number_or_none(t["score_p95"]), level, number_or_none(t["band_share"]),
                      number_or_none(t["rank_width"]), *indices])
    side = [["ปัจจัยที่ไม่แน่นอน / Uncertain input", "S1", "± S1", "ST", "± ST"]]
    if sensitivity is not None:
        for name, s in sensitivity.overall.iterrows():
            side.append([name, number_or_none(s["first_order"]), number_or_none(s["first_order_conf"]),
                         number_or_none(s["total"]), number_or_none(s["total_conf"])])
    side += [["S1, ST: ดัชนี Sobol ต่อการเลื่อนอันดับเฉลี่ย / Sobol indices on the mean absolute rank shift"],
             [], ["การตั้งค่า / Settings", "ค่า / Value"]]
    counts = {len(side) + 1: "#,##0", len(side) + 2: "#,##0", len(side) + 3: "0", len(side) + 4: "#,##0"}
    side += [["รอบสุ่ม / Replications", result.runs + result.failed],
             ["รอบที่คำนวณไม่ได้ / Failed", result.failed],
             ["เมล็ดสุ่ม / Seed", result.seed],
             ["Sobol N (Saltelli)", sensitivity.n if sensitivity is not None else None],
             ["ปัจจัย / Inputs"]]
    side += [[f"{i.label_th} / {i.label_en}"] for i in result.inputs] or [["—"]]
    side += [[], [SIMULATION_NOTE], ["ทันสมัย? / Up to date?", _simulation_check(result, agencies, framework)]]
    rows = _beside(units, side)
    side_col = len(units[0]) + 2
    narrative_col = side_col + len(side[0]) + 1
    th, en = R.rank_sentences(table, result.inputs, "th"), R.rank_sentences(table, result.inputs, "en")
    rows = [row + [None] * (narrative_col - 1 - len(row)) + line
            for row, line in zip(rows, [["บทสรุป / Narrative", "Narrative (English)"]]
                                 + [[th[i], en[i]] for i in table.index] + [[]] * len(rows))]
    letters = [get_column_letter(side_col + k) for k in range(5)]
    narratives = [get_column_letter(narrative_col + k) for k in range(2)]
    last = len(table) + 1
    formats = {c: "0.0" for c in "DKL"} | {c: "0" for c in "EFGHIJO"} | {"N": "0%"}
    formats |= {get_column_letter(16 + k): "0.00" for k in range(len(names))}
    formats |= {c: "0.0##" for c in letters[1:]} | {c: "@" for c in "ABCM"}
    formats |= {c: "@" for c in narratives}
    # Widths fit each header's longest English word in the bold header font (no "Interva/l").
    widths = {"A": 7, "B": 30, "C": 30, "F": 9, "M": 18, "O": 10, letters[0]: 34} | {c: 12 for c in letters[1:]}
    widths |= {get_column_letter(c): 8 for c in (4, 5, 7, 8, 9, 10, 11, 12, 14)}
    widths |= {get_column_letter(16 + k): 14 for k in range(len(names))}
    widths |= {get_column_letter(side_col - 1): 2, get_column_letter(narrative_col - 1): 2}
    widths |= {c: 60 for c in narratives}
    wrapped = {1: 30, 2: 30, side_col - 1: widths[letters[0]]} | {narrative_col - 1 + k: 60 for k in range(2)}
    colours = [(f"{WIDTH_COLUMN}2:{WIDTH_COLUMN}{last}", f"${WIDTH_COLUMN}2>0", "warn"),
               (f"N2:N{last}", "AND(ISNUMBER(N2),N2<0.5)", "bad")]
    shown = min(len(table), CHART_UNITS)
    anchor = f"{get_column_letter(narrative_col + 3)}2"
    # On paper: ids and Thai names on every page; the ranks, then the rest of the units
    # table, then the sensitivity table, then the narratives, then the chart, each a page across.
    paper = Paper(title_rows="1:1", title_cols="A:B",
                  breaks_after=("L", get_column_letter(side_col - 1), get_column_letter(narrative_col - 1),
                                get_column_letter(narrative_col + 1)))
    return SheetSpec(L.UNCERTAINTY_SHEET, rows, formats, widths, colours, freeze="D2",
                     chart=lambda ws: (_rank_chart(ws, shown, len(table)), anchor),
                     wrap=frozenset(["B", "C", letters[0], *narratives]), heights=row_heights(rows, wrapped, widths),
                     cell_formats={f"{letters[1]}{r}": code for r, code in counts.items()}, paper=paper)


def _simulation_check(result: R.Uncertainty, agencies: pd.DataFrame, framework: Framework) -> Formula:
    """The live flag that answers changed since this simulation (live_summary.simulation_check)."""
    scores = result.table["score"].reindex(agencies.index).astype(float).tolist()
    last = 1 + len(agencies) + agencies["ministry_th"].nunique() + agencies["kind"].nunique() + 1
    return simulation_check(len(framework.dimension_ids), scores, last)


def _rank_chart(ws, shown: int, total: int):
    """Native chart: units along the bottom in rank order, rank down the side (1 at the
    top), the 5-95% interval as a bar (an invisible bar up to the 5th percentile, a
    visible one to the 95th) and the nominal rank as a dot."""
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.chart.legend import LegendEntry
    from openpyxl.chart.series import SeriesLabel

    last = shown + 1
    bar = BarChart()
    bar.type, bar.grouping, bar.overlap, bar.gapWidth = "col", "stacked", 100, 60
    bar.add_data(Reference(ws, min_col=7, min_row=1, max_row=last), titles_from_data=True)
    bar.add_data(Reference(ws, min_col=15, min_row=1, max_row=last), titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    hidden, interval = bar.series
    hidden.graphicalProperties.noFill = True
    hidden.graphicalProperties.line.noFill = True
    interval.tx = SeriesLabel(v="ช่วงอันดับ 5-95% / 5-95% rank interval")
    interval.graphicalProperties.solidFill = "9DC3E6"
    interval.graphicalProperties.line.solidFill = "1F5FA8"
    dots = LineChart()
    dots.add_data(Reference(ws, min_col=5, min_row=1, max_row=last), titles_from_data=True)
    dot = dots.series[0]
    dot.marker.symbol, dot.marker.size = "circle", 6
    dot.marker.graphicalProperties.solidFill = "C8553D"
    dot.marker.graphicalProperties.line.solidFill = "C8553D"
    dot.graphicalProperties.line.noFill = True
    dot.tx = SeriesLabel(v="อันดับจริง / nominal rank")
    bar += dots
    bar.y_axis.scaling.orientation = "maxMin"
    bar.y_axis.scaling.min = 0
    bar.y_axis.title = "อันดับ / Rank"
    bar.x_axis.title = "หน่วยงาน (เรียงตามอันดับ) / Units by rank"
    bar.y_axis.delete = bar.x_axis.delete = False
    bar.legend.position = "b"
    bar.legend.legendEntry = [LegendEntry(idx=0, delete=True)]
    more = f" (อันดับ 1-{shown} จาก {total} / first {shown} of {total})" if shown < total else ""
    bar.title = f"ช่วงอันดับ 5-95% และอันดับจริง / Rank interval 5-95% and nominal rank{more}"
    bar.width, bar.height = CHART_WIDTH_CM, 11
    return bar


def audit_spec(result: Audit) -> SheetSpec:
    """The Audit sheet: indicator statistics; beside them the dimensions (alpha, r with the
    index), every indicator pair with r and its flag, the units below the coverage
    threshold, and each dimension's correlation matrix. Flags are coloured by
    conditional formats, so they follow any number the analyst changes."""
    ind = [["ตัวชี้วัด / Indicator", "มิติ / Dimension", "ครอบคลุม / Coverage %", "ค่าเฉลี่ย / Mean %",
            "SD", "ต่ำสุด / Min", "สูงสุด / Max", "ความเบ้ / Skew", "ความโด่ง / Kurtosis",
            "ผิดปกติ / Flag", "r กับมิติ / r with dimension"]]
    for ident, row in result.indicators.iterrows():
        ind.append([ident, row["dimension"], number_or_none(row["coverage"]), number_or_none(row["mean"]), number_or_none(row["sd"]),
                    number_or_none(row["min"]), number_or_none(row["max"]), number_or_none(row["skew"]), number_or_none(row["kurtosis"]),
                    "⚑ เบ้/โด่ง / skewed" if row["flag"] else "",
                    number_or_none(result.indicator_dimension[ident])])
    dims = [["มิติ / Dimension", "Cronbach's alpha", "r กับดัชนี / r with index"]]
    for dim, row in result.dimensions.iterrows():
        dims.append([dim, number_or_none(row["cronbach_alpha"]), number_or_none(row["index_correlation"])])
    pairs = [["มิติ / Dimension", "ตัวชี้วัด A", "ตัวชี้วัด B", "r", "ข้อสังเกต / Flag"]]
    words = {"negative": "ลบ / negative", "collinear": f"> {COLLINEAR:g} ซ้ำซ้อน / collinear", "": ""}
    for p in result.pairs.itertuples():
        pairs.append([p.dimension, p.a, p.b, number_or_none(p.r), words[p.flag]])
    low = [[f"ตอบไม่ถึง {result.coverage_threshold:g}% / Coverage below {result.coverage_threshold:g}%",
            "ตอบแล้ว / Answered %"]]
    low += [[ident, float(c)] for ident, c in result.low_coverage.items()] or [["— ไม่มี / none", None]]
    matrices = [["เมทริกซ์สหสัมพันธ์ / Correlation matrices"]]
    for dim, matrix in result.correlations.items():
        matrices.append([f"มิติ {dim} / Dimension {dim}", *matrix.columns])
        matrices += [[a, *map(number_or_none, line)] for a, line in matrix.iterrows()]
        matrices.append([])
    rows = _beside(_beside(_beside(_beside(ind, dims), pairs), low), matrices)
    # columns: A-K indicators, M-O dimensions, Q-U pairs, W-X low coverage, Z.. matrices
    last_ind, last_dim, last_pair = len(ind), len(dims), len(pairs)
    width = max(len(r) for r in rows)
    formats = {c: "0.0" for c in "CDEFG"} | {"H": "0.00", "I": "0.00", "K": "0.00", "N": "0.00",
                                             "O": "0.00", "T": "0.00", "X": "0.0"}
    formats |= {get_column_letter(c): "0.00" for c in range(27, width + 1)}
    last_matrix = len(matrices)
    end = get_column_letter(width)
    colours = [
        (f"J2:J{last_ind}", "LEN($J2)>0", "bad"),
        (f"H2:I{last_ind}", f"AND(ABS($H2)>{SKEW_LIMIT:g},$I2>{KURTOSIS_LIMIT:g})", "bad"),
        (f"C2:C{last_ind}", f"AND(ISNUMBER(C2),C2<{COVERAGE_THRESHOLD:g})", "warn"),
        (f"N2:N{last_dim}", f"AND(ISNUMBER(N2),N2<{ALPHA_LOW:g})", "warn"),
        (f"T2:U{last_pair}", f"AND(ISNUMBER($T2),$T2>{COLLINEAR:g})", "bad"),
        (f"T2:U{last_pair}", "AND(ISNUMBER($T2),$T2<0)", "warn"),
        (f"AA2:{end}{last_matrix}", f"AND(ISNUMBER(AA2),AA2>{COLLINEAR:g},AA2<1)", "bad"),
        (f"AA2:{end}{last_matrix}", "AND(ISNUMBER(AA2),AA2<0)", "warn"),
        (f"W2:X{len(low)}", "ISNUMBER($X2)", "bad"),
    ]
    # Widths fit each header's longest English word in the bold header font; the gaps are narrow.
    widths = {"A": 11, "B": 13, "C": 11, "D": 8, "E": 7, "F": 7, "G": 7, "H": 8, "I": 10, "J": 18, "K": 12,
              "M": 13, "N": 13, "O": 10, "Q": 13, "R": 9, "S": 9, "T": 7, "U": 24, "W": 26, "X": 12,
              "Z": 24} | {c: 2 for c in "LPVY"}
    widths |= {get_column_letter(c): 7 for c in range(27, width + 1)}
    return SheetSpec(L.AUDIT_SHEET, rows, formats, widths, colours, freeze="B2",
                     heights=row_heights(rows, {}, widths), paper=Paper(title_rows="1:1", breaks_after=("L", "V")))


@dataclass(frozen=True)
class RobustnessRun:
    uncertainty: R.Uncertainty | None
    sensitivity: R.Sensitivity | None
    audit: Audit | None
    agencies: pd.DataFrame
    framework: Framework


def robustness_of(framework: Framework, answers: pd.DataFrame, missing: str | None = None, *,
                  runs: int = R.RUNS, weights_noise: float = R.WEIGHTS_NOISE, seed: int = R.SEED,
                  sobol_n: int = R.SOBOL_N, resamples: int = R.RESAMPLES, sensitivity: bool = True,
                  agencies: pd.DataFrame | None = None, progress=None,
                  **options) -> tuple[R.Uncertainty, R.Sensitivity | None]:
    """The uncertainty analysis of parsed `answers` (units x indicators) under
    `framework`: `runs` uniform draws of the uncertain inputs (`options` go to
    core.robustness.uncertain_inputs), summarised; then, with `sensitivity` and any input
    uncertain, the Sobol indices of the ranks from a Saltelli sample of `sobol_n`
    (None otherwise). `agencies` (the agency list) marks the units that take no rank
    (`ranked` no). `progress(done, total)` follows the draws of both."""
    method = R.method_of(framework, missing)
    data = R.data_of(framework, answers, options.get("normalisations", ()), agencies)
    inputs = R.uncertain_inputs(method, weights_noise, seed=seed, **options)
    sensitivity = sensitivity and bool(inputs)
    total = runs + (sobol_n * (len(inputs) + 2) if sensitivity else 0)

    def step(offset):
        return (lambda done: progress(offset + done, total)) if progress else None

    draws = R.run(data, method, inputs, R.sample_uniform(inputs, runs, seed), step(0))
    found = R.summarise(data, method, inputs, draws, seed)
    if not sensitivity:
        return found, None
    draws = R.run(data, method, inputs, R.sample_saltelli(inputs, sobol_n, seed), step(runs),
                  ranks_only=True)
    return found, R.analyse(data, method, inputs, draws, seed, resamples)


def analyse_book(book: Book, results: Results | None = None, *, runs: int = R.RUNS,
                 weights_noise: float = R.WEIGHTS_NOISE, seed: int = R.SEED, sobol_n: int = R.SOBOL_N,
                 missing: str | None = None, uncertainty: bool = True, with_audit: bool = True,
                 coverage_threshold: float = COVERAGE_THRESHOLD, progress=None,
                 **options) -> RobustnessRun:
    """Run the uncertainty and sensitivity analysis and/or the audit of a workbook already
    read (`results`: the book already scored with `missing`, as `report` has it; scored
    here when not given). `progress(done, total)` follows the draws. Writes nothing."""
    from readiness_xl.workbook.recalc import book_answers, score_book

    results = results if results is not None else score_book(book, missing)
    answers = book_answers(book).reindex(book.agencies.index)
    found_u = found_s = found_a = None
    if uncertainty:
        found_u, found_s = robustness_of(book.framework, answers, missing, runs=runs,
                                         weights_noise=weights_noise, seed=seed, sobol_n=sobol_n,
                                         agencies=book.agencies, progress=progress, **options)
    if with_audit:
        ids = book.framework.dimension_ids
        found_a = audit(book.framework, answers, results.agencies[ids], results.agencies["overall"],
                        coverage_threshold)
    return RobustnessRun(found_u, found_s, found_a, book.agencies, book.framework)


def robustness_file(path: str | Path, out: str | Path | None = None, **options) -> RobustnessRun:
    """`analyse_book` of the workbook at `path`, then the Uncertainty and/or Audit sheets written to `out` (default:
    in place) in one atomic replace; on any error the workbook is unchanged."""
    from readiness_xl.errors import ReadinessError

    from readiness_xl.workbook.locks import exclusive

    path = Path(path)
    target = Path(out) if out else path
    with exclusive(target):  # held from the read to the write, as recalc_file does
        from readiness_xl.workbook.read import read_book
        found = analyse_book(read_book(path), **options)
        specs = []
        if found.uncertainty is not None:
            specs.append(uncertainty_spec(found.uncertainty, found.sensitivity, found.agencies,
                                          found.framework))
        if found.audit is not None:
            specs.append(audit_spec(found.audit))
        try:
            write_sheets(path, target, specs)
        except ReadinessError as err:
            raise err.in_file(path.name) from None
    return found
