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


@pytest.fixture(autouse=True)
def _keep_test_connection(db):
    """The raw WSGI app fires request_started/finished, whose close_old_connections closes the test transaction's
    connection on PostgreSQL (Django's test Client disconnects it; from_wsgi does not): keep it open here."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")
AUTH = {"Authorization": "Basic " + base64.b64encode(b"schemathesis:st-password").decode()}


@schema.parametrize()
@settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case):
    case.call_and_validate(headers=AUTH)
