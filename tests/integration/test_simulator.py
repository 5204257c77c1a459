"""The simulator against the real app: posting through the ingest endpoint and following dispatched tasks.
Its plans, habits and GPS noise are tested with no server in tests/unit/test_simulator.py."""

from dashboard.demo.simulator import FleetSimulator
from dashboard.work.streets import distance_m


def test_the_simulator_posts_through_the_ingest_endpoint(seeded_rt):
    from tests.conftest import LiveServer

    server = LiveServer(seeded_rt.settings)
    try:
        simulator = FleetSimulator(seeded_rt.db, seeded_rt.settings.secret_key, server.url, interval_s=1.0)
        simulator.load()
        sent = simulator.tick(simulator.started + 2.0)
        reporting = [p for p in simulator.people if p.plan.reports_at(2.0)]
        assert sent == len(reporting) > 0
        assert simulator.failed == 0
        assert len(server.runtime.feed.snapshot().employee_ids) == sent
    finally:
        server.stop()


def test_a_dispatched_task_sends_the_simulated_person_there_from_where_they_are(seeded_rt):
    from datetime import UTC, datetime

    from dashboard.work import lifecycle
    from data import customers
    from data import tasks as task_rows
    from data.scope import Scope

    rt = seeded_rt
    simulator = FleetSimulator(rt.db, rt.settings.secret_key, "http://127.0.0.1:9", interval_s=1.0)
    simulator.load()
    person = simulator.people[0]
    assert simulator.follow_dispatch(10.0) == 0  # nothing changed since loading
    here = person.plan.state_at(10.0)
    customer = customers.list_customers(rt.db, Scope.everything())[0]
    task = task_rows.create_task(
        rt.db,
        {
            "customer_id": customer["id"],
            "employee_id": None,
            "kind": "repair",
            "priority": 1,
            "window_start": None,
            "window_end": None,
            "duration_min": 15,
            "notes": None,
        },
        None,
    )
    lifecycle.change_state(rt, task, "assigned", assignee=person.employee_id, at=datetime.now(UTC))
    assert simulator.follow_dispatch(10.0) == 1 and person.open_tasks == [task]
    start = person.plan.state_at(10.0)
    assert distance_m(start.lat, start.lon, here.lat, here.lon) < 400  # from where they were (snapped to a street)
    visits = [leg.customer_id for leg in person.plan.legs if leg.is_dwell and leg.customer_id]
    assert visits == [customer["id"]]
