"""Map pieces every map page shares: the demo city's centre, the JS namespace, tiles, street lines and the
colour legend of a heatmap measure."""

from __future__ import annotations

import dash_leaflet as dl
from dash import html
from dash_extensions.javascript import Namespace

from dashboard.analytics.scales import MeasureScale
from dashboard.core.i18n import _
from dashboard.geo.tiles import Tiles

HELSINKI = (60.1699, 24.9384)
js = Namespace("fieldops", "livemap")  # functions in assets/livemap.js
tasks_js = Namespace("fieldops", "tasks")  # functions in assets/tasks.js (issue 6)
SYSTEM_NAMES = {"wgs84": "WGS-84", "gcj02": "GCJ-02", "bd09": "BD-09"}


def system_options() -> list[dict]:
    """The coordinate systems a source or a tile server may speak, for a dropdown."""
    return [
        {"label": _("WGS-84 (GPS; most trackers)"), "value": "wgs84"},
        {"label": _("GCJ-02 (AMap, Tencent, phones in mainland China)"), "value": "gcj02"},
        {"label": _("BD-09 (Baidu)"), "value": "bd09"},
    ]


def tile_layers(tiles: Tiles) -> list:
    """The organisation's tiles, base then any annotation layer. Take `tiles` from
    dashboard.geo.tiles.map_tiles; whatever is drawn over them goes through map_frame."""
    return [
        dl.TileLayer(
            url=layer.url,
            subdomains=layer.subdomains,
            tms=layer.tms,
            attribution=tiles.attribution if n == 0 else None,
            maxZoom=19,
            className=f"fo-tiles fo-tiles-{tiles.preset}",
        )
        for n, layer in enumerate(tiles.layers)
    ]


def base_layers(tiles: Tiles, streets_id: str) -> list:
    """The tiles under our own street lines, which show wherever tiles cannot load (drawn in the tiles'
    system too: callbacks convert them through map_frame)."""
    layers = tile_layers(tiles)
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
