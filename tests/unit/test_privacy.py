"""Working hours as tracking's gate (dashboard/ingest/privacy.py), on pinned local instants, no server.
Positions withheld or kept coarse outside those hours are tested in tests/integration/test_privacy.py."""

from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from dashboard.ingest.privacy import in_slots

HELSINKI = ZoneInfo("Europe/Helsinki")


def test_working_hours_include_the_start_and_exclude_the_end():
    monday_nine_to_five = [(0, clock(9), clock(17))]
    at = datetime(2026, 11, 23, tzinfo=HELSINKI)  # a Monday
    assert not in_slots(monday_nine_to_five, at.replace(hour=8, minute=59))
    assert in_slots(monday_nine_to_five, at.replace(hour=9))
    assert not in_slots(monday_nine_to_five, at.replace(hour=17))
    assert not in_slots(monday_nine_to_five, (at + timedelta(days=1)).replace(hour=10))
    assert in_slots([(0, clock(0), clock(0))], at.replace(hour=23, minute=59))
