"""The alerts inbox (issue 17): the viewer's alerts in a grid with filters; one alert in a side panel with its
figures, a link to the person's day at that moment, Acknowledge and Resolve. ?alert=<id> opens that alert's
panel (e-mails and pushes link there). Layout only."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.inputs import BIGINT, whole_number_in_text
from dashboard.core.permissions import ALERT_ROLES
from dashboard.web.components import grid_texts, row_id, side_panel
from dashboard.work.alerting import KINDS, kind_label, severity_label, state_label
from data.alerts import SEVERITIES, STATES

dash.register_page(__name__, path="/alerts", name="Alerts", order=4, roles=ALERT_ROLES, id_prefix="alerts")

# The state filter's choices: the unresolved (open or acknowledged), one state, or every state.
STATE_CHOICES = ("unresolved", *STATES, "all")
REFRESH_MS = 5_000  # the page asks the alerts' version this often and re-reads only when it moved


def state_choice_label(key: str) -> str:
    labels = {"unresolved": _("Open or acknowledged"), "all": _("Every state")}
    return labels.get(key) or state_label(key)


def columns() -> list[dict]:
    return [
        {
            "field": "severity_rank",
            "headerName": _("Severity"),
            "cellRenderer": "AlertSeverity",  # a coloured chip with the word (assets/alerts_inbox.js)
            "minWidth": 120,
            "maxWidth": 140,
            "sortingOrder": ["desc", "asc", None],
        },
        {"field": "kind_label", "headerName": _("Kind"), "minWidth": 160},
        {
            "field": "name",
            "headerName": _("Person"),
            "cellRenderer": "PersonName",  # the code under the name (assets/livemap_people.js)
            "cellClass": "fo-person-cell",
            "minWidth": 140,
        },
        {"field": "team", "headerName": _("Team"), "minWidth": 100},
        {
            "field": "at",
            "headerName": _("When"),
            "valueFormatter": {"function": "params.data.when"},
            "sort": "desc",
            "sortingOrder": ["desc", "asc", None],
            "minWidth": 130,
        },
        {"field": "state_label", "headerName": _("State"), "minWidth": 120},
        {"field": "acknowledged", "headerName": _("Acknowledged"), "minWidth": 150},
        {"field": "resolved", "headerName": _("Resolved"), "minWidth": 150},
    ]


def _grid() -> dag.AgGrid:
    return dag.AgGrid(
        id="alerts-grid",
        columnDefs=columns(),
        rowData=[],
        getRowId=row_id("id"),
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "flex": 1,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions={
            "animateRows": False,
            "rowHeight": 44,
            "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
            "localeText": grid_texts() | {"noRowsToShow": _("No alerts match.")},
        },
        className="fo-grid fo-alerts-grid",
        style={"height": "calc(100vh - 15rem)", "minHeight": "320px"},
    )


def _filter(label: str, control: dcc.Dropdown) -> html.Div:
    return html.Div([html.Label(label, htmlFor=control.id, className="fo-label"), control], className="fo-filter")


def _filters() -> html.Div:
    def choices(values, label) -> list[dict]:
        return [{"label": label(v), "value": v} for v in values]

    return html.Div(
        [
            _filter(
                _("State"),
                dcc.Dropdown(
                    id="alerts-state",
                    options=[{"label": state_choice_label(key), "value": key} for key in STATE_CHOICES],
                    value="unresolved",
                    clearable=False,
                    className="fo-filter-choice",
                ),
            ),
            _filter(
                _("Severity"),
                dcc.Dropdown(
                    id="alerts-severity",
                    options=choices(SEVERITIES, severity_label),
                    multi=True,
                    placeholder=_("Every severity"),
                    className="fo-filter-choice",
                ),
            ),
            _filter(
                _("Kind"),
                dcc.Dropdown(
                    id="alerts-kind",
                    options=choices(KINDS, kind_label),
                    multi=True,
                    placeholder=_("Every kind"),
                    className="fo-filter-choice",
                ),
            ),
            _filter(
                _("Team"),
                dcc.Dropdown(
                    id="alerts-team", placeholder=_("All teams"), clearable=True, className="fo-filter-choice"
                ),
            ),
            html.Span(id="alerts-summary", className="fo-count", role="status"),
        ],
        className="fo-toolbar fo-alerts-filters",
    )


def _panel() -> html.Div:
    """One alert at a time, drawn closed: a row of the grid (or ?alert=) opens it."""
    return side_panel(
        "alerts-panel",
        "alerts-panel-close",
        [
            html.Div(id="alerts-action-result", role="status"),
            html.Div(id="alerts-detail"),
            html.Div(
                id="alerts-actions",
                className="fo-form-row mt-2 fo-alert-actions",  # which buttons show: callbacks/alerts.py
                children=[
                    html.Button(_("Acknowledge"), id="alert-ack", className="btn btn-primary"),
                    html.Button(_("Resolve"), id="alert-resolve", className="btn btn-outline-success"),
                ],
            ),
        ],
    )


def layout(alert: str | None = None, **_query: str) -> html.Div:
    """?alert=<id>: that alert's panel opens (when it is in the viewer's view)."""
    return html.Div(
        [
            html.Div(
                [
                    html.H2(_("Alerts")),
                    html.Button(
                        _("Browser notifications"),
                        id="alerts-push-enable",
                        type="button",
                        className="btn btn-sm btn-outline-secondary",
                    ),
                ],
                className="fo-page-head",
            ),
            _filters(),
            _grid(),
            _panel(),
            dcc.Interval(id="alerts-tick", interval=REFRESH_MS),
            dcc.Store(id="alerts-selected", data=whole_number_in_text(alert, BIGINT)),
            dcc.Store(id="alerts-version"),
            dcc.Store(id="alerts-refresh", data=0),
        ],
        className="fo-page fo-alerts-page",
        id="alerts-page",
    )
