"""Admin API & webhooks page: tokens (shown once, revocable), subscriptions (secret shown once), the test
event, the private-target allowance and the delivery log."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, html, no_update
from flask import g

from dashboard.core.i18n import _
from dashboard.core.inputs import counter, text, whole_number, whole_numbers
from dashboard.core.runtime import runtime
from dashboard.web.components import result
from dashboard.work.tokens import TokenError, issue
from dashboard.work.webhooks import WebhookError, send_test, subscribe
from data import api_tokens, org_settings, teams, webhooks

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
