"""Schemathesis over every documented operation: no 5xx, no answer that breaks its own schema."""

import base64

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from config.wsgi import application


@pytest.fixture
def api_schema(db, django_user_model):
    django_user_model.objects.create_superuser("schemathesis", "st@example.com", "st-password")
    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = schemathesis.pytest.from_fixture("api_schema")
AUTH = {"Authorization": "Basic " + base64.b64encode(b"schemathesis:st-password").decode()}


@schema.parametrize()
@settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case):
    case.call_and_validate(headers=AUTH)
