"""What a browser sends is untrusted (dashboard/core/inputs.py): coerced to the expected type or to
nothing, and a sign-in's `next` never leads off the site."""

import pytest

from dashboard.core.inputs import counter, mapping, safe_next, text, whole_number, whole_numbers

JUNK = [None, True, False, "7", 7.0, 1.5, [7], {"id": 7}, float("nan")]


@pytest.mark.parametrize("value", [0, 7, -3, 10**12])
def test_a_whole_number_is_kept(value):
    assert whole_number(value) == value


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
