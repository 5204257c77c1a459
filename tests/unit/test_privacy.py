"""Working hours as tracking's gate (dashboard/ingest/privacy.py), on pinned local instants, no server.
Positions withheld or kept coarse outside those hours are tested in tests/integration/test_privacy.py."""

from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from dashboard.ingest.privacy import in_slots, next_slot_start

HELSINKI = ZoneInfo("Europe/Helsinki")


def test_working_hours_include_the_start_and_exclude_the_end():
    monday_nine_to_five = [(0, clock(9), clock(17))]
    at = datetime(2026, 11, 23, tzinfo=HELSINKI)  # a Monday
    assert not in_slots(monday_nine_to_five, at.replace(hour=8, minute=59))
    assert in_slots(monday_nine_to_five, at.replace(hour=9))
    assert not in_slots(monday_nine_to_five, at.replace(hour=17))
    assert not in_slots(monday_nine_to_five, (at + timedelta(days=1)).replace(hour=10))
    assert in_slots([(0, clock(0), clock(0))], at.replace(hour=23, minute=59))


def test_sharing_starts_again_at_the_next_slot_of_the_week():
    weekdays = [(day, clock(8), clock(18)) for day in range(5)]
    saturday_night = datetime(2026, 10, 24, 23, 30, tzinfo=HELSINKI)
    assert next_slot_start(weekdays, saturday_night) == datetime(2026, 10, 26, 8, 0, tzinfo=HELSINKI)
    monday_early = datetime(2026, 10, 26, 6, 0, tzinfo=HELSINKI)
    assert next_slot_start(weekdays, monday_early) == monday_early.replace(hour=8)
    friday_evening = datetime(2026, 10, 30, 19, 0, tzinfo=HELSINKI)
    assert next_slot_start(weekdays, friday_evening) == datetime(2026, 11, 2, 8, 0, tzinfo=HELSINKI)
    assert next_slot_start([], saturday_night) is None
