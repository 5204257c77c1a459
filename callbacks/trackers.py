"""Tracker app setup page: register a device for someone in the viewer's scope and show its settings once."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, no_update
from flask import g

from callbacks.mobile import share_link_for
from dashboard.core.i18n import _
from dashboard.core.inputs import whole_number
from dashboard.core.runtime import runtime
from dashboard.web.components import result, tracker_settings
from dashboard.work.phone import owntracks_setup, traccar_setup
from data import employees


def people(_id: object) -> tuple[list[dict], object]:
    roster = employees.roster(runtime().db, g.viewer.scope)
    options = [{"label": f"{p['name']} ({p['code']})", "value": p["id"]} for p in roster]
    own = g.viewer.employee_id
    return options, own if own in {p["id"] for p in roster} else (roster[0]["id"] if roster else None)


def setup(_traccar: int, _owntracks: int, employee_id: object) -> object:
    rt = runtime()
    person = employees.get_employee(rt.db, g.viewer.scope, whole_number(employee_id) or -1)
    if person is None:
        return result(_("Choose someone in your view."), ok=False) if ctx.triggered_id else no_update
    if ctx.triggered_id == "trackers-traccar":
        return tracker_settings("osmand", traccar_setup(rt, person["code"]), "trackers")
    return tracker_settings("owntracks", owntracks_setup(rt, person["code"]), "trackers")


def share_link(_create: int, _revoke: int, employee_id: object, minutes: object) -> object:
    person = employees.get_employee(runtime().db, g.viewer.scope, whole_number(employee_id) or -1)
    if person is None:
        return result(_("Choose someone in your view."), ok=False)
    return share_link_for(person["id"], ctx.triggered_id == "trackers-share-revoke", minutes)


def register(app: Dash) -> None:
    app.callback(
        Output("trackers-employee", "options"), Output("trackers-employee", "value"), Input("trackers-employee", "id")
    )(people)
    app.callback(
        Output("trackers-setup", "children"),
        Input("trackers-traccar", "n_clicks"),
        Input("trackers-owntracks", "n_clicks"),
        State("trackers-employee", "value"),
        prevent_initial_call=True,
    )(setup)
    app.callback(
        Output("trackers-share-result", "children"),
        Input("trackers-share-create", "n_clicks"),
        Input("trackers-share-revoke", "n_clicks"),
        State("trackers-employee", "value"),
        State("trackers-share-minutes", "value"),
        prevent_initial_call=True,
    )(share_link)
