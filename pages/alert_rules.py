"""Alert rules (issue 17): the rules the viewer may see in a grid, and a side panel to make or change one — its
kind and parameters, scope, calendar, cooldown, recipients and channels — with a preview of how often it would
have fired, and a "Mute for me" toggle. Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import ALERT_RULE_ROLES
from dashboard.web.components import field, grid, page_frame, row_id, side_panel
from dashboard.work.alert_rules import PARAM_KEYS

dash.register_page(
    __name__,
    path="/alerts/rules",
    name="Alert rules",
    order=7,
    roles=ALERT_RULE_ROLES,
    id_prefix="alert",
)


def severity_options() -> list[dict]:
    return [
        {"label": _("Info"), "value": "info"},
        {"label": _("Warning"), "value": "warning"},
        {"label": _("Critical"), "value": "critical"},
    ]


def recipient_options() -> list[dict]:
    return [
        {"label": _("The person"), "value": "person"},
        {"label": _("Their supervisors"), "value": "supervisors"},
        {"label": _("Managers"), "value": "managers"},
    ]


def channel_options() -> list[dict]:
    return [
        {"label": _("Inbox (always)"), "value": "inbox", "disabled": True},
        {"label": _("E-mail"), "value": "email"},
        {"label": _("Web Push"), "value": "webpush"},
        {"label": _("Chat robots"), "value": "robot"},
    ]


def error(name: str) -> html.Div:
    return html.Div(id=f"alert-rule-error-{name}", className="invalid-feedback d-block", role="alert")


def checked(element_id: str, label: str, value: bool = True) -> dcc.Checklist:
    return dcc.Checklist(
        id=element_id,
        options=[{"label": label, "value": "on"}],
        value=["on"] if value else [],
        inputClassName="form-check-input me-1",
        labelClassName="form-check-label",
    )


def _param(key: str) -> html.Div:
    """One number per parameter key; the kind chosen shows its own with its unit and bounds (callbacks)."""
    return html.Div(
        [
            html.Label(
                id=f"alert-rule-param-{key}-label", className="form-label small mb-1", htmlFor=f"alert-rule-param-{key}"
            ),
            dcc.Input(id=f"alert-rule-param-{key}", type="number", step=1, className="form-control", debounce=True),
            html.Div(id=f"alert-rule-param-{key}-hint", className="form-text"),
            error(key),
        ],
        id=f"alert-rule-param-{key}-field",
        hidden=True,
    )


def _form() -> html.Div:
    text = {"className": "form-control", "debounce": True}
    return html.Div(
        [
            html.Div(
                className="fo-form-grid fo-panel-grid",
                children=[
                    html.Div(
                        [field(_("Kind"), dcc.Dropdown(id="alert-rule-kind", clearable=False)), error("kind")],
                        className="fo-wide",
                    ),
                    html.Div(
                        [field(_("Name"), dcc.Input(id="alert-rule-name", maxLength=120, **text)), error("name")],
                        className="fo-wide",
                    ),
                    html.Div(
                        [
                            field(
                                _("Severity"),
                                dcc.Dropdown(id="alert-rule-severity", options=severity_options(), clearable=False),
                            ),
                            error("severity"),
                        ]
                    ),
                    *[_param(key) for key in PARAM_KEYS],
                    html.Div(
                        [
                            field(
                                _("Teams"), dcc.Dropdown(id="alert-rule-teams", multi=True, placeholder=_("Every team"))
                            ),
                            error("team_ids"),
                        ],
                        className="fo-wide",
                    ),
                    html.Div(
                        [
                            field(
                                _("People"),
                                dcc.Dropdown(
                                    id="alert-rule-people", multi=True, placeholder=_("Everyone in the teams")
                                ),
                            ),
                            error("employee_ids"),
                        ],
                        className="fo-wide",
                    ),
                    html.Div(
                        [
                            field(
                                _("Zones"), dcc.Dropdown(id="alert-rule-zones", multi=True, placeholder=_("Every zone"))
                            ),
                            error("zone_ids"),
                        ],
                        id="alert-rule-zones-field",
                        className="fo-wide",
                        hidden=True,
                    ),
                    html.Div(
                        [
                            field(_("Only from (HH:MM)"), dcc.Input(id="alert-rule-from", placeholder="08:00", **text)),
                            field(_("Until (HH:MM)"), dcc.Input(id="alert-rule-to", placeholder="12:00", **text)),
                            html.Div(_("Optional: a daily time window."), className="form-text"),
                            error("from"),
                        ],
                        id="alert-rule-window-field",
                        className="fo-wide fo-window",
                        hidden=True,
                    ),
                    html.Div(
                        [
                            field(
                                _("Cooldown, minutes"),
                                dcc.Input(id="alert-rule-cooldown", type="number", min=0, max=10080, step=1, **text),
                            ),
                            error("cooldown_min"),
                        ]
                    ),
                    html.Div(
                        [
                            checked("alert-rule-hours", _("Only in working hours")),
                            checked("alert-rule-enabled", _("Enabled")),
                        ],
                        className="fo-checks",
                    ),
                    html.Fieldset(
                        [
                            html.Legend(_("Recipients"), className="form-label small mb-1"),
                            dcc.Checklist(
                                id="alert-rule-recipients",
                                inline=True,
                                options=recipient_options(),
                                inputClassName="form-check-input me-1",
                                labelClassName="form-check-label me-3",
                            ),
                            field(
                                _("Named users"),
                                dcc.Dropdown(id="alert-rule-users", multi=True, placeholder=_("Nobody else")),
                            ),
                            error("recipients"),
                        ],
                        className="fo-wide",
                    ),
                    html.Fieldset(
                        [
                            html.Legend(_("Channels"), className="form-label small mb-1"),
                            dcc.Checklist(
                                id="alert-rule-channels",
                                inline=True,
                                options=channel_options(),
                                inputClassName="form-check-input me-1",
                                labelClassName="form-check-label me-3",
                            ),
                            error("channels"),
                            field(
                                _("Chat robots"),
                                dcc.Dropdown(id="alert-rule-robots", multi=True, placeholder=_("No chat robot")),
                            ),
                            error("robot_ids"),
                        ],
                        className="fo-wide",
                    ),
                ],
            ),
            html.Div(
                className="fo-form-row mt-2",
                children=[
                    html.Button(_("Save"), id="alert-rule-save", className="btn btn-primary"),
                    html.Span(
                        dcc.ConfirmDialogProvider(
                            html.Button(_("Delete"), className="btn btn-outline-danger", id="alert-rule-delete-button"),
                            id="alert-rule-delete",
                            message=_("Delete this rule? Its alerts stay, without their rule."),
                        ),
                        id="alert-rule-delete-field",
                        hidden=True,
                    ),
                ],
            ),
        ],
        id="alert-rule-form",
    )


def _preview() -> html.Section:
    return html.Section(
        [
            html.H4(_("Preview from history"), className="h6"),
            dcc.Loading(
                html.Div(id="alert-rule-preview", role="status", **{"aria-live": "polite"}),
                custom_spinner=html.Span(_("Computing…"), className="text-muted", id="alert-rule-computing"),
                delay_show=150,
            ),
        ],
        className="fo-section fo-preview",
    )


def _panel() -> html.Div:
    return side_panel(
        "alert-rule-panel",
        "alert-rule-close",
        [
            html.Div(id="alert-rule-result", role="status"),
            html.Div(id="alert-rule-readonly", className="small text-muted"),
            html.Div(checked("alert-rule-mute", _("Mute for me"), value=False), id="alert-rule-mute-field"),
            _form(),
            _preview(),
        ],
    )


def layout(**_query: str) -> html.Div:
    columns = [
        ("kind", _("Kind")),
        ("name", _("Name")),
        ("severity", _("Severity")),
        ("scope", _("Scope")),
        ("condition", _("Condition")),
        ("calendar", _("Calendar")),
        ("cooldown", _("Cooldown")),
        ("channels", _("Channels")),
        ("enabled", _("Enabled")),
    ]
    rules = grid("alert-rules-grid", columns, height="520px")
    rules.getRowId = row_id("id")
    widths = {"kind": 2, "name": 2, "scope": 2, "condition": 3, "channels": 2}
    rules.columnDefs = [
        column | {"flex": widths.get(column["field"], 1), "tooltipField": column["field"]}
        for column in rules.columnDefs
    ]
    return page_frame(
        _("Alert rules"),
        html.Div(
            className="fo-toolbar",
            children=[
                html.P(
                    _(
                        "A rule raises an alert for a person to act on. Choose a row to read or change its rule; "
                        "the preview counts how often it would have fired."
                    ),
                    className="small text-muted mb-0 me-auto",
                ),
                html.Button(_("New rule"), id="alert-rule-new", className="btn btn-primary btn-sm"),
            ],
        ),
        rules,
        _panel(),
        dcc.Store(id="alert-rule-selected"),
        dcc.Store(id="alert-rule-mode"),
        dcc.Store(id="alert-rules-refresh", data=0),
        page_id="alert-rules-page",
    )
