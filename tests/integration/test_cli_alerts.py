"""`fieldops alert-rule list|add|remove` and `fieldops alerts` against real servers (issue 17)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dashboard.cli.main import main
from data import alerts
from data.scope import Scope

# A Tuesday morning in Helsinki, inside working hours.
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=ZoneInfo("Europe/Helsinki"))


@pytest.fixture
def cli_env(seeded_settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded_settings.database_url)
    monkeypatch.setenv("REDIS_URL", seeded_settings.redis_url)
    monkeypatch.setenv("FIELDOPS_REDIS_PREFIX", seeded_settings.redis_prefix)
    monkeypatch.setenv("SECRET_KEY", seeded_settings.secret_key)
    with time_machine.travel(NOW, tick=True):
        yield seeded_settings


def _newest_rule(db) -> dict:
    return alerts.rule(db, db.fetch_one("SELECT max(id) AS id FROM alert_rules")["id"])


def test_alert_rule_add_list_and_remove(cli_env, seeded_rt, capsys):
    assert main(["alert-rule", "add", "silent", "North silent", "--minutes", "5", "--team", "North"]) == 0
    assert "Added alert rule" in capsys.readouterr().out
    rule = _newest_rule(seeded_rt.db)
    north = seeded_rt.db.fetch_one("SELECT id FROM teams WHERE name = 'North'")["id"]
    assert (rule["kind"], rule["name"], rule["params"], rule["team_ids"]) == (
        "silent",
        "North silent",
        {"minutes": 5},
        [north],
    )
    assert rule["severity"] == "warning" and rule["working_hours_only"] and rule["cooldown_min"] == 30

    args = ["speeding", "Fast at night", "--kmh", "110", "--seconds", "20", "--team", "North", "East"]
    assert main(["alert-rule", "add", *args, "--severity", "critical", "--cooldown", "15", "--always"]) == 0
    fast = _newest_rule(seeded_rt.db)
    assert fast["params"] == {"kmh": 110, "seconds": 20} and len(fast["team_ids"]) == 2
    assert (fast["severity"], fast["cooldown_min"], fast["working_hours_only"]) == ("critical", 15, False)

    zone = seeded_rt.db.fetch_one("SELECT id, name FROM zones WHERE kind = 'work_area' ORDER BY id LIMIT 1")
    assert main(["alert-rule", "add", "zone_exit", "Left the area", "--zone", zone["name"]]) == 0
    assert _newest_rule(seeded_rt.db)["zone_ids"] == [zone["id"]]
    capsys.readouterr()

    assert main(["alert-rule", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["id", "kind", "name", "severity", "enabled", "scope"]
    line = next(row for row in out if "Fast at night" in row)
    assert line.split()[:2] == [str(fast["id"]), "speeding"] and "critical" in line and "round the clock" in line
    assert "teams North, East" in line or "teams East, North" in line
    assert any("Help requested" in row and "every team" in row for row in out)
    assert any(zone["name"] in row and "Left the area" in row for row in out)

    assert main(["alert-rule", "remove", str(fast["id"])]) == 0
    assert alerts.rule(seeded_rt.db, fast["id"]) is None
    assert main(["alert-rule", "remove", str(fast["id"])]) == 1
    assert "no alert rule" in capsys.readouterr().err


def test_alert_rule_add_explains_what_is_wrong_and_exits_2(cli_env, seeded_rt, capsys):
    before = seeded_rt.db.fetch_one("SELECT count(*) AS n FROM alert_rules")["n"]
    for args, reason in (
        (["silent", "Too eager", "--minutes", "0"], "minutes must be between 1 and 1440"),
        (["silent", "Wrong knob", "--percent", "10"], "--percent does not apply to a silent rule"),
        (["silent", "Nowhere", "--team", "Atlantis"], "Atlantis"),
        (["idle", "Zone for idle", "--zone", "Harbour"], "--zone applies to zone rules only"),
        (["zone_enter", "Unknown zone", "--zone", "No such zone"], "No zone is named 'No such zone'"),
        (["low_battery", "Long cooldown", "--cooldown", "20000"], "cooldown"),
        (["silent", "   "], "name"),
    ):
        assert main(["alert-rule", "add", *args]) == 2, args
        assert reason in capsys.readouterr().err, args
    with pytest.raises(SystemExit) as refused:
        main(["alert-rule", "add", "help", "Another help"])  # not a kind a person makes
    assert refused.value.code == 2
    assert seeded_rt.db.fetch_one("SELECT count(*) AS n FROM alert_rules")["n"] == before


def test_the_builtin_help_rule_cannot_be_removed(cli_env, seeded_rt, capsys):
    help_rule = alerts.builtin_rule(seeded_rt.db, "help")
    assert main(["alert-rule", "remove", str(help_rule["id"])]) == 2
    assert "built-in help rule" in capsys.readouterr().err
    assert alerts.builtin_rule(seeded_rt.db, "help") is not None


def test_alerts_lists_recent_and_open_ones(cli_env, seeded_rt, capsys):
    db = seeded_rt.db
    people = [row["id"] for row in db.fetch_all("SELECT id FROM employees ORDER BY id LIMIT 3")]
    help_rule = alerts.builtin_rule(db, "help")
    now = NOW
    old = alerts.raise_alert(db, help_rule, people[0], now - timedelta(days=3), now=now - timedelta(days=3))
    recent = alerts.raise_alert(db, help_rule, people[1], now - timedelta(hours=2), now=now - timedelta(hours=2))
    done = alerts.raise_alert(db, help_rule, people[2], now - timedelta(hours=1), now=now - timedelta(hours=1))
    alerts.resolve(db, done, Scope.everything(), None)

    assert main(["alerts"]) == 0
    out = capsys.readouterr().out
    ids = [int(line.split()[0]) for line in out.splitlines()[1:-1]]
    assert ids == [recent, done] and out.splitlines()[-1] == "2 alerts"
    assert "Help requested" in out and "critical" in out and "resolved" in out

    assert main(["alerts", "--open"]) == 0
    ids = [int(line.split()[0]) for line in capsys.readouterr().out.splitlines()[1:-1]]
    assert ids == [old, recent]

    assert main(["alerts", "--days", "7"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "3 alerts"
    assert main(["alerts", "--days", "0"]) == 2
    assert "--days is 1 to 366" in capsys.readouterr().err
