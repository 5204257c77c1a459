"""One name per person on screen (issue 16): two people with the same name (two 王芳 in the demo) are told apart
by their code wherever a name is shown; a name nobody else has is shown alone. The rule is the SQL function
display_name (migration 0012); these tests pin the rule and follow it through the live board, the tasks board,
the performance rows and the customers' owner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.analytics import metrics
from dashboard.live.livemap import LiveMap
from dashboard.work.taskboard import todays_tasks
from data import customers, employees
from data import tasks as task_rows
from data.scope import Scope


def _label(rt, code: str) -> str:
    return rt.db.fetch_one("SELECT display_name(e) AS label FROM employees e WHERE e.code = %s", (code,))["label"]


def _team(rt, name: str) -> int:
    return rt.db.fetch_one("SELECT id FROM teams WHERE name = %s", (name,))["id"]


def test_a_name_nobody_else_has_is_shown_alone(rt):
    employees.create_employee(rt.db, "E9001", "Anna Laine", None)
    employees.create_employee(rt.db, "E9002", "Anna Laine-Virtanen", None)
    assert _label(rt, "E9001") == "Anna Laine"
    assert _label(rt, "E9002") == "Anna Laine-Virtanen"


def test_a_shared_name_is_shown_with_each_persons_code(rt):
    employees.create_employee(rt.db, "E9001", "王芳", None)
    employees.create_employee(rt.db, "E9002", "王芳", None)
    assert (_label(rt, "E9001"), _label(rt, "E9002")) == ("王芳 · E9001", "王芳 · E9002")


def test_a_former_employee_with_the_name_still_counts_so_history_stays_apart(rt):
    employees.create_employee(rt.db, "E9001", "王芳", None)
    employees.create_employee(rt.db, "E9002", "王芳", None)
    rt.db.execute("UPDATE employees SET active = false WHERE code = 'E9002'")
    assert _label(rt, "E9001") == "王芳 · E9001"


def test_the_label_follows_a_rename_at_once(rt):
    employees.create_employee(rt.db, "E9001", "王芳", None)
    employees.create_employee(rt.db, "E9002", "王芳", None)
    rt.db.execute("UPDATE employees SET name = '王芳芳' WHERE code = 'E9002'")
    assert (_label(rt, "E9001"), _label(rt, "E9002")) == ("王芳", "王芳芳")


def _two_wang_fang(rt) -> tuple[int, int]:
    north = _team(rt, "North")
    return (
        employees.create_employee(rt.db, "E9001", "王芳", north),
        employees.create_employee(rt.db, "E9002", "王芳", north),
    )


def test_two_wang_fang_differ_on_the_live_board(seeded_rt):
    rt = seeded_rt
    first, second = _two_wang_fang(rt)
    north = Scope(team_ids=frozenset({_team(rt, "North")}))
    board = LiveMap(rt).roster(north)  # the rows the fleet, the people list and the tooltips are named from
    assert (board[first]["name"], board[second]["name"]) == ("王芳 · E9001", "王芳 · E9002")
    details = employees.get_employee(rt.db, north, second)
    assert details["name"] == "王芳 · E9002"
    others = [row["name"] for person_id, row in board.items() if person_id not in (first, second)]
    assert all(" · " not in name for name in others)  # the seeded city's other names are its only ones


def test_two_wang_fang_differ_on_the_tasks_board(seeded_rt):
    rt = seeded_rt
    first, second = _two_wang_fang(rt)
    customer = customers.list_customers(rt.db, Scope.everything())[0]["id"]
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for person in (first, second):
        task_rows.create_task(
            rt.db,
            {
                "customer_id": customer,
                "employee_id": person,
                "kind": "visit",
                "priority": 2,
                "window_start": start,
                "window_end": start + timedelta(minutes=30),
                "duration_min": 20,
                "notes": None,
            },
            None,
        )
    shown = {row["employee_id"]: row["employee_name"] for row in todays_tasks(rt, Scope.everything())}
    assert (shown[first], shown[second]) == ("王芳 · E9001", "王芳 · E9002")


def test_two_wang_fang_differ_in_the_performance_rows_and_as_customer_owner(seeded_rt):
    rt = seeded_rt
    first, second = _two_wang_fang(rt)
    scope = Scope.everything()
    today = datetime.now(rt.settings.tz).date()
    week = (today - timedelta(days=7), today)
    rows = metrics.employee_days(rt.db, scope, *week, rt.settings.timezone, datetime.now(UTC))
    ranked = {row["employee_id"]: row for row in metrics.per_employee(rows, metrics.people(rt.db, scope))}
    assert (ranked[first]["employee_name"], ranked[second]["employee_name"]) == ("王芳 · E9001", "王芳 · E9002")
    assert ranked[first]["employee_code"] == "E9001"
    customer = customers.list_customers(rt.db, scope)[0]["id"]
    rt.db.execute("UPDATE customers SET owner_employee_id = %s WHERE id = %s", (second, customer))
    assert customers.get_customer(rt.db, scope, customer)["owner_name"] == "王芳 · E9002"
