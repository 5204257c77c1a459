"""Admin API & webhooks page: tokens (shown once, revocable), subscriptions (secret shown once), the test
event, the private-target allowance and the delivery log; the chat robots (add, test message, delete) and the
alert notifications' log."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, html, no_update
from flask import g

from dashboard.core.i18n import _
from dashboard.core.inputs import counter, text, whole_number, whole_numbers
from dashboard.core.runtime import runtime
from dashboard.web.components import result
from dashboard.work.notify.deliverer import send_robot_test
from dashboard.work.notify.registry import KIND_LABELS, RobotError, register_robot, shown_address
from dashboard.work.tokens import TokenError, issue
from dashboard.work.webhooks import WebhookError, send_test, subscribe
from data import alerts, api_tokens, notifications, org_settings, teams, webhooks

PRIVATE_SETTING = "webhooks.allow_private_targets"


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def load(_tick: int, _refresh: int) -> tuple:
    rt = runtime()
    names = {t["id"]: t["name"] for t in teams.list_teams(rt.db, g.viewer.scope)}
    tokens = [
        {
            "id": t["id"],
            "name": t["name"],
            "scopes": ", ".join(t["scopes"]),
            "teams": ", ".join(names.get(i, str(i)) for i in t["team_ids"]) if t["team_ids"] else _("all"),
            "state": _("revoked") if t["revoked_at"] else _("active"),
            "expires": rt.local(t["expires_at"]),
            "last_used": rt.local(t["last_used_at"]),
        }
        for t in api_tokens.list_tokens(rt.db)
    ]
    hooks = [
        {
            "id": s["id"],
            "url": s["url"],
            "events": ", ".join(s["events"]),
            "state": _("active") if s["active"] else _("paused"),
            "pending": s["pending"],
        }
        for s in webhooks.subscriptions(rt.db)
    ]
    log = [
        {
            "id": d["id"],
            "event": d["event"],
            "url": d["url"],
            "created": rt.local(d["created_at"], "%Y-%m-%d %H:%M:%S"),
            "attempts": d["attempts"],
            "outcome": _outcome(d, rt),
            "status": d["last_status"] or "",
            "response": d["last_response"] or d["last_error"] or "",
        }
        for d in webhooks.delivery_log(rt.db)
    ]
    team_options = [{"label": name, "value": team_id} for team_id, name in names.items()]
    token_picks = [{"label": f"#{t['id']} {t['name']}", "value": t["id"]} for t in tokens if t["state"] == _("active")]
    hook_picks = [{"label": f"#{h['id']} {h['url']}", "value": h["id"]} for h in hooks]
    return tokens, hooks, log, team_options, token_picks, hook_picks


def private_targets(_refresh: int) -> list[str]:
    return ["yes"] if runtime().org_settings().get(PRIVATE_SETTING) else []


def _outcome(delivery: dict, rt) -> str:
    if delivery["delivered_at"]:
        return _("delivered {at}", at=rt.local(delivery["delivered_at"], "%H:%M:%S"))
    if delivery["given_up_at"]:
        return _("given up")
    return _("next try {at}", at=rt.local(delivery["next_attempt_at"], "%H:%M:%S"))


def tokens_act(
    _create: int,
    _revoke: int,
    name: object,
    teams_chosen: object,
    days: object,
    scopes: object,
    picked: object,
    refresh: object,
) -> tuple:
    rt = runtime()
    refresh = counter(refresh)
    if ctx.triggered_id == "integration-token-revoke":
        token_id = whole_number(picked)
        if token_id is None or not api_tokens.revoke(rt.db, token_id):
            return result(_("Choose a token first."), ok=False), no_update
        return result(_("Token revoked: it is refused from now on."), ok=True), refresh + 1
    try:
        token = issue(
            rt.db,
            text(name, 100),
            _strings(scopes),
            whole_numbers(teams_chosen) or None,
            whole_number(days) or 0,
            g.viewer.user_id,
        )
    except TokenError as exc:
        return result(str(exc), ok=False), no_update
    message = html.Div(
        [html.Div(_("The token, shown only now:")), html.Code(token, id="integration-new-token")],
        className="alert alert-success py-2 my-2",
    )
    return message, refresh + 1


def hooks_act(
    _create: int,
    _test: int,
    _toggle: int,
    _delete: int,
    _save: int,
    private: object,
    url: object,
    events: object,
    picked: object,
    refresh: object,
) -> tuple:
    rt = runtime()
    refresh = counter(refresh)
    trigger = ctx.triggered_id
    if trigger == "integration-private-save":
        allow = "yes" in _strings(private)
        org_settings.set_setting(rt.db, PRIVATE_SETTING, allow, g.viewer.user_id)
        rt.forget_org_settings()
        message = _("Private addresses are allowed.") if allow else _("Private addresses are refused.")
        return result(message, ok=True), refresh + 1
    if trigger == "integration-hook-create":
        try:
            sub_id, secret = subscribe(rt, text(url, 2000), _strings(events), g.viewer.user_id)
        except WebhookError as exc:
            return result(str(exc), ok=False), no_update
        message = html.Div(
            [
                html.Div(_("Subscription #{id}: its signing secret, shown only now:", id=sub_id)),
                html.Code(secret, id="integration-new-secret"),
            ],
            className="alert alert-success py-2 my-2",
        )
        return message, refresh + 1
    sub_id = whole_number(picked)
    if sub_id is None:
        return result(_("Choose a subscription first."), ok=False), no_update
    if trigger == "integration-hook-test":
        done = send_test(rt, sub_id, g.viewer.username) is not None
        message = _("Test event queued: watch the delivery log.")
    elif trigger == "integration-hook-toggle":
        current = next((s for s in webhooks.subscriptions(rt.db) if s["id"] == sub_id), None)
        done = current is not None and webhooks.set_active(rt.db, sub_id, not current["active"])
        message = _("Subscription paused or resumed.")
    else:
        done = webhooks.delete_subscription(rt.db, sub_id)
        message = _("Subscription deleted.")
    if not done:
        return result(_("Choose a subscription first."), ok=False), no_update
    return result(message, ok=True), refresh + 1


def robots_load(_tick: int, _refresh: int) -> tuple:
    rt = runtime()
    robots = [
        {
            "id": r["id"],
            "kind": KIND_LABELS.get(r["kind"], r["kind"]),
            "name": r["name"],
            "url": shown_address(r["url"]),
            "signed": _("yes") if r["secret"] else _("no"),
        }
        for r in alerts.robots(rt.db)
    ]
    notices = [
        {
            "id": n["id"],
            "alert": n["alert_id"],
            "channel": n["channel"],
            "to": n["robot_name"] or n["username"] or "",
            "created": rt.local(n["created_at"], "%Y-%m-%d %H:%M:%S"),
            "attempts": n["attempts"],
            "outcome": _outcome(n, rt) + (_(" (digest of {n})", n=n["digest_of"]) if n["digest_of"] > 1 else ""),
            "error": n["last_error"] or "",
        }
        for n in notifications.notification_log(rt.db)
    ]
    picks = [{"label": f"#{r['id']} {r['name']}", "value": r["id"]} for r in robots]
    return robots, picks, notices


def robots_act(
    _create: int,
    _test: int,
    _delete: int,
    kind: object,
    name: object,
    url: object,
    secret: object,
    picked: object,
    refresh: object,
) -> tuple:
    rt = runtime()
    refresh = counter(refresh)
    trigger = ctx.triggered_id
    if trigger == "integration-robot-create":
        try:
            robot_id = register_robot(
                rt, text(kind, 20), text(name, 200), text(url, 2100), text(secret, 300), g.viewer.user_id
            )
        except RobotError as exc:
            return result(str(exc), ok=False), no_update
        return result(_("Robot #{id} added: send it a test message.", id=robot_id), ok=True), refresh + 1
    robot_id = whole_number(picked)
    if robot_id is None or not any(r["id"] == robot_id for r in alerts.robots(rt.db)):
        return result(_("Choose a robot first."), ok=False), no_update
    if trigger == "integration-robot-test":
        error = send_robot_test(rt, robot_id, g.viewer.username)
        if error:
            return result(_("The robot did not take the message: {error}", error=error), ok=False), refresh + 1
        return result(_("Test message sent."), ok=True), refresh + 1
    if trigger != "integration-robot-delete":
        return no_update, no_update
    alerts.delete_robot(rt.db, robot_id)
    return result(_("Robot deleted; rules no longer post to it."), ok=True), refresh + 1


def register(app: Dash) -> None:
    app.callback(
        Output("integration-tokens", "rowData"),
        Output("integration-hooks", "rowData"),
        Output("integration-log", "rowData"),
        Output("integration-token-teams", "options"),
        Output("integration-token-pick", "options"),
        Output("integration-hook-pick", "options"),
        Input("integration-tick", "n_intervals"),
        Input("integration-refresh", "data"),
    )(load)
    app.callback(Output("integration-private", "value"), Input("integration-refresh", "data"))(private_targets)
    app.callback(
        Output("integration-token-result", "children"),
        Output("integration-refresh", "data"),
        Input("integration-token-create", "n_clicks"),
        Input("integration-token-revoke", "n_clicks"),
        State("integration-token-name", "value"),
        State("integration-token-teams", "value"),
        State("integration-token-days", "value"),
        State("integration-token-scopes", "value"),
        State("integration-token-pick", "value"),
        State("integration-refresh", "data"),
        prevent_initial_call=True,
    )(tokens_act)
    app.callback(
        Output("integration-hook-result", "children"),
        Output("integration-refresh", "data", allow_duplicate=True),
        Input("integration-hook-create", "n_clicks"),
        Input("integration-hook-test", "n_clicks"),
        Input("integration-hook-toggle", "n_clicks"),
        Input("integration-hook-delete", "n_clicks"),
        Input("integration-private-save", "n_clicks"),
        State("integration-private", "value"),
        State("integration-hook-url", "value"),
        State("integration-hook-events", "value"),
        State("integration-hook-pick", "value"),
        State("integration-refresh", "data"),
        prevent_initial_call=True,
    )(hooks_act)
    app.callback(
        Output("integration-robots", "rowData"),
        Output("integration-robot-pick", "options"),
        Output("integration-notices", "rowData"),
        Input("integration-tick", "n_intervals"),
        Input("integration-refresh", "data"),
    )(robots_load)
    app.callback(
        Output("integration-robot-result", "children"),
        Output("integration-refresh", "data", allow_duplicate=True),
        Input("integration-robot-create", "n_clicks"),
        Input("integration-robot-test", "n_clicks"),
        Input("integration-robot-delete", "n_clicks"),
        State("integration-robot-kind", "value"),
        State("integration-robot-name", "value"),
        State("integration-robot-url", "value"),
        State("integration-robot-secret", "value"),
        State("integration-robot-pick", "value"),
        State("integration-refresh", "data"),
        prevent_initial_call=True,
    )(robots_act)
