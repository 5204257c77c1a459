"""Alerts inbox callbacks: thin. The grid from data/alerts.inbox in the viewer's scope, re-read only when the
alerts' version moved (or a filter changed); Acknowledge and Resolve through dashboard/work/alerting, which
refuse an alert outside the viewer's scope. Opening an alert that shows where someone was (its position, its
link to their day) is audited as a look at a location ("view_alert")."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import dash
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import g

from dashboard.core.auditing import record_look
from dashboard.core.i18n import _, chart_day_format
from dashboard.core.inputs import BIGINT, counter, text, whole_number
from dashboard.core.permissions import may_open
from dashboard.core.runtime import runtime
from dashboard.web.components import result, side_panel_class, side_panel_focus
from dashboard.work import alerting
from data import alerts, teams

ACTIONS = "fo-form-row mt-2 fo-alert-actions"  # + fo-may-ack, fo-may-resolve: which buttons show (fieldops.css)
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(alerts.SEVERITIES)}
DAY_PAGE = "/analytics/day"


def _states(choice: object) -> tuple[str, ...]:
    """The states the state filter's choice lists (pages/alerts.py STATE_CHOICES): by default the unresolved."""
    choice = text(choice, 20)
    if choice == "all":
        return ()
    return (choice,) if choice in alerts.STATES else ("open", "acknowledged")


def _chosen(values: object, allowed: tuple[str, ...]) -> list[str]:
    """A multi-select's values that are known ones; nothing chosen is everything."""
    return [v for v in values if v in allowed] if isinstance(values, list) else []


def _when(moment: datetime | None) -> str:
    """A moment as the viewer's language writes a day, and the 24-hour clock, in the organisation's zone."""
    return runtime().local(moment, f"{chart_day_format()} %H:%M")


def _by(name: str | None, moment: datetime | None) -> str:
    return " · ".join(part for part in (name or "", _when(moment)) if part) if moment else ""


def _resolved(alert: dict) -> str:
    if alert["resolved_at"] is None:
        return ""
    if alert["resolution"] == "cleared":
        return _by(_("cleared: the condition ended"), alert["resolved_at"])
    return _by(alert["resolved_by_name"], alert["resolved_at"])


def row(alert: dict) -> dict:
    return {
        "id": alert["id"],
        "severity": alert["severity"],
        "severity_rank": SEVERITY_RANK.get(alert["severity"], 0),
        "severity_label": alerting.severity_label(alert["severity"]),
        "kind_label": alerting.kind_label(alert["kind"]),
        "name": alert["plain_name"],
        "code": alert["code"],
        "team": alert["team_name"] or "",
        "at": alert["at"].isoformat(),
        "when": _when(alert["at"]),
        "state": alert["state"],
        "state_label": alerting.state_label(alert["state"]),
        "acknowledged": _by(alert["acknowledged_by_name"], alert["acknowledged_at"]),
        "resolved": _resolved(alert),
    }


def team_options(_id: object) -> list[dict]:
    return [{"label": t["name"], "value": t["id"]} for t in teams.list_teams(runtime().db, g.viewer.scope)]


def rows(
    _tick: object, states: object, severities: object, kinds: object, team: object, _refresh: object, seen: object
) -> tuple:
    """The grid's alerts; on the interval, read again only when the alerts' version moved."""
    rt = runtime()
    version = alerting.state(rt).version()
    if ctx.triggered_id == "alerts-tick" and version == seen:
        raise PreventUpdate
    found = alerts.inbox(
        rt.db,
        g.viewer.scope,
        states=_states(states),
        severities=_chosen(severities, alerts.SEVERITIES),
        kinds=_chosen(kinds, alerts.KINDS),
        team_id=whole_number(team),
    )
    opened = sum(a["state"] == "open" for a in found)
    summary = _("Shown: {count} · open: {open}", count=len(found), open=opened)
    return [row(a) for a in found], version, summary


def choose(selected_rows: object, _close: object, shown: object) -> tuple:
    """A row chosen in the grid opens its alert; Close closes the panel and clears the grid's choice."""
    if ctx.triggered_id == "alerts-panel-close":
        return None, [], ""
    chosen = selected_rows[0] if isinstance(selected_rows, list) and selected_rows else None
    alert_id = whole_number(chosen.get("id"), BIGINT) if isinstance(chosen, dict) else None
    if alert_id is None or alert_id == shown:  # the grid redrawn with the shown alert still chosen
        raise PreventUpdate
    return alert_id, no_update, ""


def day_link(alert: dict) -> str | None:
    """The person's day at the alert's moment, for a viewer who may open the day replay."""
    page = next((p for p in dash.page_registry.values() if p["relative_path"] == DAY_PAGE), None)
    if page is None or not may_open(g.viewer, page, runtime().org_settings()):
        return None
    day = alert["at"].astimezone(runtime().settings.tz).date().isoformat()
    return f"{DAY_PAGE}?{urlencode({'employee': alert['employee_id'], 'date': day})}"


def _figure(value: object) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return _when(moment if moment.tzinfo else moment.replace(tzinfo=UTC))  # stored times are UTC
    return str(value)


def detail_labels() -> dict[str, str]:
    """The figures a rule records in an alert's `detail`, by key; any other key is shown as it is named."""
    return {
        "minutes": _("Minutes"),
        "silent_min": _("Silent for, min"),
        "idle_min": _("Idle for, min"),
        "since": _("Since"),
        "last_fix": _("Last position"),
        "percent": _("Battery, %"),
        "battery": _("Battery, %"),
        "kmh": _("Speed, km/h"),
        "limit_kmh": _("Limit, km/h"),
        "seconds": _("For, s"),
        "stars": _("Stars"),
        "score": _("Trust score"),
        "threshold": _("At or under"),
        "reasons": _("Reasons"),
        "zone": _("Zone"),
        "zone_name": _("Zone"),
        "task": _("Task"),
        "customer": _("Customer"),
        "overdue_by": _("Overdue by (days)"),
        "days_since": _("Days since last visit"),
        "every_days": _("Every (days)"),
        "window_end": _("Window until"),
        "eta": _("Expected arrival"),
    }


def _details(alert: dict, link: str | None) -> list:
    labels = detail_labels()
    rows = [
        (_("Kind"), alerting.kind_label(alert["kind"])),
        (_("Rule"), alert["rule_name"] or "—"),
        (_("Severity"), alerting.severity_label(alert["severity"])),
        (_("State"), alerting.state_label(alert["state"])),
        (_("Person"), f"{alert['plain_name']} ({alert['code']})"),
        (_("Team"), alert["team_name"] or "—"),
        (_("When"), _when(alert["at"])),
    ]
    figures = alert["detail"] if isinstance(alert["detail"], dict) else {}
    rows += [(labels.get(key, key.replace("_", " ")), _figure(value)) for key, value in figures.items()]
    if alert["lat"] is not None and alert["lon"] is not None:
        place = f"{alert['lat']:.5f}, {alert['lon']:.5f}"
        if alert["accuracy_m"] is not None:
            place += " " + _("(± {metres} m)", metres=round(alert["accuracy_m"]))
        rows.append((_("Position"), place))
    if alert["acknowledged_at"]:
        rows.append((_("Acknowledged"), _by(alert["acknowledged_by_name"], alert["acknowledged_at"])))
    if alert["resolved_at"]:
        rows.append((_("Resolved"), _resolved(alert)))
    parts = [
        html.Span(
            alerting.severity_label(alert["severity"]),
            className=f"fo-severity fo-severity-{alert['severity']}",
        ),
        html.Dl([part for label, value in rows for part in (html.Dt(label), html.Dd(value))], className="mt-2"),
    ]
    if link:
        parts.append(
            dcc.Link(
                _("Open {name}'s day at {time}", name=alert["plain_name"], time=_when(alert["at"])),
                href=link,
                id="alerts-day-link",
                className="btn btn-sm btn-outline-primary",
            )
        )
    return parts


def panel(selected: object, _refresh: object, _version: object) -> tuple:
    """The chosen alert as stored now: redrawn when it opens, after an action, and when alerts changed."""
    alert_id = whole_number(selected, BIGINT)
    if alert_id is None:
        return side_panel_class(False), "", None, ACTIONS
    rt = runtime()
    found = alerts.inbox(rt.db, g.viewer.scope, alert_id=alert_id, limit=1)
    if not found:
        return side_panel_class(True), _("This alert is not in your view."), None, ACTIONS
    alert = found[0]
    link = day_link(alert)
    if ctx.triggered_id in (None, "alerts-selected") and (alert["lat"] is not None or link):
        record_look("view_alert", [alert["employee_id"]], {"alert": alert_id})
    title = f"{alerting.kind_label(alert['kind'])} · {alert['plain_name']}"
    actions = ACTIONS + (" fo-may-ack" if alert["state"] == "open" else "")
    actions += " fo-may-resolve" if alert["state"] != "resolved" else ""
    return side_panel_class(True), title, _details(alert, link), actions


def act(_ack: object, _resolve: object, selected: object, refresh: object) -> tuple:
    """Acknowledge or resolve the shown alert; refused (with why) when it is not open in the viewer's view."""
    action = text(ctx.triggered_id, 20)
    alert_id = whole_number(selected, BIGINT)
    if action not in ("alert-ack", "alert-resolve") or not (ctx.triggered and ctx.triggered[0].get("value")):
        raise PreventUpdate
    if alert_id is None:
        return result(_("Choose an alert first."), ok=False), no_update
    rt = runtime()
    if action == "alert-ack":
        done = alerting.acknowledge(rt, g.viewer, alert_id)
        message = _("Alert acknowledged.") if done else _("This alert is not open in your view.")
    else:
        done = alerting.resolve(rt, g.viewer, alert_id)
        message = _("Alert resolved.") if done else _("This alert is not unresolved in your view.")
    return result(message, ok=done), counter(refresh) + 1 if done else no_update


def register(app: Dash) -> None:
    app.callback(Output("alerts-team", "options"), Input("alerts-team", "id"))(team_options)
    app.callback(
        Output("alerts-grid", "rowData"),
        Output("alerts-version", "data"),
        Output("alerts-summary", "children"),
        Input("alerts-tick", "n_intervals"),
        Input("alerts-state", "value"),
        Input("alerts-severity", "value"),
        Input("alerts-kind", "value"),
        Input("alerts-team", "value"),
        Input("alerts-refresh", "data"),
        State("alerts-version", "data"),
    )(rows)
    app.callback(
        Output("alerts-selected", "data"),
        Output("alerts-grid", "selectedRows"),
        Output("alerts-action-result", "children"),
        Input("alerts-grid", "selectedRows"),
        Input("alerts-panel-close", "n_clicks"),
        State("alerts-selected", "data"),
        prevent_initial_call=True,
    )(choose)
    app.callback(
        Output("alerts-panel", "className"),
        Output("alerts-panel-title", "children"),
        Output("alerts-detail", "children"),
        Output("alerts-actions", "className"),
        Input("alerts-selected", "data"),
        Input("alerts-refresh", "data"),
        Input("alerts-version", "data"),
    )(panel)
    app.callback(
        Output("alerts-action-result", "children", allow_duplicate=True),
        Output("alerts-refresh", "data"),
        Input("alert-ack", "n_clicks"),
        Input("alert-resolve", "n_clicks"),
        State("alerts-selected", "data"),
        State("alerts-refresh", "data"),
        prevent_initial_call=True,
    )(act)
    side_panel_focus(app, "alerts-panel")
