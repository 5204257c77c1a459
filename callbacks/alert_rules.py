"""Alert rules page callbacks: thin. The rules a viewer sees, saving, deleting and muting go through
dashboard/work/alert_rules (who may, then alerting.validate_rule); the preview is dashboard/work/alert_preview."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, html, no_update
from flask import g

from dashboard.core.errors import AppError
from dashboard.core.i18n import _
from dashboard.core.inputs import counter, mapping, text, whole_number, whole_number_in_text, whole_numbers
from dashboard.core.runtime import runtime
from dashboard.web.components import person_options, result, side_panel_class, side_panel_focus
from dashboard.work import alert_rules
from dashboard.work.alert_preview import DAYS, UNSUPPORTED, preview
from dashboard.work.alert_rules import ERROR_FIELDS, PARAM_KEYS
from dashboard.work.alerting import (
    KINDS,
    kind_label,
    may_manage,
    params_of,
    severity_label,
    unit_label,
    validate_rule,
    window_of,
)
from data import alerts, employees, teams, zones

PEOPLE_SHOWN = 3  # names in the grid's scope column before "and N more"
PREVIEW_NAMES = 12


def channel_label(channel: str) -> str:
    return {"inbox": _("Inbox"), "email": _("E-mail"), "webpush": _("Web Push"), "robot": _("Chat robots")}.get(
        channel, channel
    )


def param_label(kind: str, key: str) -> str:
    if key == "minutes":
        return {
            "silent": _("Silent for, minutes"),
            "idle": _("Idle for, minutes"),
            "task_overdue": _("Minutes after the window's end"),
        }.get(kind, _("Minutes"))
    return {
        "percent": _("Battery at or under, %"),
        "kmh": _("Faster than, km/h"),
        "seconds": _("For at least, seconds"),
        "stars": _("Stars or fewer"),
        "score": _("Trust score at or under"),
        "days": _("Days overdue, at least"),
    }.get(key, key)


def _number(value: float) -> str:
    return f"{value:g}"


def condition(rule: dict, zone_names: dict[int, str]) -> str:
    """A rule's parameters in words: "silent for 5 min"."""
    kind = rule["kind"]
    p = {k: _number(v) for k, v in params_of(rule).items()}
    if kind in ("zone_exit", "zone_enter"):
        named = _names(rule["zone_ids"], zone_names, _("any zone"))
        words = _("leaves {zones}", zones=named) if kind == "zone_exit" else _("enters {zones}", zones=named)
        window = window_of(rule)
        if window is not None:
            words += " " + _(
                "between {start} and {end}", start=window[0].strftime("%H:%M"), end=window[1].strftime("%H:%M")
            )
        return words
    phrases = {
        "silent": lambda: _("silent for {minutes} min", minutes=p["minutes"]),
        "idle": lambda: _("idle for {minutes} min", minutes=p["minutes"]),
        "task_not_arrived": lambda: _("not arrived by the window's end"),
        "task_at_risk": lambda: _("arrival expected after the window"),
        "task_overdue": lambda: _("not done {minutes} min after the window's end", minutes=p["minutes"]),
        "low_battery": lambda: _("battery at {percent} % or less", percent=p["percent"]),
        "speeding": lambda: _("over {kmh} km/h for {seconds} s", kmh=p["kmh"], seconds=p["seconds"]),
        "low_survey": lambda: _("{stars} stars or fewer", stars=p["stars"]),
        "help": lambda: _("the phone's help button"),
        "tasks_freed": lambda: _("a person's open tasks freed by their deactivation"),
        "low_trust_check_in": lambda: _("a check-in scored {score} or less for trust", score=p["score"]),
        "customer_overdue": lambda: _("a customer not visited {days} days past its visit frequency", days=p["days"]),
    }
    return phrases[kind]() if kind in phrases else ""


def _names(ids: list[int] | None, names: dict[int, str], every: str) -> str:
    """Names of the ids the viewer may see; others counted, not named."""
    if ids is None:
        return every
    known = [names[i] for i in ids if i in names]
    others = len(ids) - len(known)
    shown = ", ".join(known[:PEOPLE_SHOWN])
    more = len(known) - PEOPLE_SHOWN + others
    if more > 0:
        shown = (shown + " " if shown else "") + _("and {count} more", count=more)
    return shown


def scope_words(rule: dict, lookups: dict) -> str:
    parts = [_names(rule["team_ids"], lookups["teams"], _("every team"))]
    if rule["employee_ids"] is not None:
        parts.append(_names(rule["employee_ids"], lookups["people"], ""))
    return " · ".join(p for p in parts if p)


def _lookups() -> dict:
    rt = runtime()
    scope = g.viewer.scope
    return {
        "teams": {t["id"]: t["name"] for t in teams.list_teams(rt.db, scope)},
        "people": {p["id"]: p["plain_name"] for p in employees.roster(rt.db, scope)},
        "zones": {z["id"]: z["name"] for z in zones.list_zones(rt.db, scope)},
    }


def rule_rows(_refresh: object) -> list[dict]:
    """The grid: every rule the viewer may see, in words."""
    lookups = _lookups()
    muted = alerts.mutes(runtime().db, g.viewer.user_id) if g.viewer.user_id is not None else set()
    rows = []
    for rule in alert_rules.visible_rules(runtime(), g.viewer):
        name = rule["name"] + (" " + _("(muted for you)") if rule["id"] in muted else "")
        rows.append(
            {
                "id": rule["id"],
                "kind": kind_label(rule["kind"]),
                "name": name,
                "severity": severity_label(rule["severity"]),
                "scope": scope_words(rule, lookups),
                "condition": condition(rule, lookups["zones"]),
                "calendar": _("Working hours") if rule["working_hours_only"] else _("Always"),
                "cooldown": _("{minutes} min", minutes=rule["cooldown_min"]),
                "channels": ", ".join(channel_label(c) for c in rule["channels"]),
                "enabled": _("Yes") if rule["enabled"] else _("No"),
            }
        )
    return rows


def form_options(_id: object) -> tuple:
    """The panel's choices, each within the viewer's scope: kinds, teams (a supervisor's own), people, zones,
    users to name as recipients, chat robots."""
    rt = runtime()
    scope = g.viewer.scope
    kinds = [{"label": kind_label(k.key), "value": k.key, "disabled": not k.user_made} for k in KINDS.values()]
    team_list = [{"label": t["name"], "value": t["id"]} for t in teams.list_teams(rt.db, scope)]
    people = person_options(employees.roster(rt.db, scope), value="id")
    zone_list = [{"label": z["name"], "value": z["id"]} for z in zones.list_zones(rt.db, scope)]
    users = [
        {"label": f"{u['username']} ({_('Manager') if u['role'] == 'manager' else _('Supervisor')})", "value": u["id"]}
        for u in alerts.recipient_users(rt.db, scope.team_filter())
    ]
    robots = [{"label": f"{r['name']} ({r['kind']})", "value": r["id"]} for r in alerts.robots(rt.db) if r["active"]]
    return kinds, team_list, people, zone_list, users, robots


def open_panel(cell: object, _new: object, _close: object) -> tuple:
    """A row opens its rule; New rule an empty one; Close closes the panel."""
    triggered = ctx.triggered_id
    if triggered == "alert-rule-new":
        return None, "new", ""
    if triggered == "alert-rule-close":
        return None, None, ""
    rule_id = whole_number_in_text(mapping(cell).get("rowId"))
    if rule_id is None:
        return no_update, no_update, no_update
    return rule_id, "edit", ""


def _defaults(kind: str) -> list:
    found = KINDS.get(kind, KINDS["silent"])
    values = {p.key: p.default for p in found.params}
    return [_whole(values[key]) if key in values else None for key in PARAM_KEYS]


def _whole(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def panel(mode: object, rule_id: object) -> tuple:
    """The panel's frame, title and fields: an empty new rule (a supervisor's own teams), or the chosen rule as
    stored; Save and Delete only where the viewer may change it (Delete never for the built-in help rule)."""
    rt = runtime()
    viewer = g.viewer
    mode, rule_id = text(mode, 10), whole_number(rule_id)
    cleared = [""] * len(ERROR_FIELDS)
    if mode == "new":
        own = sorted(viewer.scope.team_ids) if viewer.scope.team_ids is not None else []
        values = [
            "silent",
            False,
            "",
            KINDS["silent"].severity,
            *_defaults("silent"),
            own,
            [],
            [],
            "",
            "",
            ["on"],
            ["on"],
            30,
            ["supervisors"],
            [],
            ["inbox"],
            [],
        ]
        frame = [side_panel_class(True), _("New rule"), "", False, True, [], True]
        return (*frame, *values, *cleared)
    closed = [side_panel_class(False), "", "", True, True, [], True]
    if mode != "edit" or rule_id is None:
        return (*closed, *[no_update] * FORM_VALUES, *cleared)
    try:
        rule = alert_rules.visible_rule(rt, viewer, rule_id)
    except AppError as exc:
        return (side_panel_class(True), exc.message, "", True, True, [], True, *[no_update] * FORM_VALUES, *cleared)
    editable = may_manage(viewer, rule)
    params = rule["params"] or {}
    relative = [r for r in rule["recipients"] if isinstance(r, str)]
    named = [r["user"] for r in rule["recipients"] if isinstance(r, dict) and "user" in r]
    values = [
        rule["kind"],
        True,
        rule["name"],
        rule["severity"],
        *[_whole(params[key]) if key in params else None for key in PARAM_KEYS],
        rule["team_ids"] or [],
        rule["employee_ids"] or [],
        rule["zone_ids"] or [],
        params.get("from", ""),
        params.get("to", ""),
        ["on"] if rule["working_hours_only"] else [],
        ["on"] if rule["enabled"] else [],
        rule["cooldown_min"],
        relative,
        named,
        list(rule["channels"]),
        list(rule["robot_ids"]),
    ]
    note = "" if editable else _("You can read this rule but not change it; you can mute it for yourself.")
    if rule["builtin"] and editable:
        note = _("The built-in help rule: only its recipients and channels change.")
    title = _("Rule: {name}", name=rule["name"])
    mute = ["on"] if alert_rules.muted(rt, viewer, rule_id) else []
    frame = [side_panel_class(True), title, note, not editable, not editable or rule["builtin"], mute, False]
    return (*frame, *values, *cleared)


def kind_fields(kind: object) -> tuple:
    """The chosen kind's parameters (label, unit and bounds), and zones and a daily window for zone kinds."""
    found = KINDS.get(text(kind, 40) or "", KINDS["silent"])
    by_key = {p.key: p for p in found.params}
    out: list = []
    for key in PARAM_KEYS:
        param = by_key.get(key)
        if param is None:
            out += [True, "", None, None, ""]
            continue
        hint = _("{low} to {high} {unit}", low=_number(param.low), high=_number(param.high), unit=unit_label(param))
        out += [False, param_label(found.key, key), param.low, param.high, hint]
    return (*out, not found.zones, not found.window)


def kind_defaults(kind: object, mode: object) -> tuple:
    """A new rule takes the chosen kind's default severity and parameters."""
    kind = text(kind, 40)
    if ctx.triggered_id != "alert-rule-kind" or text(mode, 10) != "new" or kind not in KINDS:
        return (no_update,) * (1 + len(PARAM_KEYS))
    return (KINDS[kind].severity, *_defaults(kind))


def _checked(value: object) -> bool:
    return isinstance(value, list) and "on" in value


def _ids(value: object) -> object:
    """A multi-choice as sent: an empty choice is none (None: every team, everyone); anything else is checked
    by validate_rule."""
    if value is None or value == []:
        return None
    return value


def form_values(
    kind, name, severity, params, team_ids, people, zone_ids, start, end, hours, enabled, cooldown, relative, users,
    channels, robots,
) -> dict:  # fmt: skip
    """The rule as the form has it, for alerting.validate_rule (which checks every value's type and bounds)."""
    kind_key = text(kind, 40)
    found = KINDS.get(kind_key or "")
    given = dict(zip(PARAM_KEYS, params, strict=True))
    rule_params: dict = {p.key: given[p.key] for p in found.params} if found else {}
    if found and found.window and (text(start, 8) or text(end, 8)):
        rule_params |= {"from": text(start, 8), "to": text(end, 8)}
    # Choices come as the browser sends them: strings and whole numbers only reach validate_rule, which checks the
    # rest (a NUL or a number beyond 64 bits could not be stored at all).
    named = whole_numbers(users)
    return {
        "kind": kind_key,
        "name": text(name, 1000),
        "severity": text(severity, 40),
        "params": rule_params,
        "team_ids": _ids(team_ids),
        "employee_ids": _ids(people),
        "zone_ids": _ids(zone_ids),
        "working_hours_only": _checked(hours),
        "enabled": _checked(enabled),
        "cooldown_min": cooldown,
        "recipients": _strings(relative) + [{"user": u} for u in named],
        "channels": _strings(channels),
        "robot_ids": _ids(robots),
    }


def _strings(value: object) -> list[str]:
    return [text(v, 40) for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _errors(exc: AppError) -> tuple[list, object]:
    """The message next to the field it names, or in the panel's result when it names none shown here."""
    name = str(exc.extra.get("field") or "").removeprefix("params.")
    if name in ERROR_FIELDS:
        return [exc.message if f == name else "" for f in ERROR_FIELDS], result(
            _("The rule was not saved: {reason}", reason=exc.message), ok=False
        )
    return [""] * len(ERROR_FIELDS), result(exc.message, ok=False)


def save(_clicks: object, rule_id: object, mode: object, refresh: object, *fields: object) -> tuple:
    """Create the new rule, or save the shown one; a refusal names its field."""
    values = form_values(*fields[:3], fields[3 : 3 + len(PARAM_KEYS)], *fields[3 + len(PARAM_KEYS) :])
    editing = text(mode, 10) == "edit"
    rule_id = whole_number(rule_id) if editing else None
    try:
        if editing and rule_id is None:
            raise AppError(400, "invalid_rule", _("Choose a rule first."))
        saved = alert_rules.save_rule(runtime(), g.viewer, values, rule_id)
    except AppError as exc:
        errors, message = _errors(exc)
        return (message, *errors, no_update, no_update, no_update)
    cleared = [""] * len(ERROR_FIELDS)
    return (result(_("Rule saved."), ok=True), *cleared, counter(refresh) + 1, saved, "edit")


def delete(confirmed: object, rule_id: object, refresh: object) -> tuple:
    rule_id = whole_number(rule_id)
    if not confirmed or rule_id is None:
        return no_update, no_update, no_update, no_update
    try:
        alert_rules.delete_rule(runtime(), g.viewer, rule_id)
    except AppError as exc:
        return result(exc.message, ok=False), no_update, no_update, no_update
    return result(_("Rule deleted."), ok=True), counter(refresh) + 1, None, None


def mute(value: object, rule_id: object, refresh: object) -> tuple:
    """Mute for me: this viewer gets no notifications of the rule (the inbox still lists its alerts)."""
    rule_id = whole_number(rule_id)
    if rule_id is None:
        return no_update, no_update
    wanted = _checked(value)
    try:
        changed = alert_rules.set_muted(runtime(), g.viewer, rule_id, wanted)
    except AppError as exc:
        return result(exc.message, ok=False), no_update
    if not changed:
        return no_update, no_update
    message = _("Muted for you: you get no notifications of this rule.") if wanted else _("Notifications back on.")
    return result(message, ok=True), counter(refresh) + 1


def rule_preview(mode, kind, *fields) -> object:  # fmt: skip
    """How often the rule, as filled in now, would have fired yesterday and over the last days, and for whom.
    `fields`: the parameters, then teams, people, zones, window from and to, working hours, cooldown."""
    if text(mode, 10) not in ("new", "edit"):
        return ""
    params, (team_ids, people, zone_ids, start, end, hours, cooldown) = (
        fields[: len(PARAM_KEYS)],
        fields[len(PARAM_KEYS) :],
    )
    if kind in UNSUPPORTED:
        return html.P(
            _("This kind depends on the moment itself (a button, live travel times): it has no preview from history."),
            className="small text-muted",
            id="alert-rule-preview-none",
        )
    values = form_values(
        kind, "preview", "info", params, team_ids, people, zone_ids, start, end, hours, ["on"], cooldown, [], [], [], []
    )
    try:
        rule = validate_rule(values, g.viewer)
    except AppError as exc:
        return html.P(
            _("Complete the rule to see a preview: {reason}", reason=exc.message), className="small text-muted"
        )
    found = preview(runtime(), g.viewer, rule)
    return html.Div(
        [
            html.P(
                [
                    _("This rule would have fired {count} times yesterday", count=found.yesterday_count),
                    f" ({found.yesterday.isoformat()}).",
                ],
                id="alert-rule-preview-yesterday",
                **{"data-count": str(found.yesterday_count)},
            ),
            _people(_("Yesterday"), found.people_yesterday(), "alert-rule-preview-people"),
            html.P(
                _("{count} times in the last {days} days.", count=found.week_count, days=DAYS),
                id="alert-rule-preview-week",
                **{"data-count": str(found.week_count)},
            ),
            _people(_("Last {days} days", days=DAYS), found.people_week(), "alert-rule-preview-week-people"),
        ]
    )


def _people(label: str, counts: list[tuple[str, int]], element_id: str) -> html.Div:
    if not counts:
        return html.Div(id=element_id)
    shown = ", ".join(f"{name} ({count})" for name, count in counts[:PREVIEW_NAMES])
    more = len(counts) - PREVIEW_NAMES
    if more > 0:
        shown += " " + _("and {count} more", count=more)
    return html.Div([html.B(label + ": "), shown], id=element_id, className="small")


FORM_STATES = [
    State("alert-rule-kind", "value"),
    State("alert-rule-name", "value"),
    State("alert-rule-severity", "value"),
    *[State(f"alert-rule-param-{key}", "value") for key in PARAM_KEYS],
    State("alert-rule-teams", "value"),
    State("alert-rule-people", "value"),
    State("alert-rule-zones", "value"),
    State("alert-rule-from", "value"),
    State("alert-rule-to", "value"),
    State("alert-rule-hours", "value"),
    State("alert-rule-enabled", "value"),
    State("alert-rule-cooldown", "value"),
    State("alert-rule-recipients", "value"),
    State("alert-rule-users", "value"),
    State("alert-rule-channels", "value"),
    State("alert-rule-robots", "value"),
]
# What the panel fills in, in form_values' order (name to robots, after kind and its being fixed).
FORM_OUTPUTS = [
    Output("alert-rule-kind", "value"),
    Output("alert-rule-kind", "disabled"),
    *[Output(s.component_id, "value") for s in FORM_STATES[1:]],
]
FORM_VALUES = len(FORM_OUTPUTS)  # left as they are when the panel closes or cannot open a rule
ERROR_OUTPUTS = [Output(f"alert-rule-error-{name}", "children") for name in ERROR_FIELDS]
SAVE_ERROR_OUTPUTS = [Output(f"alert-rule-error-{name}", "children", allow_duplicate=True) for name in ERROR_FIELDS]


def register(app: Dash) -> None:
    app.callback(Output("alert-rules-grid", "rowData"), Input("alert-rules-refresh", "data"))(rule_rows)
    app.callback(
        Output("alert-rule-kind", "options"),
        Output("alert-rule-teams", "options"),
        Output("alert-rule-people", "options"),
        Output("alert-rule-zones", "options"),
        Output("alert-rule-users", "options"),
        Output("alert-rule-robots", "options"),
        Input("alert-rule-kind", "id"),
    )(form_options)
    app.callback(
        Output("alert-rule-selected", "data"),
        Output("alert-rule-mode", "data"),
        Output("alert-rule-result", "children"),
        Input("alert-rules-grid", "cellClicked"),
        Input("alert-rule-new", "n_clicks"),
        Input("alert-rule-close", "n_clicks"),
        prevent_initial_call=True,
    )(open_panel)
    app.callback(
        Output("alert-rule-panel", "className"),
        Output("alert-rule-panel-title", "children"),
        Output("alert-rule-readonly", "children"),
        Output("alert-rule-save", "hidden"),
        Output("alert-rule-delete-field", "hidden"),
        Output("alert-rule-mute", "value"),
        Output("alert-rule-mute-field", "hidden"),
        *FORM_OUTPUTS,
        *ERROR_OUTPUTS,
        Input("alert-rule-mode", "data"),
        Input("alert-rule-selected", "data"),
        prevent_initial_call=True,
    )(panel)
    side_panel_focus(app, "alert-rule-panel")
    app.callback(
        *[
            Output(f"alert-rule-param-{key}{part}", prop)
            for key in PARAM_KEYS
            for part, prop in (
                ("-field", "hidden"),
                ("-label", "children"),
                ("", "min"),
                ("", "max"),
                ("-hint", "children"),
            )
        ],
        Output("alert-rule-zones-field", "hidden"),
        Output("alert-rule-window-field", "hidden"),
        Input("alert-rule-kind", "value"),
    )(kind_fields)
    app.callback(
        Output("alert-rule-severity", "value", allow_duplicate=True),
        *[Output(f"alert-rule-param-{key}", "value", allow_duplicate=True) for key in PARAM_KEYS],
        Input("alert-rule-kind", "value"),
        State("alert-rule-mode", "data"),
        prevent_initial_call=True,
    )(kind_defaults)
    app.callback(
        Output("alert-rule-result", "children", allow_duplicate=True),
        *SAVE_ERROR_OUTPUTS,
        Output("alert-rules-refresh", "data"),
        Output("alert-rule-selected", "data", allow_duplicate=True),
        Output("alert-rule-mode", "data", allow_duplicate=True),
        Input("alert-rule-save", "n_clicks"),
        State("alert-rule-selected", "data"),
        State("alert-rule-mode", "data"),
        State("alert-rules-refresh", "data"),
        *FORM_STATES,
        prevent_initial_call=True,
    )(save)
    app.callback(
        Output("alert-rule-result", "children", allow_duplicate=True),
        Output("alert-rules-refresh", "data", allow_duplicate=True),
        Output("alert-rule-selected", "data", allow_duplicate=True),
        Output("alert-rule-mode", "data", allow_duplicate=True),
        Input("alert-rule-delete", "submit_n_clicks"),
        State("alert-rule-selected", "data"),
        State("alert-rules-refresh", "data"),
        prevent_initial_call=True,
    )(delete)
    app.callback(
        Output("alert-rule-result", "children", allow_duplicate=True),
        Output("alert-rules-refresh", "data", allow_duplicate=True),
        Input("alert-rule-mute", "value"),
        State("alert-rule-selected", "data"),
        State("alert-rules-refresh", "data"),
        prevent_initial_call=True,
    )(mute)
    app.callback(
        Output("alert-rule-preview", "children"),
        Input("alert-rule-mode", "data"),
        Input("alert-rule-kind", "value"),
        *[Input(f"alert-rule-param-{key}", "value") for key in PARAM_KEYS],
        *[
            Input(f"alert-rule-{name}", "value")
            for name in ("teams", "people", "zones", "from", "to", "hours", "cooldown")
        ],
        prevent_initial_call=True,
    )(rule_preview)
