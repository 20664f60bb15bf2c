"""The database unreachable (down, restarting, connection lost) is a 503 in the family's envelope on every door,
never a 500: every wire operation, the analyst API, the token endpoint and the admin. The real outage (a private
PostgreSQL cluster stopped under traffic) is in tests/faults/test_multinode.py; here the database connection
refuses every statement, on SQLite and PostgreSQL alike."""

import json
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.test import Client
from rest_framework.test import APIClient

from core.lists.specs import REGISTRY
from tests.contract import ORACLE_KEYS, UIM_KEYS
from tests.core.test_hostile_input import OPERATIONS, _fill


@contextmanager
def database_down():
    def refuse(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            return execute(sql, params, many, context)  # the test's own transaction stays usable
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    with connection.execute_wrapper(refuse):
        yield


def _assert_unavailable(family: str, response) -> None:
    assert response.status_code == 503, (response.status_code, response.content[:300])
    assert response["Retry-After"]
    body = json.loads(response.content)
    if family == "oracle":
        assert set(body) >= ORACLE_KEYS, body
        assert body["httpStatus"] == 503
        assert body["serverMessage"]["messageNbr"] == 5030
    elif family == "uim":
        assert set(body) >= UIM_KEYS, body
        assert (body["code"], body["status"]) == ("SERVICE_UNAVAILABLE", "503-1")
    elif family == "bmc":
        assert [item["key"] for item in body] == ["503"], body
        assert body[0]["message"].startswith("Service Unavailable : "), body
    else:
        assert set(body) == {"detail"}, body
    assert "OperationalError" not in response.content.decode() and "Connection refused" not in response.content.decode()


PATH_VALUE = {"oracle": "CC-1", "bmc": "5b0f2c1e-7a8d-4f7e-9c1a-2d3e4f5a6b7c", "uim": "1"}


@pytest.mark.parametrize(("family", "method", "path"), OPERATIONS, ids=[f"{m.upper()} {p}" for _, m, p in OPERATIONS])
def test_every_wire_operation_answers_503_in_its_envelope(superuser, family, method, path):
    client = APIClient()
    client.force_authenticate(superuser)
    with database_down():
        url = _fill(path.replace("{version}", "v3"), PATH_VALUE[family])
        response = client.generic(method.upper(), url, b"{}", content_type="application/json")
    if 400 <= response.status_code < 500:
        return  # refused before the database was needed (the empty body, the id's format): that answer stands
    _assert_unavailable(family, response)


def test_basic_auth_needing_the_database_is_503_not_401(integration_user):
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.get(
            "/rest/apis/customer/v-model/customerContact/CC-1",
            HTTP_AUTHORIZATION="Basic aW50ZWdyYXRpb246d3Jvbmc=",  # a user the credentials cache has never seen
        )
    _assert_unavailable("oracle", response)


def test_every_analyst_list_answers_503_json(analyst_user):
    client = APIClient()
    client.force_authenticate(analyst_user)
    for spec in REGISTRY.values():
        with database_down():
            response = client.get(f"/api/{spec.path}/")
        _assert_unavailable("api", response)


def test_token_endpoint_answers_503_json(db):
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.post(
            "/api/auth/token/", {"username": "oms", "password": "x"}, content_type="application/json"
        )
    _assert_unavailable("api", response)


def test_admin_answers_503_not_a_server_error_page(superuser):
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    with database_down():
        response = client.get("/admin/")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert b"database is unavailable" in response.content
