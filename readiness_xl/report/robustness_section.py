"""The report's robustness section: the rank-interval chart, the Sobol sensitivity bars,
the table of the least firm ranks and each such unit's sentence. Pure: analysis results
in, HTML out; `report --robustness` runs the analysis and hands the section to
build_report's extra_sections."""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from readiness_xl.core.robustness import Sensitivity, Uncertainty, rank_sentences
from readiness_xl.report.charts import PALETTE, chart_style, chart_svg, scroll_box

# matplotlib (the `report` extra) is imported by the functions that draw, as in charts.py.

CHART_UNITS = 60
UNITS_PER_CHART = 32   # rows of one rank-interval chart: its names print at 8 pt on an A4 page
LISTED_UNITS = 40


def rank_interval_charts(result: Uncertainty, names: pd.Series) -> str:
    """Units in rank order (at most CHART_UNITS), UNITS_PER_CHART to a chart."""
    table = result.table.dropna(subset=["rank"]).sort_values("rank").head(CHART_UNITS)
    charts = -(-len(table) // UNITS_PER_CHART)
    size = -(-len(table) // max(charts, 1))   # 31 units: one chart; 45: two of 23 and 22
    last = float(result.table["rank_p95"].max()) + 0.5
    return "".join(rank_interval_chart(table.iloc[start:start + size], names, f"rank-interval{start // size}",
                                       last)
                   for start in range(0, len(table), size))


def rank_interval_chart(table: pd.DataFrame, names: pd.Series, chart_id: str = "rank-interval",
                        last: float | None = None) -> str:
    """Units in rank order, rank 1 at the top, each on a row of its own with its Thai
    name, so that the names print level and at a readable size: the 5-95% rank interval
    as a bar and the nominal rank as a dot."""
    from matplotlib.figure import Figure
    y = np.arange(len(table))
    height = 1.0 + 0.2 * len(table)
    with chart_style():
        fig = Figure(figsize=(7.6, height))
        ax = fig.add_subplot()
        ax.hlines(y, table["rank_p5"], table["rank_p95"], color="#9DC3E6", linewidth=7)
        ax.scatter(table["rank"], y, color=PALETTE[1], marker="D", s=18, zorder=3,
                   label="อันดับจริง / nominal rank")
        ax.plot([], [], color="#9DC3E6", linewidth=7, label="ช่วงอันดับ 5-95% / 5-95% rank interval")
        ax.set_yticks(y, [f"{i} {names.get(i, i)}" for i in table.index], fontsize=10)
        ax.invert_yaxis()
        ax.set_xlim(0.5, last if last is not None else float(table["rank_p95"].max()) + 0.5)
        ax.set_xlabel("อันดับ / Rank", fontsize=9.5)
        ax.xaxis.set_ticks_position("both")
        ax.tick_params(axis="x", labeltop=True, labelsize=9)
        ax.grid(axis="x", color="#e3e7ec", linewidth=0.6)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.7 / height), ncol=2,
                  frameon=False, fontsize=9)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        numbers = "; ".join(f"{names.get(i, i)}: {t['rank']:.0f} ({t['rank_p5']:.0f}-{t['rank_p95']:.0f})"
                            for i, t in table.iterrows())
        return chart_svg(fig, chart_id, "ช่วงอันดับ 5-95% และอันดับจริง / Rank interval 5-95% and nominal rank",
                         "intervals", numbers)


def sensitivity_chart(sensitivity: Sensitivity, chart_id: str = "sensitivity") -> str:
    """First-order and total Sobol indices of each input on the mean absolute rank shift,
    with their bootstrap intervals."""
    from matplotlib.figure import Figure
    table = sensitivity.overall
    y = np.arange(len(table))[::-1]
    with chart_style():
        fig = Figure(figsize=(7.6, 0.9 + 0.55 * len(table)))
        ax = fig.add_subplot()
        ax.barh(y + 0.18, table["first_order"], height=0.34, xerr=table["first_order_conf"],
                color=PALETTE[0], label="ลำดับที่หนึ่ง / first order (S1)", capsize=2)
        ax.barh(y - 0.18, table["total"], height=0.34, xerr=table["total_conf"],
                color=PALETTE[2], hatch="...", edgecolor="white", linewidth=0, label="รวม / total (ST)", capsize=2)
        ax.set_yticks(y, list(table.index), fontsize=8.5)
        ax.set_xlim(0, max(1.05, float((table["total"] + table["total_conf"]).max()) + 0.05))
        ax.set_xlabel("ดัชนี Sobol / Sobol index")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2, frameon=False, fontsize=8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        numbers = "; ".join(f"{name}: S1 {r['first_order']:.2f}, ST {r['total']:.2f}" for name, r in table.iterrows())
        return chart_svg(fig, chart_id, "ดัชนี Sobol / Sobol indices on the mean absolute rank shift", "bars", numbers)


def robustness_section(result: Uncertainty, sensitivity: Sensitivity | None, agencies: pd.DataFrame) -> str:
    """The section's HTML: what was varied, the two charts, the least firm ranks."""
    inputs = "; ".join(f"{escape(i.label_th)} / {escape(i.label_en)}" for i in result.inputs) or "—"
    intro = (f"<p class='note'>สุ่ม {result.runs:,} รอบ (seed {result.seed}) โดยปรับ / {result.runs:,} "
             f"replications (seed {result.seed}) varying: {inputs}. แท่ง = ช่วงอันดับ 5-95%, จุด = อันดับจริง "
             "/ bar = 5-95% rank interval, dot = nominal rank.</p>")
    html = intro + rank_interval_charts(result, agencies["name_th"])
    if sensitivity is not None:
        html += ("<h3>ความอ่อนไหว / Sensitivity</h3><p class='note'>ดัชนี Sobol: สัดส่วนความแปรปรวนของการเลื่อน"
                 "อันดับเฉลี่ยที่มาจากแต่ละปัจจัย / Sobol indices: the share of the variance of the mean "
                 f"absolute rank shift due to each input (N = {sensitivity.n:,}, ± 95% bootstrap).</p>"
                 + sensitivity_chart(sensitivity))
    th, en = rank_sentences(result.table, result.inputs), rank_sentences(result.table, result.inputs, "en")
    loose = result.table[th != ""].sort_values(["rank_width", "rank"], ascending=[False, True])
    rows = "".join(
        f"<tr><td>{escape(str(i))}</td><td>{escape(agencies.at[i, 'name_th'])} <span class='en' lang='en'>"
        f"{escape(agencies.at[i, 'name_en'])}</span><br>{escape(th[i])}<br><span class='en' lang='en'>"
        f"{escape(en[i])}</span></td><td class='num'>{t['rank']:.0f}</td>"
        f"<td class='num'>{t['rank_p5']:.0f}-{t['rank_p95']:.0f}</td>"
        f"<td class='num'>{t['band_share']:.0%}</td></tr>"
        for i, t in loose.head(LISTED_UNITS).iterrows())
    if rows:
        html += ("<h3>อันดับที่ไม่แน่นอนที่สุด <span lang='en'>/ Least firm ranks</span></h3>"
                 + scroll_box("<table><thead><tr>"
                              "<th>รหัส / Id</th><th>หน่วยงาน / Unit</th><th class='num'>อันดับ / Rank</th>"
                              "<th class='num'>5-95%</th><th class='num'>คงระดับ / Keeps level</th>"
                              f"</tr></thead><tbody>{rows}</tbody></table>",
                              "อันดับที่ไม่แน่นอนที่สุด / Least firm ranks"))
    return html


def report_section(result: Uncertainty, sensitivity: Sensitivity | None,
                   agencies: pd.DataFrame) -> tuple[str, str, str]:
    """(key, title, html) for build_report's extra_sections."""
    return ("robustness", "ความแน่นอนของอันดับ / How firm the ranks are",
            robustness_section(result, sensitivity, agencies))
