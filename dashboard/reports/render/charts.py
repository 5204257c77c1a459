"""The report's charts, drawn by matplotlib on the server: SVG with text as paths (the PDF needs no
chart font), the heatmap as PNG."""

from __future__ import annotations

import base64
import io
import math
from datetime import date

import h3
import matplotlib
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from dashboard.analytics.scales import SCALES
from dashboard.core.i18n import _
from dashboard.core.palette import BLUE, GREEN, ORANGE, SKY, VERMILION, YELLOW
from dashboard.geo.coords import WGS84, Frame
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


HEATMAP_DPI = 200
MAP_MAX_IN = (5.9, 3.6)  # the heatmap's map at most (width, height), in inches: the teams' table fits below it
COLOUR_BAR_IN = 1.1  # beside the map: the colour bar, its ticks and its label


def hexagon_area_km2(data: ReportData) -> str:
    """The average area of the heatmap's hexagons (at the cells' H3 resolution) in km², to one significant
    digit: "0.1" at resolution 9."""
    resolution = h3.get_resolution(h3.int_to_str(data.heat_cells[0][0]))
    return f"{h3.average_hexagon_area(resolution, unit='km^2'):.1g}"


THOUSANDS = StrMethodFormatter("{x:,.0f}")  # axis counts as the tables print them: 1,200


def day_tick(day: date, language: str) -> str:
    """A day on a chart's axis in the report's language: "1 Oct", "10月1日"."""
    return f"{day.month}月{day.day}日" if language == "zh-CN" else f"{day.day} {day:%b}"


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue().encode()).decode()


def _png(figure: Figure) -> str:
    """A raster for figures of thousands of shapes (the heatmap): as SVG they cost WeasyPrint seconds. Printed
    at HEATMAP_DPI (the template's image-resolution), that is at the figure's own size."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=HEATMAP_DPI, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def visits_chart(data: ReportData) -> str | None:
    """This period's visits per day as bars, the compared period's as a line (or, without a visit in it, a
    legend entry saying so, not a line along zero); None without a visit this period."""
    if not any(row["visits"] for row in data.daily):
        return None
    lang = data.language
    figure = Figure(figsize=(7.1, 2.4), layout="constrained")
    axes = figure.subplots()
    days = list(range(1, len(data.daily) + 1))
    axes.bar(days, [row["visits"] for row in data.daily], color=BLUE, label=_("This period", lang), width=0.75)
    previous = [row["visits"] for row in data.previous_daily][: len(days)]
    if any(previous):
        axes.plot(
            days[: len(previous)],
            previous,
            color=ORANGE,
            linewidth=1.8,
            marker="o",
            markersize=2.5,
            label=_("Previous period", lang),
        )
    else:
        axes.plot([], [], color="none", label=_("Previous period: no data", lang))
    ticks = days if len(days) <= 14 else days[::3]
    axes.set_xticks(ticks, [day_tick(data.daily[d - 1]["day"], lang) for d in ticks], fontsize=7)
    axes.set_ylabel(_("Visits", lang))
    axes.yaxis.set_major_formatter(THOUSANDS)
    axes.legend(frameon=False, fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2)
    axes.grid(axis="y", color="#e5e8eb", linewidth=0.6)
    axes.set_axisbelow(True)
    return _svg(figure)


def outcomes_chart(data: ReportData) -> str | None:
    """Each team's tasks done, failed and overdue, stacked; None without a task."""
    rows = data.teams[:12]
    if not any(row["tasks_done"] or row["tasks_failed"] or row["overdue_tasks"] for row in rows):
        return None
    lang = data.language
    figure = Figure(figsize=(7.1, 0.45 * max(len(rows), 2) + 0.9), layout="constrained")
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
    axes.xaxis.set_major_formatter(THOUSANDS)
    axes.legend(frameon=False, fontsize=7.5, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3)
    axes.grid(axis="x", color="#e5e8eb", linewidth=0.6)
    axes.set_axisbelow(True)
    return _svg(figure)


def satisfaction_chart(data: ReportData) -> str | None:
    """Answers per score, 1 to 5; None without an answer."""
    if not any(data.scores.values()):
        return None
    lang = data.language
    figure = Figure(figsize=(3.4, 2.3), layout="constrained")
    axes = figure.subplots()
    scores = [1, 2, 3, 4, 5]
    colours = [VERMILION, ORANGE, YELLOW, SKY, GREEN]
    counts = [data.scores.get(s, 0) for s in scores]
    axes.bar([str(s) for s in scores], counts, color=colours, width=0.7)
    axes.set_ylim(0, max(counts) * 1.1)
    axes.set_xlabel(_("Score", lang))
    axes.set_ylabel(_("Answers", lang))
    axes.yaxis.set_major_formatter(THOUSANDS)
    axes.grid(axis="y", color="#e5e8eb", linewidth=0.6)
    axes.set_axisbelow(True)
    return _svg(figure)


def heatmap_chart(data: ReportData, streets: list[dict], frame: Frame = WGS84) -> str | None:
    """H3 cells coloured by their hours tracked per day on the fixed tracked-hours scale (the wall's), over the
    demo city's street lines, both in `frame` (the system of the organisation's map tiles, as on screen); None
    with no cells."""
    if not data.heat_cells:
        return None
    polygons = cell_outlines([cell for cell, _v in data.heat_cells], frame)
    values = [value for _c, value in data.heat_cells]
    lons = [x for polygon in polygons for x, _y in polygon]
    lats = [y for polygon in polygons for _x, y in polygon]
    pad_x, pad_y = (max(lons) - min(lons)) * 0.03 + 0.0005, (max(lats) - min(lats)) * 0.03 + 0.0005
    box = (min(lons) - pad_x, max(lons) + pad_x, min(lats) - pad_y, max(lats) + pad_y)
    lines = [
        line
        for street in streets
        for line in _street_lines(frame.out_geojson(street["geometry"]))
        if any(box[0] <= x <= box[1] and box[2] <= y <= box[3] for x, y in line)
    ]
    # The map as large as the cells' area allows within MAP_MAX_IN, the colour bar beside it: the figure is
    # laid out at the size it is printed (HEATMAP_DPI), so its text is the size of the other charts' text.
    stretch = 1 / max(0.2, math.cos(math.radians(sum(lats) / len(lats))))  # metres equal both ways
    ratio = (box[1] - box[0]) / ((box[3] - box[2]) * stretch)
    map_height = min(MAP_MAX_IN[1], MAP_MAX_IN[0] / ratio)
    map_width = map_height * ratio
    width = map_width + COLOUR_BAR_IN
    figure = Figure(figsize=(width, map_height))
    axes = figure.add_axes((0, 0, map_width / width, 1))
    bar_axes = figure.add_axes(((map_width + 0.15) / width, 0.2, 0.12 / width, 0.6))
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
    axes.set_aspect(stretch)
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(False)
    colour_bar = figure.colorbar(cells, cax=bar_axes, ticks=scale.tick_values())
    colour_bar.ax.set_yticklabels(scale.tick_texts())
    colour_bar.set_label(scale.short_label(data.language), fontsize=8)  # the caption says per hexagon per day
    colour_bar.ax.tick_params(labelsize=7)
    colour_bar.outline.set_visible(False)
    return _png(figure)


def cell_outlines(cells: list[int], frame: Frame) -> list[list[tuple[float, float]]]:
    """Each H3 cell's outline as (x = lon, y = lat) in `frame`."""
    return [[(lon, lat) for lat, lon in frame.out_many(h3.cell_to_boundary(h3.int_to_str(cell)))] for cell in cells]


def _street_lines(geometry: dict) -> list[list[tuple[float, float]]]:
    if geometry.get("type") == "LineString":
        return [[tuple(point) for point in geometry["coordinates"]]]
    if geometry.get("type") == "MultiLineString":
        return [[tuple(point) for point in line] for line in geometry["coordinates"]]
    return []
