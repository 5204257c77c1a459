"""Per employee: tracker app settings and QR codes (Traccar Client, OwnTracks), and share links. Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import TRACKER_SETUP_ROLES
from dashboard.web.components import field, page_frame, share_link_controls
from dashboard.work.phone import SHARE_MINUTES

dash.register_page(
    __name__,
    path="/trackers",
    name="Tracker apps",
    order=85,
    section="data",
    roles=TRACKER_SETUP_ROLES,
    id_prefix="trackers",
)


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Tracker apps"),
        html.P(
            _(
                "Browsers stop sharing in the background; a tracker app keeps going. "
                "Creating settings again replaces the previous ones."
            )
        ),
        field(_("Employee"), dcc.Dropdown(id="trackers-employee", clearable=False)),
        html.Div(
            className="fo-form-row mt-2",
            children=[
                html.Button(_("Traccar Client settings"), id="trackers-traccar", className="btn btn-outline-primary"),
                html.Button(_("OwnTracks settings"), id="trackers-owntracks", className="btn btn-outline-primary"),
            ],
        ),
        html.Div(id="trackers-setup", className="mt-3"),
        html.H3(_("Share this person's live position"), className="h5 mt-4"),
        *share_link_controls("trackers", SHARE_MINUTES, _("Revoke links")),
        page_id="trackers-page",
    )
