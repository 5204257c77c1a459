"""The whole HTTP API fuzzed against its own OpenAPI document (schemathesis): for any request the
document allows (and many it does not), no 5xx, and no answer whose status, content type or body
the document does not describe.

Bounded and repeatable for CI: a fixed number of examples per operation, derandomized, no example
database; requests go straight into the WSGI app (no network)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dashboard.web.api.openapi import SPEC
from dashboard.work.tokens import SCOPES, issue
from tests.conftest import make_app

EXAMPLES_PER_OPERATION = 50
CONFIG = {"generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True, "database": "none"}}


@pytest.fixture(scope="module")
def fuzzed_app(servers, templates):
    from tests.conftest import _make_settings

    gen = _make_settings(servers, templates, "seeded")
    app = make_app(next(gen))
    yield app
    app.server.extensions["fieldops"].close()
    next(gen, None)


@pytest.fixture(scope="module")
def api_schema(fuzzed_app):
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", fuzzed_app.server, config=SchemathesisConfig.from_dict(CONFIG)
    )


@pytest.fixture(scope="module")
def every_scope(fuzzed_app):
    token = issue(fuzzed_app.server.extensions["fieldops"].db, "fuzz", SCOPES, None, 30, None)
    # The WSGI transport hands back the body as sent: ask for it uncompressed (flask-compress).
    return {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}


# One test per operation of the document (schemathesis' own pytest plugin does not load under pytest 9).
OPERATIONS = [(path, method) for path, item in SPEC["paths"].items() for method in item]


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_no_request_gets_a_5xx_or_an_answer_outside_the_document(api_schema, every_scope, path, method):
    operation = api_schema[path][method.upper()]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        case.call_and_validate(
            headers=every_scope,
            checks=[not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance],
        )

    fuzz()
