"""kill -9 of Redis under load. With its append-only file (`appendfsync everysec`) Redis comes back
with every entry it had acknowledged, so a position answered 200 and still only in the stream (the
writer stopped with SIGSTOP) is stored once the writer goes on. While Redis is down ingest answers
503 with Retry-After, never 500.

Redis restarted EMPTY (its files deleted) is the one loss no design here can prevent: what had been
accepted and was not yet stored is gone with the disk. What must hold then: the writer recovers by
itself (its consumer group re-created, no NOGROUP stall), everything accepted after the restart is
stored once, and nothing is stored twice."""

import signal
import time

from tests.faults.fleet import Fleet
from tests.faults.stack import assert_recovered


def test_redis_killed_while_the_stream_holds_the_only_copy_loses_no_200(stack, durable_redis, rng, scenario):
    fleet = Fleet(stack.url, stack.tokens).start()
    try:
        fleet.wait_for(500)
        stack.writer.signal(signal.SIGSTOP)  # from here on the stream holds the only copy of each fix
        scenario["writer_stopped_s"] = sending = round(rng.uniform(2, 6), 2)
        time.sleep(sending)
        scenario["only_in_stream_at_kill"] = stack.backlog()
        durable_redis.kill()
        scenario["redis_down_s"] = down = round(rng.uniform(1, 3), 2)
        time.sleep(down)
        durable_redis.start()
        scenario["restored_from_aof"] = stack.backlog()
        time.sleep(rng.uniform(1, 3))
        stack.writer.signal(signal.SIGCONT)
        time.sleep(rng.uniform(1, 3))
    finally:
        stack.writer.signal(signal.SIGCONT)
        fleet.stop()
    assert_recovered(stack, fleet, scenario, timeout_s=90)
    assert "503" in fleet.answers, "Redis was down: ingest should have answered 503 meanwhile"


def test_redis_restarted_empty_the_writer_recovers_by_itself(stack, durable_redis, rng, scenario):
    fleet = Fleet(stack.url, stack.tokens).start()
    try:
        fleet.wait_for(500)
        time.sleep(rng.uniform(0.5, 3))
        scenario["in_stream_at_kill"] = stack.backlog()
        durable_redis.kill()
        killed = time.monotonic()  # a request sent from now on cannot have reached the Redis that is gone
        durable_redis.wipe()
        scenario["redis_down_s"] = down = round(rng.uniform(0.5, 2), 2)
        time.sleep(down)
        durable_redis.start()
        time.sleep(rng.uniform(3, 5))
    finally:
        fleet.stop()
    after_kill = fleet.confirmed_since(killed)
    scenario["answered_200_after_kill"] = len(after_kill)
    # Answered 200 before the kill and not stored by then: gone with Redis's files, by definition.
    before = fleet.confirmed - after_kill
    assert_recovered(stack, fleet, scenario, timeout_s=45, expected=after_kill, may_be_lost=before)
