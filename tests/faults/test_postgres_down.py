"""PostgreSQL killed (-9) or stopped for a minute under load. Ingest does not need it for known
devices: their tokens and the privacy rules are kept from the last good read, so every request is
answered 200 and the fixes wait in the Redis stream; the writer retries until PostgreSQL is back,
then stores each of them once."""

import os
import time

from tests.faults.fleet import Fleet
from tests.faults.stack import assert_recovered, kill_postgres

OUTAGE_S = float(os.environ.get("FIELDOPS_FAULTS_PG_OUTAGE_S", "60"))  # issue 14: "PostgreSQL stopped for 60 s"


def test_postgres_killed_under_load_stores_every_200_once(stack, rng, scenario):
    fleet = Fleet(stack.url, stack.tokens).start()
    try:
        fleet.wait_for(500)
        time.sleep(rng.uniform(0.5, 3))
        kill_postgres(stack.postgres)
        scenario["postgres_down_s"] = down = round(rng.uniform(2, 8), 2)
        time.sleep(down)
        scenario["backlog_at_restart"] = stack.backlog()
        stack.postgres.start()
        time.sleep(rng.uniform(1, 3))
    finally:
        fleet.stop()
    assert_recovered(stack, fleet, scenario, timeout_s=60)
    assert set(fleet.answers) == {"200"}, "known devices are answered 200 while PostgreSQL is down"


def test_postgres_stopped_for_a_minute_while_devices_keep_sending(stack, rng, scenario):
    fleet = Fleet(stack.url, stack.tokens).start()
    try:
        fleet.wait_for(500)
        time.sleep(rng.uniform(0.5, 3))
        stack.postgres.stop()
        stopped = len(fleet.confirmed)
        scenario["postgres_down_s"] = OUTAGE_S
        time.sleep(OUTAGE_S)
        scenario["answered_200_while_down"] = len(fleet.confirmed) - stopped
        scenario["backlog_at_restart"] = stack.backlog()
        stack.postgres.start()
        time.sleep(rng.uniform(1, 3))
    finally:
        fleet.stop()
    assert_recovered(stack, fleet, scenario, timeout_s=90)
    assert set(fleet.answers) == {"200"}, "known devices are answered 200 while PostgreSQL is down"
