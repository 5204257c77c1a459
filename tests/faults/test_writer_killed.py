"""kill -9 of the writer under load, twice: its shards' leases expire (5 s) and the writer started after it
takes them, claims what the dead one held unacknowledged at once (XAUTOCLAIM) and stores it once; ingest never
notices."""

import time

from tests.faults.fleet import Fleet
from tests.faults.stack import assert_recovered


def test_writer_killed_twice_under_load_stores_every_200_once(stack, rng, scenario):
    fleet = Fleet(stack.url, stack.tokens).start()
    try:
        for kill in (1, 2):
            fleet.wait_for(500)
            pause = round(rng.uniform(0.5, 4), 2)
            time.sleep(pause)
            scenario[f"kill{kill}_after_s"] = pause
            scenario[f"kill{kill}_backlog"] = stack.backlog()
            stack.writer.kill()
            stack.writer = stack.start_writer()
        time.sleep(rng.uniform(1, 4))
    finally:
        fleet.stop()
    assert_recovered(stack, fleet, scenario, timeout_s=120)
    assert set(fleet.answers) == {"200"}, "the writer is not on the ingest path: every request is answered 200"
