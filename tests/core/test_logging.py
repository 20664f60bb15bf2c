"""Logs: one line per record through one handler, the request id on every line and in the wire error body, JSON
lines with LOG_FORMAT=json, no traceback for a client error, and never a password or token."""

import json
import logging
import logging.config

import pytest
from rest_framework.test import APIClient

from core.logging import JsonFormatter, logging_config, redact
from tests.core import auth_helpers
from tests.core.auth_helpers import ADMIN_LOGIN, ORACLE_ECHO, PASSWORD, REFRESH, TOKEN, UIM_ECHO, USERNAME, basic
from tests.core.log_helpers import console

echo_user = auth_helpers.echo_user  # the fixture


@pytest.mark.django_db
def test_json_lines_carry_the_request_id_and_the_error_body_names_it(client):
    with console(logging_config(fmt="json", level="INFO")) as stream:
        response = client.post(
            "/rest/apis/customer/service/outageEventNotifications/",
            data="{not json",
            content_type="application/json",
            HTTP_X_REQUEST_ID="trace-me-42",
        )
    assert response.status_code in (400, 401)
    assert response["X-Request-ID"] == "trace-me-42"
    assert response.json()["serverMessage"]["callSequence"] == "trace-me-42"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines, "no log line for the request"
    assert all(line["request_id"] == "trace-me-42" for line in lines), lines
    (request_line,) = [line for line in lines if line["logger"] == "core.request"]
    assert request_line["status"] == response.status_code
    assert request_line["family"] == "oracle"
    assert request_line["endpoint"] != request_line["path"]  # the route's name, not the raw path


@pytest.mark.django_db
def test_uim_and_bmc_error_bodies_carry_the_request_id(client, integration_client):
    uim = client.get("/InventoryRSOpenAPI/nothing-here", HTTP_X_REQUEST_ID="uim-1")
    assert (uim.status_code, uim.json()["requestId"]) == (404, "uim-1")
    bmc = integration_client.get("/events-service/api/v1.0/blackout_policies/no-such-id", HTTP_X_REQUEST_ID="bmc-1")
    assert bmc.status_code == 400, bmc.content  # a status body ("Invalid UUID string")
    assert bmc.json()["requestId"] == "bmc-1" == bmc["X-Request-ID"]


def test_redact_masks_credentials():
    text = redact(
        "Authorization: Basic ZWNobzplY2hvLXBhc3N3b3Jk and Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig; "
        'password=hunter22 {"refresh": "abcdefgh"}'
    )
    for secret in ("ZWNobzplY2hvLXBhc3N3b3Jk", "eyJhbGciOiJIUzI1NiJ9", "hunter22", "abcdefgh"):
        assert secret not in text


class _Capture(logging.Handler):
    """Every record, of every logger and level, rendered whole (message, extra fields, traceback)."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.formatter_ = JsonFormatter()

    def emit(self, record):
        self.lines.append(self.formatter_.format(record) + repr(record.args) + repr(vars(record)))


@pytest.mark.django_db
@pytest.mark.urls("tests.core.auth_urls")
def test_no_password_or_token_reaches_a_log_record(echo_user, django_user_model, settings):
    """Exercise every way a credential enters (Basic right and wrong, JWT obtain, use, refresh, forged, admin
    login right and wrong), capturing every record at DEBUG, and look for each secret used."""
    settings.DEBUG = True  # Django logs more with DEBUG on
    root = logging.getLogger()
    capture, level = _Capture(), root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    secrets = [PASSWORD, "wrong-password-123", "admin-secret-pw", "bad-admin-guess"]
    try:
        client = APIClient()
        assert auth_helpers.call(client, ORACLE_ECHO, HTTP_AUTHORIZATION=basic(USERNAME, PASSWORD)).status_code < 300
        wrong = basic(USERNAME, "wrong-password-123")
        assert auth_helpers.call(APIClient(), UIM_ECHO, HTTP_AUTHORIZATION=wrong).status_code == 401
        secrets += [basic(USERNAME, PASSWORD).split()[1], wrong.split()[1]]

        tokens = APIClient().post(TOKEN, {"username": USERNAME, "password": PASSWORD}, format="json").json()
        secrets += [tokens["access"], tokens["refresh"]]
        bearer = APIClient()
        bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        assert auth_helpers.call(bearer, ORACLE_ECHO).status_code < 300
        refreshed = APIClient().post(REFRESH, {"refresh": tokens["refresh"]}, format="json").json()
        secrets += [refreshed["access"], refreshed["refresh"]]
        forged = tokens["access"][:-4] + "AAAA"
        bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")
        assert auth_helpers.call(bearer, UIM_ECHO).status_code == 401
        secrets.append(forged)
        assert APIClient().post(TOKEN, {"username": USERNAME, "password": "wrong-password-123"}).status_code == 401

        django_user_model.objects.create_superuser("boss", "boss@example.com", "admin-secret-pw")
        browser = APIClient(enforce_csrf_checks=False)
        browser.post(ADMIN_LOGIN, {"username": "boss", "password": "bad-admin-guess", "next": "/admin/"})
        landed = browser.post(ADMIN_LOGIN, {"username": "boss", "password": "admin-secret-pw", "next": "/admin/"})
        assert landed.status_code == 302
    finally:
        root.removeHandler(capture)
        root.setLevel(level)
    assert capture.lines, "nothing was logged: the test would prove nothing"
    leaks = [(secret[:12], line[:300]) for secret in secrets for line in capture.lines if secret in line]
    assert not leaks, leaks
