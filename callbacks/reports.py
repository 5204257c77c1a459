"""Reports page: queue a build (run off the request thread), poll its progress, list past reports and schedules."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from dash import ALL, Dash, Input, Output, State, ctx, html, no_update
from flask import g

from dashboard.core.i18n import _, current_language
from dashboard.core.inputs import BIGINT, calendar_day, mapping, text, whole_number, whole_numbers
from dashboard.core.permissions import may_read_report, may_see_individuals
from dashboard.core.runtime import runtime
from dashboard.reports.build import build_in_background, queue_report
from dashboard.reports.model import ReportError
from dashboard.reports.periods import comparison_label, custom_period, parse_period, period_of
from dashboard.reports.schedule import add_schedule, describe_schedule, weekday_names
from dashboard.web.components import result
from data import reports, teams

LIST_LENGTH = 50


def team_options(_id: object) -> list[dict]:
    return [{"label": team["name"], "value": team["id"]} for team in teams.list_teams(runtime().db, g.viewer.scope)]


def show_period_inputs(kind: object) -> tuple[dict, dict, dict]:
    hidden, shown = {"display": "none"}, {}
    return (
        shown if kind == "month" else hidden,
        shown if kind == "week" else hidden,
        shown if kind == "custom" else hidden,
    )


def _chosen_period(kind: object, month: object, week: object, first: object, last: object):
    if kind == "week":
        return parse_period(text(week, 20))
    if kind == "custom":
        first, last = calendar_day(first), calendar_day(last)
        if first is None or last is None:
            raise ReportError(_("Choose the first and the last day."))
        return custom_period(first, last)
    return parse_period(text(month, 20))


def comparison(kind: object, month: object, week: object, first: object, last: object) -> str:
    """What the chosen period will be compared with: the same days of the one before while it is running."""
    if kind == "custom" and (calendar_day(first) is None or calendar_day(last) is None):
        return ""
    try:
        period = _chosen_period(kind, month, week, first, last)
    except ReportError:
        return ""
    today = datetime.now(runtime().settings.tz).date()
    return _("Compared with {days}.", days=comparison_label(period, today, current_language()))


def _formats(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _language(value: object) -> str:
    return value if value in ("en", "zh-CN") else current_language()


def build(
    _clicks: int,
    kind: object,
    month: object,
    week: object,
    first: object,
    last: object,
    team_ids: object,
    formats: object,
    language: object,
) -> tuple:
    rt = runtime()
    try:
        period = _chosen_period(kind, month, week, first, last)
        report_id = queue_report(
            rt, g.viewer, period, _formats(formats), _language(language), whole_numbers(team_ids) or None
        )
    except ReportError as exc:
        return result(str(exc), ok=False), no_update
    build_in_background(rt, report_id)
    return result(_("Building the report of {period}…", period=period.label(_language(language))), ok=True), {
        "id": report_id
    }


def progress(_tick: int, job: object) -> tuple:
    """The running build's progress bar; hidden when there is none."""
    report_id = whole_number(mapping(job).get("id"), BIGINT)  # reports.id is a bigserial
    report = reports.get_report(runtime().db, g.viewer.scope, report_id) if report_id else None
    if report is None:
        return {"display": "none"}, no_update, no_update, no_update
    label = {"queued": _("Waiting…"), "running": f"{report['progress']} %", "done": _("Done"), "failed": _("Failed")}
    colour = {"done": " bg-success", "failed": " bg-danger"}.get(report["state"], "")
    return (
        {"height": "1.4rem"},
        {"width": f"{max(report['progress'], 5)}%"},
        label[report["state"]],
        f"progress-bar progress-bar-striped progress-bar-animated{colour}",
    )


def _file_links(report: dict) -> list:
    return [
        html.A(
            name.rsplit("-", 1)[-1] if name.endswith(".csv") else name.rsplit(".", 1)[-1].upper(),
            href=f"/reports/file/{report['id']}/{quote(name)}",
            className="btn btn-sm btn-outline-secondary me-1 mb-1",
            title=name,
        )
        for name in report["files"]
    ]


def _author(report: dict, named: bool) -> str:
    """Who made it; another person's name only for a viewer who may see individuals."""
    return report["author_name"] if named or report["author_user_id"] == g.viewer.user_id else _("a colleague")


def _files_cell(report: dict) -> list | str:
    if may_read_report(g.viewer, report["names_individuals"], runtime().org_settings()):
        return _file_links(report)
    return _("lists individuals: hidden by the privacy setting")


def _scope_text(team_ids: list[int] | None, team_names: dict[int, str]) -> str:
    if team_ids is None:
        return _("Whole organisation")
    return ", ".join(sorted(team_names.get(team_id, "?") for team_id in team_ids)) or "—"


def report_list(_tick: int, _job: object, shown: object) -> tuple:
    """Past reports; redrawn only when one appears or changes, so a link stays put under the pointer."""
    rt = runtime()
    rows = reports.list_reports(rt.db, g.viewer.scope, LIST_LENGTH)
    signature = [[row["id"], row["state"], row["progress"]] for row in rows]
    if signature == shown:
        return no_update, no_update
    if not rows:
        return html.P(_("No reports yet."), className="text-muted"), signature
    states = {"queued": _("waiting"), "running": _("building"), "done": _("ready"), "failed": _("failed")}
    team_names = {team["id"]: team["name"] for team in teams.list_teams(rt.db, g.viewer.scope)}
    named = may_see_individuals(g.viewer, rt.org_settings())
    header = [_("Period"), _("Scope"), _("Author"), _("Made"), _("State"), _("Files")]
    body = [
        html.Tr(
            [
                html.Td(period_of(row).label(current_language())),  # the viewer's; the files keep the report's
                html.Td(_scope_text(row["scope_team_ids"], team_names)),
                html.Td(_author(row, named) + (" · " + _("scheduled") if row["schedule_id"] else "")),
                html.Td(rt.local(row["created_at"])),
                html.Td(states[row["state"]] + (f" ({row['progress']} %)" if row["state"] == "running" else "")),
                html.Td(_files_cell(row) if row["state"] == "done" else (row["error"] or "")),
            ],
            id=f"reports-row-{row['id']}",
        )
        for row in rows
    ]
    table = html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in header])), html.Tbody(body)],
        className="table table-sm fo-report-table",
        id="reports-table",
    )
    return table, signature


def save_schedule(
    _clicks: int,
    name: object,
    cadence: object,
    day: object,
    at: object,
    email: object,
    team_ids: object,
    formats: object,
    language: object,
) -> tuple:
    rt = runtime()
    addresses = [a.strip() for a in text(email, 1000).replace(";", ",").split(",") if a.strip()]
    try:
        schedule_id = add_schedule(
            rt,
            g.viewer,
            name=text(name, 200),
            cadence=cadence if cadence in ("weekly", "monthly") else "",
            day=whole_number(day) if whole_number(day) is not None else -1,
            at_time=text(at, 5),
            team_ids=whole_numbers(team_ids) or None,
            formats=_formats(formats),
            language=_language(language),
            email_to=addresses,
        )
    except ReportError as exc:
        return result(str(exc), ok=False), no_update
    return result(_("Schedule saved."), ok=True), {"added": schedule_id}


def day_options(cadence: object) -> tuple[list[dict], int]:
    if cadence == "monthly":
        return [{"label": str(n), "value": n} for n in range(1, 29)], 1
    return [{"label": name, "value": n} for n, name in enumerate(weekday_names())], 0


def remove_schedule(_clicks: list) -> object:
    if not isinstance(ctx.triggered_id, dict) or not any(_clicks or []):
        return no_update
    schedule_id = whole_number(ctx.triggered_id.get("schedule"))
    if schedule_id is None:
        return no_update
    reports.remove_schedule(runtime().db, schedule_id, g.viewer.user_id, g.viewer.scope)
    return {"removed": schedule_id}


def schedule_list(_changed: object) -> object:
    rows = reports.list_schedules(runtime().db, g.viewer.user_id, g.viewer.scope)
    if not rows:
        return html.P(_("No schedules yet."), className="text-muted")
    language = current_language()
    return html.Ul(
        [
            html.Li(
                [
                    html.B(row["name"]),
                    f" · {describe_schedule(row, language)} · {', '.join(f.upper() for f in row['formats'])}",
                    f" · {', '.join(row['email_to'])}" if row["email_to"] else "",
                    f" · {row['owner_name']}",
                    html.Button(
                        _("Remove"),
                        id={"type": "reports-schedule-remove", "schedule": row["id"]},
                        className="btn btn-sm btn-link text-danger",
                    ),
                ],
                id=f"reports-schedule-{row['id']}",
            )
            for row in rows
        ],
        className="list-unstyled",
    )


def register(app: Dash) -> None:
    app.callback(Output("reports-teams", "options"), Input("reports-teams", "id"))(team_options)
    app.callback(
        Output("reports-month-box", "style"),
        Output("reports-week-box", "style"),
        Output("reports-range-box", "style"),
        Input("reports-kind", "value"),
    )(show_period_inputs)
    form = [
        State("reports-kind", "value"),
        State("reports-month", "value"),
        State("reports-week", "value"),
        State("reports-range", "start_date"),
        State("reports-range", "end_date"),
        State("reports-teams", "value"),
        State("reports-formats", "value"),
        State("reports-language", "value"),
    ]
    app.callback(
        Output("reports-comparison", "children"),
        Input("reports-kind", "value"),
        Input("reports-month", "value"),
        Input("reports-week", "value"),
        Input("reports-range", "start_date"),
        Input("reports-range", "end_date"),
    )(comparison)
    app.callback(
        Output("reports-result", "children"),
        Output("reports-job", "data"),
        Input("reports-build", "n_clicks"),
        *form,
        prevent_initial_call=True,
    )(build)
    app.callback(
        Output("reports-progress-box", "style"),
        Output("reports-progress", "style"),
        Output("reports-progress", "children"),
        Output("reports-progress", "className"),
        Input("reports-tick", "n_intervals"),
        State("reports-job", "data"),
    )(progress)
    app.callback(
        Output("reports-list", "children"),
        Output("reports-list-shown", "data"),
        Input("reports-tick", "n_intervals"),
        Input("reports-job", "data"),
        State("reports-list-shown", "data"),
    )(report_list)
    app.callback(
        Output("reports-schedule-day", "options"),
        Output("reports-schedule-day", "value"),
        Input("reports-schedule-cadence", "value"),
    )(day_options)
    app.callback(
        Output("reports-schedule-result", "children"),
        Output("reports-schedule-removed", "data", allow_duplicate=True),
        Input("reports-schedule-add", "n_clicks"),
        State("reports-schedule-name", "value"),
        State("reports-schedule-cadence", "value"),
        State("reports-schedule-day", "value"),
        State("reports-schedule-time", "value"),
        State("reports-schedule-email", "value"),
        *form[5:],
        prevent_initial_call=True,
    )(save_schedule)
    app.callback(
        Output("reports-schedule-removed", "data"),
        Input({"type": "reports-schedule-remove", "schedule": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )(remove_schedule)
    app.callback(Output("reports-schedules", "children"), Input("reports-schedule-removed", "data"))(schedule_list)
