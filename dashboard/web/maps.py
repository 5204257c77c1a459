"""Map pieces every map page shares: the demo city's centre, the JS namespace, tiles and street lines."""

from __future__ import annotations

import dash_leaflet as dl
from dash_extensions.javascript import Namespace

from dashboard.core.config import Settings

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
