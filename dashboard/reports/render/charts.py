"""The report's charts, drawn by matplotlib on the server: SVG with text as paths (the PDF needs no
chart font), the heatmap as PNG."""

from __future__ import annotations

import base64
import io
import math

import h3
import matplotlib
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure

from dashboard.analytics.scales import SCALES
from dashboard.core.i18n import _
from dashboard.core.palette import BLUE, GREEN, ORANGE, SKY, VERMILION, YELLOW
from dashboard.reports.model import ReportData

matplotlib.use("Agg")
matplotlib.rcParams.update(
    {
        "font.family": ["Noto Sans CJK SC", "DejaVu Sans"],
        "svg.fonttype": "path",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#9aa3ad",
        "axes.labelcolor": "#333",
        "xtick.color": "#555",
        "ytick.color": "#555",
        "font.size": 9,
    }
)


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue().encode()).decode()


def _png(figure: Figure) -> str:
    """A raster for figures of thousands of shapes (the heatmap): as SVG they cost WeasyPrint seconds."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=200, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def visits_chart(data: ReportData) -> str:
    lang = data.language
    figure = Figure(figsize=(7.2, 2.4))
    axes = figure.subplots()
    days = list(range(1, len(data.daily) + 1))
    axes.bar(days, [row["visits"] for row in data.daily], color=BLUE, label=_("This period", lang), width=0.75)
    previous = [row["visits"] for row in data.previous_daily][: len(days)]
    axes.plot(
        days[: len(previous)],
        previous,
        color=ORANGE,
        linewidth=1.8,
        marker="o",
        markersize=2.5,
        label=_("Previous period", lang),
    )
    ticks = days if len(days) <= 14 else days[::3]
    axes.set_xticks(ticks, [data.daily[d - 1]["day"].strftime("%m-%d") for d in ticks], fontsize=7)
    axes.set_ylabel(_("Visits", lang))
    axes.legend(frameon=False, fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2)
    axes.grid(axis="y", color="#e5e8eb", linewidth=0.6)
    axes.set_axisbelow(True)
    return _svg(figure)


def outcomes_chart(data: ReportData) -> str:
    lang = data.language
    rows = data.teams[:12]
    figure = Figure(figsize=(7.2, 0.45 * max(len(rows), 2) + 0.9))
    axes = figure.subplots()
    names = [row["team_name"] or _("No team", lang) for row in rows]
    parts = [
        (_("Tasks done", lang), [row["tasks_done"] for row in rows], GREEN),
        (_("Failed", lang), [row["tasks_failed"] for row in rows], VERMILION),
        (_("Overdue", lang), [row["overdue_tasks"] for row in rows], ORANGE),
    ]
    left = [0] * len(rows)
    for label, values, colour in parts:
        axes.barh(names, values, left=left, color=colour, label=label, height=0.6)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.invert_yaxis()
    axes.set_xlabel(_("Tasks", lang))
    axes.legend(frameon=False, fontsize=7.5, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3)
    axes.grid(axis="x", color="#e5e8eb", linewidth=0.6)
    axes.set_axisbelow(True)
    return _svg(figure)


def satisfaction_chart(data: ReportData) -> str:
    lang = data.language
    figure = Figure(figsize=(3.4, 2.3))
    axes = figure.subplots()
    scores = [1, 2, 3, 4, 5]
    colours = [VERMILION, ORANGE, YELLOW, SKY, GREEN]
    counts = [data.scores.get(s, 0) for s in scores]
    axes.bar([str(s) for s in scores], counts, color=colours, width=0.7)
    axes.set_ylim(0, max(1, max(counts) * 1.1))
    axes.set_xlabel(_("Score", lang))
    axes.set_ylabel(_("Answers", lang))
    axes.grid(axis="y", color="#e5e8eb", linewidth=0.6)
    axes.set_axisbelow(True)
    return _svg(figure)


def heatmap_chart(data: ReportData, streets: list[dict]) -> str | None:
    """H3 cells coloured by their hours tracked per day on the fixed tracked-hours scale (the wall's), over the
    demo city's street lines; None with no cells."""
    if not data.heat_cells:
        return None
    figure = Figure(figsize=(7.2, 4.2))
    axes = figure.subplots()
    polygons = [[(lon, lat) for lat, lon in h3.cell_to_boundary(h3.int_to_str(cell))] for cell, _v in data.heat_cells]
    values = [value for _c, value in data.heat_cells]
    lons = [x for polygon in polygons for x, _y in polygon]
    lats = [y for polygon in polygons for _x, y in polygon]
    pad_x, pad_y = (max(lons) - min(lons)) * 0.05 + 0.002, (max(lats) - min(lats)) * 0.05 + 0.002
    box = (min(lons) - pad_x, max(lons) + pad_x, min(lats) - pad_y, max(lats) + pad_y)
    lines = [
        line
        for street in streets
        for line in _street_lines(street["geometry"])
        if any(box[0] <= x <= box[1] and box[2] <= y <= box[3] for x, y in line)
    ]
    axes.add_collection(LineCollection(lines, colors="#c3c9cf", linewidths=0.6, zorder=1))
    scale = SCALES["tracked_hours"]
    bands = ListedColormap(scale.colors)  # above the top: the top colour, matplotlib's default
    cells = PolyCollection(
        polygons,
        array=values,
        cmap=bands,
        norm=Normalize(scale.low, scale.high),
        edgecolors="none",
        alpha=0.85,
        zorder=2,
    )
    axes.add_collection(cells)
    axes.set_xlim(box[0], box[1])
    axes.set_ylim(box[2], box[3])
    axes.set_aspect(1 / max(0.2, math.cos(math.radians(sum(lats) / len(lats)))))  # metres equal both ways
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(False)
    colour_bar = figure.colorbar(cells, ax=axes, shrink=0.6, pad=0.02, aspect=30, ticks=scale.tick_values())
    colour_bar.ax.set_yticklabels(scale.tick_texts())
    colour_bar.set_label(scale.label(data.language), fontsize=8)
    colour_bar.ax.tick_params(labelsize=7)
    return _png(figure)


def _street_lines(geometry: dict) -> list[list[tuple[float, float]]]:
    if geometry.get("type") == "LineString":
        return [[tuple(point) for point in geometry["coordinates"]]]
    if geometry.get("type") == "MultiLineString":
        return [[tuple(point) for point in line] for line in geometry["coordinates"]]
    return []
