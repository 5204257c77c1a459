"""Admin devices page: list trackers, register one (its secret shown once), remove one."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, html, no_update
from flask import g

from dashboard.core.i18n import _
from dashboard.core.inputs import counter, text
from dashboard.core.runtime import runtime
from dashboard.ingest.trackers import DeviceError, register_device, remove_device
from dashboard.web.components import person_options, result
from dashboard.web.maps import SYSTEM_NAMES
from data import devices, employees


def load(_refresh: int) -> tuple:
    db = runtime().db
    rows = [
        {
            "protocol": d["protocol"],
            "identifier": d["identifier"],
            "employee": f"{d['employee_name']} ({d['employee_code']})",
            "secret": _("set") if d["has_secret"] else _("none (identifier only)"),
            "coords": SYSTEM_NAMES[d["coord_system"]],
        }
        for d in devices.list_devices(db)
    ]
    people = person_options(employees.roster(db, g.viewer.scope))
    picks = [{"label": f"{r['identifier']} · {r['employee']}", "value": r["identifier"]} for r in rows]
    return rows, people, picks


def act(
    _add: int,
    _remove: int,
    employee: str | None,
    protocol: str | None,
    identifier: str | None,
    coord_system: str | None,
    picked: str | None,
    refresh: int,
) -> tuple:
    rt = runtime()
    refresh = counter(refresh)
    if ctx.triggered_id == "devices-remove":
        if not text(picked, 128) or not remove_device(rt, text(picked, 128)):
            return result(_("Choose a device first."), ok=False), no_update
        return result(_("Device removed: its next fix is refused."), ok=True), refresh + 1
    try:
        person, ident, secret = register_device(
            rt.db, text(employee, 32), text(protocol, 16), text(identifier, 200), text(coord_system, 8) or "wgs84"
        )
    except DeviceError as exc:
        return result(str(exc), ok=False), no_update
    lines = [_("{device} now reports for {name}.", device=ident, name=person["name"])]
    if secret:
        lines.append(_("Its secret, shown only now: {secret}", secret=secret))
    message = html.Div(
        [html.Div(line) for line in lines], className="alert alert-success py-2 my-2", id="devices-secret"
    )
    return message, refresh + 1


def register(app: Dash) -> None:
    app.callback(
        Output("devices-grid", "rowData"),
        Output("devices-employee", "options"),
        Output("devices-pick", "options"),
        Input("devices-refresh", "data"),
    )(load)
    app.callback(
        Output("devices-result", "children"),
        Output("devices-refresh", "data"),
        Input("devices-add", "n_clicks"),
        Input("devices-remove", "n_clicks"),
        State("devices-employee", "value"),
        State("devices-protocol", "value"),
        State("devices-identifier", "value"),
        State("devices-coords", "value"),
        State("devices-pick", "value"),
        State("devices-refresh", "data"),
        prevent_initial_call=True,
    )(act)
