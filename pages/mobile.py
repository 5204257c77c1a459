"""The field staff's phone page: today's tasks, check-in, notes, sharing, help, share links. Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import PHONE_ROLES
from dashboard.web.components import field, page_frame, share_link_controls
from dashboard.work.phone import SHARE_MINUTES

dash.register_page(__name__, path="/m", name="Phone", order=5, roles=PHONE_ROLES, id_prefix="mobile")


def _section(title: str, *children, section_id: str) -> html.Section:
    return html.Section([html.H3(title, className="h6 mt-3"), *children], className="fo-m-section", id=section_id)


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Today"),
        html.Div(
            className="fo-m-sharing",
            children=[
                html.Span(
                    _("Sharing off"),
                    id="mobile-sharing-state",
                    className="fo-m-state",
                    **{
                        "data-on": _("Sharing on"),
                        "data-off": _("Sharing off"),
                        "data-paused": _("Sharing paused"),
                        "data-denied": _("Location permission denied"),
                        "data-waiting": _("{count} positions waiting for the network"),
                    },
                ),
                html.Span("", id="mobile-pending", className="small text-muted"),
                html.Button(
                    _("Start sharing"),
                    id="mobile-share-toggle",
                    className="btn btn-primary btn-sm",
                    **{"data-start": _("Start sharing"), "data-stop": _("Stop sharing")},
                ),
            ],
        ),
        html.Button(_("Help"), id="mobile-help", className="btn btn-danger btn-lg w-100 mt-2 fo-m-help"),
        html.Div(id="mobile-help-result", role="status"),
        html.Div(id="mobile-notice", role="status"),
        html.Div(id="mobile-action-result", role="status"),
        _section(_("Tasks in route order"), html.Div(id="mobile-tasks"), section_id="mobile-tasks-section"),
        _section(
            _("Visit note"),
            # Filled with the open visit the note goes on (callbacks/mobile.note_target), sent back on save.
            html.Label(_("Note"), id="mobile-note-for", className="form-label small mb-1", htmlFor="mobile-note"),
            dcc.Textarea(id="mobile-note", maxLength=2000, className="form-control", rows=3),
            dcc.Store(id="mobile-note-visit"),
            dcc.Upload(
                id="mobile-photo",
                accept="image/jpeg,image/png",
                max_size=2 * 1024 * 1024,
                children=html.Span(_("Add a photo (JPEG or PNG, up to 2 MB)"), className="btn btn-outline-secondary"),
                className="mt-2",
            ),
            html.Div(id="mobile-photo-name", className="small text-muted"),
            html.Button(_("Save note"), id="mobile-note-save", className="btn btn-primary mt-2"),
            html.Div(id="mobile-note-result", role="status"),
            section_id="mobile-notes-section",
        ),
        _section(_("Today so far"), html.Div(id="mobile-summary"), section_id="mobile-summary-section"),
        _section(
            _("Pause sharing"),
            html.Div(id="mobile-pause-state"),
            field(_("Reason for a pause"), dcc.Input(id="mobile-reason", maxLength=200, className="form-control")),
            html.Div(
                className="fo-form-row",
                children=[
                    html.Button(_("Pause sharing"), id="mobile-pause", className="btn btn-outline-danger"),
                    html.Button(_("Resume sharing"), id="mobile-resume", className="btn btn-outline-success"),
                ],
            ),
            html.Div(id="mobile-pause-result", role="status"),
            section_id="mobile-pause-section",
        ),
        _section(
            _("Share my live position"),
            *share_link_controls("mobile", SHARE_MINUTES, _("Revoke my links")),
            section_id="mobile-share-section",
        ),
        html.A(
            _("Keep sharing in the background: set up a tracker app"),
            href="/trackers",
            className="btn btn-link px-0 mt-3",
            id="mobile-trackers-link",
        ),
        dcc.Interval(id="mobile-tick", interval=5_000),
        dcc.Store(id="mobile-tasks-sig"),
        dcc.Store(id="mobile-request"),
        dcc.Store(id="mobile-help-request"),
        dcc.Store(id="mobile-refresh", data=0),
        page_id="mobile-page",
    )
