"""Coverage (issue 21): planned, done, missed and unplanned visits per team and person, the customers overdue and
never visited, and a map of customers coloured by days since their last visit. Layout only."""

from __future__ import annotations

from datetime import datetime

import dash
import dash_ag_grid as dag
import dash_leaflet as dl
from dash import html
from dash_extensions.javascript import Namespace

from dashboard.analytics.coverage import week_of
from dashboard.core.i18n import _
from dashboard.core.permissions import ANALYTICS_ROLES
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_tiles
from dashboard.web.components import analytics_filters, grid, grid_texts, row_id
from dashboard.web.maps import HELSINKI, base_layers

dash.register_page(
    __name__,
    path="/analytics/coverage",
    name="Coverage",
    title="FieldOps · Coverage",
    order=12,
    section="analytics",
    roles=ANALYTICS_ROLES,
    id_prefix="coverage",
)

js = Namespace("fieldops", "coverage")  # functions in assets/coverage.js
PERCENT = {"function": "params.value == null ? '' : d3.format('.0%')(params.value)"}


def figure_columns(first: tuple[str, str]) -> list[dict]:
    """A team's or a person's row: who, then the coverage figures."""
    field, header = first
    return [
        {"field": field, "headerName": header, "pinned": "left", "minWidth": 160},
        {"field": "planned", "headerName": _("Planned")},
        {"field": "done", "headerName": _("Done")},
        {"field": "missed", "headerName": _("Missed")},
        {"field": "pending", "headerName": _("To come")},
        {"field": "unplanned", "headerName": _("Unplanned visits")},
        {"field": "done_rate", "headerName": _("Done of planned"), "valueFormatter": PERCENT},
    ]


def _figure_grid(grid_id: str, columns: list[dict], key: str, height: str) -> dag.AgGrid:
    return dag.AgGrid(
        id=grid_id,
        columnDefs=columns,
        rowData=[],
        defaultColDef={"resizable": True, "sortable": True, "filter": True, "flex": 1, "minWidth": 100},
        dashGridOptions={"animateRows": False, "localeText": grid_texts()},
        getRowId=row_id(key),
        style={"height": height},
        className="fo-grid",
    )


def _section(title: str, *children: object, section_id: str) -> html.Section:
    return html.Section([html.H2(title, className="h6 mt-3"), *children], id=section_id)


def layout(**_query: str) -> html.Div:
    start, end = week_of(datetime.now(runtime().settings.tz).date())
    return html.Div(
        className="fo-analytics",
        children=[
            analytics_filters("coverage", start, end),
            html.Div(
                className="fo-analytics-body",
                children=[
                    html.Div(id="coverage-kpis", className="fo-kpis"),
                    _section(
                        _("Teams"),
                        _figure_grid("coverage-teams", figure_columns(("team_name", _("Team"))), "team_key", "240px"),
                        section_id="coverage-teams-section",
                    ),
                    _section(
                        _("People"),
                        html.P(id="coverage-people-note", className="text-muted small"),
                        _figure_grid(
                            "coverage-people",
                            [
                                *figure_columns(("employee_name", _("Person"))),
                                {"field": "team_name", "headerName": _("Team")},
                            ],
                            "employee_id",
                            "320px",
                        ),
                        section_id="coverage-people-section",
                    ),
                ],
            ),
            html.Div(
                className="fo-map-row fo-heatmap-row",
                children=[
                    html.Div(
                        className="fo-map-box",
                        children=[
                            dl.Map(
                                id="coverage-map",
                                center=HELSINKI,
                                zoom=12,
                                className="fo-map",
                                children=[
                                    *base_layers(map_tiles(runtime()), "coverage-streets"),
                                    dl.GeoJSON(
                                        id="coverage-points",
                                        pointToLayer=js("customerMarker"),
                                        onEachFeature=js("customerTooltip"),
                                    ),
                                    dl.ScaleControl(position="bottomright", imperial=False),
                                ],
                            ),
                            html.Div(id="coverage-legend", className="fo-legend"),
                        ],
                    ),
                ],
            ),
            html.Div(
                className="fo-analytics-body",
                children=[
                    _section(
                        _("Customers overdue"),
                        grid(
                            "coverage-overdue",
                            [
                                ("customer_name", _("Customer")),
                                ("team_name", _("Team")),
                                ("tier", _("Tier")),
                                ("every_days", _("Every (days)")),
                                ("days_since", _("Days since last visit")),
                                ("overdue_by", _("Overdue by (days)")),
                            ],
                            height="280px",
                        ),
                        section_id="coverage-overdue-section",
                    ),
                    _section(
                        _("Never visited"),
                        grid(
                            "coverage-never",
                            [
                                ("customer_name", _("Customer")),
                                ("team_name", _("Team")),
                                ("tier", _("Tier")),
                                ("every_days", _("Every (days)")),
                            ],
                            height="240px",
                        ),
                        section_id="coverage-never-section",
                    ),
                ],
            ),
        ],
    )
