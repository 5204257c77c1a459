"""Each person's performance against the targets, a ranking table and the teams side by side. Layout only."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
from dash import dcc, html

from dashboard.analytics.efficiency import default_period
from dashboard.core.i18n import _
from dashboard.core.permissions import ANALYTICS_ROLES
from dashboard.core.runtime import runtime
from dashboard.web.charts import chart_config
from dashboard.web.components import analytics_filters, grid_texts, row_id

dash.register_page(
    __name__,
    path="/analytics/performance",
    name="Performance",
    title="FieldOps · Performance",
    order=11,
    section="analytics",
    roles=ANALYTICS_ROLES,
    id_prefix="perf",
)

CHARTS = ("perf-visits", "perf-ontime", "perf-distance", "perf-split", "perf-satisfaction")
PERCENT = {"function": "params.value == null ? '' : d3.format('.0%')(params.value)"}
ONE_DECIMAL = {"function": "params.value == null ? '' : d3.format('.1f')(params.value)"}


def ranking_columns() -> list[dict]:
    return [
        {"field": "employee_name", "headerName": _("Person"), "pinned": "left", "minWidth": 160},
        {"field": "team_name", "headerName": _("Team")},
        {"field": "person_days", "headerName": _("Days")},  # left-aligned, as its header and every other figure
        {"field": "visits_per_person_day", "headerName": _("Visits per day"), "valueFormatter": ONE_DECIMAL},
        {"field": "on_time_rate", "headerName": _("On time"), "valueFormatter": PERCENT},
        {"field": "km_per_person_day", "headerName": _("km per day"), "valueFormatter": ONE_DECIMAL},
        {"field": "visit_share", "headerName": _("Time on visits"), "valueFormatter": PERCENT},
        {"field": "idle_share", "headerName": _("Idle"), "valueFormatter": PERCENT},
        {"field": "outside_share", "headerName": _("Outside area"), "valueFormatter": PERCENT},
        {"field": "satisfaction", "headerName": _("Satisfaction"), "valueFormatter": ONE_DECIMAL},
        {"field": "flags", "headerName": _("Below target"), "minWidth": 200},
    ]


def layout(**_query: str) -> html.Div:
    start, end = default_period(runtime().settings.tz)
    return html.Div(
        className="fo-analytics",
        children=[
            analytics_filters("perf", start, end),
            html.Div(
                className="fo-analytics-body",
                children=[
                    html.Div(id="perf-kpis", className="fo-kpis"),
                    html.Div(id="perf-person", className="fo-person"),
                    html.Div(
                        [dcc.Graph(id=chart, config=chart_config(), className="fo-chart") for chart in CHARTS],
                        className="fo-charts",
                    ),
                    dcc.Graph(id="perf-teams", config=chart_config(), className="fo-chart-wide"),
                    html.H5(_("Ranking")),
                    html.P(id="perf-ranking-note", className="text-muted small"),
                    dag.AgGrid(
                        id="perf-grid",
                        columnDefs=ranking_columns(),
                        rowData=[],
                        defaultColDef={
                            "resizable": True,
                            "sortable": True,
                            "filter": True,
                            "flex": 1,
                            "minWidth": 100,
                            "wrapHeaderText": True,  # "Satisfaction", "Outside area" whole, not cut
                            "autoHeaderHeight": True,
                        },
                        dashGridOptions={"animateRows": False, "localeText": grid_texts()},
                        getRowId=row_id("employee_id"),
                        style={"height": "420px"},
                        className="fo-grid",
                    ),
                    dcc.Store(id="perf-selected"),
                ],
            ),
        ],
    )
