"""Coverage callbacks (issue 21): the figures per team and person for the filters, the customers overdue and never
visited, and the map of customers by days since their last visit. Every figure comes from
dashboard/analytics/coverage.py; people's rows only for viewers who may see individuals."""

from __future__ import annotations

from datetime import datetime

from dash import Dash, Input, Output, html, no_update
from flask import g

from dashboard.analytics import coverage
from dashboard.analytics.efficiency import period
from dashboard.analytics.scales import NO_VALUE_COLOR
from dashboard.core.i18n import _
from dashboard.core.inputs import whole_number
from dashboard.core.permissions import may_see_individuals
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_frame
from dashboard.web.maps import scale_legend
from data import teams

FILTERS = (Input("coverage-dates", "start_date"), Input("coverage-dates", "end_date"), Input("coverage-team", "value"))
KPIS = ("planned", "done", "missed", "pending", "unplanned", "done_rate")


def team_options(_id: object) -> list[dict]:
    return [{"label": team["name"], "value": team["id"]} for team in teams.list_teams(runtime().db, g.viewer.scope)]


def _kpis(totals: dict) -> list[html.Div]:
    cards = []
    for key in KPIS:
        value = totals[key]
        shown = ("–" if value is None else f"{value:.0%}") if key == "done_rate" else str(value)
        cards.append(
            html.Div(
                [
                    html.Div(coverage.label(key), className="fo-kpi-label"),
                    html.Div(shown, className="fo-kpi-value", id=f"coverage-kpi-{key}"),
                ],
                className="fo-kpi",
            )
        )
    return cards


def _plain(row: dict, keys: tuple[str, ...]) -> dict:
    return {key: row[key] for key in keys}


FIGURE_KEYS = (*coverage.COUNTS, "done_rate")


def figures(start: object, end: object, team: object) -> tuple:
    """The KPI cards, the teams' rows, the people's rows (empty for a viewer who may not see individuals)."""
    rt = runtime()
    first, last = period(start, end, rt.settings.tz)
    scope = g.viewer.scope.narrowed_to_team(whole_number(team))
    rows = coverage.person_counts(rt.db, scope, first, last, rt.settings.timezone, datetime.now(rt.settings.tz))
    staff = coverage.people(rt.db, scope)
    team_rows = [
        {
            "team_key": str(r["team_id"] or 0),
            "team_name": r["team_name"] or _("No team"),
            **_plain(r, FIGURE_KEYS),
        }
        for r in coverage.per_team(rows, staff)
    ]
    if may_see_individuals(g.viewer, rt.org_settings()):
        people = [
            {"employee_id": r["employee_id"], "employee_name": r["employee_name"], "team_name": r["team_name"] or ""}
            | _plain(r, FIGURE_KEYS)
            for r in coverage.per_employee(rows, staff)
        ]
        note = _(
            "Visits planned for {first} to {last}; unplanned visits started in those days.", first=first, last=last
        )
    else:
        people, note = [], _("Individual figures are not shown to executives in this organisation.")
    return _kpis(coverage.total(rows)), team_rows, people, note


def _tooltip(row: dict) -> str:
    if row["never_visited"]:
        return _("{name}: never visited", name=row["customer_name"])
    text = _("{name}: {days} days since the last visit", name=row["customer_name"], days=row["days_since"])
    if row["overdue_by"]:
        text += " · " + _("overdue by {days} days", days=row["overdue_by"])
    return text


def customers(_id: object, team: object) -> tuple:
    """The overdue and never-visited lists, the map's customers coloured by days since their last visit, its
    legend, the street lines and a view framing the customers."""
    rt = runtime()
    scope = g.viewer.scope.narrowed_to_team(whole_number(team))
    rows = coverage.customers(rt.db, scope, rt.settings.timezone, datetime.now(rt.settings.tz))
    listed = ("customer_id", "customer_name", "team_name", "tier", "every_days", "days_since", "overdue_by")
    overdue = [_plain(r, listed) | {"team_name": r["team_name"] or ""} for r in coverage.overdue(rows)]
    never = [_plain(r, listed) | {"team_name": r["team_name"] or ""} for r in coverage.never_visited(rows)]
    frame = map_frame(rt)  # the customers as the map's tiles draw them
    sites = frame.out_many((r["lat"], r["lon"]) for r in rows)
    points = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f"c{r['customer_id']}",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": r["customer_id"],
                    "color": coverage.DAYS_SINCE_SCALE.color(r["days_since"]),
                    "overdue": bool(r["overdue_by"]),
                    "tooltip": _tooltip(r),
                },
            }
            for r, (lat, lon) in zip(rows, sites, strict=True)
        ],
    }
    legend = [
        *scale_legend(coverage.DAYS_SINCE_SCALE, _("Days since last visit")),
        html.Div(
            [html.Span(className="fo-legend-band fo-legend-swatch", style={"background": NO_VALUE_COLOR}), _("never")],
            className="fo-legend-never",
        ),
    ]
    viewport: object = no_update
    if sites:
        lats, lons = [lat for lat, _lon in sites], [lon for _lat, lon in sites]
        viewport = {"bounds": [[min(lats), min(lons)], [max(lats), max(lons)]]}
    return overdue, never, points, legend, rt.livemap.streets_geojson(), viewport


def register(app: Dash) -> None:
    app.callback(Output("coverage-team", "options"), Input("coverage-team", "id"))(team_options)
    app.callback(
        Output("coverage-kpis", "children"),
        Output("coverage-teams", "rowData"),
        Output("coverage-people", "rowData"),
        Output("coverage-people-note", "children"),
        *FILTERS,
    )(figures)
    app.callback(
        Output("coverage-overdue", "rowData"),
        Output("coverage-never", "rowData"),
        Output("coverage-points", "data"),
        Output("coverage-legend", "children"),
        Output("coverage-streets", "data"),
        Output("coverage-map", "viewport"),
        Input("coverage-map", "id"),
        Input("coverage-team", "value"),
    )(customers)
