"""Schemathesis with the input-judgement checks on the blackouts operations (tests/test_schema.py runs every other
check on every operation). ``negative_data_rejection`` holds for every blackouts operation: the published request
schema is the one validated. ``positive_data_acceptance`` holds where the schema can say exactly what is accepted;
the others (create/update: the criteria language, real dates and zones; enable/disable: ids must exist, a 400 by
the spec; events: free slot names OpenAPI 3.0 cannot constrain) are listed in docs/blackouts.md."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis import checks

from config.wsgi import application

POSITIVE = {
    "GET /events-service/api/v1.0/blackout_policies/{policy_id}",
    "DELETE /events-service/api/v1.0/blackout_policies/{policy_id}",
    "POST /events-service/api/v1.0/blackout_policies/delete",
    "POST /events-service/api/v1.0/blackout_policies/search",
}


@pytest.fixture
def bearer(db, django_user_model) -> dict:
    user = django_user_model.objects.create_superuser("schemathesis", "st@example.com", "st-password")
    return {"Authorization": f"Bearer {AccessToken.for_user(user)}"}


@pytest.fixture
def blackouts_schema(db):
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("blackouts_schema")


@schema.include(path_regex="^/events-service/").parametrize()
@settings(max_examples=6, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_blackouts_operations_judge_input_as_documented(case, bearer):
    excluded = [] if case.operation.label in POSITIVE else [checks.positive_data_acceptance]
    case.call_and_validate(headers=bearer, excluded_checks=excluded)
