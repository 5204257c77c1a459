"""People (issue 18): everyone in the viewer's scope in a grid, and a side panel to add or change a person — their
record, team, supervisor, skills, home base on a map, working hours, trackers (with the QR code to set one up) and
the history of changes — and to deactivate or reactivate them. Layout only."""

from __future__ import annotations

import dash
import dash_leaflet as dl
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import PEOPLE_ADMIN_ROLES
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_tiles
from dashboard.web.components import field, grid, page_frame, row_id, side_panel, week_hours_table
from dashboard.web.maps import HELSINKI, base_layers

dash.register_page(
    __name__,
    path="/admin/people",
    name="People",
    order=50,
    section="admin",
    roles=PEOPLE_ADMIN_ROLES,
    id_prefix="people",
)

IMPORT_PATH = "/admin/people/import"  # the bulk import's page (CSV / XLSX, dry run first)


def tracker_kinds() -> list[dict]:
    return [
        {"label": "Traccar Client (OsmAnd)", "value": "osmand"},
        {"label": "OwnTracks", "value": "owntracks"},
        {"label": _("FieldOps phone page"), "value": "phone"},
    ]


def error(name: str) -> html.Div:
    return html.Div(id=f"people-error-{name}", className="invalid-feedback d-block", role="alert")


def _input(label: str, name: str, error_name: str, **options) -> html.Div:
    control = dcc.Input(id=f"people-{name}", className="form-control", **options)
    return html.Div([field(label, control), error(error_name)])


def _form() -> html.Div:
    return html.Div(
        className="fo-form-grid fo-panel-grid",
        children=[
            _input(_("Employee code"), "code", "code", maxLength=64),
            _input(_("Name"), "name", "name", maxLength=200),
            html.Div([field(_("Team"), dcc.Dropdown(id="people-team", placeholder=_("No team"))), error("team_id")]),
            html.Div(
                [
                    field(_("Supervisor"), dcc.Dropdown(id="people-supervisor", placeholder=_("No supervisor"))),
                    error("supervisor_user_id"),
                ]
            ),
            _input(_("Phone"), "phone", "phone", maxLength=40, type="tel"),
            _input(_("E-mail"), "email", "email", maxLength=320, type="email"),
            html.Div(
                [
                    field(
                        _("Skills (separated by commas)"),
                        dcc.Input(
                            id="people-skills", className="form-control", placeholder=_("boilers, heat pumps, wiring")
                        ),
                    ),
                    error("skills"),
                ],
                className="fo-wide",
            ),
            _input(_("External id (ERP)"), "external-id", "external_id", maxLength=100),
            html.Fieldset(
                [
                    html.Legend(_("Home base"), className="form-label small mb-1"),
                    html.Div(
                        className="fo-form-row",
                        children=[
                            _input(_("Latitude"), "home-lat", "home_lat", type="number", step="any", min=-90, max=90),
                            _input(
                                _("Longitude"), "home-lon", "home_lon", type="number", step="any", min=-180, max=180
                            ),
                        ],
                    ),
                    html.P(_("Or click the map to set it."), className="form-text mb-1"),
                    dl.Map(
                        id="people-home-map",
                        center=HELSINKI,
                        zoom=12,
                        style={"height": "220px"},
                        children=[
                            *base_layers(map_tiles(runtime()), "people-home-streets"),
                            dl.LayerGroup(id="people-home-marker"),
                        ],
                    ),
                ],
                className="fo-wide",
            ),
        ],
    )


def _hours() -> html.Section:
    return html.Section(
        [
            html.H4(_("Working hours"), className="h6"),
            html.P(
                _("This person's own hours replace their team's. Leave every day empty to use the team's hours."),
                className="small text-muted",
            ),
            week_hours_table("people"),
            html.Button(_("Save hours"), id="people-hours-save", className="btn btn-outline-primary btn-sm"),
            html.Div(id="people-hours-result", role="status"),
        ],
        className="fo-section",
    )


def _devices() -> html.Section:
    return html.Section(
        [
            html.H4(_("Trackers"), className="h6"),
            html.Div(id="people-devices"),
            html.Div(
                className="fo-form-row",
                id="people-tracker-form",
                children=[
                    field(
                        _("Tracker app"),
                        dcc.Dropdown(
                            id="people-tracker-kind", options=tracker_kinds(), value="osmand", clearable=False
                        ),
                    ),
                    html.Button(_("Add tracker"), id="people-tracker-add", className="btn btn-outline-primary"),
                ],
            ),
            html.Div(id="people-tracker-setup", role="status"),
        ],
        className="fo-section",
    )


def _panel() -> html.Div:
    return side_panel(
        "people-panel",
        "people-close",
        [
            html.Div(id="people-result", role="status"),
            html.P(id="people-state", className="small"),
            _form(),
            html.Div(
                className="fo-form-row mt-2",
                children=[
                    html.Button(_("Save"), id="people-save", className="btn btn-primary"),
                    html.Span(
                        dcc.ConfirmDialogProvider(
                            html.Button(
                                _("Deactivate"), className="btn btn-outline-danger", id="people-deactivate-button"
                            ),
                            id="people-deactivate",
                        ),
                        id="people-deactivate-field",
                        hidden=True,
                    ),
                    html.Button(
                        _("Reactivate"), id="people-reactivate", className="btn btn-outline-success", hidden=True
                    ),
                ],
            ),
            html.Div(
                [
                    _hours(),
                    _devices(),
                    html.Section(
                        [html.H4(_("History"), className="h6"), html.Div(id="people-history")], className="fo-section"
                    ),
                ],
                id="people-existing",
                hidden=True,
            ),
        ],
    )


def layout(**_query: str) -> html.Div:
    columns = [
        ("code", _("Code")),
        ("name", _("Name")),
        ("team", _("Team")),
        ("phone", _("Phone")),
        ("email", _("E-mail")),
        ("supervisor", _("Supervisor")),
        ("skills", _("Skills")),
        ("account", _("Sign-in account")),
        ("devices", _("Trackers")),
        ("state", _("State")),
    ]
    people = grid("people-grid", columns, height="560px")
    people.getRowId = row_id("id")
    people.rowClassRules = {"fo-row-inactive": "params.data.active === false"}
    return page_frame(
        _("People"),
        html.Div(
            className="fo-toolbar",
            children=[
                html.Label(_("Search"), htmlFor="people-search", className="visually-hidden"),
                dcc.Input(
                    id="people-search",
                    type="search",
                    placeholder=_("Search by name, code, team, skill…"),
                    className="form-control form-control-sm fo-search",
                    debounce=False,
                ),
                dcc.Checklist(
                    id="people-show-inactive",
                    options=[{"label": _("Show deactivated people"), "value": "on"}],
                    value=[],
                    inputClassName="form-check-input me-1",
                    labelClassName="form-check-label",
                ),
                html.A(_("Import people (CSV, XLSX)"), href=IMPORT_PATH, id="people-import-link", className="ms-auto"),
                html.Button(_("New person"), id="people-new", className="btn btn-primary btn-sm"),
            ],
        ),
        html.P(
            _("Choose a row to change a person, their trackers or their working hours."), className="small text-muted"
        ),
        people,
        _panel(),
        dcc.Store(id="people-selected"),
        dcc.Store(id="people-mode"),
        dcc.Store(id="people-version"),
        dcc.Store(id="people-refresh", data=0),
        dcc.Store(id="people-devices-refresh", data=0),
        page_id="people-page",
    )
