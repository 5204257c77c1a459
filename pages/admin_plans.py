"""Visit plans (issue 21): tiers, a customer's plan, the holiday calendar, leave, and the planner. Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import VISIT_PLAN_ROLES
from dashboard.web.components import field, grid, page_frame

dash.register_page(
    __name__,
    path="/admin/plans",
    name="Visit plans",
    order=56,
    section="admin",
    roles=VISIT_PLAN_ROLES,
    id_prefix="plans",
)


def weekday_options() -> list[dict]:
    names = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
    return [{"label": name, "value": day} for day, name in enumerate(names, start=1)]


def _input(input_id: str, **props: object) -> dcc.Input:
    return dcc.Input(id=input_id, className="form-control", **props)


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Visit plans"),
        html.P(
            _(
                "Each tier says how often its customers are visited; the planner turns plans into tasks for the "
                "customer's owner some days ahead, on working days, never on a holiday or during leave."
            ),
            className="small text-muted",
        ),
        html.H3(_("Tiers"), className="h5 mt-3"),
        grid(
            "plans-tiers",
            [
                ("code", _("Tier code")),
                ("name", _("Name")),
                ("every_days", _("Every (days)")),
                ("route_days", _("Route days")),
                ("window", _("Preferred time")),
                ("customers", _("Customers")),
            ],
            height="200px",
        ),
        html.Div(
            className="fo-form-row mt-2",
            children=[
                field(_("Tier code"), _input("plans-tier-code", maxLength=10, placeholder="A")),
                field(_("Name"), _input("plans-tier-name", maxLength=100)),
                field(_("Every (days)"), _input("plans-tier-every", type="number", min=1, max=366)),
                field(_("From"), _input("plans-tier-start", placeholder="09:00", maxLength=5)),
                field(_("To"), _input("plans-tier-end", placeholder="12:00", maxLength=5)),
            ],
        ),
        html.Div(
            className="fo-form-row",
            children=[
                html.Span(_("Route days (none: any working day)"), className="small"),
                dcc.Checklist(id="plans-tier-days", options=weekday_options(), inline=True, value=[]),
                html.Button(_("Save tier"), id="plans-tier-save", className="btn btn-primary"),
                html.Button(_("Remove tier"), id="plans-tier-remove", className="btn btn-outline-danger"),
            ],
        ),
        html.Div(id="plans-tier-result"),
        html.H3(_("A customer's plan"), className="h5 mt-4"),
        html.Div(
            className="fo-form-row",
            children=[
                field(_("Customer"), dcc.Dropdown(id="plans-customer", style={"minWidth": "16rem"})),
                field(_("Tier"), dcc.Dropdown(id="plans-customer-tier", style={"minWidth": "8rem"})),
                field(
                    _("Every (days), instead of the tier's"),
                    _input("plans-customer-every", type="number", min=1, max=366),
                ),
                html.Button(_("Save customer's plan"), id="plans-customer-save", className="btn btn-outline-primary"),
            ],
        ),
        html.Div(id="plans-customer-result"),
        html.H3(_("Holidays and make-up working days"), className="h5 mt-4"),
        grid(
            "plans-calendar",
            [("day", _("Day")), ("kind", _("Kind")), ("name", _("Name")), ("source", _("Source"))],
            height="220px",
        ),
        html.Div(
            className="fo-form-row mt-2",
            children=[
                field(_("Day"), _input("plans-day", placeholder="2027-05-01", maxLength=10)),
                field(
                    _("Kind"),
                    dcc.RadioItems(
                        id="plans-day-kind",
                        value="holiday",
                        inline=True,
                        options=[
                            {"label": _("holiday"), "value": "holiday"},
                            {"label": _("make-up working day"), "value": "workday"},
                        ],
                    ),
                ),
                field(_("Name"), _input("plans-day-name", maxLength=200)),
                html.Button(_("Mark day"), id="plans-day-add", className="btn btn-outline-primary"),
                html.Button(_("Unmark day"), id="plans-day-remove", className="btn btn-outline-danger"),
            ],
        ),
        html.Div(
            className="fo-form-row",
            children=[
                field(
                    _("Year (empty: the coming year)"),
                    _input("plans-import-year", type="number", min=2000, max=2100),
                ),
                html.Button(
                    _("Import mainland China's holidays"), id="plans-import", className="btn btn-outline-primary"
                ),
            ],
        ),
        html.Div(id="plans-calendar-result"),
        html.H3(_("Leave"), className="h5 mt-4"),
        grid(
            "plans-leave",
            [
                ("id", "#"),
                ("employee_name", _("Person")),
                ("first_day", _("First day")),
                ("last_day", _("Last day")),
                ("reason", _("Reason")),
                ("created_by", _("Marked by")),
            ],
            height="200px",
        ),
        html.Div(
            className="fo-form-row mt-2",
            children=[
                field(_("Person"), dcc.Dropdown(id="plans-leave-person", style={"minWidth": "14rem"})),
                field(_("First day"), _input("plans-leave-first", placeholder="2027-05-03", maxLength=10)),
                field(_("Last day"), _input("plans-leave-last", placeholder="2027-05-07", maxLength=10)),
                field(_("Reason"), _input("plans-leave-reason", maxLength=500)),
                html.Button(_("Mark leave"), id="plans-leave-add", className="btn btn-outline-primary"),
            ],
        ),
        html.Div(
            className="fo-form-row",
            children=[
                field(_("Leave"), dcc.Dropdown(id="plans-leave-pick", style={"minWidth": "14rem"})),
                html.Button(_("Remove leave"), id="plans-leave-remove", className="btn btn-outline-danger"),
            ],
        ),
        html.Div(id="plans-leave-result"),
        html.H3(_("Planner"), className="h5 mt-4"),
        html.Div(
            className="fo-form-row",
            children=[
                field(_("Plan this many days ahead"), _input("plans-horizon", type="number", min=1, max=92)),
                html.Button(_("Save"), id="plans-horizon-save", className="btn btn-outline-primary"),
                html.Button(_("Plan now"), id="plans-run", className="btn btn-primary"),
            ],
        ),
        dcc.Loading(html.Div(id="plans-run-result")),
        grid("plans-skipped", [("customer", _("Customer")), ("reason", _("Why nothing was planned"))], height="160px"),
        dcc.Store(id="plans-refresh", data=0),
        page_id="plans-page",
    )
