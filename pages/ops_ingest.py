"""Ingest operations: the writer's backlog and lag, and each writer of the group. Layout only; no data."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import OPERATIONS_ROLES

dash.register_page(
    __name__,
    path="/ops/ingest",
    name="Ingest status",
    title="FieldOps · Ingest",
    order=60,
    section="admin",
    roles=OPERATIONS_ROLES,
    id_prefix="ops",
)


def _figure(label: str, value_id: str) -> html.Div:
    return html.Div(
        [html.Div(label, className="fo-figure-label"), html.Div("–", id=value_id, className="fo-figure")],
        className="fo-figure-box",
    )


def layout(**_query: str) -> html.Div:
    return html.Div(
        className="fo-page",
        children=[
            html.H1(_("Ingest status"), className="h4"),
            html.P(
                _("Positions accepted from trackers wait in Redis until a writer stores them in PostgreSQL."),
                className="text-muted",
            ),
            html.Div(id="ops-ready"),
            html.Div(
                [
                    _figure(_("Waiting to be stored"), "ops-backlog"),
                    _figure(_("Oldest waiting"), "ops-lag"),
                    _figure(_("Limit before trackers are asked to retry"), "ops-limit"),
                ],
                className="fo-figures",
            ),
            html.H2(_("Writers"), className="h6 mt-3"),
            html.Div(id="ops-writers"),
            dcc.Interval(id="ops-tick", interval=2000),
        ],
    )
