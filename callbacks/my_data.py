"""My data page: what is stored about the viewer, who looked at it, pausing location sharing."""

from __future__ import annotations

from datetime import UTC, datetime

from dash import Dash, Input, Output, State, ctx, html, no_update
from flask import g

from callbacks.admin_audit import action_labels
from dashboard.core.i18n import _
from dashboard.core.inputs import counter, text
from dashboard.core.runtime import runtime
from dashboard.ingest.privacy import pause_sharing, resume_sharing, sharing_state
from dashboard.web.components import result, sharing_status
from dashboard.web.shell import role_label
from data import audit, employees


def overview(_refresh: int) -> tuple:
    rt = runtime()
    employee_id = g.viewer.employee_id
    retention = rt.org_settings()["privacy.retention_days"]
    kept = html.P(
        _("Positions are deleted after {days} days; visits and notes are kept.", days=retention), id="me-retention"
    )
    if employee_id is None:
        return (
            html.Div(
                [
                    html.P(_("Your account is not linked to an employee: FieldOps stores no location data about you.")),
                    kept,
                ]
            ),
            "",
            [],
            True,
            True,
        )
    stored = employees.stored_about(rt.db, employee_id)
    span = (
        f"{rt.local(stored['first_position'], '%Y-%m-%d')} – {rt.local(stored['last_position'], '%Y-%m-%d')}"
        if stored["positions"]
        else "—"
    )
    items = [
        (_("Positions stored"), f"{stored['positions']} ({span})"),
        (_("Hours kept only as a coarse area"), str(stored["coarse_hours"])),
        (_("Visits"), str(stored["visits"])),
        (_("Other activities"), str(stored["other_activities"])),
        (_("Devices"), str(stored["devices"])),
    ]
    summary = html.Div(
        [
            html.Dl(
                [part for label, value in items for part in (html.Dt(label), html.Dd(value))],
                className="fo-details-list",
            ),
            kept,
        ]
    )
    sharing, pause_hidden, resume_hidden = sharing_view(employee_id, "me-sharing-state")
    labels = action_labels()
    looks = [
        html.Li(
            [
                html.Time(rt.local(r["at"]), dateTime=r["at"].isoformat(), className="fo-look-when"),
                html.Span(f"{r['username']} · {role_label(r['role'])}", className="fo-look-who"),
                html.Span(labels.get(r["action"], r["action"]), className="fo-look-what"),
            ],
            className="fo-look",
        )
        for r in audit.looks_at(rt.db, employee_id)
    ] or [html.Li(_("Nobody has looked at your location."), className="text-muted")]
    return summary, sharing, looks, pause_hidden, resume_hidden


def sharing_view(employee_id: int, element_id: str) -> tuple[html.P, bool, bool]:
    """The person's sharing as My data and the phone page show it, and which of Pause / Resume is hidden."""
    state = sharing_state(runtime(), employee_id, datetime.now(UTC))
    paused = state.state == "paused"
    return sharing_status(state, element_id), paused, not paused


def change_sharing_of(employee_id: int | None, resume: bool, reason: object, refresh: object) -> tuple:
    """Pause (for a stated reason) or resume the viewer's sharing: the result line, and the page's refresh count."""
    rt = runtime()
    if employee_id is None:
        return result(_("Your account is not linked to an employee."), ok=False), no_update
    if resume:
        resume_sharing(rt, employee_id)
        return result(_("Sharing resumed."), ok=True), counter(refresh) + 1
    reason = text(reason, 1000).strip()
    if not 1 <= len(reason) <= 200:
        return result(_("Say why you pause (up to 200 characters)."), ok=False), no_update
    pause_sharing(rt, employee_id, reason)
    paused = _("Sharing paused. Your supervisor sees “paused”, not where you are.")
    return result(paused, ok=True), counter(refresh) + 1


def change_sharing(_pause: int, _resume: int, reason: str | None, refresh: int) -> tuple:
    return change_sharing_of(g.viewer.employee_id, ctx.triggered_id == "me-resume", reason, refresh)


def register(app: Dash) -> None:
    app.callback(
        Output("me-summary", "children"),
        Output("me-sharing", "children"),
        Output("me-looks", "children"),
        Output("me-pause-form", "hidden"),
        Output("me-resume", "hidden"),
        Input("me-refresh", "data"),
    )(overview)
    app.callback(
        Output("me-sharing-result", "children"),
        Output("me-refresh", "data"),
        Input("me-pause", "n_clicks"),
        Input("me-resume", "n_clicks"),
        State("me-reason", "value"),
        State("me-refresh", "data"),
        prevent_initial_call=True,
    )(change_sharing)
