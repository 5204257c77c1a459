"""What a browser sends is untrusted (dashboard/core/inputs.py): coerced to the expected type or to
nothing, and a sign-in's `next` never leads off the site."""

from datetime import date

import pytest

from dashboard.core.inputs import (
    BIGINT,
    calendar_day,
    counter,
    mapping,
    safe_next,
    text,
    whole_number,
    whole_number_in_text,
    whole_numbers,
)

JUNK = [None, True, False, "7", 7.0, 1.5, [7], {"id": 7}, float("nan")]


@pytest.mark.parametrize("value", [0, 7, -3, 2**31 - 1, -(2**31)])
def test_a_whole_number_is_kept(value):
    assert whole_number(value) == value


@pytest.mark.parametrize("value", [2**31, -(2**31) - 1, 10**20, -(10**20), 10**400])
def test_an_integer_beyond_postgresqls_integer_is_no_whole_number(value):
    assert whole_number(value) is None
    assert whole_numbers([1, value]) == [1]


def test_a_bigint_may_be_asked_for():
    assert whole_number(10**12, BIGINT) == 10**12
    assert whole_number(2**63 - 1, BIGINT) == 2**63 - 1
    assert whole_number(2**63, BIGINT) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-11-27", date(2025, 11, 27)),
        ("2025-11-27T10:00:00", date(2025, 11, 27)),
        ("1970-01-01", date(1970, 1, 1)),
        ("2200-12-31", date(2200, 12, 31)),
    ],
)
def test_a_day_is_read_from_a_date_pickers_text(value, expected):
    assert calendar_day(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31",
        "0001-01-01",
        "1969-12-31",
        "2201-01-01",
        "2025-02-30",
        "2025-13-01",
        "",
        None,
        20251127,
        ["2025-11-27"],
    ],
)
def test_a_day_at_the_edges_of_the_calendar_or_no_day_at_all_is_none(value):
    assert calendar_day(value) is None


@pytest.mark.parametrize("value", JUNK)
def test_anything_else_is_no_whole_number(value):
    assert whole_number(value) is None


def test_a_refresh_counter_is_its_value_or_zero():
    assert [counter(value) for value in (5, None, "5", True, 2.0)] == [5, 0, 0, 0, 0]


def test_text_is_cut_to_its_maximum_and_anything_else_is_empty():
    assert text("hello") == "hello"
    assert text("x" * 500) == "x" * 200
    assert text("abcdef", max_length=3) == "abc"
    assert [text(value) for value in (None, 5, ["a"], b"a")] == ["", "", "", ""]


def test_a_list_of_whole_numbers_keeps_only_the_whole_numbers():
    assert whole_numbers([1, "2", 3.0, True, None, 4]) == [1, 4]
    assert [whole_numbers(value) for value in (None, 1, "12", {"a": 1})] == [[], [], [], []]


def test_a_mapping_is_kept_and_anything_else_is_empty():
    assert mapping({"a": 1}) == {"a": 1}
    assert [mapping(value) for value in (None, [("a", 1)], "a=1")] == [{}, {}, {}]


@pytest.mark.parametrize("target", ["/", "/tasks", "/analytics/day?employee=3#map", "/admin/users"])
def test_a_path_on_this_site_is_where_sign_in_goes_back_to(target):
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "evil.example/tasks",
        "http:/tasks",
    ],
)
def test_sign_in_never_redirects_off_site(target):
    assert safe_next(target) == "/"


@pytest.mark.parametrize(("value", "expected"), [("7", 7), ("0012", 12), (str(2**31 - 1), 2**31 - 1)])
def test_a_whole_number_in_digits_is_read(value, expected):
    assert whole_number_in_text(value) == expected


@pytest.mark.parametrize("value", ["²", "1²", "١٢", "-1", " 7", "7.0", "", "9" * 5000, str(2**31), None, 7])
def test_text_that_int_would_refuse_or_that_is_beyond_range_is_no_whole_number(value):
    assert whole_number_in_text(value) is None
