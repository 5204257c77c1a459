"""Map pieces every map page shares: the demo city's centre, the JS namespace, tiles, street lines and the
colour legend of a heatmap measure."""

from __future__ import annotations

import dash_leaflet as dl
from dash import html
from dash_extensions.javascript import Namespace

from dashboard.analytics.scales import MeasureScale
from dashboard.core.config import Settings
from dashboard.core.i18n import _

HELSINKI = (60.1699, 24.9384)
js = Namespace("fieldops", "livemap")  # functions in assets/livemap.js
tasks_js = Namespace("fieldops", "tasks")  # functions in assets/tasks.js (issue 6)


def base_layers(settings: Settings, streets_id: str) -> list:
    """Configured tiles (if any) over our own street lines, which show wherever tiles cannot load."""
    layers: list = []
    if settings.tiles_enabled:
        layers.append(dl.TileLayer(url=settings.tile_url, attribution=settings.tile_attribution, maxZoom=19))
    layers.append(
        dl.Pane(
            name="fo-streets",
            style={"zIndex": 150},
            children=dl.GeoJSON(id=streets_id, interactive=False, style=js("streetStyle")),
        )
    )
    return layers


def scale_legend(scale: MeasureScale, title: str) -> list:
    """A measure's colour bands with its fixed ticks in its unit ("0 %  25 %  …", "… ≥ 4.0") under them."""
    ticks = scale.tick_texts()
    last = len(ticks) - 1
    return [
        html.Div(title, className="fo-legend-title"),
        html.Div(
            [html.Span(className="fo-legend-band", style={"background": color}) for color in scale.colors],
            className="fo-legend-bands",
            role="img",
            **{"aria-label": _("Colour scale from {low} to {high}", low=ticks[0], high=ticks[-1])},
        ),
        html.Div(
            [
                html.Span(text, className="fo-legend-tick", style={"left": f"{100 * n / last:.0f}%"})
                for n, text in enumerate(ticks)
            ],
            className="fo-legend-ticks",
        ),
    ]
