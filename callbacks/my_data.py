"""My data page: what is stored about the viewer, who looked at it, pausing location sharing."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, html, no_update
from flask import g

from callbacks.admin_audit import action_labels
from dashboard.core.i18n import _
from dashboard.core.inputs import counter, text
from dashboard.core.runtime import runtime
from dashboard.ingest.privacy import pause_sharing, resume_sharing
from dashboard.web.components import result
from dashboard.web.shell import role_label
from data import audit, employees, pauses


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
    pause = pauses.open_pause(rt.db, employee_id)
    sharing = html.P(
        _(
            "Paused since {at}: {reason}",
            at=rt.local(pause["started_at"]),
            reason=pause["reason"],
        )
        if pause
        else _("Sharing is on during your working hours."),
        id="me-sharing-state",
        className="fw-semibold",
    )
    labels = action_labels()
    looks = [
        {
            "at": rt.local(r["at"]),
            "username": r["username"],
            "role": role_label(r["role"]),
            "action": labels.get(r["action"], r["action"]),
        }
        for r in audit.looks_at(rt.db, employee_id)
    ]
    return summary, sharing, looks


def change_sharing(_pause: int, _resume: int, reason: str | None, refresh: int) -> tuple:
    rt = runtime()
    employee_id, refresh = g.viewer.employee_id, counter(refresh)
    if employee_id is None:
        return result(_("Your account is not linked to an employee."), ok=False), no_update
    if ctx.triggered_id == "me-resume":
        resume_sharing(rt, employee_id)
        return result(_("Sharing resumed."), ok=True), refresh + 1
    reason = text(reason, 1000).strip()
    if not 1 <= len(reason) <= 200:
        return result(_("Say why you pause (up to 200 characters)."), ok=False), no_update
    pause_sharing(rt, employee_id, reason)
    return result(_("Sharing paused. Your supervisor sees “paused”, not where you are."), ok=True), refresh + 1


def register(app: Dash) -> None:
    app.callback(
        Output("me-summary", "children"),
        Output("me-sharing", "children"),
        Output("me-looks", "rowData"),
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
