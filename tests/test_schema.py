"""Schemathesis over every documented operation: no 5xx, no answer that breaks its own schema.

Every check runs except the two about the server's judgement of input: a body can be schema-valid and still
impossible (an unknown id, the 31st of February), which the endpoints refuse with a documented 400; and some
endpoints are deliberately lenient where the vendor is (booleans sent as strings, extra padding).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis import checks

from config.wsgi import application


@pytest.fixture(autouse=True)
def _no_login_lockout(settings):
    # The ignored_auth check sends wrong credentials to every operation from one address: the failed-login
    # lockout (tested in tests/core/test_auth_throttle.py) would rightly answer the later ones 429, not 401.
    settings.AUTH_FAILURE_USER_LIMIT = 0
    settings.AUTH_FAILURE_ADDRESS_LIMIT = 0


@pytest.fixture
def schema_user(db, django_user_model):
    return django_user_model.objects.create_superuser("schemathesis", "st@example.com", "st-password")


@pytest.fixture
def bearer(schema_user) -> dict:
    # A JWT works in every family (BMC accepts nothing else; Oracle and UIM accept it beside Basic).
    return {"Authorization": f"Bearer {AccessToken.for_user(schema_user)}"}


@pytest.fixture
def api_schema(db):
    # As Django's test client does: the WSGI app must not close the test's connection at the end of each request
    # (on PostgreSQL the connection is in the test transaction, so close_old_connections would close it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@pytest.mark.timeout(1800)  # one test over every operation: minutes, more on a shared machine
# derandomize: the same examples every run, so CI is repeatable (explore with more examples locally).
@settings(max_examples=15, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, bearer):
    case.call_and_validate(
        headers=bearer, excluded_checks=[checks.positive_data_acceptance, checks.negative_data_rejection]
    )
