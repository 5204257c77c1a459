"""Customers: the list with a map, and one customer's page (?customer=<id>): visits, notes and photos,
calls, e-mails and meetings, tasks, survey answers. Layout only; the id is read by the callbacks."""

from __future__ import annotations

import dash
import dash_leaflet as dl
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import CUSTOMER_ROLES
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_tiles
from dashboard.web.components import field, grid, page_frame, row_id
from dashboard.web.maps import HELSINKI, base_layers, js, tasks_js
from dashboard.work.customers import INTERACTIONS, interaction_label, visit_columns

dash.register_page(__name__, path="/customers", name="Customers", order=3, roles=CUSTOMER_ROLES, id_prefix="customers")


def _section(title: str, *children, section_id: str) -> html.Section:
    return html.Section([html.H3(title, className="h6 mt-3"), *children], className="fo-section", id=section_id)


def _customer_grid():
    table = grid(
        "customers-grid",
        [("name", _("Customer")), ("address", _("Address")), ("owner", _("Account owner"))],
        height="100%",
    )
    table.getRowId = row_id("id")  # a clicked row names its customer
    return table


def _list() -> list:
    return [
        html.Div(
            className="fo-map-row fo-customers-row",
            children=[
                dl.Map(
                    id="customers-map",
                    center=HELSINKI,
                    zoom=14,
                    preferCanvas=True,
                    className="fo-map",
                    children=[
                        *base_layers(map_tiles(runtime()), "customers-streets"),
                        dl.GeoJSON(
                            id="customers-points",
                            pointToLayer=tasks_js("customerMarker"),
                            onEachFeature=js("nameTooltip"),
                        ),
                    ],
                ),
                html.Aside(_customer_grid(), className="fo-details fo-customers-list"),
            ],
        ),
        html.P(_("Click a customer on the map or in the list to open their page."), className="small text-muted"),
    ]


def _detail(customer: str) -> list:
    return [
        html.A(_("All customers"), href="/customers", className="small"),
        html.Div(id="customers-header"),
        html.Div(
            className="fo-customer-columns",
            children=[
                html.Div(
                    [
                        _section(
                            _("Visits"),
                            grid("customers-visits", visit_columns(), height="240px"),
                            section_id="customers-visits-section",
                        ),
                        _section(
                            _("Notes, calls, e-mails and meetings"),
                            html.Div(id="customers-interactions"),
                            section_id="customers-interactions-section",
                        ),
                        _section(
                            _("Log a call, e-mail or meeting"),
                            html.Div(
                                className="fo-form-row",
                                children=[
                                    dcc.Dropdown(
                                        id="customers-log-kind",
                                        options=[{"label": interaction_label(k), "value": k} for k in INTERACTIONS],
                                        value="call",
                                        clearable=False,
                                        style={"minWidth": "10rem"},
                                    ),
                                    html.Button(_("Log"), id="customers-log-save", className="btn btn-primary"),
                                ],
                            ),
                            field(_("What was said"), dcc.Textarea(id="customers-log-notes", className="form-control")),
                            html.Div(id="customers-log-result", role="status"),
                            section_id="customers-log-section",
                        ),
                    ],
                ),
                html.Div(
                    [
                        _section(_("Survey answers"), html.Div(id="customers-feedback"), section_id="customers-fb"),
                        _section(
                            _("Tasks"),
                            grid(
                                "customers-tasks",
                                [("when", _("When")), ("state", _("State")), ("who", _("Who")), ("kind", _("Kind"))],
                                height="240px",
                            ),
                            section_id="customers-tasks-section",
                        ),
                        _section(
                            _("Customer's contact"),
                            html.Div(
                                className="fo-form-row",
                                children=[
                                    field(
                                        _("Name"),
                                        dcc.Input(id="customers-contact-name", maxLength=200, className="form-control"),
                                    ),
                                    field(
                                        _("E-mail"),
                                        dcc.Input(
                                            id="customers-contact-email",
                                            type="email",
                                            maxLength=254,
                                            className="form-control",
                                        ),
                                    ),
                                    html.Button(
                                        _("Save contact"),
                                        id="customers-contact-save",
                                        className="btn btn-outline-primary",
                                    ),
                                ],
                            ),
                            html.Div(
                                _("Each visit's service report is e-mailed to this address."),
                                className="small text-muted",
                            ),
                            html.Div(id="customers-contact-result", role="status"),
                            section_id="customers-contact-section",
                        ),
                        _section(
                            _("Service reports"),
                            html.Div(id="customers-service-reports"),
                            section_id="customers-service-reports-section",
                        ),
                        # Orders from the ERP (issue 9) go here, filled by their own callback.
                        html.Div(id="customers-orders"),
                    ]
                ),
            ],
        ),
        dcc.Store(id="customers-id", data=customer),
        dcc.Store(id="customers-refresh", data=0),
    ]


def layout(customer: str | None = None, **_query: str) -> html.Div:
    body = _detail(customer) if customer else _list()
    return page_frame(
        _("Customers"),
        *body,
        dcc.Location(id="customers-location", refresh=True),
        page_id="customers-page",
    )
