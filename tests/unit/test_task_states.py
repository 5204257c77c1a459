"""The task state table and the overdue / at-risk rule (dashboard/work/lifecycle.py), with a pinned "now"
and no server. State changes stored, permitted and announced are tested in tests/integration/test_tasks.py."""

from datetime import UTC, datetime, timedelta

from dashboard.work import lifecycle


def test_every_state_pair_outside_the_table_is_refused():
    refused = [
        (a, b) for a in lifecycle.STATES for b in lifecycle.STATES if b not in lifecycle.TRANSITIONS[a] and b != "new"
    ]
    assert ("done", "on_site") in refused and ("new", "on_site") in refused and ("on_site", "assigned") in refused
    for final in lifecycle.FINAL_STATES:
        assert lifecycle.TRANSITIONS[final] == ()


def test_overdue_and_at_risk_follow_the_window_and_the_estimated_arrival():
    now = datetime(2026, 5, 4, 10, tzinfo=UTC)
    task = {"state": "assigned", "window_end": now + timedelta(minutes=10)}
    assert lifecycle.at_risk(task, now) is None
    assert lifecycle.at_risk(task, now, eta_s=5 * 60) is None
    assert lifecycle.at_risk(task, now, eta_s=15 * 60) == "at_risk"
    assert lifecycle.at_risk({**task, "window_end": now - timedelta(minutes=1)}, now) == "overdue"
    assert lifecycle.at_risk({**task, "state": "on_site", "window_end": now - timedelta(minutes=1)}, now) is None
    assert lifecycle.at_risk({**task, "state": "done", "window_end": now - timedelta(minutes=1)}, now) is None
