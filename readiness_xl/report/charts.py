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
from readiness_xl.thai import thai_digits

THAI_FONTS = ("Loma", "Garuda", "Tahoma", "Noto Sans Thai", "Sarabun", "TH Sarabun New",
              "Norasi", "Kinnari", "Waree")
FALLBACK_FONT = "DejaVu Sans"
PALETTE = ("#1f5fa8", "#c8553d", "#2a9d8f", "#8e6c8a")
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


def chart_svg(fig: Figure, chart_id: str, title: str, kind: str) -> str:
    """The figure as an <svg> element in a box of its own: ids prefixed so that several
    charts can share one page, and an accessible title. The page's CSS scales it; its
    width and height stay as the aspect ratio that keeps print layout right. The box
    carries the natural width, below which a phone scrolls the chart rather than shrink
    its text past reading (the report's CSS, `.chart-box`)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'id="([^"]+)"', rf'id="{chart_id}-\1"', svg)
    svg = re.sub(r'(href="#|url\(#)([^")]+)', rf'\1{chart_id}-\2', svg)
    svg = svg.replace("<svg", f'<svg role="img" aria-label="{escape(title)}" class="chart {kind}"', 1)
    points = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg)
    natural = f' style="--natural-width: {float(points.group(1)) * 4 / 3:.0f}px"' if points else ""
    return f'<div class="chart-box"{natural}>{svg}</div>'


def _dim_labels(framework: Framework, lang: str = "th") -> list[str]:
    return [f"มิติที่ {thai_digits(d)}" if lang == "th" else f"Dim {d}" for d in framework.dimension_ids]


def _axis_names(framework: Framework) -> list[str]:
    """'มิติที่ ๑' over the English name, wrapped: short enough for an axis, a name all the
    same (the Thai names are too long for a chart; the tables give them)."""
    return [f"มิติที่ {thai_digits(d)}\n" + "\n".join(textwrap.wrap(framework.dimension_label(d, "en"),
                                                                  AXIS_NAME_WIDTH))
            for d in framework.dimension_ids]


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
                    linestyle="-" if i == 0 else "--", label=label)
            if i == 0:
                ax.fill(closed, np.append(values, values[0]), color=colour, alpha=0.18)
        ax.set_xticks(angles, _axis_names(framework), fontsize=10)
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
        return chart_svg(fig, chart_id, title, "radar")


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
                ax.text(c, r, f"{v:.1f}", ha="center", va="center", fontsize=7,
                        fontweight="bold" if v < WEAK_THRESHOLD else "normal")
        ax.set_xticks(range(len(columns)), _axis_names(framework) + ["รวม\nOverall"], fontsize=7.5)
        ax.xaxis.tick_top()
        ax.set_yticks(range(len(row_labels)), row_labels, fontsize=7.5)
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        ax.axvline(len(columns) - 1.5, color="white", linewidth=3)
        return chart_svg(fig, chart_id, title, "heatmap")


def dimension_bars(framework: Framework, profile: pd.Series, chart_id: str, title: str) -> str:
    """One unit's dimension scores as bars against the weak threshold, each dimension's
    name above its bar: the chart stays narrow, so its text stays legible on a phone."""
    ids = framework.dimension_ids
    values = profile.reindex(ids).astype(float).to_numpy()
    labels = [f"{t} {framework.dimension_label(d, 'th')}\n{framework.dimension_label(d, 'en')}"
              for t, d in zip(_dim_labels(framework), ids)]
    with chart_style():
        fig = Figure(figsize=(4.6, 0.6 + 1.0 * len(ids)))
        ax = fig.add_subplot()
        fig.subplots_adjust(top=0.99, bottom=0.6 / (0.6 + 1.0 * len(ids)))
        positions = np.arange(len(ids))[::-1].astype(float)
        colours = [PALETTE[1] if v < WEAK_THRESHOLD else PALETTE[0] for v in np.nan_to_num(values)]
        ax.barh(positions, np.nan_to_num(values), color=colours, height=0.34)
        for y, v, label in zip(positions, values, labels):
            ax.text(0, y + 0.2, label, va="bottom", fontsize=9.5, linespacing=1.25)
            if not np.isnan(v):
                ax.text(v + 1, y, f"{v:.1f}%", va="center", fontsize=9.5,
                        fontweight="bold" if v < WEAK_THRESHOLD else "normal")
        ax.axvline(WEAK_THRESHOLD, color="#444", linestyle=":", linewidth=1)
        ax.set_yticks([])
        ax.set_ylim(-0.5, len(ids) - 0.1)
        ax.set_xlim(0, 100)
        ax.set_xticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100%"], fontsize=9)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        return chart_svg(fig, chart_id, title, "bars")
