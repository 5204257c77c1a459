"""The alerts inbox and the shell's bell (issue 17), through the callbacks as the browser sends them: a supervisor
sees and acts on their own teams' alerts only, the filters narrow the grid, opening an alert is audited as a look
at a location, and the bell counts what is open in the viewer's scope, red for warnings and criticals."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from dashboard.work import alerting
from data import alerts, audit
from tests.conftest import callback_body, make_app, server_callbacks, signed_in_client

AT_MS = 1_790_000_000_000  # the alerts' event time: a fixed instant, whatever the clock of the run


@pytest.fixture
def app(seeded_settings):
    app = make_app(seeded_settings)
    yield app
    app.server.extensions["fieldops"].close()


def _rt(app):
    return app.server.extensions["fieldops"]


def _person(rt, north: bool) -> int:
    return rt.db.fetch_one(
        f"""SELECT e.id FROM employees e JOIN teams t ON t.id = e.team_id
            WHERE t.name {"=" if north else "<>"} 'North' ORDER BY e.id LIMIT 1"""  # noqa: S608 - a test's constant
    )["id"]


def _rule(rt, kind: str, severity: str) -> dict:
    values = {"kind": kind, "name": f"{kind} {severity}", "severity": severity, "cooldown_min": 0}
    return alerts.rule(rt.db, alerts.create_rule(rt.db, values, None))


def _raise(rt, rule: dict, employee_id: int, **extra) -> int:
    alert_id = alerting.raise_alert(rt, rule, employee_id, AT_MS, **extra)
    assert alert_id is not None
    return alert_id


def _call(client, app, output_part: str, values: dict[str, object], changed: str | None = None):
    """Post the callback whose output names `output_part`, its inputs and state from `values` ("id.property")."""
    output, spec = next((o, s) for o, s in server_callbacks(app) if output_part in o)
    fired = None
    if changed is not None:
        fired = next(i for i, item in enumerate(spec["inputs"]) if f"{item['id']}.{item['property']}" == changed)
    body = callback_body(output, spec, lambda item: values.get(f"{item['id']}.{item['property']}"), fired)
    return client.post(
        "/_dash-update-component", json=body, headers={"X-CSRFToken": client.environ_base["HTTP_X_CSRFTOKEN"]}
    )


def _grid(client, app, **filters) -> list[dict]:
    values = {
        "alerts-state.value": filters.get("states", "unresolved"),
        "alerts-severity.value": filters.get("severities"),
        "alerts-kind.value": filters.get("kinds"),
        "alerts-team.value": filters.get("team"),
    }
    answer = _call(client, app, "alerts-grid.rowData", values, changed="alerts-state.value")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_json()["response"]["alerts-grid"]["rowData"]


def _act(client, app, button: str, alert_id: int) -> str:
    answer = _call(
        client,
        app,
        "alerts-refresh.data",
        {f"{button}.n_clicks": 1, "alerts-selected.data": alert_id},
        f"{button}.n_clicks",
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_data(as_text=True)


def _panel(client, app, alert_id: int) -> str:
    answer = _call(client, app, "alerts-panel.className", {"alerts-selected.data": alert_id}, "alerts-selected.data")
    assert answer.status_code == 200
    return json.dumps(answer.get_json(), ensure_ascii=False)


def _state(rt, alert_id: int) -> str:
    return rt.db.fetch_one("SELECT state FROM alerts WHERE id = %s", (alert_id,))["state"]


def test_a_supervisor_sees_only_their_teams_alerts_and_cannot_act_on_another_teams(app):
    rt = _rt(app)
    rule = _rule(rt, "silent", "warning")
    ours = _raise(rt, rule, _person(rt, north=True), detail={"silent_min": 12})
    theirs = _raise(rt, rule, _person(rt, north=False))
    supervisor, manager = signed_in_client(app, "supervisor"), signed_in_client(app, "manager")

    assert [r["id"] for r in _grid(supervisor, app)] == [ours]
    assert {r["id"] for r in _grid(manager, app)} == {ours, theirs}
    assert "not in your view" in _panel(supervisor, app, theirs)

    assert "not open in your view" in _act(supervisor, app, "alert-ack", theirs)
    assert "not unresolved in your view" in _act(supervisor, app, "alert-resolve", theirs)
    assert _state(rt, theirs) == "open"

    assert "Alert acknowledged." in _act(supervisor, app, "alert-ack", ours)
    assert _state(rt, ours) == "acknowledged"
    assert "not open in your view" in _act(supervisor, app, "alert-ack", ours)  # taken in hand once
    assert "Alert resolved." in _act(supervisor, app, "alert-resolve", ours)
    row = rt.db.fetch_one("SELECT state, resolution, acknowledged_by, resolved_by FROM alerts WHERE id = %s", (ours,))
    supervisor_id = rt.db.fetch_one("SELECT id FROM users WHERE username = 'supervisor'")["id"]
    assert row == {
        "state": "resolved",
        "resolution": "resolved",
        "acknowledged_by": supervisor_id,
        "resolved_by": supervisor_id,
    }
    assert _grid(supervisor, app) == []  # the default filter: open and acknowledged
    [resolved] = _grid(supervisor, app, states="resolved")
    assert resolved["acknowledged"].startswith("supervisor · ") and resolved["resolved"].startswith("supervisor · ")


def test_the_filters_narrow_the_grid(app):
    rt = _rt(app)
    north = _person(rt, north=True)
    other = _person(rt, north=False)
    silent = _raise(rt, _rule(rt, "silent", "warning"), north)
    battery = _raise(rt, _rule(rt, "low_battery", "info"), north, detail={"percent": 9})
    speeding = _raise(rt, _rule(rt, "speeding", "critical"), other)
    cleared = _raise(rt, _rule(rt, "idle", "warning"), other)
    alerting.clear(
        rt,
        alerts.rule(rt.db, rt.db.fetch_one("SELECT rule_id FROM alerts WHERE id = %s", (cleared,))["rule_id"]),
        other,
    )
    manager = signed_in_client(app, "manager")

    assert {r["id"] for r in _grid(manager, app)} == {silent, battery, speeding}
    assert [r["id"] for r in _grid(manager, app, severities=["critical"])] == [speeding]
    assert {r["id"] for r in _grid(manager, app, severities=["warning", "info"])} == {silent, battery}
    assert [r["id"] for r in _grid(manager, app, kinds=["low_battery"])] == [battery]
    team = rt.db.fetch_one("SELECT team_id FROM employees WHERE id = %s", (other,))["team_id"]
    assert [r["id"] for r in _grid(manager, app, team=team)] == [speeding]
    [gone] = _grid(manager, app, states="resolved")
    assert gone["id"] == cleared and gone["resolved"].startswith("cleared: the condition ended · ")
    assert {r["id"] for r in _grid(manager, app, states="all", kinds=["nonsense"])} == {
        silent,
        battery,
        speeding,
        cleared,
    }
    row = next(r for r in _grid(manager, app) if r["id"] == battery)
    assert (row["severity"], row["severity_label"], row["kind_label"], row["state_label"]) == (
        "info",
        "Info",
        "Low battery",
        "Open",
    )
    local = datetime.fromtimestamp(AT_MS / 1000, UTC).astimezone(rt.settings.tz)
    assert row["when"] == local.strftime("%d %b %H:%M")  # 24-hour, the viewer's language


def test_opening_an_alert_that_shows_where_someone_was_is_audited(app):
    rt = _rt(app)
    person = _person(rt, north=True)
    alert_id = _raise(rt, _rule(rt, "speeding", "warning"), person, detail={"kmh": 112.4}, point=(60.17, 24.94, 8.0))
    supervisor = signed_in_client(app, "supervisor")
    shown = _panel(supervisor, app, alert_id)
    local_day = datetime.fromtimestamp(AT_MS / 1000, UTC).astimezone(rt.settings.tz).date().isoformat()
    assert f"/analytics/day?employee={person}&date={local_day}" in shown
    assert "112.4" in shown and "60.17000, 24.94000" in shown
    looks = [e for e in audit.recent(rt.db, action="view_alert") if e["detail"].get("alert") == alert_id]
    assert len(looks) == 1 and looks[0]["username"] == "supervisor"
    assert audit.looks_at(rt.db, person)[0]["action"] == "view_alert"  # the person's My data lists it

    other = _raise(rt, _rule(rt, "silent", "warning"), _person(rt, north=False), point=(60.2, 24.9, 5.0))
    assert "not in your view" in _panel(supervisor, app, other)
    assert not [e for e in audit.recent(rt.db, action="view_alert") if e["detail"].get("alert") == other]


def _bell(client, app, seen=None):
    return _call(
        client, app, "shell-alerts-count.children", {"shell-alerts-seen.data": seen}, "shell-alerts-tick.n_intervals"
    )


def test_the_bell_counts_open_alerts_in_scope_red_for_warnings_grey_for_info(app):
    rt = _rt(app)
    supervisor = signed_in_client(app, "supervisor")
    quiet = _bell(supervisor, app).get_json()["response"]
    assert quiet["shell-alerts-count"] == {"children": "0", "hidden": True}
    assert quiet["shell-alerts-label"]["children"] == "0 open alerts"

    info = _raise(rt, _rule(rt, "low_battery", "info"), _person(rt, north=True))
    _raise(rt, _rule(rt, "speeding", "critical"), _person(rt, north=False))  # another team's: not counted
    grey = _bell(supervisor, app).get_json()["response"]
    assert grey["shell-alerts-count"] == {"children": "1", "hidden": False}
    assert grey["shell-alerts-label"]["children"] == "1 open alert"
    assert grey["shell-alerts-bell"]["className"] == "fo-bell fo-bell-info"
    seen = grey["shell-alerts-seen"]["data"]
    assert _bell(supervisor, app, seen).status_code == 204  # nothing moved: nothing redrawn

    _raise(rt, _rule(rt, "silent", "warning"), _person(rt, north=True))
    red = _bell(supervisor, app, seen).get_json()["response"]
    assert red["shell-alerts-label"]["children"] == "2 open alerts"
    assert red["shell-alerts-bell"]["className"] == "fo-bell fo-bell-urgent"
    assert _bell(signed_in_client(app, "manager"), app).get_json()["response"]["shell-alerts-count"]["children"] == "3"

    alerting.resolve(rt, alerting_viewer(rt, "supervisor"), info)
    assert (
        _bell(supervisor, app, red["shell-alerts-seen"]["data"]).get_json()["response"]["shell-alerts-label"][
            "children"
        ]
        == "1 open alert"
    )


def alerting_viewer(rt, username: str):
    from tests.integration.test_tasks import viewer_of

    return viewer_of(rt, username)


@pytest.mark.parametrize("username", ["field", "executive", "admin"])
def test_the_bell_and_the_inbox_are_refused_to_other_roles(app, username):
    client = signed_in_client(app, username)
    assert _bell(client, app).status_code == 403
    assert client.get("/alerts").status_code == 403
    assert "shell-alerts-bell" not in _shell(client)


def _shell(client) -> dict[str, dict]:
    """The shell's components by id, with their props."""
    found: dict[str, dict] = {}

    def walk(node: object) -> None:
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            props = node.get("props", {})
            if isinstance(props.get("id"), str):
                found[props["id"]] = props
            walk(props.get("children"))

    walk(client.get("/_dash-layout").get_json())
    return found


@pytest.mark.parametrize("username", ["supervisor", "manager"])
def test_the_shell_has_the_bell_for_the_inboxs_roles(app, username):
    shell = _shell(signed_in_client(app, username))
    assert shell["shell-alerts-bell"]["href"] == "/alerts"
    assert {"shell-alerts-count", "shell-alerts-label", "shell-alerts-tick"} <= shell.keys()
