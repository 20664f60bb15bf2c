"""A NUL character in credentials (issue 21, finding 7) is a failed login at every password door — 401 in the
door's envelope, counted by the failed-login throttle — never a 500 (PostgreSQL cannot hold a NUL in a query
parameter) and never a free, uncounted request."""

import json

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.contract import ORACLE_KEYS, UIM_KEYS
from tests.core import auth_helpers
from tests.core.auth_helpers import ADMIN_LOGIN, ANALYST_LIST, ORACLE_ECHO, PASSWORD, TOKEN, UIM_ECHO, USERNAME, basic

echo_user = auth_helpers.echo_user  # the fixture

pytestmark = [pytest.mark.urls("tests.core.auth_urls"), pytest.mark.usefixtures("limits")]

BASIC_DOORS = [ORACLE_ECHO, UIM_ECHO, ANALYST_LIST]
NUL_CREDENTIALS = [("oms\x00x", "y"), (f"{USERNAME}\x00", PASSWORD), (USERNAME, f"{PASSWORD}\x00")]


@pytest.fixture
def limits():
    with override_settings(
        AUTH_FAILURE_USER_LIMIT=10,
        AUTH_FAILURE_ADDRESS_LIMIT=20,
        AUTH_FAILURE_WINDOW_SECONDS=900,
        AUTH_LOCKOUT_SECONDS=900,
    ):
        yield


def basic_call(door: str, username: str, password: str, address: str = "127.0.0.1"):
    client = APIClient(REMOTE_ADDR=address, raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=basic(username, password))
    if door == ANALYST_LIST:
        return client.get(door)
    return client.post(door, data={"name": "demo"}, format="json")


def assert_401_in_envelope(door: str, response) -> None:
    assert response.status_code == 401, response.content
    body = response.json()
    if door == ORACLE_ECHO:
        assert set(body) >= ORACLE_KEYS and body["httpStatus"] == 401
    elif door == UIM_ECHO:
        assert set(body) >= UIM_KEYS and body["status"].startswith("401")
    else:
        assert set(body) == {"detail"}


@pytest.mark.parametrize("door", BASIC_DOORS)
@pytest.mark.parametrize(("username", "password"), NUL_CREDENTIALS)
def test_a_nul_in_basic_credentials_is_a_401_in_the_envelope(echo_user, door, username, password):
    assert_401_in_envelope(door, basic_call(door, username, password))


@pytest.mark.parametrize("door", BASIC_DOORS)
def test_nul_usernames_are_counted_by_the_lockout(echo_user, door):
    """Ten failures of one (NUL-bearing) username lock it; twenty from one address lock the address."""
    statuses = [basic_call(door, "oms\x00x", f"guess-{n}").status_code for n in range(11)]
    assert statuses == [401] * 10 + [429], statuses
    statuses = [basic_call(door, f"oms\x00{n}", "y", address="192.0.2.50").status_code for n in range(21)]
    assert statuses == [401] * 20 + [429], statuses
    # The address is locked for every username, the right password included.
    assert basic_call(door, USERNAME, PASSWORD, address="192.0.2.50").status_code == 429


def token_post(username: str, password: str, fmt: str):
    client = APIClient(raise_request_exception=False)
    if fmt == "json":
        body = json.dumps({"username": username, "password": password})
        return client.post(TOKEN, data=body, content_type="application/json")
    return client.post(TOKEN, {"username": username, "password": password})  # multipart form


@pytest.mark.parametrize("fmt", ["json", "form"])
@pytest.mark.parametrize(("username", "password"), NUL_CREDENTIALS)
def test_a_nul_at_the_token_endpoint_is_a_counted_failed_login(echo_user, fmt, username, password):
    response = token_post(username, password, fmt)
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/json" and "detail" in response.json()
    statuses = [token_post(username, password, fmt).status_code for _ in range(25)]
    assert 429 in statuses and set(statuses) <= {401, 429}, statuses


@pytest.mark.parametrize(("username", "password"), [("boss\x00", "boss-password"), ("boss", "boss-password\x00")])
def test_a_nul_at_the_admin_login_is_a_form_error_and_counted(django_user_model, username, password):
    django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-password")
    client = APIClient(raise_request_exception=False)
    statuses = [client.post(ADMIN_LOGIN, {"username": username, "password": password}).status_code for _ in range(21)]
    assert statuses[0] == 200 and 429 in statuses and set(statuses) <= {200, 429}, statuses
