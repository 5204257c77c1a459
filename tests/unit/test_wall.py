"""The wall display's rotation setting read within its bounds (dashboard/live/wall.py), no server. The
wall's figures and the admin's setting are tested in tests/integration/test_wall.py."""

from dashboard.live.wall import cycle_seconds


def test_the_cycle_stays_within_bounds():
    assert cycle_seconds({"wall.cycle_s": 20}) == 20
    assert cycle_seconds({"wall.cycle_s": 1}) == 5
    assert cycle_seconds({"wall.cycle_s": "nonsense"}) == 20
    assert cycle_seconds({}) == 20
