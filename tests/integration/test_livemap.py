import time

import pytest

from dashboard.live.livemap import LiveMap
from data.feed import Fix
from data.scope import Scope


@pytest.fixture
def livemap(seeded_rt):
    return LiveMap(seeded_rt)


def _people(rt):
    return rt.db.fetch_all("SELECT id, team_id FROM employees ORDER BY id")


def test_first_payload_holds_everyone_then_only_what_changed(seeded_rt, livemap):
    people = _people(seeded_rt)
    now = int(time.time() * 1000)
    seeded_rt.feed.publish([Fix(p["id"], now, 60.17, 24.94, 5.0) for p in people], "native")
    first = livemap.fleet_payload(Scope.everything(), None)
    assert first["full"] is True
    assert sorted(first["id"]) == [p["id"] for p in people]
    assert set(first["st"]) == {"moving"}

    seeded_rt.feed.publish([Fix(people[0]["id"], now + 1000, 60.18, 24.95, 0.0)], "native")
    delta = livemap.fleet_payload(Scope.everything(), first["v"])
    assert delta["full"] is False
    assert delta["id"] == [people[0]["id"]]
    assert (delta["lat"], delta["st"]) == ([60.18], ["idle"])

    unchanged = livemap.fleet_payload(Scope.everything(), delta["v"])
    assert unchanged["id"] == [] and unchanged["v"] == delta["v"]


def test_a_visit_shows_as_a_change_of_state(seeded_rt, livemap):
    person = _people(seeded_rt)[0]["id"]
    seeded_rt.feed.publish([Fix(person, int(time.time() * 1000), 60.17, 24.94, 0.0)], "native")
    before = livemap.fleet_payload(Scope.everything(), None)
    seeded_rt.feed.set_status(person, {"visit": 1, "since": 0})
    after = livemap.fleet_payload(Scope.everything(), before["v"])
    assert (after["id"], after["st"]) == ([person], ["visit"])


def test_a_team_scope_sees_only_its_team(seeded_rt, livemap):
    people = _people(seeded_rt)
    seeded_rt.feed.publish([Fix(p["id"], 1_790_000_000_000, 60.17, 24.94) for p in people], "native")
    team = people[0]["team_id"]
    payload = livemap.fleet_payload(Scope(frozenset({team})), None)
    assert sorted(payload["id"]) == [p["id"] for p in people if p["team_id"] == team]
    assert livemap.fleet_payload(Scope(frozenset()), None)["id"] == []


def test_offline_is_left_to_the_browser_with_the_server_clock(seeded_rt, livemap):
    person = _people(seeded_rt)[0]["id"]
    seeded_rt.feed.publish([Fix(person, 1_000_000_000_000, 60.17, 24.94, 3.0)], "native")
    payload = livemap.fleet_payload(Scope.everything(), None)
    assert payload["st"] == ["moving"]
    assert payload["now"] - payload["ts"][0] > payload["offline_after_ms"]


def test_static_layers_come_from_the_database(seeded_rt, livemap):
    zones = livemap.zones_geojson(Scope.everything())
    kinds = {f["properties"]["kind"] for f in zones["features"]}
    assert kinds == {"work_area", "customer_site"}
    customers = livemap.customers_geojson(Scope.everything())
    assert len(customers["features"]) == seeded_rt.db.fetch_one("SELECT count(*) AS n FROM customers")["n"]
    streets = livemap.streets_geojson()
    assert len(streets["features"]) > 1000
    assert streets["features"][0]["geometry"]["type"] == "LineString"


def test_a_paused_person_is_counted_but_never_placed(seeded_rt, livemap):
    from dashboard.ingest.privacy import pause_sharing, tracking_policy

    people = _people(seeded_rt)
    seeded_rt.feed.publish([Fix(p["id"], int(time.time() * 1000), 60.17, 24.94) for p in people], "native")
    pause_sharing(seeded_rt, people[0]["id"], "lunch with family")
    payload = livemap.fleet_payload(Scope.everything(), None)
    assert people[0]["id"] not in payload["id"]
    assert payload["paused"] == [people[0]["id"]] and payload["counts"]["paused"] == 1
    other_team = Scope(frozenset({people[1]["team_id"]})) if people[1]["team_id"] != people[0]["team_id"] else None
    if other_team:
        assert livemap.fleet_payload(other_team, None)["paused"] == []
    # A browser that held the fleet before the pause gets everything again, without the paused person.
    before = livemap.fleet_payload(Scope.everything(), None)
    pause_sharing(seeded_rt, people[1]["id"], "school run")
    after = livemap.fleet_payload(Scope.everything(), before["v"], before["paused_digest"])
    assert after["full"] and people[1]["id"] not in after["id"] and people[1]["id"] in after["paused"]
    quiet = livemap.fleet_payload(Scope.everything(), after["v"], after["paused_digest"])
    assert not quiet["full"] and quiet["id"] == [] and "paused" not in quiet
    assert tracking_policy(seeded_rt).split([Fix(people[0]["id"], int(time.time() * 1000), 60.1, 24.9)]).withheld == 1


def test_a_person_moved_out_of_the_scope_leaves_the_map_and_one_moved_in_comes(seeded_rt):
    """Issue 18: a supervisor's open map drops a person moved to another team and places one moved into theirs
    (a full payload, and a new roster digest for the names), once the roster is read again."""
    from dashboard.work import people

    rt = seeded_rt
    everyone = _people(rt)
    rt.feed.publish([Fix(p["id"], int(time.time() * 1000), 60.17, 24.94) for p in everyone], "native")
    team, other = everyone[0]["team_id"], next(p["team_id"] for p in everyone if p["team_id"] != everyone[0]["team_id"])
    leaver, comer = everyone[0]["id"], next(p["id"] for p in everyone if p["team_id"] == other)
    scope = Scope(frozenset({team}))
    before = LiveMap(rt).fleet_payload(scope, None)
    assert leaver in before["id"] and comer not in before["id"]

    actor = people.Actor.command_line()
    people.move_person(rt, actor, leaver, other)
    people.move_person(rt, actor, comer, team)
    after = LiveMap(rt).fleet_payload(scope, before["v"], before["paused_digest"])  # a fresh roster, as after its TTL
    assert after["full"] and after["roster"] != before["roster"]
    assert leaver not in after["id"] and comer in after["id"]
