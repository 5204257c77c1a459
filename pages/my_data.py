"""My data: what FieldOps stores about me, who looked at it, my export, my pause. Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import PEOPLE_ROLES
from dashboard.web.components import page_frame, pause_controls

dash.register_page(__name__, path="/me", name="My data", order=90, roles=PEOPLE_ROLES, id_prefix="me")


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("My data"),
        html.Div(id="me-summary"),
        html.H3(_("Location sharing"), className="h5 mt-4"),
        html.Div(id="me-sharing"),
        pause_controls("me"),
        html.Div(id="me-sharing-result"),
        html.H3(_("Who looked at my location"), className="h5 mt-4"),
        # A list, not a grid: each look reads whole on a phone (when, who and what on lines of their own).
        html.Ol(
            id="me-looks",
            className="fo-looks list-unstyled",
            tabIndex="0",  # it scrolls: the keyboard reaches it too
            **{"aria-label": _("Who looked at my location")},
        ),
        html.A(
            _("Download all my data (JSON)"),
            href="/me/export",
            className="btn btn-outline-primary mt-3",
            id="me-export",
        ),
        dcc.Store(id="me-refresh", data=0),
        page_id="me-page",
    )
