"""The wall display's rotation setting read within its bounds, its tiles' verdicts, which alerts interrupt and
each panel's share (dashboard/live/wall.py), no server. The wall's figures and the admin's setting are tested in
tests/integration/test_wall.py."""

from dashboard.live.wall import PANELS, SHARES, cycle_seconds, interrupts, verdicts
from data.org_settings import DEFAULTS


def test_the_cycle_stays_within_bounds():
    assert cycle_seconds({"wall.cycle_s": 20}) == 20
    assert cycle_seconds({"wall.cycle_s": 1}) == 5
    assert cycle_seconds({"wall.cycle_s": "nonsense"}) == 20
    assert cycle_seconds({}) == 20


def test_a_tile_says_what_its_figure_means():
    settings = {**DEFAULTS, "analytics.target_satisfaction": 4.0}
    figures = {"visits": 12, "tasks_done": 3, "overdue_tasks": 0, "satisfaction": 3.8}
    assert verdicts(figures, settings) == {
        "visits": "neutral",
        "tasks_done": "neutral",
        "overdue_tasks": "good",  # none overdue: good, not amber
        "satisfaction": "warning",  # below its target: not green
    }
    assert verdicts({**figures, "overdue_tasks": 2, "satisfaction": 4.0}, settings) == {
        "visits": "neutral",
        "tasks_done": "neutral",
        "overdue_tasks": "warning",
        "satisfaction": "good",  # the target met
    }
    assert verdicts({**figures, "satisfaction": None}, settings)["satisfaction"] == "neutral"  # no answers yet
    assert verdicts(figures, {**settings, "analytics.target_satisfaction": 3.5})["satisfaction"] == "good"


def test_warnings_and_criticals_interrupt_the_rotation_and_info_never_does():
    assert [level for level in ("info", "warning", "critical") if interrupts(level)] == ["warning", "critical"]


def test_the_map_and_the_tiles_hold_most_of_a_rotation_even_with_alerts_in_turn():
    assert set(SHARES) == set(PANELS)
    assert SHARES["map"] + SHARES["kpis"] > sum(SHARES.values()) / 2
