"""Admin zones page: draw, name and save work areas; reshape or delete any zone. The map is given zones in its
system (map_frame), and what is drawn on it goes back through the same frame when it is stored (work/zoning)."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, no_update
from flask import g

from dashboard.core.i18n import _
from dashboard.core.inputs import counter, mapping, text, whole_number
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_frame
from dashboard.web.components import result
from dashboard.work.zoning import ZoneError, reshape, save_drawn
from data import teams, zones


def load(_refresh: int) -> tuple:
    rt = runtime()
    existing = rt.livemap.zones_geojson(g.viewer.scope, cached=False)  # in the map's system already
    kinds = {"work_area": _("work area"), "customer_site": _("customer site")}
    picks = [
        {"label": f"{f['properties']['name']} ({kinds[f['properties']['kind']]})", "value": f["properties"]["id"]}
        for f in existing["features"]
    ]
    team_options = [{"label": t["name"], "value": t["id"]} for t in teams.list_teams(rt.db, g.viewer.scope)]
    return existing, rt.livemap.streets_geojson(), picks, team_options


def _last_drawn(drawn: dict) -> dict:
    features = drawn.get("features")
    return mapping(features[-1]) if isinstance(features, list) and features else {}


def act(
    _create: int,
    _load: int,
    _reshape: int,
    _delete: int,
    drawn: dict | None,
    name: str | None,
    team_id: int | None,
    zone_id: int | None,
    refresh: int,
) -> tuple:
    rt = runtime()
    db, frame = rt.db, map_frame(rt)
    drawn, team_id, zone_id, refresh = mapping(drawn), whole_number(team_id), whole_number(zone_id), counter(refresh)
    action = ctx.triggered_id
    try:
        if action == "zones-create":
            save_drawn(db, _last_drawn(drawn), name=text(name, 200), team_id=team_id, frame=frame)
            return result(_("Zone {name} saved.", name=name), ok=True), refresh + 1, {"features": []}
        if zone_id is None:
            raise ZoneError(_("Choose a zone first."))
        if action == "zones-load":
            feature = frame.out_geojson(_feature_of(zones.get_zone(db, zone_id)))
            return result(_("Edit the shape on the map, then save it."), ok=True), no_update, {"features": [feature]}
        if action == "zones-reshape":
            reshape(db, zone_id, _last_drawn(drawn), frame)
            return result(_("Shape saved."), ok=True), refresh + 1, {"features": []}
        zones.delete_zone(db, zone_id)
        return result(_("Zone deleted."), ok=True), refresh + 1, {"features": []}
    except ZoneError as exc:
        return result(str(exc), ok=False), no_update, no_update


def _feature_of(zone: dict | None) -> dict:
    if zone is None:
        raise ZoneError(_("That zone no longer exists."))
    if zone["geometry"]:
        return {"type": "Feature", "geometry": zone["geometry"], "properties": {}}
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [zone["center_lon"], zone["center_lat"]]},
        "properties": {"type": "circle", "_radius": zone["radius_m"]},
    }


def register(app: Dash) -> None:
    app.callback(
        Output("zones-existing", "data"),
        Output("zones-streets", "data"),
        Output("zones-pick", "options"),
        Output("zones-team", "options"),
        Input("zones-refresh", "data"),
    )(load)
    app.callback(
        Output("zones-result", "children"),
        Output("zones-refresh", "data"),
        Output("zones-draw", "geojson"),
        Input("zones-create", "n_clicks"),
        Input("zones-load", "n_clicks"),
        Input("zones-reshape", "n_clicks"),
        Input("zones-delete", "n_clicks"),
        State("zones-draw", "geojson"),
        State("zones-name", "value"),
        State("zones-team", "value"),
        State("zones-pick", "value"),
        State("zones-refresh", "data"),
        prevent_initial_call=True,
    )(act)
