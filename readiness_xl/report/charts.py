"""Charts of the HTML report as inline SVG (matplotlib, no pyplot state).

Text is drawn as paths, so a chart looks the same wherever the report is opened, with or
without a Thai font installed; at render time a Thai font is picked from THAI_FONTS."""

from __future__ import annotations

import io
import re
import textwrap
from contextlib import contextmanager
from html import escape

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from readiness_xl.core.benchmarks import WEAK_THRESHOLD
from readiness_xl.core.framework import Framework
from readiness_xl.thai import radar_labels, thai_digits

THAI_FONTS = ("Loma", "Garuda", "Tahoma", "Noto Sans Thai", "Sarabun", "TH Sarabun New",
              "Norasi", "Kinnari", "Waree")
FALLBACK_FONT = "DejaVu Sans"
PALETTE = ("#1f5fa8", "#b03a2e", "#2a9d8f", "#8e6c8a")
# profiles on one chart differ by line and marker as well as colour (never by colour alone)
LINE_STYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D")
# red below the weak threshold, amber around it, green towards 100
SCORE_STOPS = ((0, "#b03a2e"), (0.35, "#e8845c"), (0.5, "#f6d76b"), (0.7, "#8cc084"), (1, "#1e7a4c"))
SCORE_COLOURS = LinearSegmentedColormap.from_list("score", list(SCORE_STOPS))
AXIS_NAME_WIDTH = 18  # characters of an English dimension name per line under a chart axis


def score_gradient_css() -> str:
    """The heat map's colour scale as a CSS gradient, for the legend beside it."""
    return "linear-gradient(to right, " + ", ".join(f"{c} {100 * at:g}%" for at, c in SCORE_STOPS) + ")"


def thai_font_families() -> list[str]:
    """The installed Thai fonts in order of preference, then a Latin fallback."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in THAI_FONTS if f in installed] + [FALLBACK_FONT]


@contextmanager
def chart_style():
    """Thai fonts, paths for text and a fixed hash salt: every chart renders alike and reproducibly."""
    with matplotlib.rc_context({"font.family": thai_font_families(), "font.size": 9,
                                "svg.fonttype": "path", "svg.hashsalt": "readiness-xl",
                                "axes.unicode_minus": False,
                                # names are text: "US$ 5 and $10" is never TeX mathtext
                                "text.parse_math": False}):
        yield


def numbers_text(labels: list[str], values) -> str:
    """'label 63.3%, label 47.0%': a chart's numbers for its text alternative."""
    return ", ".join(f"{label} {'–' if v != v else f'{v:.1f}%'}" for label, v in zip(labels, values))


def chart_svg(fig: Figure, chart_id: str, title: str, kind: str, numbers: str = "") -> str:
    """The figure as an <svg> element in a box of its own: ids prefixed so that several
    charts can share one page, and a text alternative: the title and the chart's numbers
    (matplotlib draws text as paths, so a screen reader reads only this). The box can take
    the keyboard's focus, so that a phone's reader scrolls it by keyboard. The page's CSS scales it; its
    width and height stay as the aspect ratio that keeps print layout right. The box
    carries the natural width, below which a phone scrolls the chart rather than shrink
    its text past reading (the report's CSS, `.chart-box`)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'id="([^"]+)"', rf'id="{chart_id}-\1"', svg)
    svg = re.sub(r'(href="#|url\(#)([^")]+)', rf'\1{chart_id}-\2', svg)
    label = f"{title}: {numbers}" if numbers else title
    svg = svg.replace("<svg", f'<svg role="img" aria-label="{escape(label)}" class="chart {kind}"', 1)
    points = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg)
    natural = f' style="--natural-width: {float(points.group(1)) * 4 / 3:.0f}px"' if points else ""
    return (f'<div class="chart-box" tabindex="0" role="region" aria-label="{escape(title)}"{natural}>'
            f'{svg}</div>')


def scroll_box(inner: str, label: str) -> str:
    """A wide table in a box that scrolls sideways on a phone and takes the keyboard's
    focus, so that its far columns can be reached without a mouse."""
    return f'<div class="wide" tabindex="0" role="region" aria-label="{escape(label)}">{inner}</div>'


def _dim_labels(framework: Framework, lang: str = "th") -> list[str]:
    return [f"มิติที่ {thai_digits(d)}" if lang == "th" else f"Dim {d}" for d in framework.dimension_ids]


def _axis_names(framework: Framework, angles) -> list[str]:
    """'มิติที่ ๑' over the Thai name where it fits beside its axis (thai.radar_labels)."""
    return radar_labels(_dim_labels(framework), [framework.dimension_label(d, "th") for d in framework.dimension_ids])


def _column_names(framework: Framework) -> list[str]:
    """'มิติที่ ๑' over the English name, wrapped: the heat map's narrow columns, where a
    Thai name would not fit on two lines (the key above the map gives them)."""
    return [f"มิติที่ {thai_digits(d)}\n" + "\n".join(textwrap.wrap(framework.dimension_label(d, "en"),
                                                                  AXIS_NAME_WIDTH))
            for d in framework.dimension_ids]


def _named_labels(framework: Framework) -> list[str]:
    """'มิติที่ ๑ แนวนโยบายและหลักปฏิบัติ': a chart's text alternative names what it draws."""
    return [f"{label} {framework.dimension_label(d, 'th')}"
            for label, d in zip(_dim_labels(framework), framework.dimension_ids)]


def radar(framework: Framework, profiles: dict[str, pd.Series], chart_id: str, title: str) -> str:
    """Dimension profiles on one radar, the first profile filled (the unit in focus)."""
    ids = framework.dimension_ids
    angles = np.linspace(0, 2 * np.pi, len(ids), endpoint=False)
    closed = np.append(angles, angles[0])
    with chart_style():
        fig = Figure(figsize=(4.6, 4.6))
        ax = fig.add_subplot(projection="polar")
        ax.set_theta_offset(np.pi / 2)
        ax.set_theta_direction(-1)
        for i, (label, profile) in enumerate(profiles.items()):
            values = profile.reindex(ids).astype(float).fillna(0).to_numpy()
            colour = PALETTE[i % len(PALETTE)]
            ax.plot(closed, np.append(values, values[0]), color=colour, linewidth=2 if i == 0 else 1.3,
                    linestyle=LINE_STYLES[i % len(LINE_STYLES)], marker=MARKERS[i % len(MARKERS)],
                    markersize=4, label=label)
            if i == 0:
                ax.fill(closed, np.append(values, values[0]), color=colour, alpha=0.18)
        ax.set_xticks(angles, _axis_names(framework, angles), fontsize=10)
        ax.tick_params(axis="x", pad=8)
        for label, angle in zip(ax.get_xticklabels(), angles):  # away from the ring, not across it
            side = np.sin(angle)  # clockwise from the top: > 0 on the right
            label.set_horizontalalignment("left" if side > 0.1 else "right" if side < -0.1 else "center")
            label.set_verticalalignment("bottom" if np.cos(angle) > 0.9 else
                                        "top" if np.cos(angle) < -0.9 else "center")
        ax.set_ylim(0, 100)
        ax.set_yticks([25, 50, 75, 100], ["25", "50", "75", ""], fontsize=9, color="#777")
        ax.set_rlabel_position(180 / len(ids))
        ax.plot(np.linspace(0, 2 * np.pi, 200), np.full(200, WEAK_THRESHOLD), color="#888",
                linestyle=":", linewidth=1)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.26), ncol=1, frameon=False, fontsize=11)
        numbers = "; ".join(f"{label}: " + numbers_text(_named_labels(framework),
                                                         profile.reindex(ids).astype(float))
                            for label, profile in profiles.items())
        return chart_svg(fig, chart_id, title, "radar", numbers)


def heatmap(framework: Framework, table: pd.DataFrame, row_labels: list[str], chart_id: str,
            title: str) -> str:
    """Units (rows) by dimension (columns) plus overall, each cell coloured and labelled
    with its score; weak scores (below the threshold) in bold."""
    columns = framework.dimension_ids + ["overall"]
    values = table.reindex(columns=columns).to_numpy(float)
    with chart_style():
        fig = Figure(figsize=(7.6, 0.6 + 0.24 * len(table)))
        ax = fig.add_subplot()
        ax.imshow(values, cmap=SCORE_COLOURS, vmin=0, vmax=100, aspect="auto")
        rows, cols = np.indices(values.shape)
        for r, c, v in zip(rows.ravel(), cols.ravel(), values.ravel()):
            if not np.isnan(v):
                ax.text(c, r, f"{v:.1f}", ha="center", va="center", fontsize=8,
                        fontweight="bold" if v < WEAK_THRESHOLD else "normal")
        ax.set_xticks(range(len(columns)), _column_names(framework) + ["รวม\nOverall"], fontsize=7.5)
        ax.xaxis.tick_top()
        ax.set_yticks(range(len(row_labels)), row_labels, fontsize=7.5)
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        ax.axvline(len(columns) - 1.5, color="white", linewidth=3)
        return chart_svg(fig, chart_id, title, "heatmap",
                         "the same numbers as the table of all agencies / ตัวเลขเดียวกับตารางผลรายหน่วยงาน")


def dimension_bars(framework: Framework, profile: pd.Series, chart_id: str, title: str) -> str:
    """One unit's dimension scores as bars against the weak threshold, each dimension's
    name above its bar: the chart stays narrow, so its text stays legible on a phone. A
    title and a legend say what the colours and the dotted line mean; the line is drawn
    beside each bar only, never across the names."""
    ids = framework.dimension_ids
    values = profile.reindex(ids).astype(float).to_numpy()
    labels = [f"{t} {framework.dimension_label(d, 'th')}\n{framework.dimension_label(d, 'en')}"
              for t, d in zip(_dim_labels(framework), ids)]
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    with chart_style():
        height = 1.5 + 1.0 * len(ids)
        fig = Figure(figsize=(4.6, height))
        ax = fig.add_subplot()
        fig.subplots_adjust(top=1 - 0.55 / height, bottom=1.0 / height)
        positions = np.arange(len(ids))[::-1].astype(float)
        weak = np.nan_to_num(values) < WEAK_THRESHOLD
        colours = [PALETTE[1] if w else PALETTE[0] for w in weak]
        ax.barh(positions, np.nan_to_num(values), color=colours, height=0.34,
                hatch=["///" if w else "" for w in weak], edgecolor="white", linewidth=0)
        for y, v, label in zip(positions, values, labels):
            ax.text(0, y + 0.2, label, va="bottom", fontsize=9.5, linespacing=1.25)
            if not np.isnan(v):
                ax.text(v + 1, y, f"{v:.1f}%", va="center", fontsize=9.5,
                        fontweight="bold" if v < WEAK_THRESHOLD else "normal")
        ax.vlines(np.full(len(ids), WEAK_THRESHOLD), positions - 0.22, positions + 0.19,
                  color="#444", linestyle=":", linewidth=1)
        ax.set_title(f"คะแนนรายมิติ / Dimension scores", fontsize=10.5, loc="left")
        ax.set_yticks([])
        ax.set_ylim(-0.5, len(ids) - 0.1)
        ax.set_xlim(0, 100)
        ax.set_xticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100%"], fontsize=9)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.legend(handles=[Patch(color=PALETTE[0], label=f"≥ {WEAK_THRESHOLD:g}%"),
                           Patch(facecolor=PALETTE[1], hatch="///", edgecolor="white",
                                 label=f"ต่ำกว่า / below {WEAK_THRESHOLD:g}%"),
                           Line2D([], [], color="#444", linestyle=":",
                                  label=f"เกณฑ์ {WEAK_THRESHOLD:g}% / {WEAK_THRESHOLD:g}% line")],
                  loc="upper center", bbox_to_anchor=(0.5, -0.45 / height * 2.2), ncol=3,
                  frameon=False, fontsize=8.5, handlelength=1.6, columnspacing=1.0)
        return chart_svg(fig, chart_id, title, "bars", numbers_text(_dim_labels(framework), values))


def compact_bars(framework: Framework, profile: pd.Series, chart_id: str, title: str) -> str:
    """The same scores for paper: short bars labelled by dimension number (the key beside it
    gives the names), small enough to share the first page with the benchmark table while
    its text prints at 8 pt or more."""
    ids = framework.dimension_ids
    values = profile.reindex(ids).astype(float).to_numpy()
    with chart_style():
        fig = Figure(figsize=(4.2, 0.9 + 0.34 * len(ids)))
        ax = fig.add_subplot()
        positions = np.arange(len(ids))[::-1].astype(float)
        weak = np.nan_to_num(values) < WEAK_THRESHOLD
        ax.barh(positions, np.nan_to_num(values), height=0.6, color=[PALETTE[1] if w else PALETTE[0] for w in weak],
                hatch=["///" if w else "" for w in weak], edgecolor="white", linewidth=0)
        for y, v in zip(positions, values):
            if not np.isnan(v):
                ax.text(v + 1, y, f"{v:.1f}%", va="center", fontsize=10,
                        fontweight="bold" if v < WEAK_THRESHOLD else "normal")
        ax.axvline(WEAK_THRESHOLD, color="#444", linestyle=":", linewidth=1)
        ax.text(WEAK_THRESHOLD, len(ids) - 0.45, f"{WEAK_THRESHOLD:g}%", ha="center", va="bottom", fontsize=9)
        ax.set_yticks(positions, [f"{t} / Dim {d}" for t, d in zip(_dim_labels(framework), ids)], fontsize=10)
        ax.set_xlim(0, 100)
        ax.set_ylim(-0.6, len(ids) - 0.1)
        ax.set_xticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100%"], fontsize=9)
        ax.set_title("คะแนนรายมิติ / Dimension scores (แถบลาย = ต่ำกว่า / hatched = below "
                     f"{WEAK_THRESHOLD:g}%)", fontsize=9.5, loc="left")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        return chart_svg(fig, chart_id, title, "bars compact", numbers_text(_dim_labels(framework), values))
