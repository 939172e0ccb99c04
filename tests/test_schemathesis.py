"""Fuzzing the API against its own description: schemathesis over every operation in the
OpenAPI schema, as a signed-in practitioner with records to find.

Every request goes through the whole Django stack in this process (WSGI, middleware, the real
test database). For each operation schemathesis generates requests from the schema, valid and
invalid, with a fixed seed and a bounded number of examples, and checks each response:

- not_a_server_error: no 5xx, whatever is sent;
- status_code_conformance: the status is one the schema lists (error responses are listed for
  every operation by waymark.core.openapi);
- content_type_conformance: the content type is the one the schema gives;
- response_schema_conformance: the body matches the schema for that status.
"""

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory, WardFactory
from waymark.people.tests.factories import PersonFlagFactory, YoungPersonFactory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Enough to reach each operation's branches, few enough that the whole run stays near a minute.
EXAMPLES_PER_OPERATION = 8
SEED = 20261207
COVERAGE = os.environ.get("WAYMARK_FUZZ_COVERAGE", "") == "1"


@pytest.fixture
def connection_kept() -> Iterator[None]:
    """Requests go straight to the WSGI handler, which closes the database connection when a
    request ends; on PostgreSQL that would close the test's own connection and transaction.
    Django's test client keeps it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, practitioner, connection_kept):
    """A practitioner's token, with a young person, a place, a concern, an association and a
    flagged person of concern in the database for the requests to find."""
    ward = WardFactory()
    place = PlaceFactory(ward=ward)
    children = [YoungPersonFactory(created_by_agency=practitioner.agency) for _ in range(3)]
    flag = PersonFlagFactory()
    concern_make(
        actor=practitioner,
        young_people=children,
        place=place,
        persons_of_concern=[flag.person],
    )
    return AuthToken.objects.create(user=practitioner)[1]


# The schema as drf-spectacular serves it at /api/schema/, generated here (the route needs a
# signed-in user); the requests go to Django's WSGI handler in this process.
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True),
    config=SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            # Examples from the schema, then generated requests (valid and invalid); the
            # coverage phase, which enumerates every boundary of every field, takes several
            # minutes on its own, so it is left to a manual run (`schemathesis run`).
            "phases": {"coverage": {"enabled": COVERAGE}},
        }
    ),
)
schema.app = WSGIHandler()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_request_as_its_schema_says(case, token):
    # Each request in a savepoint of its own, as a request is in production: a wrong password at
    # /api/token/ makes DRF mark the transaction it is in for rollback, and that view runs
    # outside the request transaction, so in a test it would otherwise mark the test's own.
    with transaction.atomic():
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
