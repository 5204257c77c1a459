"""Performance callbacks: the ranking and teams for the filters; the charts for everyone or one person."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import plotly.graph_objects as go
from dash import Dash, Input, Output, html
from flask import g

from dashboard.analytics import efficiency as service
from dashboard.core.i18n import _
from dashboard.core.inputs import mapping, whole_number, whole_number_in_text
from dashboard.core.palette import SPLIT_COLORS
from dashboard.core.permissions import may_see_individuals
from dashboard.core.runtime import runtime
from dashboard.web.charts import empty, figure, target_line
from data import analytics, teams

DAY_BAR_MS = 0.8 * 86_400_000
FILTERS = (Input("perf-dates", "start_date"), Input("perf-dates", "end_date"), Input("perf-team", "value"))


def team_options(_id: object) -> list[dict]:
    return [{"label": team["name"], "value": team["id"]} for team in teams.list_teams(runtime().db, g.viewer.scope)]


def _selection(start: object, end: object, team: object) -> dict:
    rt = runtime()
    first, last = service.period(start, end, rt.settings.tz)
    return {
        "scope": g.viewer.scope.narrowed_to_team(whole_number(team)),
        "start": first,
        "end": last,
        "tz": rt.settings.timezone,
    }


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    return None if not denominator else (numerator or 0) / denominator


def below_target(row: dict, targets: dict, thresholds: service.Thresholds) -> list[str]:
    """What a person's period falls short in: targets missed and low-efficiency measures."""
    found = []
    if (row["visits_per_day"] or 0) < targets["visits_per_day"]:
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


def overview(start: object, end: object, team: object):
    """KPIs against targets, the team comparison and the ranking rows."""
    selection = _selection(start, end, team)
    rt = runtime()
    settings = rt.org_settings()
    targets = service.targets(settings)
    thresholds = service.Thresholds.from_settings(settings)
    ranking = analytics.employee_ranking(rt.db, **selection)
    team_rows = analytics.team_totals(rt.db, **selection)
    kpis = _kpis(team_rows, ranking, targets)
    if may_see_individuals(g.viewer, runtime().org_settings()):
        rows = [
            {
                **{k: v for k, v in r.items() if isinstance(v, (int, float, str)) or v is None},
                "flags": ", ".join(below_target(r, targets, thresholds)),
            }
            for r in ranking
        ]
        note = _("Click a person to see their charts; the link there opens their day.")
    else:
        rows, note = [], _("Individual rankings are not shown to executives in this organisation.")
    return kpis, _teams_figure(team_rows, targets), rows, note


def _kpis(team_rows: list[dict], ranking: list[dict], targets: dict) -> list:
    person_days = sum(r["person_days"] for r in team_rows)
    visits = sum(r["visits"] for r in team_rows)
    windowed = sum(r["visits_with_window"] for r in team_rows)
    tracked = sum(r["tracked_s"] for r in team_rows)
    answers = sum(r["answers"] for r in ranking)
    satisfaction = sum((r["satisfaction"] or 0) * r["answers"] for r in ranking) / answers if answers else None
    cards = [
        (_("Visits per person-day"), _ratio(visits, person_days), targets["visits_per_day"], "{:.1f}"),
        (
            _("On-time visits"),
            _ratio(sum(r["visits_on_time"] for r in team_rows), windowed),
            targets["on_time_rate"],
            "{:.0%}",
        ),
        (
            _("km per person-day"),
            _ratio(sum(r["distance_m"] for r in team_rows) / 1000, person_days),
            targets["km_per_day"],
            "{:.1f}",
        ),
        (_("Time on visits"), _ratio(sum(r["visit_s"] for r in team_rows), tracked), targets["visit_share"], "{:.0%}"),
        (_("Customer satisfaction"), satisfaction, targets["satisfaction"], "{:.1f}"),
    ]
    return [
        html.Div(
            [
                html.Div(label, className="fo-kpi-label"),
                html.Div("–" if value is None else pattern.format(value), className="fo-kpi-value"),
                html.Div(_("target {value}", value=pattern.format(target)), className="fo-kpi-target"),
            ],
            className="fo-kpi " + ("" if value is None else "fo-kpi-ok" if value >= target else "fo-kpi-short"),
        )
        for label, value, target, pattern in cards
    ]


def _teams_figure(team_rows: list[dict], targets: dict) -> go.Figure:
    title = _("Teams side by side")
    if not team_rows:
        return empty(title, _("No analytics for these filters yet."))
    names = [r["team_name"] for r in team_rows]
    fig = figure(title, height=300)
    fig.add_bar(name=_("Visits per person-day"), x=names, y=[_ratio(r["visits"], r["person_days"]) for r in team_rows])
    fig.add_bar(
        name=_("On-time visits") + " %",
        x=names,
        y=[100 * (_ratio(r["visits_on_time"], r["visits_with_window"]) or 0) for r in team_rows],
        yaxis="y2",
    )
    fig.add_bar(
        name=_("Idle") + " %",
        x=names,
        y=[100 * (_ratio(r["idle_s"], r["tracked_s"]) or 0) for r in team_rows],
        yaxis="y2",
    )
    fig.update_layout(
        barmode="group",
        yaxis2={"overlaying": "y", "side": "right", "range": [0, 100], "showgrid": False, "ticksuffix": "%"},
        margin={"r": 48},
    )
    return fig


def charts(start: object, end: object, team: object, selected: object):
    """Visits, on-time rate, distance, time split and satisfaction per day: everyone, or the chosen person."""
    selection = _selection(start, end, team)
    rt = runtime()
    targets = service.targets(rt.org_settings())
    employee_id = whole_number(selected) if may_see_individuals(g.viewer, runtime().org_settings()) else None
    days = analytics.daily_totals(rt.db, employee_id=employee_id, **selection)
    person = None
    if employee_id is not None:
        person = next(
            (r for r in analytics.employee_ranking(rt.db, **selection) if r["employee_id"] == employee_id), None
        )
        if person is None:
            employee_id, days = None, analytics.daily_totals(rt.db, **selection)
    scores = [
        r
        for r in analytics.satisfaction_by_day(rt.db, **selection)
        if employee_id is None or r["employee_id"] == employee_id
    ]
    figures = _day_charts(days, scores, targets, person)
    first = datetime.combine(selection["start"], datetime.min.time())
    span = [first - timedelta(hours=12), datetime.combine(selection["end"], datetime.min.time()) + timedelta(hours=12)]
    for fig in figures:
        fig.update_xaxes(range=span, type="date", tickformat="%d %b")
    return (*figures, _person_panel(person, days, selection["end"]))


def _day_charts(days: list[dict], scores: list[dict], targets: dict, person: dict | None) -> list[go.Figure]:
    whose = person["employee_name"] if person else _("everyone in view (per person)")
    x = [d["day"] for d in days]
    per = [d["people"] for d in days]
    visits = figure(_("Visits per day · {whose}", whose=whose))
    width = [DAY_BAR_MS] * len(x)  # a date axis gives a lone bar no width of its own
    visits.add_bar(x=x, y=[_ratio(d["visits"], p) for d, p in zip(days, per, strict=True)], width=width)
    target_line(visits, targets["visits_per_day"], _("target"))
    ontime = figure(_("On-time rate · {whose}", whose=whose))
    ontime.add_scatter(
        x=x, y=[_ratio(d["visits_on_time"], d["visits_with_window"]) for d in days], mode="lines+markers"
    )
    target_line(ontime, targets["on_time_rate"], _("target"))
    ontime.update_yaxes(tickformat=".0%", range=[0, 1.05])
    distance = figure(_("Distance per day (km) · {whose}", whose=whose))
    distance.add_bar(x=x, y=[d["distance_m"] / 1000 / p for d, p in zip(days, per, strict=True)], width=width)
    target_line(distance, targets["km_per_day"], _("target"))
    split = figure(_("Time split · {whose}", whose=whose))
    for key, label in (("visit", _("visits")), ("travel", _("travel")), ("idle", _("idle"))):
        split.add_bar(
            x=x,
            y=[_ratio(d[f"{key}_s"], d["tracked_s"]) for d in days],
            name=label,
            marker_color=SPLIT_COLORS[key],
            width=width,
        )
    split.update_layout(barmode="stack")
    split.update_yaxes(tickformat=".0%")
    satisfaction = figure(_("Customer satisfaction · {whose}", whose=whose))
    by_day: dict[date, list[float]] = {}
    for row in scores:
        by_day.setdefault(row["day"], [0.0, 0.0])
        by_day[row["day"]][0] += row["satisfaction"] * row["answers"]
        by_day[row["day"]][1] += row["answers"]
    satisfaction.add_scatter(
        x=sorted(by_day), y=[by_day[d][0] / by_day[d][1] for d in sorted(by_day)], mode="lines+markers"
    )
    target_line(satisfaction, targets["satisfaction"], _("target"))
    satisfaction.update_yaxes(range=[1, 5.2])
    if not by_day:
        satisfaction = empty(satisfaction.layout.title.text, _("No customer feedback in this period."))
    if not days:
        return [
            empty(f.layout.title.text, _("No analytics for these filters yet."))
            for f in (visits, ontime, distance, split)
        ] + [satisfaction]
    return [visits, ontime, distance, split, satisfaction]


def _person_panel(person: dict | None, days: list[dict], last: date) -> object:
    if person is None:
        return None
    day = max((d["day"] for d in days), default=last)
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
