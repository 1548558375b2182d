"""The report's trend section: the nation and the ministries over the survey rounds (a
line chart and a table), what changed in the framework, the units present in only some
rounds, and every ministry's and agency's trend sentence in Thai and English."""

from __future__ import annotations

from html import escape

import numpy as np

from readiness_xl.core.narrative import percent_text
from readiness_xl.core.trend import OVERALL, Trend, change, rank_change
from readiness_xl.core.trend_narrative import round_year, trend_sentences
from readiness_xl.report.charts import LINE_STYLES, MARKERS, PALETTE, chart_style, chart_svg, numbers_text, scroll_box
from readiness_xl.thai import thai_digits
from readiness_xl.workbook.trend_layout import both_years

TITLE = "แนวโน้มรายปี / Trend over survey rounds"


def trend_chart(trend: Trend, chart_id: str = "trend-national") -> str:
    """The nation's overall score (bold) and each dimension by round, as SVG."""
    from matplotlib.figure import Figure
    panel = trend.national
    unit = panel.units[0]
    x = np.arange(len(trend.years))
    described = []
    with chart_style():
        fig = Figure(figsize=(7.6, 4.6))
        ax = fig.add_subplot()
        for i, m in enumerate(trend.measures):
            values = [panel.scores.at[unit, (m, y)] for y in trend.years]
            label = "รวม / Overall" if m == OVERALL else f"มิติที่ {thai_digits(m)} {trend.dimensions.at[m, 'name_en']}"
            colour = "#1d2733" if m == OVERALL else PALETTE[(i - 1) % len(PALETTE)]
            ax.plot(x, values, color=colour, linewidth=2.6 if m == OVERALL else 1.2,
                    marker="o" if m == OVERALL else MARKERS[(i - 1) % len(MARKERS)],
                    linestyle="-" if m == OVERALL else LINE_STYLES[(i - 1) // len(PALETTE) % len(LINE_STYLES) + 1],
                    label=label)
            described.append(f"{label.split(' ')[0] if m == OVERALL else 'มิติที่ ' + thai_digits(m)}: "
                             + numbers_text([thai_digits(y) for y in trend.years], values))
            last = next((v for v in reversed(values) if v == v), None)
            if m == OVERALL and last is not None:
                ax.annotate(f"{last:.1f}", (x[-1], last), textcoords="offset points", xytext=(8, 0),
                            va="center", fontsize=11, fontweight="bold")
        ax.set_xticks(x, [f"{thai_digits(y)}\n{both_years(y)}" for y in trend.years], fontsize=11)
        ax.tick_params(axis="y", labelsize=10)
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
        ax.set_xlim(-0.3, len(x) - 0.7)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False, fontsize=9.5)
        return chart_svg(fig, chart_id, "แนวโน้มระดับประเทศ / national trend", "bars", "; ".join(described))


def _num(value: float, sign: str = "") -> str:
    return f'<td class="num">{percent_text(value, sign)}</td>'


def _table(trend: Trend) -> str:
    first, last = trend.years[0], trend.years[-1]
    heads = "".join(f"<th class='num'>{thai_digits(y)}<br><span class='en' lang='en'>{both_years(y)}</span></th>"
                    for y in trend.years)
    rows = []
    for unit_type in ("national", "ministry"):
        panel = trend.panel(unit_type)
        gained = change(panel, OVERALL, first, last)
        moved = rank_change(panel, first, last)
        for ident in panel.units:
            th, en = trend.group_label(unit_type, ident)
            levels = " → ".join(v for v in (panel.level_th.at[ident, y] for y in trend.years) if v)
            rank = "" if moved[ident] != moved[ident] else f"{moved[ident]:+.0f}"
            rows.append(f"<tr><td>{escape(th)}<br><span class='en' lang='en'>{escape(en)}</span></td>"
                        + "".join(_num(panel.scores.at[ident, (OVERALL, y)]) for y in trend.years)
                        + _num(gained[ident], "+") + f"<td class='num'>{rank}</td>"
                        + f"<td>{escape(levels)}</td></tr>")
    return scroll_box("<table><thead><tr><th>หน่วย / Unit</th>" + heads
                      + f"<th class='num'>เปลี่ยนแปลง<br><span lang='en'>Change {first}→{last}</span></th>"
                      + "<th class='num'>อันดับ<br><span lang='en'>Rank ±</span></th><th>ระดับ / Level</th>"
                      "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>",
                      "แนวโน้ม / Trend")


def _framework_note(trend: Trend) -> str:
    if trend.comparable:
        return ("<p class='note'>กรอบการประเมินเหมือนกันทุกรอบ: การเปลี่ยนแปลงเทียบแบบเดียวกัน / "
                "The framework is the same in every round: changes are like for like.</p>")
    items = "".join(f"<li>{escape(m if m != OVERALL else 'รวม / Overall')}: {escape(r['note_th'])}"
                    f"<br><span class='en' lang='en'>{escape(r['note_en'])}</span></li>"
                    for m, r in trend.framework_changes.iterrows() if not r["comparable"] or r["note_en"])
    common = ""
    if trend.common is not None:
        unit = trend.common.national.units[0]
        first, last = trend.years[0], trend.years[-1]
        moved = change(trend.common.national, OVERALL, first, last)[unit]
        all_th, all_en = map(escape, trend.all_units)
        common = (f"<p>เมื่อคิดเฉพาะตัวชี้วัดร่วม {len(trend.common_indicators)} ข้อ คะแนนรวม{all_th}เปลี่ยน "
                  f"{percent_text(moved, '+')} คะแนน / On the {len(trend.common_indicators)} indicators "
                  f"every round shares (re-scored with the latest weights), the overall score of {all_en} "
                  f"moved {percent_text(moved, '+')} points.</p>")
    return ("<p><b>กรอบการประเมินเปลี่ยนระหว่างรอบ / The framework changed between rounds</b>: "
            "บางการเปลี่ยนแปลงไม่ได้เทียบแบบเดียวกัน / some changes are not like for like.</p>"
            f"<ul>{items}</ul>{common}")


def _partial_units(trend: Trend) -> str:
    present = trend.agencies.present
    partial = present[~present.all(axis=1)]
    if partial.empty:
        return ""
    items = "".join(
        f"<li>{escape(str(i))} {escape(trend.info.at[i, 'name_th'])} <span class='en' lang='en'>"
        f"{escape(trend.info.at[i, 'name_en'])}</span>: มีเฉพาะปี / only in "
        f"{', '.join(str(y) for y in trend.years if row[y])}</li>" for i, row in partial.iterrows())
    return f"<h3>หน่วยงานที่มีเพียงบางรอบ / Agencies in only some rounds</h3><ul>{items}</ul>"


def _sentences(trend: Trend) -> str:
    blocks = []
    for unit_type in ("national", "ministry", "agency"):
        th, en = trend_sentences(trend, unit_type, lang="th"), trend_sentences(trend, unit_type, lang="en")
        blocks += [f"<article><p lang='th'>{escape(t)}</p><p class='en' lang='en'>{escape(e)}</p></article>"
                   for t, e in zip(th, en)]
    return f"<div class='narratives'>{''.join(blocks)}</div>"


def trend_section(trend: Trend) -> tuple[str, str, str]:
    """(key, title, html) for build_report's extra_sections."""
    rounds = ", ".join(round_year(y, "en") for y in trend.years)
    html = (f"<p class='note'>รอบการสำรวจ / Rounds: {escape(rounds)}</p>"
            + trend_chart(trend) + _table(trend) + _framework_note(trend) + _partial_units(trend)
            + "<h3>สรุปแนวโน้ม / Trend sentences</h3>" + _sentences(trend))
    return "trend", TITLE, html
