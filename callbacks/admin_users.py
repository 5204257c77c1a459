"""Admin users page: list, create, change role and teams, disable, reset a password, the e-mail for alerts."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, no_update
from flask import g

from dashboard.core.i18n import _
from dashboard.core.inputs import counter, text, whole_numbers
from dashboard.core.permissions import PEOPLE_ROLES
from dashboard.core.runtime import runtime
from dashboard.web.components import person_options, result
from dashboard.web.shell import role_label
from dashboard.work.accounts import AccountError, change_password, create_account, set_disabled, set_email
from data import employees, teams, users


def load(_refresh: int) -> tuple:
    db = runtime().db
    rows = [
        {
            "username": u["username"],
            "role": role_label(u["role"]),
            "teams": u["teams"],
            "employee": u["employee_name"] or "",
            "state": _("disabled") if u["disabled"] else _("active"),
            "last_login": runtime().local(u["last_login_at"]),
        }
        for u in users.list_users(db)
    ]
    roles = [{"label": role_label(role), "value": role} for role in PEOPLE_ROLES]
    people = person_options(employees.roster(db, g.viewer.scope))
    team_options = [{"label": t["name"], "value": t["id"]} for t in teams.list_teams(db, g.viewer.scope)]
    accounts = [{"label": u["username"], "value": u["username"]} for u in users.list_users(db)]
    return rows, roles, people, team_options, roles, team_options, accounts


def create(
    _clicks: int,
    username: str | None,
    password: str | None,
    role: str,
    employee: str | None,
    team_ids: list[int] | None,
    refresh: int,
) -> tuple:
    username, refresh = text(username, 64), counter(refresh)
    try:
        create_account(
            runtime().db,
            username,
            text(password, 200),
            text(role),
            employee_code=text(employee) or None,
            team_ids=whole_numbers(team_ids),
        )
    except AccountError as exc:
        return result(str(exc), ok=False), no_update, no_update
    return result(_("Account {name} created.", name=username), ok=True), refresh + 1, ""


def change(
    _save: int,
    _disable: int,
    _enable: int,
    _reset: int,
    _save_email: int,
    username: str | None,
    role: str | None,
    team_ids: list[int] | None,
    password: str | None,
    refresh: int,
    email: str | None = None,
) -> tuple:
    db = runtime().db
    username, role, team_ids, refresh = text(username, 64), text(role), whole_numbers(team_ids), counter(refresh)
    if not username:
        return result(_("Choose an account first."), ok=False), no_update, no_update
    try:
        action = ctx.triggered_id
        if action == "users-save-email":
            set_email(db, username, text(email, 320))
            message = _("E-mail of {name} saved.", name=username)
        elif action == "users-reset":
            change_password(db, username, text(password))
            message = _("Password of {name} reset; their sessions are signed out.", name=username)
        elif action in ("users-disable", "users-enable"):
            if username == g.viewer.username:
                raise AccountError(_("You cannot disable your own account."))
            set_disabled(db, username, action == "users-disable")
            message = (
                _("{name} disabled.", name=username)
                if action == "users-disable"
                else _("{name} enabled.", name=username)
            )
        else:
            row = users.user_by_name(db, username)
            if role not in PEOPLE_ROLES or row is None:
                raise AccountError(_("Choose a role."))
            if role == "supervisor" and not team_ids:
                raise AccountError(_("A supervisor supervises at least one team."))
            users.set_role_and_teams(db, row["id"], role, team_ids or [])
            message = _("{name} is now {role}.", name=username, role=role_label(role))
    except AccountError as exc:
        return result(str(exc), ok=False), no_update, no_update
    return result(message, ok=True), refresh + 1, ""


def register(app: Dash) -> None:
    app.callback(
        Output("users-grid", "rowData"),
        Output("users-new-role", "options"),
        Output("users-new-employee", "options"),
        Output("users-new-teams", "options"),
        Output("users-role", "options"),
        Output("users-teams", "options"),
        Output("users-pick", "options"),
        Input("users-refresh", "data"),
    )(load)
    app.callback(
        Output("users-create-result", "children"),
        Output("users-refresh", "data", allow_duplicate=True),
        Output("users-new-password", "value"),
        Input("users-create", "n_clicks"),
        State("users-new-username", "value"),
        State("users-new-password", "value"),
        State("users-new-role", "value"),
        State("users-new-employee", "value"),
        State("users-new-teams", "value"),
        State("users-refresh", "data"),
        prevent_initial_call=True,
    )(create)
    app.callback(
        Output("users-change-result", "children"),
        Output("users-refresh", "data", allow_duplicate=True),
        Output("users-password", "value"),
        Input("users-save", "n_clicks"),
        Input("users-disable", "n_clicks"),
        Input("users-enable", "n_clicks"),
        Input("users-reset", "n_clicks"),
        Input("users-save-email", "n_clicks"),
        State("users-pick", "value"),
        State("users-role", "value"),
        State("users-teams", "value"),
        State("users-password", "value"),
        State("users-refresh", "data"),
        State("users-email", "value"),
        prevent_initial_call=True,
    )(change)
