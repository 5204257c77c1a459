"""`fieldops` commands against real servers."""

from __future__ import annotations

import io

import pytest

from dashboard.cli.main import main
from data import users


@pytest.fixture
def cli_env(seeded_settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded_settings.database_url)
    monkeypatch.setenv("REDIS_URL", seeded_settings.redis_url)
    monkeypatch.setenv("FIELDOPS_REDIS_PREFIX", seeded_settings.redis_prefix)
    monkeypatch.setenv("SECRET_KEY", seeded_settings.secret_key)
    return seeded_settings


def test_user_add_passwd_disable(cli_env, seeded_rt, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("first-password-1\n"))
    assert main(["user", "add", "aino", "--role", "supervisor", "--teams", "North,East", "--password-stdin"]) == 0
    row = users.user_by_name(seeded_rt.db, "aino")
    assert row["role"] == "supervisor" and sorted(users.get_user(seeded_rt.db, row["id"])["team_ids"])
    monkeypatch.setattr("sys.stdin", io.StringIO("second-password-2\n"))
    assert main(["user", "passwd", "aino", "--password-stdin"]) == 0
    assert users.user_by_name(seeded_rt.db, "aino")["session_version"] == row["session_version"] + 1
    assert main(["user", "disable", "aino"]) == 0
    assert users.user_by_name(seeded_rt.db, "aino")["disabled"]
    assert main(["user", "list"]) == 0
    assert "aino" in capsys.readouterr().out


def test_user_add_explains_what_is_wrong(cli_env, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "bob", "--role", "manager", "--password-stdin"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-password\n"))
    assert main(["user", "add", "carl", "--role", "field", "--password-stdin"]) == 2
    assert "belongs to an employee" in capsys.readouterr().err


def test_wall_tokens_are_shown_once_and_revocable(cli_env, seeded_rt, capsys):
    assert main(["wall-token", "add", "Reception TV", "--days", "30"]) == 0
    assert "/wall/login/" in capsys.readouterr().out
    token_id = seeded_rt.db.fetch_one("SELECT id FROM wall_tokens WHERE name = 'Reception TV'")["id"]
    assert main(["wall-token", "revoke", str(token_id)]) == 0
    assert main(["wall-token", "list"]) == 0
    assert "revoked" in capsys.readouterr().out


def test_purge_and_migrate(cli_env, capsys):
    assert main(["purge"]) == 0
    assert "Dropped 0 day partitions" in capsys.readouterr().out
    assert main(["migrate"]) == 0
    assert "Schema at" in capsys.readouterr().out


def test_rollup_rebuilds_a_range_and_explains_a_wrong_one(cli_env, seeded_rt, capsys):
    from datetime import UTC, datetime

    from data.positions import PositionRow, insert_positions

    at = datetime(2026, 6, 1, 8, tzinfo=UTC)
    insert_positions(seeded_rt.db, [PositionRow(1, at, 60.17, 24.94, 0.0, None, 5.0, 0x8A1126D1B26FFFF, "gpx")])
    seeded_rt.db.execute("TRUNCATE analytics_dirty")
    assert main(["rollup", "--rebuild", "--from", "2026-06-01", "--to", "2026-06-01"]) == 0
    assert "Refreshed 1 employee-hours" in capsys.readouterr().out
    assert seeded_rt.db.fetch_one("SELECT count(*) AS n FROM analytics_facts")["n"] == 1
    assert main(["rollup", "--rebuild", "--from", "2026-06-02", "--to", "2026-06-01"]) == 2
    assert "--from and --to" in capsys.readouterr().err
    assert main(["rollup"]) == 0  # one upkeep pass: nothing marked
    assert "Refreshed 0 employee-hours" in capsys.readouterr().out
