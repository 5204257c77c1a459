"""Admin: the audit log of looks at people's locations. Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import ADMIN_ROLES
from dashboard.web.components import field, grid, page_frame

dash.register_page(
    __name__, path="/admin/audit", name="Audit", order=54, section="admin", roles=ADMIN_ROLES, id_prefix="audit"
)


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Who looked at whose location"),
        field(_("What"), dcc.Dropdown(id="audit-action", placeholder=_("Everything"))),
        grid(
            "audit-grid",
            [
                ("at", _("When")),
                ("username", _("Looked by")),
                ("role", _("Role")),
                ("action", _("What")),
                ("subject", _("Whose")),
                ("ip", _("Address")),
            ],
            height="560px",
        ),
        dcc.Interval(id="audit-tick", interval=15_000),
        page_id="audit-page",
    )
