"""Schemathesis over the blackout operations with a Bearer JWT (tests/test_schema.py sends Basic credentials,
which the BMC family refuses with 401, so it never reaches the bodies): no 5xx, answers match the docs."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis import checks

from config.wsgi import application


@pytest.fixture
def _keep_test_connection():
    """Calling the WSGI application directly fires request_started/finished, whose close_old_connections would
    close the test's connection inside its transaction on PostgreSQL (Django's test Client disconnects it too)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bmc_schema(db, django_user_model, _keep_test_connection):
    user = django_user_model.objects.create_superuser("fuzz", "fuzz@example.com", "fuzz-password")
    TOKEN["value"] = str(AccessToken.for_user(user))
    return schemathesis.openapi.from_wsgi("/api/schema/", application)


TOKEN: dict = {}
schema = schemathesis.pytest.from_fixture("bmc_schema").include(path_regex="^/events-service/")


@schema.parametrize()
@settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_blackout_operations_conform(case):
    # Bodies that are schema-valid but impossible (no such date, an unknown id) are refused with a documented
    # 400, so the "schema-valid request accepted" checks do not apply; everything else does.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN['value']}"},
        excluded_checks=[checks.positive_data_acceptance, checks.negative_data_rejection],
    )
