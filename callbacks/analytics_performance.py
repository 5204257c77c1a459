"""Performance callbacks: the ranking and teams for the filters; the charts for everyone or one person."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import plotly.graph_objects as go
from dash import Dash, Input, Output, html
from flask import g

from dashboard.analytics import efficiency as service
from dashboard.analytics import metrics
from dashboard.core.i18n import _, chart_day_format
from dashboard.core.inputs import mapping, whole_number, whole_number_in_text
from dashboard.core.palette import SPLIT_COLORS
from dashboard.core.permissions import may_see_individuals
from dashboard.core.runtime import runtime
from dashboard.web.charts import empty, figure, target_line
from data import teams

DAY_BAR_MS = 0.8 * 86_400_000
SHARE_TICKS = {"tickmode": "linear", "tick0": 0, "dtick": 20}  # 0, 20 … 100 %: round steps, not Plotly's 31.3 %
FILTERS = (Input("perf-dates", "start_date"), Input("perf-dates", "end_date"), Input("perf-team", "value"))


def team_options(_id: object) -> list[dict]:
    return [{"label": team["name"], "value": team["id"]} for team in teams.list_teams(runtime().db, g.viewer.scope)]


def _selection(start: object, end: object, team: object) -> dict:
    rt = runtime()
    first, last = service.period(start, end, rt.settings.tz)
    return {
        "scope": g.viewer.scope.narrowed_to_team(whole_number(team)),
        "first_day": first,
        "last_day": last,
        "tz": rt.settings.timezone,
        "now": datetime.now(rt.settings.tz),
    }


def below_target(row: dict, targets: dict, thresholds: service.Thresholds) -> list[str]:
    """What a person's period falls short in: targets missed and low-efficiency measures."""
    found = []
    if (row["visits_per_person_day"] or 0) < targets["visits_per_day"]:
        found.append(_("visits"))
    if row["on_time_rate"] is not None and row["on_time_rate"] < targets["on_time_rate"]:
        found.append(_("on time"))
    if row["satisfaction"] is not None and row["satisfaction"] < targets["satisfaction"]:
        found.append(_("satisfaction"))
    reasons = thresholds.reasons(row)
    if "idle_share" in reasons:
        found.append(_("idle"))
    if "outside_share" in reasons:
        found.append(_("outside area"))
    return found


# The KPI cards: a figure of dashboard/analytics/metrics.py and the org_settings target it is held against.
KPI_TARGETS = (
    ("visits_per_person_day", "visits_per_day"),
    ("on_time_rate", "on_time_rate"),
    ("km_per_person_day", "km_per_day"),
    ("visit_share", "visit_share"),
    ("satisfaction", "satisfaction"),
)


def overview(start: object, end: object, team: object):
    """KPIs against targets, the team comparison and the ranking rows."""
    selection = _selection(start, end, team)
    rt = runtime()
    settings = rt.org_settings()
    targets = service.targets(settings)
    thresholds = service.Thresholds.from_settings(settings)
    rows = metrics.employee_days(rt.db, **selection)
    staff = metrics.people(rt.db, selection["scope"])
    kpis = _kpis(metrics.total(rows), targets)
    if may_see_individuals(g.viewer, settings):
        ranking = [
            {
                **{k: v for k, v in r.items() if isinstance(v, (int, float, str)) or v is None},
                "flags": ", ".join(below_target(r, targets, thresholds)),
            }
            for r in metrics.per_employee(rows, staff)
        ]
        note = _("Click a person to see their charts; the link there opens their day.")
    else:
        ranking, note = [], _("Individual rankings are not shown to executives in this organisation.")
    return kpis, _teams_figure(metrics.per_team(rows, staff), targets), ranking, note


def _kpis(totals: dict, targets: dict) -> list:
    cards = []
    for key, target_key in KPI_TARGETS:
        figure, value, target = metrics.FIGURE[key], totals[key], targets[target_key]
        cards.append(
            html.Div(
                [
                    html.Div(figure.label(None), className="fo-kpi-label"),
                    html.Div(figure.text(value), className="fo-kpi-value", id=f"perf-kpi-{key}"),
                    html.Div(_("target {value}", value=figure.text(target)), className="fo-kpi-target"),
                ],
                className="fo-kpi " + ("" if value is None else "fo-kpi-ok" if value >= target else "fo-kpi-short"),
            )
        )
    return cards


def _teams_figure(team_rows: list[dict], targets: dict) -> go.Figure:
    title = _("Teams side by side")
    if not team_rows:
        return empty(title, _("No analytics for these filters yet."))
    names = [r["team_name"] or _("No team") for r in team_rows]
    fig = figure(title, height=300)
    fig.add_bar(
        name=metrics.FIGURE["visits_per_person_day"].label(None),
        x=names,
        y=[r["visits_per_person_day"] for r in team_rows],
        offsetgroup="visits",  # bars on two axes side by side, not drawn over each other
    )
    for key in ("on_time_rate", "idle_share"):
        fig.add_bar(
            name=metrics.FIGURE[key].label(None) + " %",
            x=names,
            y=[None if r[key] is None else 100 * r[key] for r in team_rows],
            yaxis="y2",
            offsetgroup=key,
        )
    fig.update_layout(
        barmode="group",
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "range": [0, 100],
            **SHARE_TICKS,
            "showgrid": False,
            "ticksuffix": "%",
        },
        margin={"r": 48},
    )
    return fig


def charts(start: object, end: object, team: object, selected: object):
    """Visits, on-time rate, distance, time split and satisfaction per day: everyone, or the chosen person."""
    selection = _selection(start, end, team)
    rt = runtime()
    targets = service.targets(rt.org_settings())
    employee_id = whole_number(selected) if may_see_individuals(g.viewer, rt.org_settings()) else None
    rows = metrics.employee_days(rt.db, **selection)
    ranked = metrics.per_employee(rows, metrics.people(rt.db, selection["scope"]))
    person = next((r for r in ranked if r["employee_id"] == employee_id), None)
    if person is not None:
        rows = [r for r in rows if r["employee_id"] == employee_id]
    figures = _day_charts(metrics.per_day(rows), targets, person)
    first = datetime.combine(selection["first_day"], datetime.min.time())
    last = datetime.combine(selection["last_day"], datetime.min.time())
    span = [first - timedelta(hours=12), last + timedelta(hours=12)]
    for fig in figures:
        fig.update_xaxes(range=span, type="date", tickformat=chart_day_format(), hoverformat=chart_day_format())
    return (*figures, _person_panel(person, rows, selection["last_day"]))


def _day_charts(days: list[dict], targets: dict, person: dict | None) -> list[go.Figure]:
    whose = person["employee_name"] if person else _("everyone in view (per person)")
    x = [d["day"] for d in days]
    visits = figure(_("Visits per day · {whose}", whose=whose))
    width = [DAY_BAR_MS] * len(x)  # a date axis gives a lone bar no width of its own
    visits.add_bar(x=x, y=[d["visits_per_person_day"] for d in days], width=width)
    target_line(visits, targets["visits_per_day"], _("target"))
    ontime = figure(_("On-time rate · {whose}", whose=whose))
    ontime.add_scatter(x=x, y=[d["on_time_rate"] for d in days], mode="lines+markers")
    target_line(ontime, targets["on_time_rate"], _("target"))
    ontime.update_yaxes(tickformat=".0%", range=[0, 1.05])
    distance = figure(_("Distance per day (km) · {whose}", whose=whose))
    distance.add_bar(x=x, y=[d["km_per_person_day"] for d in days], width=width)
    target_line(distance, targets["km_per_day"], _("target"))
    split = figure(_("Time split · {whose}", whose=whose))
    for key, label in (("visit", _("visits")), ("travel", _("travel")), ("idle", _("idle"))):
        split.add_bar(
            x=x,
            y=[None if not d["tracked_s"] else d[f"{key}_s"] / d["tracked_s"] for d in days],
            name=label,
            marker_color=SPLIT_COLORS[key],
            width=width,
        )
    split.update_layout(barmode="stack")
    split.update_yaxes(tickformat=".0%")
    satisfaction = figure(_("Customer satisfaction · {whose}", whose=whose))
    answered = [d for d in days if d["answers"]]
    satisfaction.add_scatter(
        x=[d["day"] for d in answered], y=[d["satisfaction"] for d in answered], mode="lines+markers"
    )
    target_line(satisfaction, targets["satisfaction"], _("target"))
    satisfaction.update_yaxes(range=[1, 5.2])
    if not answered:
        satisfaction = empty(satisfaction.layout.title.text, _("No customer feedback in this period."))
    if not any(d["person_days"] for d in days):
        return [
            empty(f.layout.title.text, _("No analytics for these filters yet."))
            for f in (visits, ontime, distance, split)
        ] + [satisfaction]
    return [visits, ontime, distance, split, satisfaction]


def _person_panel(person: dict | None, days: list[dict], last: date) -> object:
    if person is None:
        return None
    day = max((d["day"] for d in days if metrics.is_person_day(d)), default=last)
    return html.Div(
        [
            html.B(person["employee_name"]),
            f" · {person['team_name'] or ''} · ",
            html.A(
                _("Open their day ({day})", day=day.isoformat()),
                href=f"/analytics/day?employee={person['employee_id']}&date={day.isoformat()}",
            ),
        ],
        className="alert alert-light py-2",
    )


def select_person(cell: object) -> object:
    """The person whose row was clicked (the grid's row id is the employee id)."""
    return whole_number_in_text(mapping(cell).get("rowId"))


def register(app: Dash) -> None:
    app.callback(Output("perf-team", "options"), Input("perf-team", "id"))(team_options)
    app.callback(
        Output("perf-kpis", "children"),
        Output("perf-teams", "figure"),
        Output("perf-grid", "rowData"),
        Output("perf-ranking-note", "children"),
        *FILTERS,
    )(overview)
    app.callback(Output("perf-selected", "data"), Input("perf-grid", "cellClicked"), prevent_initial_call=True)(
        select_person
    )
    app.callback(
        Output("perf-visits", "figure"),
        Output("perf-ontime", "figure"),
        Output("perf-distance", "figure"),
        Output("perf-split", "figure"),
        Output("perf-satisfaction", "figure"),
        Output("perf-person", "children"),
        *FILTERS,
        Input("perf-selected", "data"),
    )(charts)
