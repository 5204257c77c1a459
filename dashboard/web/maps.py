"""Map pieces every map page shares: the demo city's centre, the JS namespace, tiles, street lines, the colour
legend of a heatmap measure, and the links that open a point in a map app."""

from __future__ import annotations

import dash_leaflet as dl
from dash import html
from dash_extensions.javascript import Namespace

from dashboard.analytics.scales import MeasureScale
from dashboard.core.i18n import _
from dashboard.geo.tiles import Tiles

# Links out to a map app: AMap for the GCJ-02 presets (given the point as those maps draw it, which AMap names
# "gaode"), OpenStreetMap (WGS-84, the stored point) otherwise.
GCJ02_APPS = ("amap", "tencent")
AMAP_MARKER = "https://uri.amap.com/marker?position={lon:.6f},{lat:.6f}&coordinate=gaode&callnative=0"
AMAP_ROUTE = "https://uri.amap.com/navigation?to={lon:.6f},{lat:.6f}&mode=car&coordinate=gaode&callnative=1"
OSM_MARKER = "https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=17/{lat:.6f}/{lon:.6f}"
OSM_ROUTE = "https://www.openstreetmap.org/directions?engine=fossgis_osrm_car&route=%3B{lat:.6f}%2C{lon:.6f}"

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


def open_on_a_map(preset: str, stored: tuple[float, float], on_map: tuple[float, float]) -> str:
    """Where "Open on a map" leads for a point, `stored` (WGS-84) and `on_map` (map_frame(rt).out of it)."""
    if preset in GCJ02_APPS:
        return AMAP_MARKER.format(lat=on_map[0], lon=on_map[1])
    return OSM_MARKER.format(lat=stored[0], lon=stored[1])


def navigate_to(preset: str, stored: tuple[float, float], on_map: tuple[float, float]) -> str:
    """A route by car to a point in the map app of the organisation's preset (as open_on_a_map)."""
    if preset in GCJ02_APPS:
        return AMAP_ROUTE.format(lat=on_map[0], lon=on_map[1])
    return OSM_ROUTE.format(lat=stored[0], lon=stored[1])
