"""Admin: the consent register (issue 19, PIPL art. 28-29): the legal basis, the text's versions per language, and
every person's consent. Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import ADMIN_ROLES
from dashboard.web.components import field, grid, page_frame
from dashboard.work.consent import MAX_TEXT_CHARS

dash.register_page(
    __name__, path="/admin/consent", name="Consent", order=59, section="admin", roles=ADMIN_ROLES, id_prefix="consent"
)


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Consent register"),
        field(
            _("Legal basis for tracking"),
            dcc.RadioItems(
                id="consent-basis",
                options=[
                    {
                        "label": _("Consent (PIPL art. 29, GDPR art. 6(1)(a)): nothing is tracked until given"),
                        "value": "consent",
                    },
                    {
                        "label": _(
                            "Notice of another lawful basis (e.g. GDPR art. 6(1)(f)): tracking does not wait; "
                            "people acknowledge the notice and object to the administrator"
                        ),
                        "value": "notice",
                    },
                ],
            ),
        ),
        html.Button(_("Save legal basis"), id="consent-basis-save", className="btn btn-outline-primary"),
        html.Div(id="consent-basis-result"),
        html.H3(_("Publish a new version of the text"), className="h5 mt-4"),
        html.P(
            _("A published text is never changed: a new version asks everyone again."),
            className="small text-muted",
        ),
        field(
            _("Text in English"),
            dcc.Textarea(id="consent-text-en", maxLength=MAX_TEXT_CHARS, rows=5, className="form-control"),
        ),
        field(
            _("Text in Simplified Chinese"),
            dcc.Textarea(id="consent-text-zh", maxLength=MAX_TEXT_CHARS, rows=5, className="form-control"),
        ),
        dcc.ConfirmDialogProvider(
            html.Button(_("Publish new version"), id="consent-publish", className="btn btn-primary mt-2"),
            id="consent-publish-confirm",
            message=_("Publish this text as a new version? Everyone is asked to answer it."),
        ),
        html.Div(id="consent-publish-result"),
        html.P(id="consent-current", className="mt-3"),
        html.H3(_("Record an answer given to the administrator"), className="h5 mt-4"),
        html.P(
            _(
                "For people who answer in writing or in person instead of on the phone (a tracker app alone has no "
                "screen to ask on). The register says it was recorded by an administrator."
            ),
            className="small text-muted",
        ),
        html.Div(
            className="fo-form-row",
            children=[
                field(_("Person"), dcc.Dropdown(id="consent-person", style={"width": "22rem"})),
                html.Button(_("Record consent given"), id="consent-record-give", className="btn btn-outline-primary"),
                dcc.ConfirmDialogProvider(
                    html.Button(
                        _("Record consent withdrawn"), id="consent-record-withdraw", className="btn btn-outline-danger"
                    ),
                    id="consent-record-withdraw-confirm",
                    message=_("Record that this person withdrew consent? Their positions stop being kept at once."),
                ),
            ],
        ),
        html.Div(id="consent-record-result"),
        html.H3(_("Register"), className="h5 mt-4"),
        grid(
            "consent-register",
            [
                ("code", _("Code")),
                ("name", _("Name")),
                ("team", _("Team")),
                ("state", _("State")),
                ("version", _("Version")),
                ("decided_at", _("When")),
                ("source", _("Source")),
            ],
        ),
        dcc.Store(id="consent-refresh", data=0),
        page_id="consent-page",
    )
