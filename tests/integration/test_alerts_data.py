"""Alerts in the database (issue 17): one open per rule, person and subject, the cooldown, who an alert goes to and
its outbox rows, acknowledging and resolving within the viewer's scope, and the built-in help rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.core.permissions import Viewer, scope_for
from dashboard.work import alerting
from data import alerts, employees, users, webhooks

AT = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Helsinki


def viewer_of(rt, username: str) -> Viewer:
    row = users.get_user(rt.db, users.user_by_name(rt.db, username)["id"])
    return Viewer(
        row["id"],
        row["username"],
        row["role"],
        row["employee_id"],
        scope_for(row["role"], row["employee_id"], row.get("team_ids") or []),
    )


def make_rule(rt, kind: str, **values) -> dict:
    checked = alerting.validate_rule({"kind": kind, "name": f"{kind} rule"} | values, viewer_of(rt, "manager"))
    return alerts.rule(rt.db, alerts.create_rule(rt.db, checked, None))


def person(rt, code: str) -> int:
    return employees.employee_by_code(rt.db, code)["id"]


def user_id(rt, username: str) -> int:
    return users.user_by_name(rt.db, username)["id"]


def outbox(rt, alert_id: int) -> list[tuple]:
    rows = rt.db.fetch_all(
        """SELECT channel, user_id, robot_id FROM alert_notifications WHERE alert_id = %s
           ORDER BY channel, user_id, robot_id""",
        (alert_id,),
    )
    return [(r["channel"], r["user_id"], r["robot_id"]) for r in rows]


def test_one_alert_is_open_per_rule_person_and_subject(seeded_rt):
    rt = seeded_rt
    rule = make_rule(rt, "low_battery", cooldown_min=0)
    first = alerts.raise_alert(rt.db, rule, person(rt, "E0001"), AT, now=AT)
    assert first is not None
    assert alerts.raise_alert(rt.db, rule, person(rt, "E0001"), AT, now=AT + timedelta(minutes=5)) is None
    other_subject = alerts.raise_alert(rt.db, rule, person(rt, "E0001"), AT, subject="task:1", now=AT)
    other_person = alerts.raise_alert(rt.db, rule, person(rt, "E0005"), AT, now=AT)
    assert len({first, other_subject, other_person}) == 3


def test_the_cooldown_holds_a_new_alert_back_after_one_is_resolved(seeded_rt):
    rt = seeded_rt
    rule = make_rule(rt, "low_battery", cooldown_min=30)
    employee = person(rt, "E0001")
    first = alerts.raise_alert(rt.db, rule, employee, AT, now=AT)
    assert alerts.clear(rt.db, rule["id"], employee, now=AT + timedelta(minutes=1)) == first
    assert alerts.raise_alert(rt.db, rule, employee, AT, now=AT + timedelta(minutes=29)) is None
    again = alerts.raise_alert(rt.db, rule, employee, AT, now=AT + timedelta(minutes=31))
    assert again is not None and again != first
    cleared = rt.db.fetch_one("SELECT state, resolution FROM alerts WHERE id = %s", (first,))
    assert (cleared["state"], cleared["resolution"]) == ("resolved", "cleared")


def test_each_recipient_gets_an_email_and_a_push_row_and_each_active_robot_one_row(seeded_rt):
    rt = seeded_rt
    wecom = alerts.create_robot(rt.db, "wecom", "North group", "http://127.0.0.1:9/wecom", None, None)
    dingtalk = alerts.create_robot(rt.db, "dingtalk", "Ops", "http://127.0.0.1:9/ding", "SECabc", None)
    idle_robot = alerts.create_robot(rt.db, "feishu", "Old", "http://127.0.0.1:9/feishu", None, None)
    rt.db.execute("UPDATE alert_robots SET active = false WHERE id = %s", (idle_robot,))
    rule = make_rule(
        rt,
        "speeding",
        recipients=["person", "supervisors", "managers", {"user": user_id(rt, "admin")}],
        channels=["email", "webpush", "robot"],
        robot_ids=[wecom, dingtalk, idle_robot],
    )
    alerts.set_muted(rt.db, user_id(rt, "admin"), rule["id"], True)
    webhooks.create_subscription(rt.db, "http://127.0.0.1:9/hook", ["alert.raised"], "s" * 32, None)
    north = alerts.raise_alert(rt.db, rule, person(rt, "E0001"), AT, now=AT)
    people = sorted(user_id(rt, name) for name in ("field", "supervisor", "manager"))  # the admin muted it
    expected = [("email", u, None) for u in people] + [("robot", None, wecom), ("robot", None, dingtalk)]
    assert outbox(rt, north) == sorted(expected + [("webpush", u, None) for u in people], key=str)
    # Someone of another team: no supervisor of theirs, no account of their own.
    east = alerts.raise_alert(rt.db, rule, person(rt, "E0002"), AT, now=AT)
    assert {r[1] for r in outbox(rt, east) if r[0] == "email"} == {user_id(rt, "manager")}
    announced = rt.db.fetch_all("SELECT payload FROM webhook_deliveries WHERE event = 'alert.raised' ORDER BY id")
    assert [d["payload"]["alert_id"] for d in announced] == [north, east]


def test_inbox_only_rule_writes_no_outbox_rows(seeded_rt):
    rt = seeded_rt
    rule = make_rule(rt, "idle")
    assert outbox(rt, alerts.raise_alert(rt.db, rule, person(rt, "E0001"), AT, now=AT)) == []


def test_a_supervisor_acknowledges_and_resolves_only_their_own_teams_alerts(seeded_rt):
    rt = seeded_rt
    rule = make_rule(rt, "idle")
    supervisor = viewer_of(rt, "supervisor")
    north = alerts.raise_alert(rt.db, rule, person(rt, "E0001"), AT, now=AT)
    east = alerts.raise_alert(rt.db, rule, person(rt, "E0002"), AT, now=AT)
    assert not alerting.acknowledge(rt, supervisor, east)
    assert not alerting.resolve(rt, supervisor, east)
    assert alerts.get_alert(rt.db, east, supervisor.scope) is None
    assert alerting.acknowledge(rt, supervisor, north)
    assert not alerting.acknowledge(rt, supervisor, north)  # only an open alert is acknowledged
    assert alerting.resolve(rt, supervisor, north)
    row = alerts.get_alert(rt.db, north, supervisor.scope)
    assert (row["state"], row["resolution"], row["acknowledged_by"], row["resolved_by"]) == (
        "resolved",
        "resolved",
        supervisor.user_id,
        supervisor.user_id,
    )
    assert alerts.get_alert(rt.db, east, Viewer(None, "x", "manager", None, scope_for("manager", None, [])).scope)
    assert alerts.open_count(rt.db, supervisor.scope) == 0


def test_the_help_button_raises_the_builtin_critical_rule_and_a_second_press_moves_it(seeded_rt):
    rt = seeded_rt
    employee = person(rt, "E0001")
    version = alerting.state(rt).version()
    first = alerting.raise_help(rt, employee, (60.17, 24.94, 8.0))
    second = alerting.raise_help(rt, employee, (60.18, 24.95, 5.0))
    assert first == second
    row = alerts.get_alert(rt.db, first, viewer_of(rt, "supervisor").scope)
    assert (row["kind"], row["severity"], row["state"], row["lat"]) == ("help", "critical", "open", 60.18)
    assert row["rule_id"] == alerts.builtin_rule(rt.db, "help")["id"]
    assert alerting.state(rt).version() == version + 2
    pushed = {r[1] for r in outbox(rt, first) if r[0] == "webpush"}
    assert pushed == {user_id(rt, "supervisor"), user_id(rt, "manager")}
