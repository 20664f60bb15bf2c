"""Schemathesis over every documented operation: no 5xx, no answer that breaks its own schema."""

import base64

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from config.wsgi import application


@pytest.fixture
def api_schema(db, django_user_model):
    django_user_model.objects.create_superuser("schemathesis", "st@example.com", "st-password")
    # Requests go straight to the WSGI app, so request_started/finished fire close_old_connections, which
    # on PostgreSQL closes the test's connection mid-transaction (Django's test client disconnects it too).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")
AUTH = {"Authorization": "Basic " + base64.b64encode(b"schemathesis:st-password").decode()}


@schema.parametrize()
@settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case):
    case.call_and_validate(headers=AUTH)
