"""Admin: work areas and customer sites, drawn and edited on the map. Layout only."""

from __future__ import annotations

import dash
import dash_leaflet as dl
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import ADMIN_ROLES
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_tiles
from dashboard.web.components import field, page_frame
from dashboard.web.maps import HELSINKI, js, tile_layers

dash.register_page(
    __name__, path="/admin/zones", name="Zones", order=52, section="admin", roles=ADMIN_ROLES, id_prefix="zones"
)


def layout(**_query: str) -> html.Div:
    tiles = tile_layers(map_tiles(runtime()))
    return page_frame(
        _("Zones"),
        html.P(
            _(
                "Draw a work area with the tools on the map, name it and save it. To change a zone, pick it, "
                "edit its shape on the map, and save the shape."
            ),
            className="text-muted small",
        ),
        dl.Map(
            id="zones-map",
            center=HELSINKI,
            zoom=14,
            style={"height": "480px"},
            preferCanvas=True,
            children=[
                *tiles,
                dl.Pane(
                    name="fo-streets",
                    style={"zIndex": 150},
                    children=dl.GeoJSON(id="zones-streets", interactive=False, style=js("streetStyle")),
                ),
                dl.GeoJSON(
                    id="zones-existing",
                    style=js("zoneStyle"),
                    pointToLayer=js("zonePoint"),
                    onEachFeature=js("nameTooltip"),
                ),
                dl.FeatureGroup(
                    dl.EditControl(
                        id="zones-draw",
                        position="topleft",
                        draw={"polyline": False, "marker": False, "circlemarker": False},
                    )
                ),
            ],
        ),
        html.Div(
            className="fo-form-row mt-3",
            children=[
                field(_("Name"), dcc.Input(id="zones-name", maxLength=100, className="form-control")),
                field(_("Team"), dcc.Dropdown(id="zones-team")),
                html.Button(_("Save new zone"), id="zones-create", className="btn btn-primary"),
            ],
        ),
        html.Div(
            className="fo-form-row",
            children=[
                field(_("Zone"), dcc.Dropdown(id="zones-pick")),
                html.Button(_("Edit on the map"), id="zones-load", className="btn btn-outline-primary"),
                html.Button(_("Save shape"), id="zones-reshape", className="btn btn-outline-primary"),
                html.Button(_("Delete zone"), id="zones-delete", className="btn btn-outline-danger"),
            ],
        ),
        html.Div(id="zones-result"),
        dcc.Store(id="zones-refresh", data=0),
        page_id="zones-page",
    )
