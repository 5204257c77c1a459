"""How an outage is answered and told, with no server: the one handler's 503 for PostgreSQL's and Redis's
failures (problem details under /api/), and one log line when an outage starts and one when it ends."""

from __future__ import annotations

import logging

import psycopg2
import pytest
import redis
from flask import Flask
from psycopg2.pool import PoolError

from dashboard.core.errors import Outage
from dashboard.web.errors import _answer_outage

FAILURES = [
    (psycopg2.OperationalError("connection refused"), "postgresql"),
    (psycopg2.InterfaceError("connection already closed"), "postgresql"),
    (PoolError("connection pool exhausted"), "postgresql"),
    (redis.ConnectionError("Error 111 connecting"), "redis"),
    (redis.TimeoutError("Timeout reading from socket"), "redis"),
    (redis.BusyLoadingError("Redis is loading the dataset in memory"), "redis"),  # replaying its append-only file
]


@pytest.mark.parametrize(("failure", "dependency"), FAILURES)
def test_a_dependency_that_does_not_answer_is_a_503_naming_it(failure, dependency):
    with Flask(__name__).test_request_context("/ingest/osmand"):
        answer = _answer_outage(failure)
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"
    assert answer.mimetype == "application/json"
    body = answer.get_json()
    assert body["error"]["code"] == "unavailable" and body["dependency"] == dependency


def test_under_api_the_503_is_problem_details_with_the_one_error_shape():
    with Flask(__name__).test_request_context("/api/v1/teams"):
        answer = _answer_outage(psycopg2.OperationalError("connection refused"))
    assert answer.status_code == 503 and answer.mimetype == "application/problem+json"
    body = answer.get_json()
    assert (body["type"], body["title"], body["status"]) == ("about:blank", "Service Unavailable", 503)
    assert body["detail"] == body["error"]["message"] and "PostgreSQL" in body["detail"]


def test_an_outage_is_logged_when_it_starts_and_when_it_ends_not_per_request(caplog):
    caplog.set_level(logging.INFO, logger="dashboard.core.errors")
    outage = Outage("privacy rules")
    for _ in range(5):
        outage.failed(psycopg2.OperationalError("connection refused\nIs the server running?"), "keeping the copy")
    outage.passed()
    outage.passed()
    outage.failed(redis.ConnectionError("again"))
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "privacy rules failed (OperationalError: connection refused); keeping the copy",
        lines[1],
        "privacy rules failed (ConnectionError: again)",
    ]
    assert lines[1].startswith("privacy rules: working again after ")


def test_a_long_outage_keeps_its_retry_wait_bounded():
    # Seen on the demo with Redis gone: the 1,025th failure overflowed the float and every request was a 500.
    outage = Outage("live feed")
    for _ in range(5000):
        outage.failed(redis.ConnectionError("gone"))
    assert not outage.due()
    assert outage._next_try - outage._since <= Outage.RETRY_MAX_S + 1
