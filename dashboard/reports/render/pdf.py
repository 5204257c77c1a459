"""The report as PDF: HTML + CSS (templates/report.html) laid out by WeasyPrint, whose Pango/HarfBuzz
text stack embeds Noto Sans CJK (a CFF-outline .ttc, which ReportLab cannot embed) as a subset."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import HTML

from dashboard.core.i18n import _
from dashboard.geo.coords import WGS84, Frame
from dashboard.reports.model import ReportData
from dashboard.reports.render.charts import (
    HEATMAP_DPI,
    heatmap_chart,
    hexagon_area_km2,
    outcomes_chart,
    satisfaction_chart,
    visits_chart,
)
from dashboard.reports.render.tables import (
    coverage_columns,
    employee_columns,
    header_lines,
    overdue_columns,
    team_columns,
    teams_only_note,
)

TEMPLATES = Path(__file__).parent / "templates"
CELL_DIGITS = {"satisfaction": 2}
_templates = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def delta(kpi: dict) -> dict | None:
    """Change against the compared period: text and whether it is good news. A change that rounds to nothing
    at the figure's digits reads "±0", a percentage that rounds to nothing "±0 %": never "-0"."""
    value, previous = kpi["value"], kpi["previous"]
    if value is None or previous is None:
        return None
    digits = kpi.get("digits", 0)
    change = round(value - previous, digits)
    if change == 0:
        return {"text": "±0", "good": None}
    better = None if kpi.get("neutral") else (change < 0) if kpi.get("lower_is_better") else (change > 0)
    percent = f" ({signed_percent(change / previous)})" if previous else ""
    arrow = "▲" if change > 0 else "▼"
    return {"text": f"{arrow} {number(abs(change), digits)}{percent}", "good": better}


def signed_percent(fraction: float) -> str:
    """'+5 %', '-12 %'; '±0 %' for anything that rounds to zero."""
    percent = round(100 * fraction)
    return "±0 %" if percent == 0 else f"{percent:+d} %"


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
        members = sorted(teams[name], key=lambda r: (-r["visits"], r["employee_code"]))
        ends = members if len(members) <= 2 * PDF_TEAM_ENDS else members[:PDF_TEAM_ENDS] + members[-PDF_TEAM_ENDS:]
        shown.extend(ends)
    return shown


def render_pdf(data: ReportData, streets: list[dict] | None = None, frame: Frame = WGS84) -> bytes:
    lang = data.language
    kpis = [
        {**kpi, "shown": number(kpi["value"], kpi.get("digits", 0)), "delta": delta(kpi), "met": target_state(kpi)}
        for kpi in data.kpis
    ]
    labels = {
        "satisfaction": _("Customer satisfaction", lang),
        "employees": _("Employees", lang),
        "key_figures": _("Key figures", lang),
        "no_data": _("No data for this period.", lang),
        "no_comments": _("No comments in this period.", lang),
        "no_heat": _("No location history in this period.", lang),
        "no_tasks": _("No tasks in this period.", lang),
        "previous": _("Previous", lang),
        "target": _("Target", lang),
        "outcomes": _("Task outcomes by team", lang),
        "teams": _("Teams", lang),
        "coverage": _("Visit coverage by team", lang),
        "overdue": _("Customers overdue", lang),
        "no_plans": _("No visits were planned in this period.", lang),
        "none_overdue": _("No customer is overdue.", lang),
        "visits_per_day": _("Visits per day", lang),
        "where": _("Where the time went", lang),
        "met": _("met", lang),
        "missed": _("missed", lang),
        "page": _("Page", lang),
        "answered": _("{count} answered surveys", lang, count=number(sum(data.scores.values()))),
    }
    if data.heat_cells:
        labels["heat_caption"] = _(
            "Hours tracked per day in each hexagon of about {area} km², averaged over the period's {days} days.",
            lang,
            area=hexagon_area_km2(data),
            days=data.covered.days,
        )
    if data.teams_only:
        labels["teams_only"] = teams_only_note(lang)
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
        header=header_lines(data),
        kpis=kpis,
        number=number,
        cell=cell,
        words=str.split,  # a header's words, each kept whole (WeasyPrint has no word-break: keep-all)
        visits_chart=visits_chart(data),
        outcomes_chart=outcomes_chart(data) if data.teams else None,
        satisfaction_chart=satisfaction_chart(data),
        heatmap=heatmap_chart(data, streets or [], frame),
        heatmap_dpi=HEATMAP_DPI,
        comments=data.comments,
        team_columns=team_columns(lang),
        teams=data.teams,
        coverage_columns=coverage_columns(lang),
        coverage_teams=[row for row in data.coverage_teams if row["planned"] or row["unplanned"]],
        overdue_columns=overdue_columns(lang),
        overdue_customers=data.overdue_customers,
        employee_columns=employee_columns(lang),
        employees=employees,
    )
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
