"""Where time is lost: H3 hexagons coloured by an efficiency measure, and a weekday x hour matrix. Layout only."""

from __future__ import annotations

import dash
import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard.analytics.efficiency import default_period, measure_labels
from dashboard.core.i18n import _
from dashboard.core.permissions import ANALYTICS_ROLES
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_tiles
from dashboard.web.charts import chart_config
from dashboard.web.components import analytics_filters
from dashboard.web.maps import HELSINKI, base_layers

dash.register_page(
    __name__,
    path="/analytics/heatmap",
    name="Heatmap",
    title="FieldOps · Heatmap",
    order=10,
    section="analytics",
    roles=ANALYTICS_ROLES,
    id_prefix="heatmap",
)

js = Namespace("fieldops", "analytics")  # functions in assets/analytics.js


def layout(**_query: str) -> html.Div:
    start, end = default_period(runtime().settings.tz)
    return html.Div(
        className="fo-analytics",
        children=[
            analytics_filters("heatmap", start, end, with_hours=True),
            html.Div(
                className="fo-toolbar",
                children=[
                    html.Label(_("Measure"), htmlFor="heatmap-measure", className="fo-label"),
                    dcc.Dropdown(
                        id="heatmap-measure",
                        options=[{"label": label, "value": key} for key, label in measure_labels().items()],
                        value="idle_share",
                        clearable=False,
                        className="fo-measure",
                    ),
                    html.Span(id="heatmap-summary", className="fo-updated"),
                ],
            ),
            html.Div(
                className="fo-map-row fo-heatmap-row",
                children=[
                    html.Div(
                        className="fo-map-box",
                        children=[
                            dl.Map(
                                id="heatmap-map",
                                center=HELSINKI,
                                zoom=13,
                                className="fo-map",
                                children=[
                                    *base_layers(map_tiles(runtime()), "heatmap-streets"),
                                    dl.GeoJSON(
                                        id="heatmap-cells", style=js("cellStyle"), onEachFeature=js("cellTooltip")
                                    ),
                                    dl.ScaleControl(position="bottomright", imperial=False),
                                ],
                            ),
                            html.Div(id="heatmap-legend", className="fo-legend"),
                        ],
                    ),
                    html.Aside(
                        id="heatmap-details",
                        className="fo-details",
                        **{"aria-label": _("Who and when")},
                        children=html.P(
                            _("Choose a hexagon on the map or in the table below to see who and when is behind it."),
                            className="text-muted",
                        ),
                    ),
                ],
            ),
            html.Section(
                [html.H2(_("Hexagons"), className="h6"), html.Div(id="heatmap-table")],
                className="fo-analytics-body",
                **{"aria-label": _("Hexagons")},
            ),
            dcc.Graph(id="heatmap-matrix", config=chart_config(), className="fo-matrix"),
        ],
    )
