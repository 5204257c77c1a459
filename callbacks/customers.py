"""Customers page callbacks: the list and map, one customer's history, logging a call, e-mail or meeting.
Who did what (account owner, visitor, assignee, the person rated) is shown only to viewers who may see individuals
(permissions.may_see_individuals); the rest of a customer's history is shown to everyone whose scope covers it."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from dash import Dash, Input, Output, State, ctx, html, no_update
from flask import g

from dashboard.core.auditing import record_look
from dashboard.core.i18n import _
from dashboard.core.inputs import counter, mapping, text, whole_number, whole_number_in_text
from dashboard.core.permissions import ACTIVITY_LOG_ROLES, PHOTO_AUDIT_ROLES, may_see_individuals, may_see_trust
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_frame
from dashboard.web.components import grid_columns, order_lines, result, trust_badge, trust_summary
from dashboard.web.routes.photos import original_path
from dashboard.web.routes.service_reports import report_path
from dashboard.work.customers import (
    INTERACTIONS,
    ContactError,
    interaction_label,
    set_contact,
    trust_column,
    visit_columns,
)
from dashboard.work.lifecycle import kind_label, state_label
from dashboard.work.trust import band
from data import activities, customers, feedback, orders, service_reports
from data import tasks as task_rows

PHOTOS_SHOWN = 12  # newest photos inline; each is at most 2 MB


def _who(name: str | None) -> str:
    """A person's name, or nothing for a viewer who may not see individuals."""
    return (name or "") if may_see_individuals(g.viewer, runtime().org_settings()) else ""


def customer_list(_id: object) -> tuple[list[dict], dict, dict, object]:
    """The customers in the viewer's scope as rows and map points, the street lines, a view framing them."""
    rt = runtime()
    rows = customers.list_customers(rt.db, g.viewer.scope)
    data = [
        {"id": c["id"], "name": c["name"], "address": c["address"] or "", "owner": _who(c["owner_name"])} for c in rows
    ]
    frame = map_frame(rt)  # the sites as the map's tiles draw them
    sites = frame.out_many((c["lat"], c["lon"]) for c in rows)
    points = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f"c{c['id']}",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"id": c["id"], "name": c["name"]},
            }
            for c, (lat, lon) in zip(rows, sites, strict=True)
        ],
    }
    viewport: object = no_update
    if sites:
        lats, lons = [lat for lat, _lon in sites], [lon for _lat, lon in sites]
        viewport = {"bounds": [[min(lats), min(lons)], [max(lats), max(lons)]]}
    return data, points, rt.livemap.streets_geojson(), viewport


def open_customer(cell: object, click: object) -> object:
    if ctx.triggered_id == "customers-points":
        customer_id = whole_number((mapping(click).get("properties") or {}).get("id"))
    else:
        customer_id = whole_number_in_text(mapping(cell).get("rowId"))
    return f"/customers?customer={customer_id}" if customer_id else no_update


def detail(customer: object, _refresh: object) -> tuple:
    """Everything the viewer may see about one customer: the page a manager opens on a complaint."""
    rt = runtime()
    scope = g.viewer.scope
    customer_id = whole_number_in_text(customer)
    row = customers.get_customer(rt.db, scope, customer_id) if customer_id else None
    if row is None:
        return (
            html.P(_("This customer is not in your view."), className="text-muted"),
            [],
            [],
            [],
            [],
            grid_columns(visit_columns()),
        )
    answers = feedback.customer_feedback(rt.db, scope, customer_id)
    average = sum(a["score"] for a in answers) / len(answers) if answers else None
    header = html.Div(
        [
            html.H3(row["name"], id="customers-name", className="h4 mt-2"),
            html.Div(
                " · ".join(
                    p
                    for p in (
                        row["address"] or "",
                        _("account owner: {name}", name=_who(row["owner_name"])) if _who(row["owner_name"]) else "",
                        _("average score {score} of 5 ({count} answers)", score=f"{average:.1f}", count=len(answers))
                        if answers
                        else "",
                    )
                    if p
                ),
                className="text-muted",
            ),
            # The customer's orders from the ERP import (issue 9).
            order_lines(orders.customer_orders(rt.db, scope, customer_id), "customers-orders"),
        ]
    )
    trust = may_see_trust(g.viewer, rt.org_settings())
    visit_rows = activities.customer_visits(rt.db, scope, customer_id)
    if visit_rows and ctx.triggered_id != "customers-refresh":
        # Who was at this customer when is a record of individuals' whereabouts: the look is audited.
        record_look("view_customer_visits", sorted({v["employee_id"] for v in visit_rows}), {"customer": customer_id})
    visits = [
        {
            "when": rt.local(v["started_at"]),
            "who": _who(v["employee_name"]),
            "minutes": round(v["seconds"] / 60) if v["seconds"] is not None else _("on site now"),
            "notes": v["notes"] or "",
        }
        | (
            {"trust": trust_summary(v["trust_score"], v["trust_reasons"]), "band": _band(v["trust_score"])}
            if trust
            else {}
        )
        for v in visit_rows
    ]
    interactions = _interactions(activities.customer_interactions(rt.db, scope, customer_id), trust)
    tasks = [
        {
            "when": rt.local(t["window_start"]) or rt.local(t["created_at"]),
            "state": state_label(t["state"]),
            "who": _who(t["employee_name"]),
            "kind": kind_label(t["kind"]),
        }
        for t in task_rows.customer_tasks(rt.db, scope, customer_id)
    ]
    answers_view = [
        html.Div(
            [
                html.Span("★" * a["score"] + "☆" * (5 - a["score"]), className="fo-stars", title=str(a["score"])),
                html.Span(f" {rt.local(a['answered_at'])} · {_who(a['employee_name'])}", className="small text-muted"),
                html.Div(a["comment"] or "", className="fo-survey-comment"),
            ],
            className="fo-survey-answer",
            id=f"customers-answer-{a['task_id']}",
        )
        for a in answers
    ] or [html.P(_("No survey answers yet."), className="text-muted small")]
    columns = grid_columns(visit_columns()) + ([trust_column()] if trust else [])
    return header, visits, interactions, tasks, answers_view, columns


def _band(score: int | None) -> str:
    return band(score) if score is not None else ""


def _interactions(rows: list[dict], trust: bool = False) -> list:
    rt = runtime()
    items, photos = [], 0
    for row in rows:
        parts = [
            html.B(interaction_label(row["kind"])),
            html.Span(f" {rt.local(row['started_at'])} · {_who(row['employee_name'])}", className="small text-muted"),
        ]
        if trust and row["kind"] == "check_in" and row["trust_score"] is not None:
            parts.append(
                html.Div(trust_badge(row["trust_score"], row["trust_reasons"], f"customers-trust-{row['id']}"))
            )
        if row["notes"]:
            parts.append(html.Div(row["notes"]))
        if row["photo"] is not None and photos < PHOTOS_SHOWN:
            photos += 1
            parts.extend(_photo(row))
        items.append(html.Li(parts, className="fo-interaction"))
    return [html.Ul(items, className="list-unstyled")] if items else [html.P(_("Nothing yet."), className="text-muted")]


def _photo(row: dict) -> list:
    """A note's photo as the server stamped it; for the roles that check photos also the original (a link), its
    SHA-256 and whether it looks like a photo of another visit. The stamp names the person, so a viewer who may
    not see individuals is told a photo exists, not shown it."""
    viewer = g.viewer
    if not may_see_individuals(viewer, runtime().org_settings()):
        return [html.Div(_("A photo (not shown: it names the person)."), className="small text-muted")]
    data = base64.b64encode(bytes(row["photo"])).decode()
    alt = _("Photo with the server's stamp")
    shown = [html.Img(src=f"data:{row['photo_type']};base64,{data}", className="fo-note-photo", alt=alt)]
    if viewer.role not in PHOTO_AUDIT_ROLES:
        return shown
    shown.append(
        html.Div(
            [
                html.A(_("Original photo"), href=original_path(row["id"]), target="_blank", rel="noopener"),
                html.Span(" · SHA-256 ", className="text-muted"),
                html.Code(row["photo_sha256"], className="fo-photo-sha"),
            ],
            className="small fo-photo-proof",
        )
    )
    if row["duplicate_of"] is not None:
        if row["duplicate_hidden"]:
            flag = _("Possible duplicate of a photo from a visit outside your view.")
        else:
            flag = _(
                "Possible duplicate of the photo from the visit at {customer} on {when} by {who}.",
                customer=row["duplicate_customer"] or _("no customer"),
                when=runtime().local(row["duplicate_at"]),
                who=row["duplicate_employee"],
            )
        shown.append(html.Div(flag, className="alert alert-warning py-1 px-2 my-1 small fo-photo-duplicate"))
    return shown


def reports_list(customer: object) -> list:
    """The customer's service reports (issue 21), newest first, each a link to its PDF."""
    rt = runtime()
    customer_id = whole_number_in_text(customer)
    rows = service_reports.customer_reports(rt.db, g.viewer.scope, customer_id) if customer_id else []
    items = []
    for row in rows:
        details = [rt.local(row["created_at"]), kind_label(row["kind"]), _who(row["employee_name"])]
        if row["mailed_to"]:
            details.append(_("e-mailed to {address}", address=row["mailed_to"]))
        items.append(
            html.Li(
                [
                    html.A(
                        _("Service report of task {task}", task=row["task_id"]),
                        href=report_path(row["id"]),
                        target="_blank",
                        rel="noopener",
                        id=f"customers-service-report-{row['id']}",
                    ),
                    html.Span(" · " + " · ".join(d for d in details if d), className="small text-muted"),
                ]
            )
        )
    if not items:
        return [html.P(_("No service reports yet."), className="text-muted small")]
    return [html.Ul(items, className="list-unstyled fo-service-reports")]


def contact(customer: object) -> tuple:
    """The customer's contact as stored, into the boxes."""
    customer_id = whole_number_in_text(customer)
    row = customers.get_customer(runtime().db, g.viewer.scope, customer_id) if customer_id else None
    return ((row["contact_name"] or ""), (row["contact_email"] or "")) if row else ("", "")


def save_contact(_clicks: object, customer: object, name: object, email: object) -> html.Div:
    customer_id = whole_number_in_text(customer)
    try:
        if customer_id is None:
            raise ContactError(_("This customer is not in your view."))
        set_contact(runtime(), g.viewer, customer_id, text(name, 300), text(email, 300))
    except ContactError as exc:
        return result(str(exc), ok=False)
    return result(_("Contact saved."), ok=True)


def log_interaction(_clicks: object, customer: object, kind: object, notes: object, refresh: object) -> tuple:
    rt = runtime()
    viewer = g.viewer
    customer_id = whole_number_in_text(customer)
    row = customers.get_customer(rt.db, viewer.scope, customer_id) if customer_id else None
    body = text(notes, 2000).strip()
    if viewer.role not in ACTIVITY_LOG_ROLES or row is None:
        return result(_("This customer is not in your view."), ok=False), no_update, no_update
    if kind not in INTERACTIONS:
        return result(_("Choose what it was."), ok=False), no_update, no_update
    if not body:
        return result(_("Write what was said."), ok=False), no_update, no_update
    # Activities belong to a person: the viewer's own employee record, else the customer's account owner.
    employee_id = viewer.employee_id or row["owner_employee_id"]
    if employee_id is None:
        return result(_("This customer has no account owner to log it for."), ok=False), no_update, no_update
    activities.log_interaction(rt.db, employee_id, customer_id, kind, datetime.now(UTC), body, viewer.username)
    return result(_("Logged."), ok=True), counter(refresh) + 1, ""


def register(app: Dash) -> None:
    app.callback(
        Output("customers-grid", "rowData"),
        Output("customers-points", "data"),
        Output("customers-streets", "data"),
        Output("customers-map", "viewport"),
        Input("customers-grid", "id"),
    )(customer_list)
    app.callback(
        Output("customers-location", "href"),
        Input("customers-grid", "cellClicked"),
        Input("customers-points", "clickData"),
        prevent_initial_call=True,
    )(open_customer)
    app.callback(
        Output("customers-header", "children"),
        Output("customers-visits", "rowData"),
        Output("customers-interactions", "children"),
        Output("customers-tasks", "rowData"),
        Output("customers-feedback", "children"),
        Output("customers-visits", "columnDefs"),
        Input("customers-id", "data"),
        Input("customers-refresh", "data"),
    )(detail)
    app.callback(Output("customers-service-reports", "children"), Input("customers-id", "data"))(reports_list)
    app.callback(
        Output("customers-contact-name", "value"),
        Output("customers-contact-email", "value"),
        Input("customers-id", "data"),
    )(contact)
    app.callback(
        Output("customers-contact-result", "children"),
        Input("customers-contact-save", "n_clicks"),
        State("customers-id", "data"),
        State("customers-contact-name", "value"),
        State("customers-contact-email", "value"),
        prevent_initial_call=True,
    )(save_contact)
    app.callback(
        Output("customers-log-result", "children"),
        Output("customers-refresh", "data"),
        Output("customers-log-notes", "value"),
        Input("customers-log-save", "n_clicks"),
        State("customers-id", "data"),
        State("customers-log-kind", "value"),
        State("customers-log-notes", "value"),
        State("customers-refresh", "data"),
        prevent_initial_call=True,
    )(log_interaction)
