"""The wall display: full screen, dark, no interaction; rotates live map, KPI tiles, alerts and heatmap.
Layout only; assets/wall.js rotates the panels and shows the stale indicator."""

from __future__ import annotations

import dash
import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard.analytics.scales import SCALES
from dashboard.core.i18n import _, current_language
from dashboard.core.permissions import WALL_ROLES
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_tiles
from dashboard.live.wall import HEAT, PANELS, SHARES
from dashboard.web.components import state_dot
from dashboard.web.maps import HELSINKI, base_layers, js, scale_legend

dash.register_page(__name__, path="/wall", name="Wall display", order=95, roles=WALL_ROLES, id_prefix="wall")

wall_js = Namespace("fieldops", "wall")  # assets/wall.js
KPI_TILES = ("active", "visits", "done", "overdue", "satisfaction")
CLUSTER_RADIUS_PX = 80  # people this close share a bubble: about the wall's bubble (--fo-cluster-size)


def _tile(key: str, label: str) -> html.Div:
    """A figure, its name and (callbacks/wall.py) its target; coloured by the figure's verdict."""
    return html.Div(
        [
            html.Div("—", className="fo-wall-value", id=f"wall-kpi-{key}"),
            html.Div(label, className="fo-wall-label"),
            html.Div(className="fo-wall-target", id=f"wall-kpi-{key}-target"),
        ],
        className=f"fo-wall-tile fo-wall-tile-{key}",
        id=f"wall-tile-{key}",
    )


def _map(map_id: str, children: list) -> dl.Map:
    return dl.Map(
        id=map_id,
        center=HELSINKI,
        zoom=13,
        zoomSnap=0.1,  # framed to the team's area as closely as the screen allows, not to a whole zoom level
        preferCanvas=True,
        zoomControl=False,
        attributionControl=False,
        dragging=False,
        scrollWheelZoom=False,
        doubleClickZoom=False,
        keyboard=False,
        touchZoom=False,
        boxZoom=False,
        children=children,
        className="fo-wall-map",
    )


def layout(**_query: str) -> html.Div:
    rt = runtime()
    states = (
        ("moving", _("Moving")),
        ("visit", _("On a visit")),
        ("idle", _("Idle")),
        ("offline", _("Offline")),
        ("paused", _("Paused")),
        ("no_position", _("No position yet")),
    )
    return html.Div(
        id="wall-page",
        className="fo-wall",
        children=[
            html.Header(
                className="fo-wall-header",
                children=[
                    html.Span("FieldOps", className="fo-wall-brand"),
                    html.Span(id="wall-title", className="fo-wall-title"),
                    html.Span(
                        [html.Span("●", className="fo-wall-stale-dot"), html.Span(id="wall-stale-text")],
                        id="wall-stale",
                        className="fo-wall-stale",
                        role="status",
                    ),
                    html.Span(id="wall-clock", className="fo-wall-clock"),
                ],
            ),
            html.Main(
                className="fo-wall-panels",
                children=[
                    html.Section(
                        id="wall-panel-map",
                        className="fo-wall-panel fo-wall-shown",
                        children=[
                            _map(
                                "wall-map",
                                [
                                    *base_layers(map_tiles(rt), "wall-streets"),
                                    dl.GeoJSON(
                                        id="wall-fleet",
                                        pointToLayer=wall_js("fleetPoint"),
                                        clusterToLayer=js("fleetCluster"),
                                        cluster=True,
                                        superClusterOptions={"radius": CLUSTER_RADIUS_PX, "maxZoom": 15},
                                        interactive=False,
                                    ),
                                ],
                            ),
                            html.Div(
                                className="fo-wall-legend",
                                id="wall-legend",
                                children=[
                                    html.Span(
                                        [
                                            state_dot(state),
                                            label,
                                            " ",
                                            html.B("0", id=f"wall-count-{state}"),
                                        ]
                                    )
                                    for state, label in states
                                ],
                            ),
                        ],
                    ),
                    html.Section(
                        id="wall-panel-kpis",
                        className="fo-wall-panel",
                        children=html.Div(
                            className="fo-wall-tiles",
                            children=[
                                _tile("active", _("Staff active now")),
                                _tile("visits", _("Visits today")),
                                _tile("done", _("Tasks done today")),
                                _tile("overdue", _("Tasks overdue")),
                                _tile("satisfaction", _("Average satisfaction today")),
                            ],
                        ),
                    ),
                    html.Section(
                        id="wall-panel-alerts", className="fo-wall-panel", children=html.Div(id="wall-alerts")
                    ),
                    html.Section(
                        id="wall-panel-heatmap",
                        className="fo-wall-panel",
                        children=[
                            _map(
                                "wall-heatmap",
                                [
                                    *base_layers(map_tiles(rt), "wall-heat-streets"),
                                    dl.GeoJSON(id="wall-heat", style=wall_js("heatStyle"), interactive=False),
                                ],
                            ),
                            html.Div(
                                [
                                    html.Div(_("Where the team spent time today"), className="fo-wall-caption-title"),
                                    html.Div(
                                        scale_legend(SCALES[HEAT], SCALES[HEAT].short_label()),
                                        className="fo-wall-heat-legend",
                                    ),
                                ],
                                className="fo-wall-caption",
                                id="wall-heat-caption",
                            ),
                        ],
                    ),
                ],
            ),
            html.Footer(
                className="fo-wall-dots",
                children=[html.Span(className="fo-wall-dot", id=f"wall-dot-{panel}") for panel in PANELS],
            ),
            dcc.Interval(id="wall-tick", interval=1000),
            dcc.Interval(id="wall-slow", interval=5000),
            dcc.Store(id="wall-feed"),
            dcc.Store(id="wall-area"),
            dcc.Store(id="wall-cursor"),
            dcc.Store(id="wall-alerts-seen"),
            dcc.Store(
                id="wall-config",
                data={
                    "updated": _("Updated"),
                    "stale": _("Connection lost — showing data from {time}"),
                    "timezone": rt.settings.timezone,
                    "locale": current_language(),
                    "panels": list(PANELS),
                    "shares": SHARES,
                    "titles": {
                        "map": _("Live map"),
                        "kpis": _("Today"),
                        "alerts": _("Alerts"),
                        "heatmap": _("Hours tracked per hexagon today"),  # the measure and its period
                    },
                },
            ),
        ],
    )
