"""Hostile values for property-based tests (hypothesis): numbers at the limits, huge integers, NaN and
infinity as text, dates at the edges of the calendar, unicode, wrong types and deep nesting. Shared by the
parsers' fuzz (tests/unit) and the endpoints' and callbacks' fuzz (tests/integration).

Every fuzz test runs a fixed number of examples (`fuzz(max_examples)`), derandomized or from a fixed seed,
without an example database: a CI run is the same run every time."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st


def fuzz(max_examples: int) -> settings:
    """Bounded and repeatable: the same examples on every run; no deadline (a request's time is not under test)."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


LIMIT_NUMBERS = [
    0,
    -0.0,
    -1,
    1,
    0.5,
    2**31 - 1,
    2**31,
    -(2**31) - 1,
    2**53 + 1,
    2**63 - 1,
    -(2**63),
    2**64 - 1,
    10**20,
    -(10**20),
    int("9" * 400),
    1e308,
    -1e308,
    5e-324,
    946_684_799,  # the second before 2000
    2_147_483_647,  # Traccar's seconds limit: 2038-01-19
    2_200_000_000,  # 2039 in seconds
    1_764_237_600_000,  # 2025 in milliseconds
    253_402_300_800,  # 10000-01-01 in seconds
]
NUMBER_TEXTS = [
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "-inf",
    "1e400",
    "-1e400",
    "9" * 400,
    "-0",
    "0x10",
    "1_000",
]
EDGE_DATES = [
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+14:00",
    "1970-01-01",
    "1999-12-31",
    "2038-01-19T03:14:08Z",
    "2025-02-29",
    "2025-13-01",
    "2025-11-27T25:61:00Z",
    "24:00",
    "99:99",
]
ODD_TEXTS = [
    "",
    " ",
    "\x00",
    "é",
    "𝕏𝕏𝕏",
    "\u202e",
    "\ud7ff",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '=HYPERLINK("http://x")',
    "../../etc/passwd",
    "/",
    "?a=1&b=",
    "data:text/csv;base64,!!!",
    "data:text/csv;base64,ZXh0ZXJuYWxfaWQsbmFtZQo=",
    "x" * 5000,
    "9" * 5000,  # more digits than int() reads
    "²",  # a digit to str.isdigit, none to int()
    "١٢",  # Arabic-Indic digits
]

numbers = st.sampled_from(LIMIT_NUMBERS) | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
texts = st.sampled_from(NUMBER_TEXTS + EDGE_DATES + ODD_TEXTS) | st.text(max_size=40)
scalars = st.none() | st.booleans() | numbers | texts
# Every listed extreme, or a wrong type, drawn whole.
extremes = st.sampled_from(LIMIT_NUMBERS + NUMBER_TEXTS + EDGE_DATES + ODD_TEXTS + [None, True, [], {}])


def nested(depth: int, leaf: object = 1) -> object:
    """`leaf` inside `depth` lists, built without recursion."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def json_values(keys: list[str]) -> st.SearchStrategy:
    """Any JSON value (no NaN: a JSON parser refuses the whole body for it, which the endpoints' own tests
    cover), objects keyed mostly by the names the code looks for, sometimes nested 50 deep. Deeper nesting
    is for the sweeps (`nested`): hypothesis' own printer of an example recurses into it."""
    key = st.sampled_from(keys) | st.text(max_size=8)
    shallow = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(key, inner, max_size=5),
        max_leaves=12,
    )
    return shallow | st.sampled_from([nested(50), nested(50, {"id": 1})])


def hostile(keys: list[str]) -> st.SearchStrategy:
    """One hostile value: an extreme half of the time, else any JSON value."""
    return extremes | json_values(keys)
