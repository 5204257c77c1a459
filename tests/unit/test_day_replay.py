"""The day replay's timeline (issue 16): fitted to the day's data and the person's working hours, in the
organisation's zone, also on the day the clocks go back."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from callbacks.analytics_day import _outside_visits, _timeline, timeline_range
from dashboard.ingest.privacy import working_spans

TZ = ZoneInfo("Europe/Helsinki")
FRIDAY = date(2026, 10, 23)
CLOCKS_GO_BACK = date(2026, 10, 25)  # a Sunday of 25 hours


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TZ)


def day_of(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), TZ)
    return start, start + timedelta(days=1)


def test_working_hours_of_the_day_are_its_slots_of_that_weekday():
    slots = [(4, time(8), time(17)), (5, time(9), time(12)), (4, time(20), time(0))]
    assert working_spans(slots, FRIDAY, TZ) == [
        (at(FRIDAY, 8), at(FRIDAY, 17)),
        (at(FRIDAY, 20), datetime.combine(FRIDAY + timedelta(days=1), time(), TZ)),
    ]


def test_the_timeline_spans_data_and_working_hours_with_a_margin_on_the_half_hour():
    first, last = timeline_range(
        [at(FRIDAY, 8, 2), None, at(FRIDAY, 14, 40)], [(at(FRIDAY, 8), at(FRIDAY, 17))], *day_of(FRIDAY)
    )
    assert (first, last) == (at(FRIDAY, 7, 30), at(FRIDAY, 17, 30))


def test_data_outside_the_working_hours_widens_the_timeline():
    first, last = timeline_range(
        [at(FRIDAY, 6, 50), at(FRIDAY, 18, 10)], [(at(FRIDAY, 8), at(FRIDAY, 17))], *day_of(FRIDAY)
    )
    assert (first, last) == (at(FRIDAY, 6, 30), at(FRIDAY, 18, 30))


def test_a_day_with_nothing_shows_the_whole_day_and_the_margin_stays_inside_it():
    assert timeline_range([], [], *day_of(FRIDAY)) == day_of(FRIDAY)
    start, end = day_of(FRIDAY)
    assert timeline_range([at(FRIDAY, 0, 5), at(FRIDAY, 23, 55)], [], start, end) == (start, end)


def test_the_timeline_reads_wall_clock_time_on_the_day_the_clocks_go_back():
    first, last = timeline_range([at(CLOCKS_GO_BACK, 9, 10), at(CLOCKS_GO_BACK, 15, 5)], [], *day_of(CLOCKS_GO_BACK))
    assert (first.astimezone(TZ).time(), last.astimezone(TZ).time()) == (time(8, 30), time(15, 30))


def test_stays_away_from_customers_leave_out_the_time_of_visits():
    visits = [(at(FRIDAY, 9), at(FRIDAY, 10), "Kiosk"), (at(FRIDAY, 11), None, "Open visit")]
    stays = [(at(FRIDAY, 8, 30), at(FRIDAY, 10, 30)), (at(FRIDAY, 9, 15), at(FRIDAY, 9, 45))]
    assert _outside_visits(stays, visits) == [
        (at(FRIDAY, 8, 30), at(FRIDAY, 9), ""),
        (at(FRIDAY, 10), at(FRIDAY, 10, 30), ""),
    ]


def test_hours_round_the_clock_leave_the_timeline_to_the_data():
    """The demo's teams may be tracked all day: that is no shift to show, and the axis fits the data alone."""
    task = {"window_start": at(FRIDAY, 9), "window_end": at(FRIDAY, 10), "customer_name": "Kiosk"}
    task |= {"arrived_at": at(FRIDAY, 9, 5), "departed_at": at(FRIDAY, 9, 50)}
    fig = _timeline([], [task], [], [day_of(FRIDAY)], *day_of(FRIDAY))
    assert [datetime.fromisoformat(str(x)) for x in fig.layout.xaxis.range] == [at(FRIDAY, 8, 30), at(FRIDAY, 10, 30)]
    assert not fig.layout.shapes
    fig = _timeline([], [task], [], [(at(FRIDAY, 8), at(FRIDAY, 17))], *day_of(FRIDAY))
    assert len(fig.layout.shapes) == 1 and fig.layout.xaxis.range[1] == at(FRIDAY, 17, 30)
