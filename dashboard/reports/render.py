"""Rendering a gathered report (dashboard/reports.ReportData) as PDF, XLSX and CSV.

PDF: HTML + CSS (dashboard/templates/report.html) laid out by WeasyPrint, whose Pango/HarfBuzz
text stack embeds Noto Sans CJK (a CFF-outline .ttc, which ReportLab cannot embed) as a subset.
Charts: matplotlib on the server, as SVG with text drawn as paths, so the PDF needs no chart
font; the heatmap (thousands of cells) as a 200 dpi PNG. XLSX: openpyxl, one sheet per table.
CSV: one UTF-8 file (with BOM, for Excel) per table.
"""

from __future__ import annotations

import base64
import csv
import io
import math
from collections.abc import Callable
from pathlib import Path

import h3
import matplotlib
from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from weasyprint import HTML

from dashboard.core.i18n import _
from dashboard.reports.build import ReportData

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

TEMPLATES = Path(__file__).parent / "templates"
# Okabe-Ito: the live map's colours, readable by colour-blind readers.
GREEN, BLUE, ORANGE, VERMILION, GREY, SKY = "#009E73", "#0072B2", "#E69F00", "#D55E00", "#8c8c8c", "#56B4E9"
CELL_DIGITS = {"satisfaction": 2, "on_time_pct": 0, "idle_pct": 0}
_templates = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def delta(kpi: dict) -> dict | None:
    """Change against the previous period: text and whether it is good news."""
    value, previous = kpi["value"], kpi["previous"]
    if value is None or previous is None:
        return None
    change = value - previous
    if abs(change) < 1e-9:
        return {"text": "±0", "good": None}
    better = None if kpi.get("neutral") else (change < 0) if kpi.get("lower_is_better") else (change > 0)
    percent = f" ({change / previous:+.0%})" if previous else ""
    arrow = "▲" if change > 0 else "▼"
    return {"text": f"{arrow} {number(abs(change), kpi.get('digits', 0))}{percent}", "good": better}


def cell(key: str, value: object) -> str:
    """A table cell as the PDF shows it: thousands separated, satisfaction with two decimals."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return number(value, CELL_DIGITS.get(key, 1))
    return str(value)


def target_state(kpi: dict) -> bool | None:
    target = kpi.get("target")
    if target is None or kpi["value"] is None:
        return None
    return kpi["value"] <= float(target) if kpi.get("lower_is_better") else kpi["value"] >= float(target)


# --- charts ---------------------------------------------------------------------------------------


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
        (_("Done on time", lang), [row["on_time"] for row in rows], GREEN),
        (_("Done late or without window", lang), [row["done"] - row["on_time"] for row in rows], SKY),
        (_("Failed", lang), [row["failed"] for row in rows], VERMILION),
        (_("Overdue", lang), [row["overdue"] for row in rows], ORANGE),
    ]
    left = [0] * len(rows)
    for label, values, colour in parts:
        axes.barh(names, values, left=left, color=colour, label=label, height=0.6)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.invert_yaxis()
    axes.set_xlabel(_("Tasks", lang))
    axes.legend(frameon=False, fontsize=7.5, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=4)
    axes.grid(axis="x", color="#e5e8eb", linewidth=0.6)
    axes.set_axisbelow(True)
    return _svg(figure)


def satisfaction_chart(data: ReportData) -> str:
    lang = data.language
    figure = Figure(figsize=(3.4, 2.3))
    axes = figure.subplots()
    scores = [1, 2, 3, 4, 5]
    colours = [VERMILION, ORANGE, "#F0E442", SKY, GREEN]
    counts = [data.scores.get(s, 0) for s in scores]
    axes.bar([str(s) for s in scores], counts, color=colours, width=0.7)
    axes.set_ylim(0, max(1, max(counts) * 1.1))
    axes.set_xlabel(_("Score", lang))
    axes.set_ylabel(_("Answers", lang))
    axes.grid(axis="y", color="#e5e8eb", linewidth=0.6)
    axes.set_axisbelow(True)
    return _svg(figure)


def heatmap_chart(data: ReportData, streets: list[dict]) -> str | None:
    """H3 cells coloured by their value over the demo city's street lines; None with no cells."""
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
    cells = PolyCollection(polygons, array=values, cmap="YlOrRd", edgecolors="none", alpha=0.85, zorder=2)
    axes.add_collection(cells)
    axes.set_xlim(box[0], box[1])
    axes.set_ylim(box[2], box[3])
    axes.set_aspect(1 / max(0.2, math.cos(math.radians(sum(lats) / len(lats)))))  # metres equal both ways
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(False)
    colour_bar = figure.colorbar(cells, ax=axes, shrink=0.6, pad=0.02, aspect=30)
    colour_bar.set_label(_("Hours tracked", data.language), fontsize=8)
    colour_bar.ax.tick_params(labelsize=7)
    return _png(figure)


def _street_lines(geometry: dict) -> list[list[tuple[float, float]]]:
    if geometry.get("type") == "LineString":
        return [[tuple(point) for point in geometry["coordinates"]]]
    if geometry.get("type") == "MultiLineString":
        return [[tuple(point) for point in line] for line in geometry["coordinates"]]
    return []


# --- tables (shared by every format) -------------------------------------------------------------


def team_columns(lang: str) -> list[tuple[str, str, Callable[[dict], object]]]:
    return [
        ("team", _("Team", lang), lambda r: r["team_name"] or _("No team", lang)),
        ("employees", _("Employees", lang), lambda r: r["employees"]),
        ("active", _("Active staff", lang), lambda r: r["staff"]),
        ("visits", _("Visits", lang), lambda r: r["visits"]),
        ("visit_hours", _("Hours on visits", lang), lambda r: round(r["visit_h"], 1)),
        ("tracked_hours", _("Hours tracked", lang), lambda r: round(r["tracked_h"], 1)),
        ("km", _("Kilometres", lang), lambda r: round(r["km"], 1)),
        ("tasks_planned", _("Tasks planned", lang), lambda r: r["planned"]),
        ("tasks_done", _("Tasks done", lang), lambda r: r["done"]),
        ("on_time_pct", _("On time (%)", lang), lambda r: _rounded(r["on_time_pct"], 0)),
        ("failed", _("Failed", lang), lambda r: r["failed"]),
        ("overdue", _("Overdue", lang), lambda r: r["overdue"]),
        ("satisfaction", _("Satisfaction", lang), lambda r: _rounded(r["satisfaction"], 2)),
        ("answers", _("Answers", lang), lambda r: r["responses"]),
    ]


def employee_columns(lang: str) -> list[tuple[str, str, Callable[[dict], object]]]:
    return [
        ("code", _("Code", lang), lambda r: r["code"]),
        ("name", _("Name", lang), lambda r: r["name"]),
        ("team", _("Team", lang), lambda r: r["team_name"] or _("No team", lang)),
        ("visits", _("Visits", lang), lambda r: r["visits"]),
        ("visit_hours", _("Hours on visits", lang), lambda r: round(r["visit_h"], 1)),
        ("tracked_hours", _("Hours tracked", lang), lambda r: round(r["tracked_h"], 1)),
        ("km", _("Kilometres", lang), lambda r: round(r["km"], 1)),
        ("idle_pct", _("Idle (%)", lang), lambda r: _rounded(r["idle_pct"], 0)),
        ("tasks_done", _("Tasks done", lang), lambda r: r["done"]),
        ("on_time_pct", _("On time (%)", lang), lambda r: _rounded(r["on_time_pct"], 0)),
        ("failed", _("Failed", lang), lambda r: r["failed"]),
        ("overdue", _("Overdue", lang), lambda r: r["overdue"]),
        ("satisfaction", _("Satisfaction", lang), lambda r: _rounded(r["satisfaction"], 2)),
        ("answers", _("Answers", lang), lambda r: r["responses"]),
    ]


def daily_columns(lang: str) -> list[tuple[str, str, Callable[[dict], object]]]:
    return [
        ("day", _("Day", lang), lambda r: r["day"].isoformat()),
        ("visits", _("Visits", lang), lambda r: r["visits"]),
        ("tasks_done", _("Tasks done", lang), lambda r: r["done"]),
        ("failed", _("Failed", lang), lambda r: r["failed"]),
        ("overdue", _("Overdue", lang), lambda r: r["overdue"]),
    ]


def kpi_columns(lang: str) -> list[tuple[str, str, Callable[[dict], object]]]:
    return [
        ("kpi", _("KPI", lang), lambda k: k["label"]),
        ("value", _("This period", lang), lambda k: _rounded(k["value"], k.get("digits", 0))),
        ("previous", _("Previous period", lang), lambda k: _rounded(k["previous"], k.get("digits", 0))),
        ("target", _("Target", lang), lambda k: k.get("target")),
    ]


def score_columns(lang: str) -> list[tuple[str, str, Callable[[tuple], object]]]:
    return [("score", _("Score", lang), lambda r: r[0]), ("answers", _("Answers", lang), lambda r: r[1])]


def _rounded(value: float | None, digits: int) -> float | int | None:
    if value is None:
        return None
    return round(value) if digits == 0 else round(value, digits)


def _header_lines(data: ReportData) -> list[tuple[str, str]]:
    lang = data.language
    return [
        (_("Period", lang), data.period.label(lang)),
        (_("Compared with", lang), data.previous.label(lang)),
        (_("Scope", lang), data.scope_label),
        (_("Filters", lang), data.filters_label),
        (_("Author", lang), data.report["author_name"]),
        (_("Generated", lang), f"{data.generated_at} ({data.timezone})"),
    ]


# --- formats --------------------------------------------------------------------------------------


PDF_EMPLOYEES_MAX = 100  # beyond this the PDF lists each team's ends; XLSX and CSV keep everyone
PDF_TEAM_ENDS = 5


def pdf_employees(employees: list[dict]) -> list[dict]:
    """Everyone while the list is short; else each team's PDF_TEAM_ENDS people with the most and the
    fewest visits (a 1,000-row table is 25 pages nobody reads, and most of the PDF's build time)."""
    if len(employees) <= PDF_EMPLOYEES_MAX:
        return employees
    teams: dict[str | None, list[dict]] = {}
    for row in employees:
        teams.setdefault(row["team_name"], []).append(row)
    shown = []
    for name in sorted(teams, key=lambda team: (team is None, team or "")):
        members = sorted(teams[name], key=lambda r: (-r["visits"], r["code"]))
        ends = members if len(members) <= 2 * PDF_TEAM_ENDS else members[:PDF_TEAM_ENDS] + members[-PDF_TEAM_ENDS:]
        shown.extend(ends)
    return shown


def render_pdf(data: ReportData, streets: list[dict] | None = None) -> bytes:
    lang = data.language
    kpis = [
        {**kpi, "shown": number(kpi["value"], kpi.get("digits", 0)), "delta": delta(kpi), "met": target_state(kpi)}
        for kpi in data.kpis
    ]
    labels = {
        "satisfaction": _("Customer satisfaction", lang),
        "employees": _("Employees", lang),
        "heat_caption": _("Hours tracked per map cell (H3 resolution 9) over the period.", lang),
        "key_figures": _("Key figures", lang),
        "no_comments": _("No comments in this period.", lang),
        "no_heat": _("No location history in this period.", lang),
        "no_tasks": _("No tasks in this period.", lang),
        "previous": _("Previous", lang),
        "target": _("Target", lang),
        "outcomes": _("Task outcomes by team", lang),
        "teams": _("Teams", lang),
        "visits_per_day": _("Visits per day", lang),
        "where": _("Where the time went", lang),
        "met": _("met", lang),
        "missed": _("missed", lang),
        "page": _("Page", lang),
        "answered": _("{count} answered surveys", lang, count=sum(data.scores.values())),
    }
    employees = pdf_employees(data.employees)
    if len(employees) < len(data.employees):
        labels["employees_shown"] = _(
            "{shown} of {total} people: in each team the {ends} with the most and the {ends} with the fewest"
            " visits. The XLSX and CSV files list everyone.",
            lang,
            shown=len(employees),
            total=len(data.employees),
            ends=PDF_TEAM_ENDS,
        )
    html = _templates.get_template("report.html").render(
        lang=lang,
        labels=labels,
        title=_("Field operations report", lang),
        period=data.period.label(lang),
        header=_header_lines(data),
        kpis=kpis,
        number=number,
        cell=cell,
        visits_chart=visits_chart(data),
        outcomes_chart=outcomes_chart(data) if data.teams else None,
        satisfaction_chart=satisfaction_chart(data),
        heatmap=heatmap_chart(data, streets or []),
        comments=data.comments,
        team_columns=team_columns(lang),
        teams=data.teams,
        employee_columns=employee_columns(lang),
        employees=employees,
    )
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def render_xlsx(data: ReportData) -> bytes:
    lang = data.language
    book = Workbook()
    summary = book.active
    summary.title = _("Summary", lang)[:31]
    summary.append([_("Field operations report", lang)])
    summary["A1"].font = Font(bold=True, size=14)
    for label, value in _header_lines(data):
        summary.append([label, value])
    summary.append([])
    _append_table(summary, kpi_columns(lang), data.kpis)
    sheets = [
        (_("Daily", lang), daily_columns(lang), data.daily),
        (_("Teams", lang), team_columns(lang), data.teams),
        (_("Employees", lang), employee_columns(lang), data.employees),
    ]
    for title, columns, rows in sheets:
        _append_table(book.create_sheet(title[:31]), columns, rows)
    satisfaction = book.create_sheet(_("Satisfaction", lang)[:31])
    _append_table(satisfaction, score_columns(lang), [(score, data.scores.get(score, 0)) for score in range(1, 6)])
    daily = book[sheets[0][0][:31]]
    chart = BarChart()
    chart.title = _("Visits", lang)
    chart.add_data(Reference(daily, min_col=2, min_row=1, max_row=len(data.daily) + 1), titles_from_data=True)
    chart.set_categories(Reference(daily, min_col=1, min_row=2, max_row=len(data.daily) + 1))
    chart.width, chart.height = 24, 8
    daily.add_chart(chart, "H2")
    for sheet in book.worksheets:
        _fit_columns(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _append_table(sheet, columns: list, rows: list) -> None:
    header_row = sheet.max_row + 1 if sheet.max_row > 1 else 1
    sheet.append([header for _key, header, _get in columns])
    for cell in sheet[header_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3A5F")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        sheet.append([get(row) for _key, _header, get in columns])
    if header_row == 1:
        sheet.freeze_panes = "A2"


def _fit_columns(sheet) -> None:
    for index, column in enumerate(sheet.iter_cols(min_row=1, max_row=min(sheet.max_row, 200)), start=1):
        longest = max((_display_width(cell.value) for cell in column), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(8, longest + 2), 48)


def _display_width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK characters are two columns wide


def render_csv(data: ReportData) -> dict[str, bytes]:
    """One CSV per table, keyed by the table's file-name part; headers in the report's language."""
    lang = data.language
    tables = {
        "kpis": (kpi_columns(lang), data.kpis),
        "daily": (daily_columns(lang), data.daily),
        "teams": (team_columns(lang), data.teams),
        "employees": (employee_columns(lang), data.employees),
        "satisfaction": (score_columns(lang), [(score, data.scores.get(score, 0)) for score in range(1, 6)]),
    }
    files = {}
    for name, (columns, rows) in tables.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([header for _key, header, _get in columns])
        for row in rows:
            writer.writerow(["" if (value := get(row)) is None else value for _key, _header, get in columns])
        files[name] = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return files
