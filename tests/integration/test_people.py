"""People and teams, managed (issue 18, dashboard/work/people.py): the one way every surface adds, changes, moves,
deactivates and reactivates a person, and makes, renames, merges and removes a team. Deactivation keeps history,
refuses the person's devices at once, signs their accounts out and frees their open tasks with a notice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard.core.errors import AppError
from dashboard.ingest.trackers import find_device, register_device
from dashboard.work import lifecycle, people
from dashboard.work.people import Actor
from data import alerts, customers, employees, teams, webhooks
from data import tasks as task_rows
from data.scope import Scope

ADMIN = Actor(None, "admin-test", Scope.everything())


@pytest.fixture
def hooked(seeded_rt):
    """A webhook subscription to every people and team event, so their outbox rows can be read."""
    people_events = [e for e in webhooks.EVENTS if e.startswith(("employee.", "team."))]
    webhooks.create_subscription(seeded_rt.db, "https://erp.example.com/hook", people_events, "s3cret", None)
    return seeded_rt


def _events(rt, event: str) -> list[dict]:
    return rt.db.fetch_all("SELECT payload FROM webhook_deliveries WHERE event = %s ORDER BY id", (event,))


def _team(rt, name: str) -> dict:
    return teams.team_by(rt.db, Scope.everything(), name=name)


def test_a_person_is_added_with_their_record_and_announced(hooked):
    rt = hooked
    north = _team(rt, "North")
    person = people.add_person(
        rt,
        ADMIN,
        {
            "code": " T100 ",
            "name": "Tiina Tekniikka",
            "team_id": north["id"],
            "email": "tiina@example.com",
            "skills": ["boilers", "boilers", " heat pumps "],
            "home_lat": 60.17,
            "home_lon": 24.94,
        },
    )
    assert (person["code"], person["team_id"], person["skills"], person["active"]) == (
        "T100",
        north["id"],
        ["boilers", "heat pumps"],
        True,
    )
    (announced,) = _events(rt, "employee.created")
    assert announced["payload"]["employee"]["code"] == "T100"
    assert employees.changes_of(rt.db, person["id"])[0]["action"] == "created"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "No code"}, "code"),
        ({"code": "X1"}, "name"),
        ({"code": "X1", "name": "A", "email": "not-an-address"}, "email"),
        ({"code": "X1", "name": "A", "home_lat": 60.1}, "home_lat"),
        ({"code": "X1", "name": "A", "home_lat": 91, "home_lon": 24}, "home_lat"),
        ({"code": "X1", "name": "A", "team_id": 999_999}, "team_id"),
        ({"code": "X1", "name": "A", "skills": ["a,b"]}, "skills"),
        ({"code": "X1", "name": "A", "colour": "red"}, "colour"),
        ({"code": "E0001", "name": "Taken"}, "code"),
    ],
)
def test_a_bad_person_is_refused_naming_the_field(seeded_rt, values, field):
    with pytest.raises(AppError) as refused:
        people.add_person(seeded_rt, ADMIN, values)
    assert refused.value.extra["field"] == field
    assert refused.value.status in (400, 409)


def test_a_team_limited_actor_adds_and_moves_people_only_within_their_teams(seeded_rt):
    rt = seeded_rt
    north, south = _team(rt, "North"), _team(rt, "South")
    limited = Actor(None, "token:north", Scope(team_ids=frozenset({north["id"]})))
    with pytest.raises(AppError) as refused:
        people.add_person(rt, limited, {"code": "L1", "name": "Limited", "team_id": south["id"]})
    assert refused.value.extra["field"] == "team_id"
    with pytest.raises(AppError):
        people.add_person(rt, limited, {"code": "L1", "name": "Limited"})  # no team: outside every limit
    person = people.add_person(rt, limited, {"code": "L1", "name": "Limited", "team_id": north["id"]})
    with pytest.raises(AppError) as refused:
        people.move_person(rt, limited, person["id"], south["id"])
    assert refused.value.extra["field"] == "team_id"
    southerner = employees.people(rt.db, Scope(team_ids=frozenset({south["id"]})))[0]
    with pytest.raises(AppError) as refused:
        people.change_person(rt, limited, southerner["id"], {"name": "Renamed"})
    assert refused.value.status == 404
    with pytest.raises(AppError) as refused:
        people.add_team(rt, limited, {"name": "Mine"})
    assert refused.value.status == 403


def test_a_stale_version_is_refused_and_changes_nothing(seeded_rt):
    rt = seeded_rt
    person = employees.people(rt.db, Scope.everything())[0]
    people.change_person(rt, ADMIN, person["id"], {"phone": "+358 40 123"}, version=person["version"])
    with pytest.raises(AppError) as refused:
        people.change_person(rt, ADMIN, person["id"], {"phone": "+358 40 999"}, version=person["version"])
    assert refused.value.status == 412
    assert employees.person(rt.db, Scope.everything(), person["id"])["phone"] == "+358 40 123"


def test_moving_a_person_changes_which_supervisor_sees_them(hooked):
    rt = hooked
    north, south = _team(rt, "North"), _team(rt, "South")
    person = employees.people(rt.db, Scope(team_ids=frozenset({north["id"]})))[0]
    moved = people.move_person(rt, ADMIN, person["id"], south["id"])
    assert moved["team_id"] == south["id"]
    assert employees.person(rt.db, Scope(team_ids=frozenset({north["id"]})), person["id"]) is None
    assert employees.person(rt.db, Scope(team_ids=frozenset({south["id"]})), person["id"]) is not None
    assert employees.changes_of(rt.db, person["id"])[0]["action"] == "moved"
    assert _events(rt, "employee.updated")[-1]["payload"]["changed"] == ["team_id"]


def test_deactivation_keeps_history_refuses_devices_signs_out_and_frees_tasks(hooked):
    rt = hooked
    person = employees.people(rt.db, Scope.everything())[0]
    _employee, identifier, _secret = register_device(rt.db, person["code"], "osmand", "deact-1")
    assert find_device(rt, "osmand", identifier) is not None  # cached from here on
    user = rt.db.fetch_one("SELECT id, session_version FROM users WHERE employee_id = %s", (person["id"],))
    customer = customers.list_customers(rt.db, Scope.everything())[0]
    start = datetime.now(UTC) + timedelta(hours=1)
    task_ids = [
        task_rows.create_task(
            rt.db,
            {
                "customer_id": customer["id"],
                "employee_id": person["id"],
                "kind": "visit",
                "priority": 2,
                "state": "assigned",
                "window_start": start,
                "window_end": start + timedelta(hours=1),
                "duration_min": 30,
                "notes": None,
            },
            None,
        )
        for _n in range(2)
    ]
    lifecycle.change_state(rt, task_ids[1], "en_route")
    positions_before = rt.db.fetch_one("SELECT count(*) AS n FROM positions WHERE employee_id = %s", (person["id"],))

    outcome = people.deactivate_person(rt, ADMIN, person["id"])

    assert not outcome.person["active"] and outcome.person["deactivated_at"] is not None
    assert find_device(rt, "osmand", identifier) is None  # refused at once, the cache notwithstanding
    assert sorted(outcome.freed_task_ids) == sorted(task_ids)
    for task_id in task_ids:
        task = task_rows.get_task(rt.db, Scope.everything(), task_id)
        assert (task["state"], task["employee_id"]) == ("new", None)
    notice = rt.db.fetch_one("SELECT * FROM alerts WHERE kind = 'tasks_freed' AND employee_id = %s", (person["id"],))
    assert sorted(notice["detail"]["tasks"]) == sorted(task_ids)
    if user is not None:
        after = rt.db.fetch_one("SELECT disabled, session_version FROM users WHERE id = %s", (user["id"],))
        assert after["disabled"] and after["session_version"] > user["session_version"]
        assert outcome.accounts_signed_out == 1
    positions_after = rt.db.fetch_one("SELECT count(*) AS n FROM positions WHERE employee_id = %s", (person["id"],))
    assert positions_after == positions_before  # history kept
    assert person["id"] not in {p["id"] for p in employees.roster(rt.db, Scope.everything())}
    assert _events(rt, "employee.deactivated")[0]["payload"]["employee"]["active"] is False

    again = people.deactivate_person(rt, ADMIN, person["id"])  # repeated: nothing more to free, no second event
    assert again.freed_task_ids == [] and len(_events(rt, "employee.deactivated")) == 1

    back = people.reactivate_person(rt, ADMIN, person["id"])
    assert back["active"] and back["deactivated_at"] is None
    assert find_device(rt, "osmand", identifier) is not None
    if user is not None:
        assert not rt.db.fetch_one("SELECT disabled FROM users WHERE id = %s", (user["id"],))["disabled"]


def test_the_tasks_freed_rule_is_built_in_and_not_the_engines(seeded_rt):
    rule = alerts.builtin_rule(seeded_rt.db, "tasks_freed")
    assert rule is not None and rule["builtin"] and rule["recipients"] == ["supervisors"]


def test_teams_are_made_renamed_merged_and_removed_only_when_empty(hooked):
    rt = hooked
    made = people.add_team(rt, ADMIN, {"name": "Harbour", "external_id": "ERP-HARBOUR"})
    assert made["members"] == 0 and made["color"].startswith("#")
    with pytest.raises(AppError) as refused:
        people.add_team(rt, ADMIN, {"name": "harbour"})
    assert refused.value.status == 409
    renamed = people.change_team(rt, ADMIN, made["id"], {"name": "Harbour side"}, version=made["version"])
    assert renamed["name"] == "Harbour side"
    with pytest.raises(AppError) as refused:
        people.change_team(rt, ADMIN, made["id"], {"name": "Again"}, version=made["version"])
    assert refused.value.status == 412

    north = _team(rt, "North")
    member = people.add_person(rt, ADMIN, {"code": "M1", "name": "Mover", "team_id": made["id"]})
    people.deactivate_person(rt, ADMIN, member["id"])
    with pytest.raises(AppError) as refused:
        people.remove_team(rt, ADMIN, made["id"])  # a deactivated person still belongs to it
    assert refused.value.status == 409
    merged = people.merge_teams(rt, ADMIN, made["id"], north["id"])
    assert merged["id"] == north["id"]
    assert employees.person(rt.db, Scope.everything(), member["id"])["team_id"] == north["id"]
    assert teams.team(rt.db, Scope.everything(), made["id"]) is None
    assert _events(rt, "team.merged")[0]["payload"]["moved"] == [member["id"]]

    empty = people.add_team(rt, ADMIN, {"name": "Short-lived"})
    people.remove_team(rt, ADMIN, empty["id"])
    assert teams.team(rt.db, Scope.everything(), empty["id"]) is None
    assert _events(rt, "team.deleted")[0]["payload"]["team"]["name"] == "Short-lived"


def test_a_teams_supervisors_are_set_and_see_it(seeded_rt):
    rt = seeded_rt
    south = _team(rt, "South")
    supervisor = rt.db.fetch_one("SELECT id FROM users WHERE username = 'supervisor'")
    changed = people.set_team_supervisors(rt, ADMIN, south["id"], [supervisor["id"]])
    assert supervisor["id"] in changed["supervisor_ids"]
    with pytest.raises(AppError):
        admin = rt.db.fetch_one("SELECT id FROM users WHERE role = 'admin' LIMIT 1")
        people.set_team_supervisors(rt, ADMIN, south["id"], [admin["id"]])


def test_an_import_is_checked_whole_and_written_all_or_nothing(hooked):
    rt = hooked
    rows = [
        {"code": "I1", "name": "Imported One", "team": "north", "skills": "boilers, wiring"},
        {"code": "I2", "name": "Imported Two", "team": "Nowhere"},
        {"code": "I1", "name": "Twice"},
        {"code": "I3", "name": "", "email": "x"},
    ]
    report = people.import_people(rt, ADMIN, rows, dry_run=False)
    assert not report.committed
    assert [(e["row"], e["field"]) for e in report.errors] == [(2, "team"), (3, "code"), (4, "name")]
    assert employees.person_by(rt.db, Scope.everything(), code="I1") is None  # nothing written

    good = [rows[0], {"code": "E0001", "name": employees.employee_by_code(rt.db, "E0001")["name"]}]
    dry = people.import_people(rt, ADMIN, good, dry_run=True)
    assert [r["action"] for r in dry.rows] == ["created", "unchanged"] and not dry.committed
    done = people.import_people(rt, ADMIN, good, dry_run=False)
    assert done.committed
    imported = employees.person_by(rt.db, Scope.everything(), code="I1")
    assert imported["skills"] == ["boilers", "wiring"] and imported["team_name"] == "North"
    assert len(_events(rt, "employee.created")) == 1
