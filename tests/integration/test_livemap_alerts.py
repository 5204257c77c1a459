"""Alerts on the live map (issue 17), without a browser: every open alert in the viewer's scope in a list, the
most severe first; a badge for each person with a warning or a critical; names only for those who may see
individuals; Acknowledge and Resolve for supervisors and managers, in their scope; redrawn only when the alerts'
version moved. The browser's view is tests/browser/test_live_map_alerts.py."""

from __future__ import annotations

import json

import time_machine

from dashboard.core.permissions import Viewer, scope_for
from dashboard.work import alerting
from data import org_settings
from tests.conftest import (
    callback_body,
    csrf_headers,
    make_app,
    post_callback,
    server_callbacks,
    sign_in_wall,
    signed_in_client,
)
from tests.integration.test_wall import TUESDAY_MORNING, make_rule, raise_now

ACTION = "livemap-alert-done.data"
MANAGER = Viewer(None, "manager", "manager", None, scope_for("manager", None, []))
INPUTS = ("livemap-alerts-tick", "livemap-team", "livemap-alert-done")


def view(app, client, shown=None, team=None, trigger="livemap-alerts-tick") -> tuple:
    """The live map's alerts callback as the browser posts it: (list, badges, shown), None where not updated."""
    output, spec = next((o, s) for o, s in server_callbacks(app) if o.startswith("..livemap-alerts.children"))
    values = {"livemap-alerts-tick": 1, "livemap-team": team, "livemap-alerts-shown": shown}
    body = callback_body(output, spec, lambda item: values.get(item["id"]), INPUTS.index(trigger))
    answer = client.post("/_dash-update-component", json=body)
    assert answer.status_code in (200, 204), answer.get_data(as_text=True)[:300]
    if answer.status_code == 204:
        return None, None, None
    sent = json.loads(answer.get_data(as_text=True))["response"]
    return (
        sent.get("livemap-alerts", {}).get("children"),
        sent.get("livemap-alert-people", {}).get("data"),
        sent.get("livemap-alerts-shown", {}).get("data"),
    )


def row_ids(rows: list) -> list[str]:
    return [row["props"]["id"] for row in rows]


def press(client, alert, action):
    return post_callback(client, ACTION, {"livemap-alert-action.data": {"alert": alert, "action": action}})


def test_the_live_map_lists_the_scopes_alerts_and_badges_warnings_and_criticals(seeded_settings):
    app = make_app(seeded_settings)
    rt = app.server.extensions["fieldops"]
    try:
        with time_machine.travel(TUESDAY_MORNING, tick=True):
            north = rt.db.fetch_all("SELECT id, name FROM employees WHERE team_id = 1 ORDER BY id LIMIT 2")
            east = rt.db.fetch_one("SELECT id, name FROM employees WHERE team_id = 2 ORDER BY id LIMIT 1")
            info = raise_now(rt, make_rule(rt, "low_battery", "info", "Battery"), north[0]["id"])
            warning = raise_now(rt, make_rule(rt, "idle", "warning", "Idle"), north[1]["id"])
            elsewhere = alerting.raise_help(rt, east["id"], (60.17, 24.94, 8.0))
            supervisor = signed_in_client(app, "supervisor")  # team North

            rows, people, shown = view(app, supervisor)
            assert row_ids(rows) == [f"livemap-alert-{warning}", f"livemap-alert-{info}"]
            text = json.dumps(rows, ensure_ascii=False)
            assert north[0]["name"] in text and north[1]["name"] in text and east["name"] not in text
            assert "Warning" in text and "Info" in text and "Idle away from customers" in text
            assert text.count("livemap-alert-ack") == 2 and text.count("livemap-alert-resolve") == 2
            # The badge is for the warning only: info alerts are in the list only.
            badge = {"severity": "warning", "text": "Warning: Idle away from customers", "lat": None, "lon": None}
            assert people == {str(north[1]["id"]): badge}
            # Nothing moved: nothing read, nothing redrawn. An alert elsewhere moves the version, not the list.
            assert view(app, supervisor, shown) == (None, None, None)
            alerting.resolve(rt, MANAGER, elsewhere)
            rows, people, moved = view(app, supervisor, shown)
            assert (rows, people) == (None, None) and moved["v"] > shown["v"]

            # The manager sees every team, the critical first with its badge; the team filter narrows it.
            manager = signed_in_client(app, "manager")
            help_id = alerting.raise_help(rt, east["id"], (60.17, 24.94, 8.0))
            rows, people, _shown = view(app, manager)
            assert row_ids(rows)[0] == f"livemap-alert-{help_id}"
            assert people[str(east["id"])]["severity"] == "critical"
            assert people[str(east["id"])]["lat"] == 60.17  # drawn there if the map holds no position of theirs
            rows, _people, _shown = view(app, manager, team=2, trigger="livemap-team")
            assert row_ids(rows) == [f"livemap-alert-{help_id}"]

            # A field person sees their own alerts and no buttons.
            me = rt.db.fetch_one("SELECT employee_id FROM users WHERE username = 'field'")["employee_id"]
            raise_now(rt, make_rule(rt, "speeding", "warning", "Speeding"), me)
            rows, _people, _shown = view(app, signed_in_client(app, "field"))
            assert len(rows) >= 1 and "livemap-alert-resolve" not in json.dumps(rows)
    finally:
        rt.close()


def test_who_may_not_see_individuals_gets_a_count_and_badges_without_names(seeded_settings):
    app = make_app(seeded_settings)
    rt = app.server.extensions["fieldops"]
    try:
        person = rt.db.fetch_one("SELECT id, name FROM employees ORDER BY id LIMIT 1")
        alerting.raise_help(rt, person["id"], (60.17, 24.94, 8.0))
        raise_now(rt, make_rule(rt, "silent", "warning", "Silent"), person["id"])
        executive = signed_in_client(app, "executive")
        output, spec = next((o, s) for o, s in server_callbacks(app) if o.startswith("..livemap-alerts.children"))
        refused = executive.post("/_dash-update-component", json=callback_body(output, spec, changed=0))
        assert refused.status_code == 403  # the live map is no page of theirs while individuals are hidden
        wall = app.server.test_client()
        sign_in_wall(wall)
        wall.environ_base["HTTP_X_CSRFTOKEN"] = csrf_headers(wall)["X-CSRFToken"]
        rows, people, _shown = view(app, wall)
        text = json.dumps(rows, ensure_ascii=False)
        assert person["name"] not in text and "2 open alert(s)" in text
        assert people[str(person["id"])]["text"] == "Critical: Help requested · Warning: Device silent"
        # An organisation that lets executives see individuals: the list names them.
        org_settings.set_setting(rt.db, "privacy.executive_sees_individuals", True, None)
        rt.forget_org_settings()
        rows, _people, _shown = view(app, signed_in_client(app, "executive"))
        assert person["name"] in json.dumps(rows, ensure_ascii=False)
    finally:
        rt.close()


def test_acknowledge_and_resolve_from_the_live_map_in_scope_only(seeded_settings):
    app = make_app(seeded_settings)
    rt = app.server.extensions["fieldops"]
    try:
        north = rt.db.fetch_one("SELECT id FROM employees WHERE team_id = 1 ORDER BY id LIMIT 1")["id"]
        east = rt.db.fetch_one("SELECT id FROM employees WHERE team_id = 2 ORDER BY id LIMIT 1")["id"]
        ours = raise_now(rt, make_rule(rt, "silent", "warning", "Silent"), north)
        theirs = raise_now(rt, make_rule(rt, "idle", "warning", "Idle"), east)
        supervisor = signed_in_client(app, "supervisor")
        version = alerting.state(rt).version()

        answer = press(supervisor, ours, "acknowledge")
        assert answer.status_code == 200 and '"done":true' in answer.get_data(as_text=True)
        assert rt.db.fetch_one("SELECT state FROM alerts WHERE id = %s", (ours,))["state"] == "acknowledged"
        assert alerting.state(rt).version() > version  # every page's next poll redraws
        assert '"done":false' in press(supervisor, theirs, "resolve").get_data(as_text=True)  # not their team
        assert rt.db.fetch_one("SELECT state FROM alerts WHERE id = %s", (theirs,))["state"] == "open"
        assert '"done":true' in press(supervisor, ours, "resolve").get_data(as_text=True)
        assert rt.db.fetch_one("SELECT state, resolved_by FROM alerts WHERE id = %s", (ours,))["resolved_by"]

        for nonsense in ({"alert": "x", "action": "resolve"}, {"alert": theirs, "action": "delete"}, [1], "resolve"):
            ignored = post_callback(supervisor, ACTION, {"livemap-alert-action.data": nonsense})
            assert ignored.status_code in (200, 204) and "done" not in ignored.get_data(as_text=True), nonsense
        assert rt.db.fetch_one("SELECT state FROM alerts WHERE id = %s", (theirs,))["state"] == "open"
        assert post_callback(supervisor, ACTION, {"livemap-alert-action.data": None}).status_code in (200, 204)
        field = signed_in_client(app, "field")
        assert press(field, theirs, "resolve").status_code == 403
        wall = app.server.test_client()
        sign_in_wall(wall)
        assert press(wall, theirs, "resolve").status_code == 403
        assert rt.db.fetch_one("SELECT state FROM alerts WHERE id = %s", (theirs,))["state"] == "open"
    finally:
        rt.close()
