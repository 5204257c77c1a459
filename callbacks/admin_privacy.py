"""Admin privacy page: off-hours policy, retention, executives' view, wall display tokens, check-in trust scores."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, html, no_update
from flask import g

from dashboard.core.i18n import _
from dashboard.core.inputs import counter, text, whole_number
from dashboard.core.runtime import runtime
from dashboard.live.wall import MAX_CYCLE_S, MIN_CYCLE_S, cycle_seconds
from dashboard.web.components import result
from dashboard.work.accounts import AccountError, new_wall_token
from dashboard.writer.retention import purge_old_positions
from data import org_settings, wall_tokens


def load(_refresh: int) -> tuple:
    rt = runtime()
    settings = rt.org_settings()
    walls = [
        {
            "id": t["id"],
            "name": t["name"],
            "state": _("revoked")
            if t["revoked_at"]
            else _("valid until {day}", day=rt.local(t["expires_at"], "%Y-%m-%d")),
            "last_used": rt.local(t["last_used_at"]),
        }
        for t in wall_tokens.list_tokens(rt.db)
    ]
    picks = [{"label": f"#{w['id']} {w['name']}", "value": w["id"]} for w in walls]
    return (
        settings["privacy.off_hours"],
        settings["privacy.retention_days"],
        ["yes"] if settings["privacy.executive_sees_individuals"] else [],
        walls,
        picks,
    )


def save(_clicks: int, off_hours: str | None, retention: int | None, executive: list[str] | None) -> object:
    if text(off_hours) not in org_settings.OFF_HOURS_POLICIES:
        return result(_("Choose what happens outside working hours."), ok=False)
    retention = whole_number(retention)
    if retention is None or not 1 <= retention <= 3650:
        return result(_("Keep positions for 1 to 3650 days."), ok=False)
    rt = runtime()
    for key, value in (
        ("privacy.off_hours", off_hours),
        ("privacy.retention_days", retention),
        ("privacy.executive_sees_individuals", bool(executive)),
    ):
        org_settings.set_setting(rt.db, key, value, g.viewer.user_id)
    rt.forget_org_settings()
    return result(_("Settings saved."), ok=True)


def purge_now(_clicks: int) -> object:
    rt = runtime()
    days = rt.org_settings()["privacy.retention_days"]
    dropped = purge_old_positions(rt.db, days)
    if not dropped:
        return result(_("Nothing is older than {days} days.", days=days), ok=True)
    return result(_("Deleted positions of {n} days older than {days} days.", n=len(dropped), days=days), ok=True)


def walls(_create: int, _revoke: int, name: str | None, days: int | None, token_id: int | None, refresh: int) -> tuple:
    rt = runtime()
    token_id, refresh = whole_number(token_id), counter(refresh)
    if ctx.triggered_id == "privacy-wall-revoke":
        if token_id is None:
            return result(_("Choose a token first."), ok=False), no_update
        wall_tokens.revoke(rt.db, token_id)
        return result(_("Token revoked: that display is signed out."), ok=True), refresh + 1
    try:
        token = new_wall_token(rt.db, text(name), whole_number(days) or 0, g.viewer.user_id)
    except AccountError as exc:
        return result(str(exc), ok=False), no_update
    address = f"{rt.settings.public_url}/wall/login/{token}"
    message = html.Div(
        [
            _("Open this address once on the display (it is shown only now):"),
            html.Br(),
            html.Code(address, id="privacy-wall-url"),
        ],
        className="alert alert-success py-2 my-2",
    )
    return message, refresh + 1


def trust_enabled(_refresh: int) -> list[str]:
    return ["on"] if runtime().org_settings().get("trust.enabled") else []


def save_trust(_clicks: int, chosen: object) -> object:
    """Switch check-in trust scores on or off for the organisation: off, nothing is scored and nothing shown."""
    enabled = isinstance(chosen, list) and "on" in chosen
    rt = runtime()
    org_settings.set_setting(rt.db, "trust.enabled", enabled, g.viewer.user_id)
    rt.forget_org_settings()
    if enabled:
        return result(_("Check-ins are scored for trust."), ok=True)
    return result(_("Check-ins are no longer scored, and no score is shown."), ok=True)


def wall_cycle(_refresh: int) -> int:
    return cycle_seconds(runtime().org_settings())


def save_wall_cycle(_clicks: int, seconds: object) -> object:
    seconds = whole_number(seconds)
    if seconds is None or not MIN_CYCLE_S <= seconds <= MAX_CYCLE_S:
        return result(_("Between {low} and {high} seconds.", low=MIN_CYCLE_S, high=MAX_CYCLE_S), ok=False)
    rt = runtime()
    org_settings.set_setting(rt.db, "wall.cycle_s", seconds, g.viewer.user_id)
    rt.forget_org_settings()
    return result(_("Wall displays change panel every {seconds} s.", seconds=seconds), ok=True)


def register(app: Dash) -> None:
    app.callback(
        Output("privacy-off-hours", "value"),
        Output("privacy-retention", "value"),
        Output("privacy-executive", "value"),
        Output("privacy-walls", "rowData"),
        Output("privacy-wall-pick", "options"),
        Input("privacy-refresh", "data"),
    )(load)
    app.callback(
        Output("privacy-result", "children"),
        Input("privacy-save", "n_clicks"),
        State("privacy-off-hours", "value"),
        State("privacy-retention", "value"),
        State("privacy-executive", "value"),
        prevent_initial_call=True,
    )(save)
    app.callback(
        Output("privacy-result", "children", allow_duplicate=True),
        Input("privacy-purge", "n_clicks"),
        prevent_initial_call=True,
    )(purge_now)
    app.callback(
        Output("privacy-wall-result", "children"),
        Output("privacy-refresh", "data"),
        Input("privacy-wall-create", "n_clicks"),
        Input("privacy-wall-revoke", "n_clicks"),
        State("privacy-wall-name", "value"),
        State("privacy-wall-days", "value"),
        State("privacy-wall-pick", "value"),
        State("privacy-refresh", "data"),
        prevent_initial_call=True,
    )(walls)
    app.callback(Output("privacy-wall-cycle", "value"), Input("privacy-refresh", "data"))(wall_cycle)
    app.callback(Output("privacy-trust", "value"), Input("privacy-refresh", "data"))(trust_enabled)
    app.callback(
        Output("privacy-trust-result", "children"),
        Input("privacy-trust-save", "n_clicks"),
        State("privacy-trust", "value"),
        prevent_initial_call=True,
    )(save_trust)
    app.callback(
        Output("privacy-wall-cycle-result", "children"),
        Input("privacy-wall-cycle-save", "n_clicks"),
        State("privacy-wall-cycle", "value"),
        prevent_initial_call=True,
    )(save_wall_cycle)
