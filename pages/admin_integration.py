"""Admin: API tokens and webhook subscriptions with their delivery log (issue 9); the chat robots alerts are
posted to and the alert notifications' log (issue 17). Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import ADMIN_ROLES
from dashboard.web.components import field, grid, page_frame
from dashboard.work.notify.registry import KIND_LABELS
from dashboard.work.tokens import SCOPES, VALID_DAYS
from data.webhooks import EVENTS

dash.register_page(
    __name__,
    path="/admin/integration",
    name="API & webhooks",
    order=56,
    section="admin",
    roles=ADMIN_ROLES,
    id_prefix="integration",
)


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("API & webhooks"),
        html.P(
            [
                _("Integrators read the API's documentation at "),
                html.A("/api/v1/docs", href="/api/v1/docs", target="_blank", id="integration-docs"),
                ".",
            ],
            className="text-muted",
        ),
        html.H3(_("API tokens"), className="h5 mt-3"),
        grid(
            "integration-tokens",
            [
                ("id", "#"),
                ("name", _("Name")),
                ("scopes", _("Scopes")),
                ("teams", _("Teams")),
                ("state", _("State")),
                ("expires", _("Expires")),
                ("last_used", _("Last used")),
            ],
            height="220px",
        ),
        html.Div(
            className="fo-form-row mt-2",
            children=[
                field(_("Token name"), dcc.Input(id="integration-token-name", className="form-control", maxLength=100)),
                field(_("Only these teams"), dcc.Dropdown(id="integration-token-teams", multi=True)),
                field(
                    _("Valid for (days)"),
                    dcc.Dropdown(
                        id="integration-token-days",
                        options=[{"label": str(days), "value": days} for days in VALID_DAYS],
                        value=90,
                        clearable=False,
                    ),
                ),
            ],
        ),
        field(
            _("Scopes"),
            dcc.Checklist(
                id="integration-token-scopes",
                options=[{"label": scope, "value": scope} for scope in SCOPES],
                className="fo-checklist",
                inline=True,
            ),
        ),
        html.Div(
            className="fo-form-row mt-2",
            children=[
                html.Button(_("Create token"), id="integration-token-create", className="btn btn-primary"),
                field(_("Token"), dcc.Dropdown(id="integration-token-pick")),
                html.Button(_("Revoke"), id="integration-token-revoke", className="btn btn-outline-danger"),
            ],
        ),
        html.Div(id="integration-token-result"),
        html.H3(_("Webhooks"), className="h5 mt-4"),
        grid(
            "integration-hooks",
            [
                ("id", "#"),
                ("url", _("Address")),
                ("events", _("Events")),
                ("state", _("State")),
                ("pending", _("Waiting")),
            ],
            height="180px",
        ),
        html.Div(
            className="fo-form-row mt-2",
            children=[
                field(
                    _("Address (URL)"), dcc.Input(id="integration-hook-url", className="form-control", maxLength=2000)
                ),
                html.Button(_("Subscribe"), id="integration-hook-create", className="btn btn-primary"),
            ],
        ),
        field(
            _("Events"),
            dcc.Checklist(
                id="integration-hook-events",
                options=[{"label": event, "value": event} for event in EVENTS],
                inline=True,
                className="fo-checklist",
            ),
        ),
        html.Div(
            className="fo-form-row mt-2",
            children=[
                field(_("Subscription"), dcc.Dropdown(id="integration-hook-pick")),
                html.Button(_("Send test event"), id="integration-hook-test", className="btn btn-outline-primary"),
                html.Button(_("Pause or resume"), id="integration-hook-toggle", className="btn btn-outline-secondary"),
                html.Button(_("Delete"), id="integration-hook-delete", className="btn btn-outline-danger"),
            ],
        ),
        html.Div(
            className="fo-form-row mt-2",
            children=[
                dcc.Checklist(
                    id="integration-private",
                    options=[
                        {
                            "label": _("Allow webhook addresses on private, loopback or link-local networks"),
                            "value": "yes",
                        }
                    ],
                ),
                html.Button(_("Save"), id="integration-private-save", className="btn btn-outline-secondary btn-sm"),
            ],
        ),
        html.Div(id="integration-hook-result"),
        html.H3(_("Chat robots"), className="h5 mt-4"),
        html.P(
            _("Alert rules post to these group robots. Private addresses follow the webhooks' setting above."),
            className="text-muted small",
        ),
        grid(
            "integration-robots",
            [("id", "#"), ("kind", _("Kind")), ("name", _("Name")), ("url", _("Address")), ("signed", _("Signed"))],
            height="180px",
        ),
        html.Div(
            className="fo-form-row mt-2",
            children=[
                field(
                    _("Kind"),
                    dcc.Dropdown(
                        id="integration-robot-kind",
                        options=[{"label": label, "value": kind} for kind, label in KIND_LABELS.items()],
                        value="wecom",
                        clearable=False,
                    ),
                ),
                field(_("Name"), dcc.Input(id="integration-robot-name", className="form-control", maxLength=120)),
                field(
                    _("Webhook address (URL)"),
                    dcc.Input(id="integration-robot-url", className="form-control", maxLength=2000),
                ),
                field(
                    _("Signing secret (DingTalk, Feishu)"),
                    dcc.Input(id="integration-robot-secret", type="password", className="form-control", maxLength=200),
                ),
                html.Button(_("Add robot"), id="integration-robot-create", className="btn btn-primary"),
            ],
        ),
        html.Div(
            className="fo-form-row mt-2",
            children=[
                field(_("Robot"), dcc.Dropdown(id="integration-robot-pick")),
                html.Button(_("Send test message"), id="integration-robot-test", className="btn btn-outline-primary"),
                html.Button(_("Delete"), id="integration-robot-delete", className="btn btn-outline-danger"),
            ],
        ),
        html.Div(id="integration-robot-result"),
        html.H3(_("Alert notifications"), className="h5 mt-4"),
        grid(
            "integration-notices",
            [
                ("id", "#"),
                ("alert", _("Alert")),
                ("channel", _("Channel")),
                ("to", _("Recipient")),
                ("created", _("Created")),
                ("attempts", _("Attempts")),
                ("outcome", _("Outcome")),
                ("error", _("Last error")),
            ],
            height="220px",
        ),
        html.H3(_("Delivery log"), className="h5 mt-4"),
        grid(
            "integration-log",
            [
                ("id", "#"),
                ("event", _("Event")),
                ("url", _("Address")),
                ("created", _("Created")),
                ("attempts", _("Attempts")),
                ("outcome", _("Outcome")),
                ("status", _("HTTP status")),
                ("response", _("Response")),
            ],
            height="260px",
        ),
        dcc.Interval(id="integration-tick", interval=5000),
        dcc.Store(id="integration-refresh", data=0),
        page_id="integration-page",
    )
