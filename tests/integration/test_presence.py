"""Counts that add up (issue 15): one person in each presence state at a pinned instant, and the live map's
counts, its people list and the wall's tiles and legend all say the same and add up to the roster."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import time_machine

from dashboard.ingest.privacy import pause_sharing, tracking_policy
from dashboard.live.presence import NO_POSITION, OFFLINE, ONLINE, PAUSED, state_of
from dashboard.live.wall import tiles
from data import working_hours
from data.feed import Fix
from data.scope import Scope
from tests.conftest import callback_body, csrf_headers, make_app, sign_in_wall, signed_in_client


def _server_answer(client, app, output_id: str, values: dict[str, object]) -> dict:
    """The answer of the callback with this output, inputs and state keyed "id.property" (unlisted: None)."""
    output = next(o for o in app.callback_map if f"{output_id}." in o)
    body = callback_body(output, app.callback_map[output], lambda item: values.get(f"{item['id']}.{item['property']}"))
    answer = client.post("/_dash-update-component", json=body, headers=csrf_headers(client))
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return answer.get_json()["response"]


def test_the_rule_puts_a_pause_before_the_fix_and_ages_the_fix():
    assert state_of(None, False, 1_000_000, 300_000) == NO_POSITION
    assert state_of(700_000, False, 1_000_000, 300_000) == ONLINE  # exactly the threshold old: still online
    assert state_of(699_999, False, 1_000_000, 300_000) == OFFLINE
    assert state_of(999_000, True, 1_000_000, 300_000) == PAUSED
    assert state_of(None, True, 1_000_000, 300_000) == PAUSED


def test_live_map_and_wall_count_each_state_once_and_add_up_to_the_roster(seeded_settings):
    app = make_app(seeded_settings)
    rt = app.server.extensions["fieldops"]
    instant = datetime(2026, 11, 24, 10, 0, tzinfo=rt.settings.tz)  # a Tuesday morning
    try:
        with time_machine.travel(instant, tick=True):
            people = [row["id"] for row in rt.db.fetch_all("SELECT id FROM employees WHERE active ORDER BY id")]
            fresh, stale, paused, off_hours, *never = people
            now_ms = int(instant.timestamp() * 1000)
            stale_ms = now_ms - (rt.settings.offline_after_s + 60) * 1000
            rt.feed.publish(
                [
                    Fix(fresh, now_ms - 10_000, 60.17, 24.94, 5.0),
                    Fix(stale, stale_ms, 60.18, 24.95, 0.0),
                    Fix(paused, now_ms - 10_000, 60.16, 24.93, 0.0),
                    Fix(off_hours, now_ms - 10_000, 60.19, 24.96, 0.0),
                ],
                "native",
            )
            pause_sharing(rt, paused, "doctor")
            sunday_only = [(6, time(8), time(18))]  # their hours: not a Tuesday
            working_hours.replace_slots(rt.db, sunday_only, employee_id=off_hours)
            tracking_policy(rt).refresh(force=True)

            expected = {"total": len(people), ONLINE: 1, OFFLINE: 1, PAUSED: 2, NO_POSITION: len(never)}
            manager = signed_in_client(app, "manager")
            payload = _server_answer(manager, app, "livemap-feed", {"livemap-tick.n_intervals": 1})["livemap-feed"][
                "data"
            ]
            assert {key: payload["counts"][key] for key in expected} == expected
            assert payload["counts"]["moving"] == 1 and payload["counts"]["visit"] + payload["counts"]["idle"] == 0
            assert sum(payload["counts"][state] for state in (ONLINE, OFFLINE, PAUSED, NO_POSITION)) == len(people)
            # Placed: the online and the offline person; never a paused one; the rest listed without a position.
            assert sorted(payload["id"]) == sorted([fresh, stale])
            assert payload["full"] and payload["paused"] == sorted([paused, off_hours])
            names = _server_answer(manager, app, "livemap-names", {})["livemap-names"]["data"]
            assert len(names) == len(people)

            figures = tiles(rt, Scope.everything())
            assert figures["active"] == payload["counts"][ONLINE] == 1
            assert figures["people"] == payload["counts"]

            wall = app.server.test_client()
            assert sign_in_wall(wall).status_code == 302
            wall.get("/wall")
            shown = _server_answer(wall, app, "wall-kpi-active", {"wall-slow.n_intervals": 1})
            assert shown["wall-kpi-active"]["children"] == "1"
            legend = {
                state: int(shown[f"wall-count-{state}"]["children"]) for state in ("offline", "paused", "no_position")
            }
            assert legend == {OFFLINE: 1, PAUSED: 2, NO_POSITION: len(never)}

        # An hour later, without a new fix, the online person is offline on every surface.
        later = int((instant + timedelta(hours=1)).timestamp() * 1000)
        aged = rt.livemap.presence(Scope.everything(), later).counts()
        assert (aged[ONLINE], aged[OFFLINE], aged["total"]) == (0, 2, len(people))
    finally:
        rt.close()
