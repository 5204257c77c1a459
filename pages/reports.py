"""Reports: build a PDF/XLSX/CSV report with a progress bar, download past ones, keep schedules. Layout only."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import dash
from dash import dcc, html

from dashboard.core.i18n import _, current_language
from dashboard.core.permissions import REPORT_ROLES
from dashboard.core.runtime import runtime
from dashboard.reports.model import FORMATS
from dashboard.reports.schedule import weekday_names
from dashboard.web.components import field, page_frame

dash.register_page(
    __name__, path="/reports", name="Reports", order=13, section="analytics", roles=REPORT_ROLES, id_prefix="reports"
)


def month_options(today: date, count: int = 24) -> list[dict]:
    options, first = [], today.replace(day=1)
    for _n in range(count):
        options.append({"label": first.strftime("%Y-%m"), "value": first.strftime("%Y-%m")})
        first = (first - timedelta(days=1)).replace(day=1)
    return options


def week_options(today: date, count: int = 26) -> list[dict]:
    monday = today - timedelta(days=today.weekday())
    options = []
    for n in range(count):
        start = monday - timedelta(weeks=n)
        year, week, _day = start.isocalendar()
        label = f"{year}-W{week:02d} ({start.isoformat()} – {(start + timedelta(days=6)).isoformat()})"
        options.append({"label": label, "value": f"{year}-W{week:02d}"})
    return options


def _build_form() -> html.Div:
    today = datetime.now(runtime().settings.tz).date()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    return html.Div(
        className="fo-report-form",
        children=[
            field(
                _("Period"),
                dcc.RadioItems(
                    id="reports-kind",
                    options=[
                        {"label": _("Month"), "value": "month"},
                        {"label": _("Week"), "value": "week"},
                        {"label": _("Custom range"), "value": "custom"},
                    ],
                    value="month",
                    inline=True,
                    inputClassName="me-1",
                    labelClassName="me-3",
                ),
            ),
            html.Div(
                id="reports-month-box",
                children=field(
                    _("Month"),
                    dcc.Dropdown(id="reports-month", options=month_options(today), value=last_month, clearable=False),
                ),
            ),
            html.Div(
                id="reports-week-box",
                style={"display": "none"},
                children=field(
                    _("Week"), dcc.Dropdown(id="reports-week", options=week_options(today), clearable=False)
                ),
            ),
            html.Div(
                id="reports-range-box",
                style={"display": "none"},
                children=field(
                    _("Days"),
                    dcc.DatePickerRange(
                        id="reports-range",
                        display_format="YYYY-MM-DD",
                        max_date_allowed=today,
                        start_date_placeholder_text=_("First day"),
                        end_date_placeholder_text=_("Last day"),
                    ),
                ),
            ),
            html.P(id="reports-comparison", className="small text-muted", **{"aria-live": "polite"}),
            field(_("Teams"), dcc.Dropdown(id="reports-teams", multi=True, placeholder=_("All teams in your view"))),
            field(
                _("Formats"),
                dcc.Checklist(
                    id="reports-formats",
                    options=[{"label": fmt.upper(), "value": fmt} for fmt in FORMATS],
                    value=["pdf", "xlsx"],
                    inline=True,
                    inputClassName="me-1",
                    labelClassName="me-3",
                ),
            ),
            field(
                _("Language"),
                dcc.Dropdown(
                    id="reports-language",
                    options=[{"label": "English", "value": "en"}, {"label": "简体中文", "value": "zh-CN"}],
                    value=current_language(),
                    clearable=False,
                ),
            ),
            html.Button(_("Build report"), id="reports-build", className="btn btn-primary mt-2"),
            html.Div(id="reports-result"),
            html.Div(
                className="progress mt-2",
                id="reports-progress-box",
                style={"display": "none", "height": "1.4rem"},
                children=html.Div(
                    id="reports-progress",
                    className="progress-bar progress-bar-striped progress-bar-animated",
                    role="progressbar",
                ),
            ),
        ],
    )


def _schedule_form() -> html.Div:
    days = [{"label": name, "value": n} for n, name in enumerate(weekday_names())]
    return html.Div(
        className="fo-report-form",
        children=[
            field(
                _("Name"), dcc.Input(id="reports-schedule-name", type="text", maxLength=200, className="form-control")
            ),
            field(
                _("Repeat"),
                dcc.RadioItems(
                    id="reports-schedule-cadence",
                    options=[{"label": _("Weekly"), "value": "weekly"}, {"label": _("Monthly"), "value": "monthly"}],
                    value="weekly",
                    inline=True,
                    inputClassName="me-1",
                    labelClassName="me-3",
                ),
            ),
            field(_("Day"), dcc.Dropdown(id="reports-schedule-day", options=days, value=0, clearable=False)),
            field(
                _("Time of day"),
                dcc.Input(
                    id="reports-schedule-time", type="text", value="08:00", maxLength=5, className="form-control"
                ),
            ),
            field(
                _("E-mail to (comma-separated, optional)"),
                dcc.Input(id="reports-schedule-email", type="text", maxLength=1000, className="form-control"),
            ),
            html.P(
                _("The schedule uses the teams, formats and language chosen above."), className="small text-muted mt-1"
            ),
            html.Button(_("Add schedule"), id="reports-schedule-add", className="btn btn-outline-primary"),
            html.Div(id="reports-schedule-result"),
            html.Div(id="reports-schedules", className="mt-3"),
        ],
    )


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Reports"),
        html.Div(
            className="fo-report-columns",
            children=[
                html.Section([html.H3(_("New report"), className="h5"), _build_form()]),
                html.Section([html.H3(_("Schedules"), className="h5"), _schedule_form()]),
            ],
        ),
        html.H3(_("Past reports"), className="h5 mt-4"),
        html.Div(id="reports-list"),
        dcc.Interval(id="reports-tick", interval=1000),
        dcc.Store(id="reports-job"),
        dcc.Store(id="reports-list-shown"),
        dcc.Store(id="reports-schedule-removed"),
        page_id="reports-page",
    )
