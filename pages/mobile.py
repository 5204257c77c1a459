"""The field staff's phone page: today's tasks, check-in, notes, sharing, help, share links. Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import PHONE_ROLES
from dashboard.web.components import page_frame, pause_controls, share_link_controls
from dashboard.work.phone import REMOTE_CHANNELS, SHARE_MINUTES, remote_channel_label

dash.register_page(__name__, path="/m", name="Phone", order=5, roles=PHONE_ROLES, id_prefix="mobile")


def _section(title: str, *children, section_id: str) -> html.Section:
    return html.Section([html.H3(title, className="h6 mt-3"), *children], className="fo-m-section", id=section_id)


def _consent_panel() -> html.Div:
    """The consent text (or the notice), shown over everything else until the person answers the current version
    (callbacks/mobile.consent_view fills it and shows it)."""
    return html.Div(
        html.Div(
            [
                html.H2(_("Your consent to location tracking"), className="h5", id="mobile-consent-title"),
                html.Div(id="mobile-consent-text", className="fo-m-consent-text"),
                html.Div(
                    [
                        html.Button(_("Give consent"), id="mobile-consent-give", className="btn btn-primary"),
                        html.Button(_("Not now"), id="mobile-consent-later", className="btn btn-outline-secondary"),
                    ],
                    className="d-flex gap-2 mt-3",
                ),
            ],
            className="fo-m-consent-card",
            role="dialog",
            **{"aria-modal": "true", "aria-labelledby": "mobile-consent-title"},
        ),
        id="mobile-consent",
        className="fo-m-consent",
        hidden=True,
    )


def _consent_controls() -> html.Div:
    """The person's consent in the privacy area: its state, Withdraw (confirmed first) or Give again."""
    return html.Div(
        [
            html.Div(id="mobile-consent-status", className="small"),
            dcc.ConfirmDialogProvider(
                html.Button(_("Withdraw consent"), id="mobile-consent-withdraw", className="btn btn-outline-danger"),
                id="mobile-consent-confirm",
                message=_("Withdraw your consent? FieldOps stops keeping your positions at once."),
            ),
            html.Button(_("Give consent again"), id="mobile-consent-regive", className="btn btn-outline-success"),
            html.Div(id="mobile-consent-result", role="status"),
            # Read by assets/mobile.js: "fo-consent-off" stops the phone sending and drops the positions it holds.
            html.Span(id="mobile-consent-flag", hidden=True),
        ],
        id="mobile-consent-section",
        className="mt-2",
    )


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Today"),
        _consent_panel(),
        html.Div(
            className="fo-m-sharing",
            children=[
                # Whether positions are kept now (paused, outside working hours, sharing): the same as My data says.
                html.Div(id="mobile-sharing"),
                # Whether this phone sends its position (assets/mobile.js).
                html.Span(
                    _("This phone is not sending your position."),
                    id="mobile-sharing-state",
                    className="fo-m-state small",
                    **{
                        "data-on": _("This phone is sending your position."),
                        "data-off": _("This phone is not sending your position."),
                        "data-denied": _("Location permission denied"),
                        "data-waiting": _("{count} positions waiting for the network"),
                    },
                ),
                html.Span("", id="mobile-pending", className="small text-muted"),
                html.Button(
                    _("Send from this phone"),
                    id="mobile-share-toggle",
                    className="btn btn-primary btn-sm",
                    **{"data-start": _("Send from this phone"), "data-stop": _("Stop sending")},
                ),
            ],
        ),
        html.Button(_("Help"), id="mobile-help", className="btn btn-danger btn-lg w-100 mt-2 fo-m-help"),
        html.Div(id="mobile-help-result", role="status"),
        _section(
            _("Tasks in route order"),
            html.Div(id="mobile-notice", role="status"),
            # A result is shown on the card acted on; this copy is for screen readers, the cards being redrawn.
            html.Div(id="mobile-action-result", role="status", className="visually-hidden"),
            html.Div(id="mobile-tasks"),
            section_id="mobile-tasks-section",
        ),
        _section(
            _("Visit note"),
            # Filled with the open visit the note goes on (callbacks/mobile.note_target), sent back on save.
            html.Label(_("Note"), id="mobile-note-for", className="form-label small mb-1", htmlFor="mobile-note"),
            dcc.Textarea(id="mobile-note", maxLength=2000, className="form-control", rows=3),
            dcc.Store(id="mobile-note-visit"),
            # The camera only: assets/mobile.js gives the upload's file input capture="environment" (dcc.Upload
            # has no such property); the server stamps the photo (dashboard/work/photos.py).
            dcc.Upload(
                id="mobile-photo",
                accept="image/*",
                max_size=2 * 1024 * 1024,
                children=html.Span(_("Take a photo (up to 2 MB)"), className="btn btn-outline-secondary"),
                className="mt-2 fo-m-camera",
            ),
            html.Div(id="mobile-photo-name", className="small text-muted"),
            html.Button(_("Save note"), id="mobile-note-save", className="btn btn-primary mt-2"),
            html.Div(id="mobile-note-result", role="status"),
            section_id="mobile-notes-section",
        ),
        _section(
            _("Due this week"),
            html.Div(id="mobile-due", className="fo-m-due"),
            section_id="mobile-due-section",
        ),
        _section(
            _("Record a remote visit"),
            html.Label(_("Customer"), className="form-label small mb-1", htmlFor="mobile-remote-customer"),
            dcc.Dropdown(id="mobile-remote-customer", placeholder=_("Choose a customer"), searchable=True),
            dcc.RadioItems(
                id="mobile-remote-channel",
                options=[{"label": remote_channel_label(c), "value": c} for c in REMOTE_CHANNELS],
                value="phone",
                inline=True,
                className="mt-2",
                inputClassName="me-1",
                labelClassName="me-3",
            ),
            html.Label(_("What was discussed"), className="form-label small mb-1 mt-2", htmlFor="mobile-remote-notes"),
            dcc.Textarea(id="mobile-remote-notes", maxLength=2000, className="form-control", rows=2),
            html.Button(_("Record visit"), id="mobile-remote-save", className="btn btn-primary mt-2"),
            html.Div(id="mobile-remote-result", role="status"),
            section_id="mobile-remote-section",
        ),
        _section(_("Today so far"), html.Div(id="mobile-summary"), section_id="mobile-summary-section"),
        _section(
            _("Location sharing"),
            pause_controls("mobile"),
            html.Div(id="mobile-pause-result", role="status"),
            _consent_controls(),
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
        dcc.Store(id="mobile-note-request"),
        dcc.Store(id="mobile-refresh", data=0),
        dcc.Store(id="mobile-consent-later-for", storage_type="session"),  # the version put off with "Not now"
        page_id="mobile-page",
    )
