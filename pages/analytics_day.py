"""One person's day for supervisors: the track replayed on the map, stays and visits, tasks planned
against what happened, feedback and the time split. Layout only; ?employee=&date= preselect."""

from __future__ import annotations

from datetime import date, datetime

import dash
import dash_ag_grid as dag
import dash_leaflet as dl
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.inputs import calendar_day, whole_number_in_text
from dashboard.core.palette import BLACK, VERMILION
from dashboard.core.permissions import DAY_REPLAY_ROLES
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_tiles
from dashboard.web.charts import chart_config
from dashboard.web.components import grid_texts
from dashboard.web.maps import HELSINKI, base_layers

REPLAY_SPEEDS = (1, 10, 60)  # seconds of the day replayed per second, as Traccar's replay offers
REPLAY_TICK_MS = 200  # the browser moves the playhead this often (assets/analytics.js, no server round trip)

dash.register_page(
    __name__,
    path="/analytics/day",
    name="Day replay",
    title="FieldOps · Day",
    order=12,
    section="analytics",
    roles=DAY_REPLAY_ROLES,
    id_prefix="day",
    individual_positions=True,
)


def task_columns() -> list[dict]:
    return [
        {"field": "planned_seq", "headerName": _("Planned"), "maxWidth": 100},
        {"field": "actual_seq", "headerName": _("Actual"), "maxWidth": 100},
        {"field": "customer", "headerName": _("Customer"), "minWidth": 160},
        {"field": "window", "headerName": _("Window")},
        {"field": "arrived", "headerName": _("Arrived")},
        {"field": "departed", "headerName": _("Left")},
        {"field": "on_time", "headerName": _("On time")},
        {"field": "state", "headerName": _("State")},
        {"field": "score", "headerName": _("Feedback"), "maxWidth": 110},
        {"field": "comment", "headerName": _("Comment")},
    ]


def _chosen_day(value: str | None) -> date:
    return calendar_day(value) or datetime.now(runtime().settings.tz).date()


def layout(employee: str | None = None, date: str | None = None, **_query: str) -> html.Div:
    chosen = whole_number_in_text(employee)
    return html.Div(
        className="fo-analytics",
        children=[
            html.Div(
                className="fo-toolbar",
                children=[
                    html.Label(_("Person"), htmlFor="day-employee", className="fo-label"),
                    # Chosen when its options arrive: Dash 4's dropdown clears a value its options lack.
                    dcc.Dropdown(id="day-employee", placeholder=_("Choose a person"), className="fo-team"),
                    dcc.Store(id="day-asked", data=chosen),
                    html.Label(_("Day"), htmlFor="day-date", className="fo-label"),
                    dcc.DatePickerSingle(
                        id="day-date",
                        date=_chosen_day(date),
                        display_format="YYYY-MM-DD",
                        first_day_of_week=1,
                        placeholder=_("Day"),
                        style={"width": "11rem"},
                    ),
                    html.Span(id="day-summary", className="fo-updated"),
                ],
            ),
            html.Div(
                className="fo-map-row fo-day-row",
                children=[
                    html.Div(
                        className="fo-day-map",
                        children=[
                            dl.Map(
                                id="day-map",
                                center=HELSINKI,
                                zoom=14,
                                className="fo-map",
                                children=[
                                    *base_layers(map_tiles(runtime()), "day-streets"),
                                    dl.Polyline(id="day-path", positions=[], color="#0072B2", weight=3, opacity=0.7),
                                    dl.LayerGroup(id="day-stops"),
                                    dl.CircleMarker(
                                        id="day-marker",
                                        center=list(HELSINKI),
                                        radius=9,
                                        color=BLACK,
                                        fillColor=VERMILION,
                                        fillOpacity=0,
                                        opacity=0,
                                        weight=3,
                                        pane="markerPane",  # above the track and the stops drawn after it
                                    ),
                                    dl.ScaleControl(position="bottomleft", imperial=False),
                                ],
                            ),
                            html.Div(
                                className="fo-replay",
                                children=[
                                    html.Button(_("Play"), id="day-play", className="btn btn-sm btn-primary fo-play"),
                                    html.Div(
                                        className="fo-speed",
                                        children=[
                                            html.Label(_("Speed"), htmlFor="day-speed", className="fo-label"),
                                            dcc.RadioItems(
                                                id="day-speed",
                                                options=[{"label": f"{n}×", "value": n} for n in REPLAY_SPEEDS],
                                                value=REPLAY_SPEEDS[-1],
                                                inline=True,
                                                inputClassName="me-1",
                                                labelClassName="me-2",
                                            ),
                                        ],
                                    ),
                                    html.Label(_("Time of day"), htmlFor="day-slider", className="visually-hidden"),
                                    html.Div(
                                        dcc.Slider(
                                            id="day-slider",
                                            min=0,
                                            max=0,
                                            step=1,
                                            value=0,
                                            marks=None,
                                            updatemode="drag",
                                            allow_direct_input=False,
                                        ),
                                        className="fo-replay-slider",
                                    ),
                                    html.B(id="day-clock", className="fo-replay-clock"),
                                ],
                            ),
                        ],
                    ),
                    html.Aside(
                        id="day-split", className="fo-details", tabIndex="0", **{"aria-label": _("Where the time went")}
                    ),
                ],
            ),
            dcc.Graph(id="day-timeline", config=chart_config()),
            html.H5(_("Tasks: planned against what happened")),
            dag.AgGrid(
                id="day-tasks",
                columnDefs=task_columns(),
                rowData=[],
                defaultColDef={"resizable": True, "sortable": True, "flex": 1, "minWidth": 90},
                dashGridOptions={"localeText": grid_texts()},
                style={"height": "300px"},
                className="fo-grid",
            ),
            dcc.Store(id="day-track"),
            dcc.Store(id="day-play-labels", data={"play": _("Play"), "pause": _("Pause")}),
            dcc.Interval(id="day-ticker", interval=REPLAY_TICK_MS, disabled=True),
        ],
    )
