"""Tasks and dispatch: today's board by state, the map with planned routes, progress per team; a side panel
for one task (new, or the chosen one: its fields, candidates ranked by travel time, history); import and
daily routes for planners. Layout only."""

from __future__ import annotations

import dash
import dash_leaflet as dl
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.inputs import whole_number_in_text
from dashboard.core.permissions import TASK_ROLES
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_tiles
from dashboard.web.components import field, page_frame, side_panel
from dashboard.web.maps import HELSINKI, base_layers, js, tasks_js
from dashboard.work.lifecycle import KINDS, kind_label

dash.register_page(__name__, path="/tasks", name="Tasks", order=2, roles=TASK_ROLES, id_prefix="tasks")


def priority_options() -> list[dict]:
    return [{"label": _("Urgent"), "value": 1}, {"label": _("Normal"), "value": 2}, {"label": _("Low"), "value": 3}]


def _map() -> dl.Map:
    return dl.Map(
        id="tasks-map",
        center=HELSINKI,
        zoom=14,
        preferCanvas=True,
        className="fo-map fo-tasks-map",
        children=[
            *base_layers(map_tiles(runtime()), "tasks-streets"),
            dl.GeoJSON(id="tasks-routes", style=tasks_js("routeStyle"), onEachFeature=js("nameTooltip")),
            dl.GeoJSON(id="tasks-points", pointToLayer=tasks_js("taskPoint"), onEachFeature=js("nameTooltip")),
            dl.ScaleControl(position="bottomleft", imperial=False),
        ],
    )


def _form() -> html.Div:
    """The task's fields; their values, placeholders and which button shows come from callbacks."""
    text = {"className": "form-control", "debounce": True}
    return html.Div(
        [
            html.Div(
                className="fo-form-grid fo-panel-grid",
                children=[
                    field(_("Customer"), dcc.Dropdown(id="tasks-customer", placeholder=_("Choose a customer"))),
                    field(_("Assign to (optional)"), dcc.Dropdown(id="tasks-assignee", placeholder=_("Nobody yet"))),
                    field(
                        _("Kind"),
                        dcc.Dropdown(
                            id="tasks-kind",
                            options=[{"label": kind_label(k), "value": k} for k in KINDS],
                            value="visit",
                            clearable=False,
                        ),
                    ),
                    field(
                        _("Priority"),
                        dcc.Dropdown(id="tasks-priority", options=priority_options(), value=2, clearable=False),
                    ),
                    field(_("Window from"), dcc.Input(id="tasks-window-start", **text)),
                    field(_("Window until"), dcc.Input(id="tasks-window-end", **text)),
                    field(
                        _("Expected minutes"),
                        dcc.Input(id="tasks-duration", type="number", min=1, max=720, className="form-control"),
                    ),
                    field(_("Notes"), dcc.Textarea(id="tasks-notes", maxLength=2000, className="form-control")),
                ],
            ),
            html.Div(
                className="fo-form-row mt-2",
                children=[
                    html.Button(_("Create task"), id="tasks-create", className="btn btn-primary", hidden=True),
                    html.Button(_("Save changes"), id="tasks-save", className="btn btn-primary", hidden=True),
                ],
            ),
        ],
        id="tasks-form",
        hidden=True,
    )


def _panel() -> html.Div:
    """One task at a time, in a side panel that opens where the person is looking: a new task, or the chosen
    one (its fields, who can go, its history). Drawn closed; a task's card or point, or New task, opens it."""
    return side_panel(
        "tasks-panel",
        "tasks-panel-close",
        [
            html.Div(id="tasks-form-result", role="status"),
            _form(),
            html.Div(id="tasks-action-result", role="status"),
            html.Div(id="tasks-details"),
        ],
    )


def _import() -> html.Details:
    return html.Details(
        [
            html.Summary(_("Import tasks from CSV"), className="h6"),
            html.P(
                _(
                    "Columns: customer (id or external id), kind, priority, window_start, window_end, "
                    "duration_min, notes, employee (code). Every line is checked first; nothing is created "
                    "while a line is wrong."
                ),
                className="small text-muted",
            ),
            dcc.Upload(
                id="tasks-import",
                accept=".csv,text/csv",
                max_size=2 * 1024 * 1024,
                children=html.Span(_("Choose a CSV file"), className="btn btn-outline-secondary"),
            ),
            html.Div(id="tasks-import-result", role="status"),
        ],
        className="fo-section",
        id="tasks-import-section",
        hidden=True,  # shown to planners only (callbacks/tasks.py: planner_controls)
    )


def _routes() -> html.Section:
    return html.Section(
        [
            html.H3(_("Daily routes"), className="h6"),
            html.P(
                _(
                    "Orders each person's open visits of today to travel least within their time windows "
                    "(OR-Tools, street travel times), and compares with the order the tasks were entered in."
                ),
                className="small text-muted",
            ),
            html.Button(_("Optimise today's routes"), id="tasks-optimise", className="btn btn-outline-primary"),
            html.Div(id="tasks-routes-result", role="status"),
        ],
        className="fo-section",
        id="tasks-routes-section",
        hidden=True,
    )


def layout(employee: str | None = None, **_query: str) -> html.Div:
    """?employee=<id>: the board of that person's tasks (the live map's details link here)."""
    return page_frame(
        _("Tasks and dispatch"),
        html.Div(
            className="fo-toolbar",
            children=[
                html.Label(_("Team"), htmlFor="tasks-team", className="fo-label"),
                dcc.Dropdown(id="tasks-team", placeholder=_("All teams"), clearable=True, className="fo-team"),
                html.Div(id="tasks-filter"),
                html.Span(id="tasks-summary", className="fo-count"),
                html.Button(_("New task"), id="tasks-new", className="btn btn-primary btn-sm", hidden=True),
                html.Span(id="tasks-updated", className="fo-updated"),
            ],
        ),
        html.Div(id="tasks-help", className="fo-alerts", role="alert"),
        html.Div(className="fo-map-row fo-tasks-row", children=[_map()]),
        html.Div(id="tasks-progress", className="mt-3"),
        html.Div(id="tasks-board", className="fo-board mt-3"),
        _import(),
        _routes(),
        _panel(),
        dcc.Interval(id="tasks-tick", interval=5_000),
        dcc.Store(id="tasks-employee", data=whole_number_in_text(employee)),
        dcc.Store(id="tasks-selected"),
        dcc.Store(id="tasks-panel-mode"),
        dcc.Store(id="tasks-form-version"),
        dcc.Store(id="tasks-signature"),
        dcc.Store(id="tasks-refresh", data=0),
        page_id="tasks-page",
    )
