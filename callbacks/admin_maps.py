"""Admin maps page: the tile preset and its coordinate system, the regions offset, the filing numbers."""

from __future__ import annotations

from dash import Dash, Input, Output, State
from flask import g

from dashboard.core.i18n import _
from dashboard.core.inputs import counter, text
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import Tiles, map_tiles
from dashboard.web.components import result
from dashboard.web.maps import SYSTEM_NAMES
from dashboard.work.regional import MapChoice, SettingError, save_filing, save_map_choice

PRESET_NAMES = {
    "osm": "OpenStreetMap",
    "tianditu": "天地图 Tianditu",
    "amap": "高德 AMap",
    "tencent": "腾讯 Tencent",
}


def _current(tiles: Tiles) -> str:
    if tiles.preset == "none":
        return _("Maps now show no tiles: our street lines, drawn in WGS-84.")
    name = PRESET_NAMES.get(tiles.preset) or _("our own server's")
    return _("Maps now show {preset} tiles, drawn in {system}.", preset=name, system=SYSTEM_NAMES[tiles.system])


def load(_refresh: int) -> tuple:
    rt = runtime()
    org = rt.org_settings()
    return (
        org["maps.preset"],
        org["maps.tile_key"],
        org["maps.custom_url"],
        org["maps.custom_system"],
        list(org["maps.offset_regions"]),
        _current(map_tiles(rt)),
        org["filing.icp"],
        org["filing.public_security"],
    )


def save_maps(
    _clicks: int, preset: object, key: object, url: object, system: object, regions: object, refresh: int
) -> tuple:
    choice = MapChoice(
        preset=text(preset),
        tile_key=text(key),
        custom_url=text(url, 500),
        custom_system=text(system) or "wgs84",
        offset_regions=tuple(code for code in regions if isinstance(code, str)) if isinstance(regions, list) else (),
    )
    try:
        save_map_choice(runtime(), choice, g.viewer.user_id)
    except SettingError as exc:
        return result(str(exc), ok=False), refresh
    return result(_("Maps saved: every map shows them at its next load."), ok=True), counter(refresh) + 1


def save_numbers(_clicks: int, icp: object, public_security: object) -> object:
    try:
        save_filing(runtime(), text(icp), text(public_security), g.viewer.user_id)
    except SettingError as exc:
        return result(str(exc), ok=False)
    return result(_("Filing numbers saved."), ok=True)


def register(app: Dash) -> None:
    app.callback(
        Output("maps-preset", "value"),
        Output("maps-key", "value"),
        Output("maps-url", "value"),
        Output("maps-system", "value"),
        Output("maps-regions", "value"),
        Output("maps-current", "children"),
        Output("maps-icp", "value"),
        Output("maps-psb", "value"),
        Input("maps-refresh", "data"),
    )(load)
    app.callback(
        Output("maps-result", "children"),
        Output("maps-refresh", "data"),
        Input("maps-save", "n_clicks"),
        State("maps-preset", "value"),
        State("maps-key", "value"),
        State("maps-url", "value"),
        State("maps-system", "value"),
        State("maps-regions", "value"),
        State("maps-refresh", "data"),
        prevent_initial_call=True,
    )(save_maps)
    app.callback(
        Output("maps-filing-result", "children"),
        Input("maps-filing-save", "n_clicks"),
        State("maps-icp", "value"),
        State("maps-psb", "value"),
        prevent_initial_call=True,
    )(save_numbers)
