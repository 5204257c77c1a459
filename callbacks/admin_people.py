"""People page callbacks (issue 18): thin. Every change goes through dashboard/work/people (add, change with the
version read when the panel opened, deactivate, reactivate), trackers through work/phone's setups, working hours
through data/working_hours as the teams page writes them; every read takes the viewer's scope."""

from __future__ import annotations

import dash_leaflet as dl
from dash import Dash, Input, Output, Patch, State, ctx, html, no_update
from flask import g

from callbacks.admin_teams import DAYS, show_hours, slots_from
from dashboard.core.errors import AppError
from dashboard.core.i18n import _
from dashboard.core.inputs import counter, mapping, text, whole_number, whole_number_in_text
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_frame
from dashboard.web.components import result, side_panel_class, side_panel_focus, tracker_settings
from dashboard.web.maps import HELSINKI
from dashboard.work import people
from dashboard.work.phone import owntracks_setup, qr_svg, traccar_setup
from data import devices, employees, teams, users, working_hours
from data import tasks as task_rows
from data.employees import PERSON_FIELDS as ERROR_FIELDS  # a refusal names one; its message shows beside it

HISTORY_SHOWN = 30
DETAIL_CHARS = 60  # a changed value longer than this is named, not quoted


def _actor() -> people.Actor:
    return people.Actor.of(g.viewer)


def _state_label(person: dict) -> str:
    return _("Active") if person["active"] else _("Deactivated")


def rows(_refresh: object, show_inactive: object) -> list[dict]:
    """The grid: everyone in the viewer's scope, active first; deactivated people only when asked for."""
    inactive = isinstance(show_inactive, list) and "on" in show_inactive
    return [
        {
            "id": p["id"],
            "code": p["code"],
            "name": p["display_name"],
            "team": p["team_name"] or "",
            "phone": p["phone"] or "",
            "email": p["email"] or "",
            "supervisor": p["supervisor_username"] or "",
            "skills": ", ".join(p["skills"] or []),
            "account": p["username"] or "",
            "devices": p["devices"],
            "state": _state_label(p),
            "active": p["active"],
        }
        for p in employees.people(runtime().db, g.viewer.scope, include_inactive=inactive)
    ]


def search(words: object) -> Patch:
    """The quick search over every column, in the browser (AG Grid's quick filter)."""
    options = Patch()
    options["quickFilterText"] = text(words, 200)
    return options


def form_options(_id: object) -> tuple:
    """The panel's choices: the viewer's teams, the accounts that may supervise, and the map's streets."""
    rt = runtime()
    team_list = [{"label": t["name"], "value": t["id"]} for t in teams.managed_teams(rt.db, g.viewer.scope)]
    supervisors = [
        {"label": f"{a['username']} ({_('Manager') if a['role'] == 'manager' else _('Supervisor')})", "value": a["id"]}
        for a in users.planner_accounts(rt.db)
    ]
    return team_list, supervisors, rt.livemap.streets_geojson()


def open_panel(cell: object, _new: object, _close: object) -> tuple:
    """A row opens its person; New person an empty panel; Close closes it."""
    if ctx.triggered_id == "people-new":
        return None, "new", "", ""
    if ctx.triggered_id == "people-close":
        return None, None, "", ""
    employee_id = whole_number_in_text(mapping(cell).get("rowId"))
    if employee_id is None:
        return no_update, no_update, no_update, no_update
    return employee_id, "edit", "", ""


EMPTY_FORM = [None] * 10
CLEARED = [""] * len(ERROR_FIELDS)


def panel(mode: object, employee_id: object) -> tuple:
    """The panel's frame and the person as stored now (with the version the save will name), or an empty form."""
    rt = runtime()
    mode, employee_id = text(mode, 10), whole_number(employee_id)
    hours = [None] * 14

    def without_person(title: str, is_open: bool) -> list:
        """The frame when no stored person is shown: no version, Deactivate, Reactivate or trackers."""
        return [side_panel_class(is_open), title, None, "", True, True, True, ""]

    if mode == "new":
        return (*without_person(_("New person"), True), *EMPTY_FORM, HELSINKI, *hours, *CLEARED)
    if mode != "edit" or employee_id is None:
        return (*without_person("", False), *[no_update] * 10, no_update, *[no_update] * 14, *CLEARED)
    try:
        person = people.person_in_scope(rt, _actor(), employee_id)
    except AppError as exc:
        return (*without_person(exc.message, True), *EMPTY_FORM, HELSINKI, *hours, *CLEARED)
    values = [
        person["code"],
        person["name"],
        person["team_id"],
        person["supervisor_user_id"],
        person["phone"],
        person["email"],
        ", ".join(person["skills"] or []),
        person["external_id"],
        person["home_lat"],
        person["home_lon"],
    ]
    home = (person["home_lat"], person["home_lon"])
    centre = map_frame(rt).out(*home) if None not in home else HELSINKI
    if person["active"]:
        state = _("Active since {at}.", at=rt.local(person["created_at"]))
    else:
        state = _(
            "Deactivated on {at}: their devices are refused and they cannot sign in.",
            at=rt.local(person["deactivated_at"]),
        )
    title = _("Person: {name}", name=person["display_name"])
    frame = [
        side_panel_class(True),
        title,
        person["version"],
        state,
        not person["active"],
        person["active"],
        False,
        _deactivation_warning(person),
    ]
    return (*frame, *values, centre, *show_hours(f"employee:{employee_id}"), *CLEARED)


def _deactivation_warning(person: dict) -> str:
    """What Deactivate will do, with this person's own numbers, for the confirmation."""
    open_tasks = len(task_rows.task_ids_of(runtime().db, person["id"], people.FREED_STATES))
    return _(
        "Deactivate {name}? At once: their {devices} trackers are refused, their sign-in account is signed out and "
        "disabled, and their {tasks} open tasks go back to new for the planners. Their history stays.",
        name=person["display_name"],
        devices=person["devices"],
        tasks=open_tasks,
    )


def home_marker(lat: object, lon: object) -> list:
    """The home base on the panel's map, where the inputs (stored WGS-84) put it, drawn in the map's system."""
    try:
        point = (float(lat), float(lon))
    except (TypeError, ValueError):
        return []
    if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
        return []
    return [
        dl.CircleMarker(
            center=map_frame(runtime()).out(*point),
            radius=8,
            color="#0b5394",
            fillOpacity=0.8,
            children=dl.Tooltip(_("Home base")),
        )
    ]


def map_click(click: object) -> tuple:
    """A click on the map sets the home base: the point clicked in the map's system, stored in WGS-84."""
    point = mapping(mapping(click).get("latlng"))
    lat, lon = point.get("lat"), point.get("lng")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
        return no_update, no_update
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return no_update, no_update
    lat, lon = map_frame(runtime()).back(lat, lon)
    return round(lat, 6), round(lon, 6)


def _form_values(code, name, team, supervisor, phone, email, skills, external_id, lat, lon) -> dict:
    """The person as the form has it, for people.check_person (which checks every value's type and bounds)."""
    return {
        "code": code,
        "name": name,
        "team_id": team,
        "supervisor_user_id": supervisor,
        "phone": phone,
        "email": email,
        "skills": skills if isinstance(skills, str) else None,
        "external_id": external_id,
        "home_lat": lat,
        "home_lon": lon,
    }


def _errors(exc: AppError) -> tuple[list, object]:
    """The message beside the field it names, and the reason in the panel's result too."""
    name = str(exc.extra.get("field") or "")
    errors = [exc.message if f == name else "" for f in ERROR_FIELDS]
    if name in ERROR_FIELDS:
        return errors, result(_("Not saved: {reason}", reason=exc.message), ok=False)
    return errors, result(exc.message, ok=False)


def save(
    _clicks: object, employee_id: object, mode: object, version: object, refresh: object, *fields: object
) -> tuple:
    """Add the new person, or save the shown one only if nobody changed them since the panel read them."""
    values = _form_values(*fields)
    editing = text(mode, 10) == "edit"
    employee_id = whole_number(employee_id)
    try:
        if editing and employee_id is None:
            raise AppError(400, "invalid", _("Choose a person first."))
        if editing:
            saved = people.change_person(runtime(), _actor(), employee_id, values, version=text(version, 40) or None)
            message = _("Saved.")
        else:
            saved = people.add_person(runtime(), _actor(), values)
            message = _("{name} added. Add their tracker below.", name=saved["display_name"])
    except AppError as exc:
        errors, message = _errors(exc)
        return (message, *errors, no_update, no_update, no_update)
    return (result(message, ok=True), *CLEARED, counter(refresh) + 1, saved["id"], "edit")


def deactivate(confirmed: object, employee_id: object, refresh: object) -> tuple:
    employee_id = whole_number(employee_id)
    if not confirmed or employee_id is None:
        return no_update, no_update, no_update
    try:
        done = people.deactivate_person(runtime(), _actor(), employee_id)
    except AppError as exc:
        return result(exc.message, ok=False), no_update, no_update
    message = _(
        "{name} deactivated: {tasks} open tasks freed, {accounts} accounts signed out; their trackers are refused.",
        name=done.person["display_name"],
        tasks=len(done.freed_task_ids),
        accounts=done.accounts_signed_out,
    )
    return (
        html.Div(message, className="alert alert-success py-2 my-2", role="status", id="people-deactivated"),
        counter(refresh) + 1,
        employee_id,
    )


def reactivate(_clicks: object, employee_id: object, refresh: object) -> tuple:
    employee_id = whole_number(employee_id)
    if employee_id is None:
        return no_update, no_update, no_update
    try:
        person = people.reactivate_person(runtime(), _actor(), employee_id)
    except AppError as exc:
        return result(exc.message, ok=False), no_update, no_update
    message = _(
        "{name} is active again: their trackers report and their account may sign in.", name=person["display_name"]
    )
    return result(message, ok=True), counter(refresh) + 1, employee_id


def save_hours(_clicks: object, employee_id: object, *values: object) -> object:
    """The person's own weekly hours (none: their team's), as the teams page saves them."""
    rt = runtime()
    try:
        person = people.person_in_scope(rt, _actor(), whole_number(employee_id) or -1)
        slots = slots_from([text(v, 8) for v in values[:7]], [text(v, 8) for v in values[7:]])
    except AppError as exc:
        return result(exc.message, ok=False)
    working_hours.replace_slots(rt.db, slots, employee_id=person["id"])
    if not slots:
        return result(_("No hours of their own: their team's apply."), ok=True)
    return result(_("Working hours saved."), ok=True)


def device_list(employee_id: object, _refresh: object) -> object:
    """The person's trackers: protocol, identifier, since when, last heard from."""
    rt = runtime()
    employee_id = whole_number(employee_id)
    if employee_id is None or employees.person(rt.db, g.viewer.scope, employee_id) is None:
        return ""
    found = devices.devices_of(rt.db, employee_id)
    if not found:
        return html.P(_("No tracker yet."), className="small text-muted", id="people-devices-none")
    items = [
        html.Li(
            [
                html.Code(d["identifier"]),
                f" · {d['protocol']} · ",
                _("added {at}", at=rt.local(d["created_at"])),
                " · ",
                _("last heard {at}", at=rt.local(d["last_seen"])) if d["last_seen"] else _("not heard from yet"),
            ]
        )
        for d in found
    ]
    return html.Ul(items, className="small mb-2", id="people-devices-list")


def add_tracker(_clicks: object, employee_id: object, kind: object, refresh: object, devices_refresh: object) -> tuple:
    """Register a tracker for the person and show its settings and QR code once (work/phone's setups)."""
    rt = runtime()
    try:
        person = people.person_in_scope(rt, _actor(), whole_number(employee_id) or -1)
    except AppError as exc:
        return result(exc.message, ok=False), no_update, no_update
    if not person["active"]:
        return result(_("Reactivate this person before adding a tracker."), ok=False), no_update, no_update
    kind = text(kind, 16)
    if kind == "osmand":
        shown = tracker_settings("osmand", traccar_setup(rt, person["code"]), "people-tracker")
    elif kind == "owntracks":
        shown = tracker_settings("owntracks", owntracks_setup(rt, person["code"]), "people-tracker")
    elif kind == "phone":
        return _phone_page(person), no_update, no_update
    else:
        return result(_("Choose a tracker app."), ok=False), no_update, no_update
    return shown, counter(refresh) + 1, counter(devices_refresh) + 1


def _phone_page(person: dict) -> html.Div:
    """The FieldOps phone page needs no device of its own: the person signs in there with their account."""
    address = f"{runtime().settings.public_url}/m"
    if not person["username"]:
        return result(
            _("The phone page needs a sign-in account for this person: make one on the Users page."), ok=False
        )
    return html.Div(
        [
            html.P(
                _(
                    "Open {address} on their phone and sign in as {user}; it shares their position while open.",
                    address=address,
                    user=person["username"],
                )
            ),
            html.Img(
                src=qr_svg(address),
                alt=_("QR code of the phone page's address"),
                className="fo-qr",
                id="people-tracker-qr",
            ),
        ]
    )


ACTIONS = {
    "created": lambda: _("Added"),
    "updated": lambda: _("Changed"),
    "moved": lambda: _("Moved to another team"),
    "deactivated": lambda: _("Deactivated"),
    "reactivated": lambda: _("Reactivated"),
    "merged": lambda: _("Moved by a team merge"),
}


def field_labels() -> dict[str, str]:
    return {
        "code": _("Code"),
        "name": _("Name"),
        "team_id": _("Team"),
        "phone": _("Phone"),
        "email": _("E-mail"),
        "external_id": _("External id (ERP)"),
        "supervisor_user_id": _("Supervisor"),
        "skills": _("Skills"),
        "home_lat": _("Latitude"),
        "home_lon": _("Longitude"),
    }


def history(employee_id: object, _refresh: object) -> object:
    """What changed about the person, newest first, by whom; a change's fields in words (teams and supervisors by
    name)."""
    rt = runtime()
    employee_id = whole_number(employee_id)
    if employee_id is None or employees.person(rt.db, g.viewer.scope, employee_id) is None:
        return ""
    changes = employees.changes_of(rt.db, employee_id, HISTORY_SHOWN)
    if not changes:
        return html.P(_("No changes recorded."), className="small text-muted")
    names = {
        "team_id": {t["id"]: t["name"] for t in teams.managed_teams(rt.db, g.viewer.scope)},
        "supervisor_user_id": {a["id"]: a["username"] for a in users.planner_accounts(rt.db)},
    }
    items = [
        html.Li(
            [
                html.Span(rt.local(c["at"]), className="text-muted"),
                " · ",
                html.B(ACTIONS[c["action"]]() if c["action"] in ACTIONS else c["action"]),
                " · ",
                c["username"] or "",
                html.Div(_detail(c, names), className="small") if c["action"] in ("updated", "moved") else None,
            ]
        )
        for c in changes
    ]
    return html.Ul(items, className="small fo-history", id="people-history-list")


def _detail(change: dict, names: dict[str, dict]) -> str:
    """An update's fields: "Phone: +358 40 1 → +358 40 2"; a long value is named, not quoted."""
    labels = field_labels()
    parts = []
    for key, pair in sorted(mapping(change["detail"]).items()):
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        if key in names:
            before, after = (names[key].get(v, v) for v in (before, after))
        shown = f"{_value(before)} → {_value(after)}"
        label = labels.get(key, key)
        parts.append(f"{label}: {shown}" if len(shown) <= DETAIL_CHARS else label)
    return "; ".join(parts)


def _value(value: object) -> str:
    if value is None or value == "" or value == []:
        return "—"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


FORM_IDS = ("code", "name", "team", "supervisor", "phone", "email", "skills", "external-id", "home-lat", "home-lon")
ERROR_OUTPUTS = [Output(f"people-error-{name}", "children") for name in ERROR_FIELDS]
HOURS_IDS = [f"people-start-{day}" for day in DAYS] + [f"people-end-{day}" for day in DAYS]


def register(app: Dash) -> None:
    app.callback(
        Output("people-grid", "rowData"), Input("people-refresh", "data"), Input("people-show-inactive", "value")
    )(rows)
    app.callback(Output("people-grid", "dashGridOptions"), Input("people-search", "value"), prevent_initial_call=True)(
        search
    )
    app.callback(
        Output("people-team", "options"),
        Output("people-supervisor", "options"),
        Output("people-home-streets", "data"),
        Input("people-team", "id"),
    )(form_options)
    app.callback(
        Output("people-selected", "data"),
        Output("people-mode", "data"),
        Output("people-result", "children"),
        Output("people-tracker-setup", "children"),
        Input("people-grid", "cellClicked"),
        Input("people-new", "n_clicks"),
        Input("people-close", "n_clicks"),
        prevent_initial_call=True,
    )(open_panel)
    app.callback(
        Output("people-panel", "className"),
        Output("people-panel-title", "children"),
        Output("people-version", "data"),
        Output("people-state", "children"),
        Output("people-deactivate-field", "hidden"),
        Output("people-reactivate", "hidden"),
        Output("people-existing", "hidden"),
        Output("people-deactivate", "message"),
        *[Output(f"people-{name}", "value") for name in FORM_IDS],
        Output("people-home-map", "center"),
        *[Output(i, "value") for i in HOURS_IDS],
        *ERROR_OUTPUTS,
        Input("people-mode", "data"),
        Input("people-selected", "data"),
        prevent_initial_call=True,
    )(panel)
    side_panel_focus(app, "people-panel")
    app.callback(
        Output("people-home-marker", "children"), Input("people-home-lat", "value"), Input("people-home-lon", "value")
    )(home_marker)
    app.callback(
        Output("people-home-lat", "value", allow_duplicate=True),
        Output("people-home-lon", "value", allow_duplicate=True),
        Input("people-home-map", "clickData"),
        prevent_initial_call=True,
    )(map_click)
    app.callback(
        Output("people-result", "children", allow_duplicate=True),
        *[Output(f"people-error-{name}", "children", allow_duplicate=True) for name in ERROR_FIELDS],
        Output("people-refresh", "data"),
        Output("people-selected", "data", allow_duplicate=True),
        Output("people-mode", "data", allow_duplicate=True),
        Input("people-save", "n_clicks"),
        State("people-selected", "data"),
        State("people-mode", "data"),
        State("people-version", "data"),
        State("people-refresh", "data"),
        *[State(f"people-{name}", "value") for name in FORM_IDS],
        prevent_initial_call=True,
    )(save)
    app.callback(
        Output("people-result", "children", allow_duplicate=True),
        Output("people-refresh", "data", allow_duplicate=True),
        Output("people-selected", "data", allow_duplicate=True),
        Input("people-deactivate", "submit_n_clicks"),
        State("people-selected", "data"),
        State("people-refresh", "data"),
        prevent_initial_call=True,
    )(deactivate)
    app.callback(
        Output("people-result", "children", allow_duplicate=True),
        Output("people-refresh", "data", allow_duplicate=True),
        Output("people-selected", "data", allow_duplicate=True),
        Input("people-reactivate", "n_clicks"),
        State("people-selected", "data"),
        State("people-refresh", "data"),
        prevent_initial_call=True,
    )(reactivate)
    app.callback(
        Output("people-hours-result", "children"),
        Input("people-hours-save", "n_clicks"),
        State("people-selected", "data"),
        *[State(i, "value") for i in HOURS_IDS],
        prevent_initial_call=True,
    )(save_hours)
    app.callback(
        Output("people-devices", "children"), Input("people-selected", "data"), Input("people-devices-refresh", "data")
    )(device_list)
    app.callback(
        Output("people-tracker-setup", "children", allow_duplicate=True),
        Output("people-refresh", "data", allow_duplicate=True),
        Output("people-devices-refresh", "data"),
        Input("people-tracker-add", "n_clicks"),
        State("people-selected", "data"),
        State("people-tracker-kind", "value"),
        State("people-refresh", "data"),
        State("people-devices-refresh", "data"),
        prevent_initial_call=True,
    )(add_tracker)
    app.callback(
        Output("people-history", "children"), Input("people-selected", "data"), Input("people-refresh", "data")
    )(history)
