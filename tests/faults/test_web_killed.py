"""kill -9 of the web process (gunicorn's master and its worker) under load, and a new one started:
a request under way gets no answer, its device sends the batch again, and a batch that had reached
the stream before the kill is then published twice; the (employee, ts) key stores it once."""

import time

from tests.faults.fleet import Fleet
from tests.faults.stack import assert_recovered


def test_web_process_killed_under_load_stores_every_200_once(stack, rng, scenario):
    fleet = Fleet(stack.url, stack.tokens).start()
    try:
        fleet.wait_for(500)
        time.sleep(rng.uniform(0.5, 3))
        with fleet.web_down():
            down = time.monotonic()
            stack.web.kill()
            stack.web = stack.serve()
            fleet.wait_for(200)
            scenario["web_down_s"] = round(time.monotonic() - down, 1)
        time.sleep(rng.uniform(1, 3))
    finally:
        fleet.stop()
    assert_recovered(stack, fleet, scenario, timeout_s=60)
    assert set(fleet.answers) - {"200"}, "the kill should have left some requests without an answer"
