"""Admin: teams (made, renamed, merged, removed when empty, their supervisors) and working hours (organisation, team
or employee). Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import ADMIN_ROLES
from dashboard.web.components import field, grid, page_frame, week_hours_table

dash.register_page(
    __name__,
    path="/admin/teams",
    name="Teams and hours",
    order=51,
    section="admin",
    roles=ADMIN_ROLES,
    id_prefix="teams",
)


def _change_team() -> html.Section:
    """One team's name, supervisors, merge and removal; the team is chosen first."""
    return html.Section(
        [
            html.H3(_("Change a team"), className="h5 mt-4"),
            field(_("Team to change"), dcc.Dropdown(id="teams-chosen", placeholder=_("Choose a team"))),
            html.Div(
                id="teams-change",
                hidden=True,  # shown once a team is chosen (callbacks/admin_teams.py: show_team)
                children=[
                    html.Div(
                        className="fo-form-row mt-2",
                        children=[
                            field(_("Name"), dcc.Input(id="teams-rename-name", className="form-control", maxLength=60)),
                            html.Button(_("Rename"), id="teams-rename", className="btn btn-outline-primary"),
                        ],
                    ),
                    html.Div(
                        className="fo-form-row mt-2",
                        children=[
                            html.Div(
                                field(
                                    _("Supervisors"),
                                    dcc.Dropdown(id="teams-supervisors", multi=True, placeholder=_("No supervisor")),
                                ),
                                style={"minWidth": "20rem"},
                            ),
                            html.Button(
                                _("Save supervisors"), id="teams-supervisors-save", className="btn btn-outline-primary"
                            ),
                        ],
                    ),
                    html.Div(
                        className="fo-form-row mt-2",
                        children=[
                            field(_("Merge into"), dcc.Dropdown(id="teams-merge-into", placeholder=_("Choose a team"))),
                            dcc.ConfirmDialogProvider(
                                html.Button(
                                    _("Merge"),
                                    id="teams-merge-button",
                                    className="btn btn-outline-danger",
                                    disabled=True,
                                ),
                                id="teams-merge",
                            ),
                        ],
                    ),
                    html.Div(
                        className="fo-form-row mt-2",
                        children=[
                            html.Button(_("Delete team"), id="teams-remove", className="btn btn-outline-danger"),
                            html.Span(id="teams-remove-why", className="small text-muted align-self-center"),
                        ],
                    ),
                ],
            ),
            html.Div(id="teams-change-result"),
            dcc.Store(id="teams-version"),
        ]
    )


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Teams and working hours"),
        grid(
            "teams-grid",
            [
                ("name", _("Team")),
                ("members", _("Members")),
                ("former_members", _("Deactivated")),
                ("supervisors", _("Supervisors")),
            ],
            height="220px",
        ),
        html.Div(
            className="fo-form-row mt-3",
            children=[
                field(_("New team"), dcc.Input(id="teams-new-name", className="form-control", maxLength=60)),
                html.Button(_("Create"), id="teams-create", className="btn btn-primary"),
            ],
        ),
        html.Div(id="teams-create-result"),
        _change_team(),
        html.H3(_("Working hours"), className="h5 mt-4"),
        html.P(
            _(
                "Positions are stored only inside working hours. An employee's hours replace their team's; "
                "a team's replace the organisation's. Leave a day empty for no tracking; 00:00 to 00:00 "
                "means the whole day."
            ),
            className="text-muted small",
        ),
        field(_("Hours of"), dcc.Dropdown(id="teams-hours-of", clearable=False, value="org")),
        week_hours_table("teams"),
        html.Button(_("Save hours"), id="teams-hours-save", className="btn btn-primary"),
        html.Div(id="teams-hours-result"),
        dcc.Store(id="teams-refresh", data=0),
        page_id="teams-page",
    )
