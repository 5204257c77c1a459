"""Report periods and schedule times with no server; the instants here are pinned, never read from the clock."""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from dashboard.reports.model import Period, ReportError, parse_formats
from dashboard.reports.periods import MAX_CUSTOM_DAYS, comparison_label, parse_period, period_label, week_period
from dashboard.reports.render.pdf import delta
from dashboard.reports.schedule import last_occurrence, period_before

HELSINKI = ZoneInfo("Europe/Helsinki")


def test_periods_are_months_iso_weeks_or_day_ranges():
    assert (parse_period("2026-11").first_day, parse_period("2026-11").last_day) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    week = parse_period("2026-W47")
    assert (week.first_day, week.last_day) == (date(2026, 11, 16), date(2026, 11, 22))
    assert parse_period("2026-11-03..2026-11-05").days == 3
    assert parse_period("2026-03").previous().first_day == date(2026, 2, 1)
    for bad in ("2026-13", "2026-11-05..2026-11-01", "last month", "2020-01-01..2026-01-01"):
        with pytest.raises(ReportError):
            parse_period(bad)


@pytest.mark.parametrize("text", ["", "2026", "2026-W5", "2026-W00", "2025-W53", "2026-02-30..2026-03-01", "11/2026"])
def test_what_names_no_period_is_refused(text):
    with pytest.raises(ReportError, match="Not a valid period"):
        parse_period(text)


def test_a_period_may_be_written_with_spaces_around_it():
    assert parse_period("  2026-11 ") == Period("month", date(2026, 11, 1), date(2026, 11, 30))


def test_iso_week_one_may_start_in_the_year_before_and_a_long_year_has_week_53():
    assert parse_period("2026-W01") == Period("week", date(2025, 12, 29), date(2026, 1, 4))
    assert parse_period("2026-W53") == Period("week", date(2026, 12, 28), date(2027, 1, 3))


def test_a_week_runs_monday_to_sunday_whatever_day_it_is_asked_for():
    assert week_period(date(2026, 11, 22)) == week_period(date(2026, 11, 16)) == parse_period("2026-W47")


def test_a_day_range_covers_at_most_a_leap_year():
    assert parse_period("2024-01-01..2024-12-31").days == MAX_CUSTOM_DAYS
    with pytest.raises(ReportError):
        parse_period("2024-01-01..2025-01-01")


def test_the_period_before_a_month_is_the_whole_month_before():
    assert parse_period("2026-01").previous() == Period("month", date(2025, 12, 1), date(2025, 12, 31))
    assert parse_period("2024-03").previous() == Period("month", date(2024, 2, 1), date(2024, 2, 29))


def test_the_period_before_a_week_or_day_range_is_as_long_and_ends_the_day_before():
    assert parse_period("2026-W01").previous() == Period("week", date(2025, 12, 22), date(2025, 12, 28))
    assert parse_period("2026-11-03..2026-11-05").previous() == Period("custom", date(2026, 10, 31), date(2026, 11, 2))


def test_a_period_names_its_files_and_its_title():
    assert [parse_period(text).slug for text in ("2026-11", "2026-W47", "2026-11-03..2026-11-05")] == [
        "2026-11",
        "2026-W47",
        "2026-11-03_2026-11-05",
    ]
    assert parse_period("2026-11").label("zh-CN") == "2026年11月"
    assert parse_period("2026-W01").label("en") == "Week 1, 2026 (2025-12-29 – 2026-01-04)"


def test_formats_are_chosen_from_pdf_xlsx_csv_in_that_order():
    assert parse_formats("CSV, pdf") == ["pdf", "csv"]
    assert parse_formats(["xlsx", "pdf", "xlsx"]) == ["pdf", "xlsx"]
    for bad in ("", "doc", ["pdf", "html"]):
        with pytest.raises(ReportError):
            parse_formats(bad)


def test_schedule_times_are_local_and_cover_the_period_before():
    tz = HELSINKI
    weekly = {"cadence": "weekly", "weekday": 0, "at_time": time(8, 0)}
    friday = datetime(2026, 11, 27, 12, 0, tzinfo=tz)
    assert last_occurrence(weekly, friday) == datetime(2026, 11, 23, 8, 0, tzinfo=tz)
    assert period_before(weekly, last_occurrence(weekly, friday)).first_day == date(2026, 11, 16)
    monthly = {"cadence": "monthly", "month_day": 1, "at_time": time(8, 0)}
    assert last_occurrence(monthly, friday) == datetime(2026, 11, 1, 8, 0, tzinfo=tz)
    assert period_before(monthly, datetime(2026, 11, 1, 8, 0, tzinfo=tz)).first_day == date(2026, 10, 1)
    early = datetime(2026, 12, 1, 7, 0, tzinfo=tz)
    assert last_occurrence(monthly, early) == datetime(2026, 11, 1, 8, 0, tzinfo=tz)


def test_a_schedule_fires_at_its_own_minute_not_a_week_later():
    weekly = {"cadence": "weekly", "weekday": 0, "at_time": time(8, 0)}
    monday_at_eight = datetime(2026, 11, 23, 8, 0, tzinfo=HELSINKI)
    assert last_occurrence(weekly, monday_at_eight) == monday_at_eight
    just_before = datetime(2026, 11, 23, 7, 59, tzinfo=HELSINKI)
    assert last_occurrence(weekly, just_before) == datetime(2026, 11, 16, 8, 0, tzinfo=HELSINKI)


def test_a_monthly_schedule_in_january_reports_the_december_before():
    monthly = {"cadence": "monthly", "month_day": 2, "at_time": time(6, 30)}
    moment = last_occurrence(monthly, datetime(2027, 1, 10, 12, 0, tzinfo=HELSINKI))
    assert moment == datetime(2027, 1, 2, 6, 30, tzinfo=HELSINKI)
    assert period_before(monthly, moment) == Period("month", date(2026, 12, 1), date(2026, 12, 31))


def test_a_month_to_date_is_compared_with_the_same_days_of_the_month_before():
    november = parse_period("2026-11")
    on_the_14th = date(2026, 11, 14)
    assert november.so_far(on_the_14th) == Period("month", date(2026, 11, 1), date(2026, 11, 14))
    assert november.compared_with(on_the_14th) == Period("month", date(2026, 10, 1), date(2026, 10, 14))
    assert comparison_label(november, on_the_14th, "en") == "1–14 October 2026 (the same days of the period before)"
    assert period_label(november, on_the_14th, "en") == "November 2026, to date (1–14 November 2026)"
    assert november.compared_with(on_the_14th).label("zh-CN") == "2026年10月1–14日"


def test_a_finished_period_is_compared_with_the_whole_period_before():
    november = parse_period("2026-11")
    for later in (date(2026, 11, 30), date(2027, 2, 1)):
        assert november.so_far(later) == november
        assert november.compared_with(later) == parse_period("2026-10")
        assert comparison_label(november, later, "en") == "October 2026"


def test_the_days_so_far_never_run_past_the_shorter_month_before():
    assert parse_period("2026-03").compared_with(date(2026, 3, 30)) == Period(
        "month", date(2026, 2, 1), date(2026, 2, 28)
    )


def test_a_running_week_is_compared_with_the_same_weekdays_of_the_week_before():
    week = parse_period("2026-W47")  # Monday 16 November
    assert week.compared_with(date(2026, 11, 18)) == Period("week", date(2026, 11, 9), date(2026, 11, 11))


@pytest.mark.parametrize(
    ("value", "previous", "digits", "expected"),
    [
        (99.6, 100.0, 0, "±0"),
        (1.04, 1.0, 1, "±0"),
        (-0.2, 0.1, 0, "±0"),
        (1001, 1000, 0, "▲ 1 (±0 %)"),
        (90, 100, 0, "▼ 10 (-10 %)"),
        (4.3, 4.0, 1, "▲ 0.3 (+8 %)"),
    ],
)
def test_a_change_that_rounds_to_nothing_reads_plus_minus_zero_never_minus_zero(value, previous, digits, expected):
    assert delta({"value": value, "previous": previous, "digits": digits})["text"] == expected


def test_no_change_prints_minus_zero():
    texts = [
        delta({"value": value / 10, "previous": previous / 10, "digits": digits})["text"]
        for value in range(0, 200, 3)
        for previous in range(1, 200, 7)
        for digits in (0, 1, 2)
    ]
    assert not [text for text in texts if re.search(r"-0(?![.\d])", text)]
