"""Issue 14, with no server: what a Redis's persistence settings promise, the settings that accept a
volatile Redis, why readiness is degraded (pinned instants), and the route groups /metrics keeps."""

import pytest

from dashboard.core.config import ConfigError, Settings
from dashboard.core.durability import DURABLE, UNKNOWN, VOLATILE, WEAK, Verdict, judge
from dashboard.web.health import degraded_reasons, writer_figures
from dashboard.web.metrics import route_group
from data.redis_server import Persistence

SECRET = "x" * 40
NOW_MS = 1_790_000_000_000


@pytest.mark.parametrize(
    ("persistence", "state"),
    [
        (Persistence(True, "everysec", "3600 1"), DURABLE),
        (Persistence(True, "always", ""), DURABLE),
        (Persistence(True, "no", ""), WEAK),
        (Persistence(False, "everysec", "900 1"), VOLATILE),
        (Persistence(False, "everysec", ""), VOLATILE),
        (Persistence(True, "everysec", "", maxmemory=2**30, maxmemory_policy="allkeys-lru"), VOLATILE),
        (Persistence(True, "everysec", "", maxmemory=2**30, maxmemory_policy="volatile-lru"), DURABLE),
        (Persistence(True, "everysec", "", maxmemory=0, maxmemory_policy="allkeys-lru"), DURABLE),
        (Persistence(True, refused="CONFIG GET refused: unknown command"), UNKNOWN),  # INFO said aof_enabled:1
        (Persistence(None, refused="CONFIG GET refused; INFO refused"), UNKNOWN),
    ],
)
def test_what_each_redis_persistence_keeps_of_an_accepted_position(persistence, state):
    assert judge(persistence, accept_volatile=False).state == state


def test_only_a_volatile_redis_nobody_accepted_loses_positions():
    assert judge(Persistence(False, "everysec", ""), accept_volatile=False).loses_positions
    accepted = judge(Persistence(False, "everysec", ""), accept_volatile=True)
    assert accepted.accepted and not accepted.loses_positions
    assert "snapshots are off too" in accepted.reason
    assert "since its last snapshot" in judge(Persistence(False, "everysec", "900 1"), False).reason
    assert not judge(Persistence(True, "no", ""), accept_volatile=False).loses_positions


def test_the_volatile_redis_flag_and_the_fsync_policy_are_read_from_the_environment():
    base = {"SECRET_KEY": SECRET}
    assert not Settings.from_env(base).accept_volatile_redis
    assert Settings.from_env(base | {"FIELDOPS_ACCEPT_VOLATILE_REDIS": "1"}).accept_volatile_redis
    assert not Settings.from_env(base | {"FIELDOPS_ACCEPT_VOLATILE_REDIS": "0"}).accept_volatile_redis
    assert Settings.from_env(base).redis_appendfsync == "everysec"
    assert Settings.from_env(base | {"FIELDOPS_REDIS_APPENDFSYNC": "always"}).redis_appendfsync == "always"
    with pytest.raises(ConfigError, match="FIELDOPS_ACCEPT_VOLATILE_REDIS"):
        Settings.from_env(base | {"FIELDOPS_ACCEPT_VOLATILE_REDIS": "maybe"})
    with pytest.raises(ConfigError, match="FIELDOPS_REDIS_APPENDFSYNC"):
        Settings.from_env(base | {"FIELDOPS_REDIS_APPENDFSYNC": "no"})


def _beat(at_s_ago: float, batch_s_ago: float | None, since_s_ago: float = 600) -> dict:
    return {
        "at_ms": NOW_MS - int(at_s_ago * 1000),
        "since_ms": NOW_MS - int(since_s_ago * 1000),
        "batch_ms": None if batch_s_ago is None else NOW_MS - int(batch_s_ago * 1000),
        "stored": 0,
    }


def _reasons(backlog: int, heartbeats: dict, lag_s: float = 1.0, limit: int = 2_000_000) -> list[str]:
    return degraded_reasons("ok", "ok", Verdict(DURABLE, ""), writer_figures(backlog, limit, lag_s, heartbeats, NOW_MS))


def test_a_healthy_installation_has_no_reason_to_be_degraded():
    assert _reasons(0, {}) == []  # nothing waits: no writer is needed yet
    assert _reasons(120, {"w1": _beat(0.4, 0.5)}) == []


def test_positions_waiting_for_a_writer_that_is_gone_or_stalled_are_degraded():
    assert _reasons(5, {}) == ["writer: no heartbeat ever while 5 positions wait"]
    assert _reasons(2200, {"w1": _beat(45, 50)}) == ["writer: no heartbeat for 45 s while 2,200 positions wait"]
    # The stall: the writer loops (it beats) but stores nothing while positions wait.
    assert _reasons(2200, {"w1": _beat(1, 92)}) == ["writer: nothing stored for 92 s while 2,200 wait"]
    just_started = {"w1": _beat(1, None, since_s_ago=40)}
    assert _reasons(2200, just_started) == ["writer: nothing stored for 40 s while 2,200 wait"]
    # Several writers: the freshest heartbeat and the latest batch count.
    assert _reasons(2200, {"dead": _beat(300, 310), "live": _beat(0.5, 1)}) == []


def test_a_backlog_near_its_limit_and_a_long_lag_are_degraded():
    live = {"w1": _beat(0.2, 0.3)}
    assert _reasons(899, live, limit=1000) == []
    assert _reasons(900, live, limit=1000) == ["backlog: 900 of 1,000 (ingest refuses at the limit)"]
    assert _reasons(10, live, lag_s=301) == ["lag: the oldest waiting position is 301 s old"]


def test_a_dependency_down_or_a_volatile_redis_nobody_accepted_is_degraded():
    volatile = Verdict(VOLATILE, "Redis runs without an append-only file")
    assert degraded_reasons("down: OperationalError", "ok", None, None) == ["postgres: down: OperationalError"]
    assert degraded_reasons("ok", "down: ConnectionError", None, None) == ["redis: down: ConnectionError"]
    assert degraded_reasons("ok", "ok", volatile, None) == ["redis persistence: Redis runs without an append-only file"]
    accepted = Verdict(VOLATILE, "Redis runs without an append-only file", accepted=True)
    assert degraded_reasons("ok", "ok", accepted, None) == []
    assert degraded_reasons("ok", "ok", Verdict(UNKNOWN, "CONFIG refused"), None) == []  # a warning, not a reason


@pytest.mark.parametrize(
    ("path", "group"),
    [
        ("/ingest/osmand", "ingest"),
        ("/api/v1/positions", "ingest"),
        ("/api/v1/me/positions", "ingest"),
        ("/api/v1/customers", "api"),
        ("/_dash-update-component", "callback"),
        ("/_dash-layout", "dash"),
        ("/assets/fieldops.css", "static"),
        ("/healthz", "ops"),
        ("/metrics", "ops"),
        ("/tasks", "page"),
        ("/no/such/page/with/a/long/random/name", "page"),
    ],
)
def test_request_figures_are_kept_by_a_few_fixed_route_groups(path, group):
    assert route_group(path) == group
